"""The aid module on the shared kernel: one status policy for pages, API and CLI, services that
check their own permission and eligibility, the one reveal service, core.cells for imports,
core.paging for lists, and workflows that move only through their transition tables."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import login, make_user
from gonghui.aid.importers import parse_date, read_table
from gonghui.aid.models import (
    Beneficiary,
    FileActivity,
    HardshipFile,
    LocalStandard,
    Programme,
    ProgrammeHistory,
)
from gonghui.aid.services import files as svc
from gonghui.aid.services import programmes as programme_services
from gonghui.aid.services.standards import standard_save
from gonghui.aid.tests.conftest import active_file, make_person, open_file
from gonghui.audit.models import SensitiveRead
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.cells import CellError
from gonghui.core.errors import ApplicationError, Forbidden, InvalidTransition, NotFound
from gonghui.orgs.services import org_dissolve

pytestmark = pytest.mark.django_db


# ---- cells ---------------------------------------------------------------------------------

def test_excel_serials_only_within_the_one_range():
    assert parse_date(73050) == dt.date(2099, 12, 31)
    assert parse_date(45839) == dt.date(2025, 7, 1)
    with pytest.raises(CellError) as refused:
        parse_date(73051)  # aid accepted serials up to 79999 before core.cells
    assert refused.value.code == "date_serial"
    assert parse_date("") is None


def test_csv_encodings_through_core_cells():
    text = "地区,年度,低保标准\nSH,2025,1510\n"
    for data in (text.encode("utf-8-sig"), text.encode("gb18030"), text.encode("utf-16")):
        assert read_table(io.BytesIO(data), "标准.csv") == [["地区", "年度", "低保标准"],
                                                           ["SH", "2025", "1510"]]


# ---- services: permission and eligibility -------------------------------------------------

def test_dissolved_union_receives_nothing_new(tree, city_admin, district_cadre):
    org_dissolve(org=tree["SH-A-1-2"], actor=city_admin)
    dissolved = type(tree["SH-A-1-2"]).objects.get(pk=tree["SH-A-1-2"].pk)
    with pytest.raises(ApplicationError) as refused:
        programme_services.programme_create(
            org=dissolved, actor=district_cadre, name="撤销单位项目", kind="winter", year=2026,
            budget=Decimal("100"), amount_per_household=Decimal("10"), assistance_kind="cash",
            rule="categories", categories=["deep"])
    assert (refused.value.code, refused.value.message) == (
        "org_inactive", "“甲二公司工会”已合并或撤销，不能再为其办理新的帮扶事项。")
    with pytest.raises(ApplicationError) as refused:
        standard_save(org=dissolved, year=2026, monthly_line=Decimal("1500"), actor=city_admin)
    assert refused.value.code == "org_inactive"
    assert (Programme.objects.count(), LocalStandard.objects.count()) == (0, 0)


def test_a_system_actor_passes_the_gate_but_never_sees_ids(tree, standard, aid_cadre, person):
    file = open_file(person, aid_cadre)
    cli = system_actor("cli")
    svc.visit_record(file=file, actor=cli, note="电话回访")
    visit = file.activities.get(kind="visit")
    assert (visit.actor_id, visit.actor_name) == (None, "cli")
    with pytest.raises(Forbidden) as refused:
        svc.household_ids_reveal(file=file, actor=cli, purpose="核对")
    assert refused.value.code == "reveal_needs_user"
    assert SensitiveRead.objects.count() == 0


def test_reveal_needs_a_purpose(tree, standard, aid_cadre, district_cadre, person):
    file = open_file(person, aid_cadre)
    with pytest.raises(ApplicationError) as refused:
        svc.household_ids_reveal(file=file, actor=district_cadre, purpose="  ")
    assert refused.value.code == "purpose_required"
    assert SensitiveRead.objects.count() == 0


def test_verifying_needs_the_file_visible_first(tree, standard, aid_cadre, street_cadre,
                                                other_district_cadre, auditor, person):
    file = open_file(person, aid_cadre, incomes=("1000",))
    svc.file_submit(file=file, actor=aid_cadre, category="deep")
    with pytest.raises(NotFound):
        svc.file_verify(file=file, actor=other_district_cadre)
    with pytest.raises(Forbidden):
        svc.file_verify(file=file, actor=auditor)
    assert HardshipFile.objects.get(pk=file.pk).status == "submitted"


# ---- workflows -----------------------------------------------------------------------------

def test_file_timeline_rows_are_the_history(tree, standard, aid_cadre, street_cadre, person):
    file = active_file(person, aid_cadre, street_cadre, incomes=("1000",))
    rows = list(FileActivity.objects.filter(file=file).exclude(to_status="")
                .order_by("at", "id").values_list("kind", "from_status", "to_status",
                                                  "actor_name", "reason"))
    assert rows == [("open", "", "draft", "aid_a11", ""),
                    ("submit", "draft", "submitted", "aid_a11", ""),
                    ("verify", "submitted", "active", "street_a1", "入户核实属实")]


def _programme(tree, actor):
    programme = programme_services.programme_create(
        org=tree["SH-A"], actor=actor, name="送温暖", kind="winter", year=clock.today().year,
        budget=Decimal("1000"), amount_per_household=Decimal("500"), assistance_kind="cash",
        rule="categories", categories=["deep"])
    programme_services.beneficiaries_generate(programme=programme, actor=actor)
    return programme


def test_programme_history_and_beneficiary_transitions(tree, standard, aid_cadre, street_cadre,
                                                       district_cadre, city_admin, person):
    active_file(person, aid_cadre, street_cadre, incomes=("1000",))
    programme = _programme(tree, district_cadre)
    row = programme.beneficiaries.get()
    programme_services.beneficiary_remove(beneficiary=row, actor=district_cadre,
                                          reason="已迁出本市")
    row.refresh_from_db()
    assert (row.status, row.removed_reason) == ("removed", "已迁出本市")
    with pytest.raises(ApplicationError) as refused:
        programme_services.beneficiary_remove(beneficiary=row, actor=district_cadre,
                                              reason="再次")
    assert refused.value.code == "not_listed"
    with pytest.raises(ApplicationError) as refused:
        programme_services.beneficiary_pay(beneficiary=row, actor=district_cadre)
    assert refused.value.code == "programme_not_approved"
    assert list(Beneficiary.objects.filter(programme=programme).values_list(
        "status", flat=True)) == ["removed"]


def test_programme_approve_and_close_write_history(tree, standard, aid_cadre, street_cadre,
                                                   district_cadre, city_admin, person):
    active_file(person, aid_cadre, street_cadre, incomes=("1000",))
    programme = _programme(tree, district_cadre)
    programme_services.programme_approve(programme=programme, actor=city_admin, note="同意")
    with pytest.raises(ApplicationError) as refused:
        programme_services.programme_approve(programme=programme, actor=city_admin)
    assert refused.value.code == "not_draft"
    programme_services.programme_close(programme=programme, actor=district_cadre)
    with pytest.raises(InvalidTransition):
        programme_services.programme_close(programme=programme, actor=district_cadre)
    rows = list(ProgrammeHistory.objects.filter(programme=programme).values_list(
        "from_status", "to_status", "actor_name", "reason"))
    assert rows == [("draft", "approved", "city_admin", "同意"),
                    ("approved", "closed", "district_a", "")]


# ---- one status policy: pages, API, CLI ---------------------------------------------------

@pytest.mark.parametrize(("name", "auditor_status", "member_status"), [
    # a member holds no aid capability anywhere: 403 on every list and form (issue 13 item 14)
    ("aid:home", 200, 403), ("aid:file_new", 403, 403), ("aid:programme_new", 403, 403),
    ("aid:standards", 200, 403), ("aid:standard_new", 403, 403),
    ("aid:standard_import", 403, 403), ("aid:policy", 403, 403), ("aid:reviews_due", 200, 403),
])
def test_pages_without_an_object(client, tree, standard, auditor, member_user, name,
                                 auditor_status, member_status):
    assert login(client, auditor).get(reverse(name)).status_code == auditor_status
    assert login(client, member_user).get(reverse(name)).status_code == member_status


@pytest.mark.parametrize(("method", "path", "body", "auditor_status"), [
    ("get", "/api/v1/aid/files", None, 200),
    ("get", "/api/v1/aid/programmes", None, 200),
    ("get", "/api/v1/aid/standards", None, 200),
    ("get", "/api/v1/aid/due/reviews", None, 200),
    ("post", "/api/v1/aid/files", {"id_number": "x"}, 403),
    ("put", "/api/v1/aid/standards", {"org": "SH", "year": 2025, "monthly_line": "1"}, 403),
])
def test_api_without_an_object(client, tree, standard, auditor, member_user, method, path, body,
                               auditor_status):
    before = (HardshipFile.objects.count(), list(LocalStandard.objects.values_list(
        "org_id", "year", "monthly_line")))
    response = getattr(login(client, auditor), method)(path, data=body,
                                                       content_type="application/json")
    assert response.status_code == auditor_status
    response = getattr(login(client, member_user), method)(path, data=body,
                                                           content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert (HardshipFile.objects.count(), list(LocalStandard.objects.values_list(
        "org_id", "year", "monthly_line"))) == before


def test_api_lists_page_without_cutting(client, tree, standard, aid_cadre, street_cadre):
    for name in ("甲", "乙", "丙"):
        open_file(make_person(tree["SH-A-1-1"], name), aid_cadre)
    login(client, aid_cadre)
    body = client.get("/api/v1/aid/files?page_size=2").json()
    assert ([row["applicant_name"] for row in body["items"]], body["count"], body["page"],
            body["page_size"], body["next"]) == (
        ["丙", "乙"], 3, 1, 2, "/api/v1/aid/files?offset=2&limit=2")
    body = client.get(body["next"]).json()
    assert ([row["applicant_name"] for row in body["items"]], body["next"]) == (["甲"], None)


def test_reveal_page_asks_for_the_purpose(client, tree, standard, aid_cadre, district_cadre,
                                          person):
    file = open_file(person, aid_cadre)
    login(client, district_cadre)
    page = client.get(reverse("aid:file", args=[file.pk])).content.decode()
    assert "查看用途" in page
    response = client.post(reverse("aid:reveal", args=[file.pk]), {"purpose": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "请填写查看完整信息的用途。" in response.content.decode()
    assert person.id_number not in response.content.decode()
    assert SensitiveRead.objects.count() == 0


def test_cli_due_needs_aid_read(tree, standard):
    make_user("nobody_aid")
    with pytest.raises(CommandError, match="您没有执行此操作的权限。"):  # 403 (issue 13 #14)
        call_command("aid", "due", "--user", "nobody_aid", stdout=io.StringIO())
