"""Pages, API happy paths, CLI and demo seed of the member registry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core import clock
from gonghui.members import services
from gonghui.members.models import Application, Membership, Person, Transfer
from gonghui.members.tests.factories import id_number, person_fields

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def test_add_member_page(client, tree, grassroots_cadre):
    login(client, grassroots_cadre)
    page = client.get(reverse("members:add"))
    assert [c[0] for c in page.context["form"].fields["union"].choices] == ["SH-A-1-1"]
    number = id_number()
    response = client.post(reverse("members:add"), {
        "union": "SH-A-1-1", "name": "钱多", "id_number": number, "phone": "13600000000",
        "joined_on": "2020-02-02", "education": "bachelor"})
    m = Membership.objects.get()
    assert response["Location"] == reverse("members:detail", args=[m.pk])
    assert (m.joined_on, m.person.education) == (dt.date(2020, 2, 2), "bachelor")


def test_add_member_page_shows_field_errors_in_chinese(client, tree, grassroots_cadre):
    response = login(client, grassroots_cadre).post(reverse("members:add"), {
        "union": "SH-A-1-1", "name": "钱多", "id_number": "310101198001011230", "phone": "123"})
    assert response.status_code == 400  # an invalid form is shown again with 400
    errors = response.context["form"].errors
    assert errors["id_number"] == ["身份证号码校验位不正确，请核对每一位数字。"]
    assert errors["phone"][0].startswith("手机号“123”无效")
    assert Membership.objects.count() == 0


def test_detail_masks_and_reveal_logs(client, tree, grassroots_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre)
    number = m.person.id_number
    login(client, grassroots_cadre)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert number not in page
    assert m.person.masked_id in page
    response = client.post(reverse("members:reveal", args=[m.pk]), {"purpose": "核对身份"},
                           HTTP_HX_REQUEST="true")
    assert number in response.content.decode()
    assert SensitiveRead.objects.get().purpose == "核对身份"
    response = client.post(reverse("members:reveal", args=[m.pk]), {"purpose": ""})
    assert response.status_code == 400
    assert SensitiveRead.objects.count() == 1


def test_viewer_without_reveal_gets_403_on_reveal_page(client, tree, city_admin):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    cadre = make_user("cadre_a", org=tree["SH-A"], role="cadre")
    response = login(client, cadre).post(reverse("members:reveal", args=[m.pk]),
                                         {"purpose": "x"})
    assert response.status_code == 403
    assert SensitiveRead.objects.count() == 0


def test_auditor_does_not_browse_the_registry(client, tree, auditor, city_admin):
    """Issue 12 item 14: the auditor (经审) reads funds, not the city's member registry."""
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    login(client, auditor)
    # a list the auditor's roles do not open: 403 (issue 13 item 14), the objects stay 404
    assert client.get(reverse("members:list")).status_code == 403
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 404
    before = AuditEvent.objects.count()
    assert client.post(reverse("members:status", args=[m.pk]),
                       {"target": "withdrawn", "reason": "x"}).status_code == 404
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 404
    assert Membership.objects.get().status == "active"
    assert AuditEvent.objects.count() == before


def test_edit_and_status_pages(client, tree, grassroots_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre)
    login(client, grassroots_cadre)
    form = client.get(reverse("members:edit", args=[m.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="13911112222", reason="本人更换号码")
    client.post(reverse("members:edit", args=[m.pk]), data)
    assert Person.objects.get().phone == "13911112222"
    client.post(reverse("members:status", args=[m.pk]), {"target": "retired", "reason": "退休"})
    assert Membership.objects.get().status == "retired"


def test_application_pages(client, tree, grassroots_cadre):
    worker = make_user("w1")
    app = services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                      fields=person_fields("周婷"))
    login(client, grassroots_cadre)
    page = client.get(reverse("members:applications"))
    assert [a.pk for a in page.context["page"]] == [app.pk]
    client.post(reverse("members:application_decide", args=[app.pk, "reject"]),
                {"reason": "请先提供劳动合同"})
    app.refresh_from_db()
    assert (app.status, app.decision_reason) == ("rejected", "请先提供劳动合同")
    # the applicant sees the reason
    response = login(client, worker).get(reverse("members:portal_application", args=[app.pk]))
    assert "请先提供劳动合同" in response.content.decode()


def test_transfer_pages(client, tree, city_admin, district_cadre, other_district_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    login(client, district_cadre)
    client.post(reverse("members:transfer_start", args=[m.pk]),
                {"to_union": "sh-b-1-1", "reason": "调动"})
    transfer = Transfer.objects.get()
    assert transfer.to_union == tree["SH-B-1-1"]
    login(client, other_district_cadre)
    page = client.get(reverse("members:transfers"))
    assert [t.pk for t in page.context["page"]] == [transfer.pk]
    response = client.post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
    new = Membership.objects.get(status="active")
    assert response["Location"] == reverse("members:detail", args=[new.pk])
    assert new.union == tree["SH-B-1-1"]


def test_lapse_pages(client, tree, grassroots_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre,
                            joined_on="2024-01-01")
    services.lapse_check(today=TODAY)
    login(client, grassroots_cadre)
    assert [x.pk for x in client.get(reverse("members:lapse")).context["page"]] == [m.pk]
    client.post(reverse("members:lapse_action", args=[m.pk, "confirm"]))
    assert Membership.objects.get().status == "active"  # no contact yet: refused
    client.post(reverse("members:lapse_action", args=[m.pk, "contact"]),
                {"method": "上门", "outcome": "agrees"})
    client.post(reverse("members:lapse_action", args=[m.pk, "confirm"]))
    assert Membership.objects.get().status == "lapsed"


def test_org_stats_panel(client, tree, city_admin):
    services.member_add(union=tree["SH-A-1-1"], fields=person_fields(new_employment_group="快递员"),
                        actor=city_admin)
    response = login(client, city_admin).get(reverse("members:org_stats", args=[tree["SH"].pk]))
    stats = response.context["stats"]
    assert (stats.active, stats.new_employment, stats.joins) == (1, 1, 1)
    detail = client.get(reverse("orgs:detail", args=[tree["SH"].pk])).content.decode()
    assert reverse("members:org_stats", args=[tree["SH"].pk]) in detail


def test_portal_register_apply_and_card(client, tree, grassroots_cadre):
    from gonghui.members.phone_check import phone_code

    response = client.post(reverse("members:portal_register"), {
        "name": "韩梅", "phone": "13700001111", "password": "short", "password2": "short",
        "code": phone_code("13700001111"), "consent": "on"})
    assert response.status_code == 400  # refused by the password policy: the form again
    assert "密码" in " ".join(response.context["form"].non_field_errors())
    client.post(reverse("members:portal_register"), {
        "name": "韩梅", "phone": "137 0000 1111", "password": "Plum-blossom-77",
        "password2": "Plum-blossom-77", "code": phone_code("13700001111"), "consent": "on"})
    from gonghui.accounts.models import User

    user = User.objects.get(username="13700001111")
    assert user.display_name == "韩梅"
    assert client.get(reverse("members:portal_card")).status_code == 404
    response = client.post(reverse("members:portal_apply_form", args=["SH-A-1-1"]), {
        "name": "韩梅", "id_number": id_number(gender="F"), "phone": "13700001111",
        "basis": "employer", "consent": "on"})
    app = Application.objects.get()
    assert response["Location"] == reverse("members:portal_application", args=[app.pk])
    assert app.applicant == user
    services.application_approve(application=app, actor=grassroots_cadre)
    card = client.get(reverse("members:portal_card"))
    assert Membership.objects.get().card_number in card.content.decode()
    pdf = client.get(reverse("members:portal_card_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:5] == b"%PDF-"


def test_portal_apply_needs_phone_and_consent(client, tree):
    login(client, make_user("w1"))
    response = client.post(reverse("members:portal_apply_form", args=["SH-A-1-1"]), {
        "name": "韩梅", "id_number": id_number(), "basis": "employer"})
    errors = response.context["form"].errors
    assert errors["phone"] == ["请填写手机号，工会审批时会联系您。"]
    assert "consent" in errors
    assert Application.objects.count() == 0


def test_portal_only_member_holding_unions(client, tree):
    login(client, make_user("w1"))
    assert client.get(reverse("members:portal_apply_form", args=["SH-A"])).status_code == 404
    page = client.get(reverse("members:portal_apply"), {"basis": "no_union", "q": "甲区"})
    assert [u.code for u in page.context["unions"]] == ["SH-A-1"]


def test_portal_transfer_request(client, tree, city_admin):
    worker = make_user("w1")
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    Person.objects.update(user=worker)
    login(client, worker)
    client.post(reverse("members:portal_transfer"), {"to_union": "SH-B-1-1", "reason": "换工作"})
    transfer = Transfer.objects.get()
    assert (transfer.membership_id, transfer.origin, transfer.status) == (m.pk, "worker", "pending")


def test_card_qr_verifies_for_scoped_cadre(client, tree, city_admin, district_cadre,
                                           other_district_cadre):
    from django.core import signing

    from gonghui.members.views.portal import CARD_SALT

    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    code = "GONGHUI-CARD:" + signing.dumps({"c": m.card_number}, salt=CARD_SALT, compress=True)
    response = login(client, district_cadre).get(reverse("members:card_verify"), {"code": code})
    assert response["Location"] == reverse("members:detail", args=[m.pk])
    response = login(client, other_district_cadre).get(reverse("members:card_verify"),
                                                       {"code": code})
    assert response.status_code == 404


def test_api_member_lifecycle(client, tree, grassroots_cadre):
    login(client, grassroots_cadre)
    number = id_number()
    response = client.post("/api/v1/members", {
        "union": "SH-A-1-1", "name": "冯涛", "id_number": number, "phone": "13512345678",
        "joined_on": "2018年1月22日", "education": "大专"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["joined_on"], body["person"]["education"]) == ("2018-01-22", "college")
    member_id = body["id"]
    response = client.patch(f"/api/v1/members/{member_id}", {"phone": "bad"},
                            content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0][:2] == ["phone", "phone"]
    response = client.post(f"/api/v1/members/{member_id}/status",
                           {"status": "withdrawn", "reason": "本人申请"},
                           content_type="application/json")
    assert response.json()["status"] == "withdrawn"
    stats = client.get("/api/v1/members/stats", {"org": "SH-A-1-1"}).json()
    assert (stats["active"], stats["exits"]) == (0, 1)


def test_api_application_flow(client, tree, grassroots_cadre):
    worker = make_user("w1")
    response = login(client, worker).post("/api/v1/applications", {
        "union": "SH-A-1-1", "name": "褚明", "id_number": id_number(), "phone": "13512345678",
        "basis": "两非一无"}, content_type="application/json")
    assert response.status_code == 201
    app_id = response.json()["id"]
    response = login(client, grassroots_cadre).post(f"/api/v1/applications/{app_id}/approve",
                                                    {}, content_type="application/json")
    assert response.json()["status"] == "approved"
    assert response.json()["card_number"] == Membership.objects.get().card_number


def test_api_duplicate_member_is_409(client, tree, grassroots_cadre):
    fields = person_fields()
    services.member_add(union=tree["SH-A-1-1"], fields=fields, actor=grassroots_cadre)
    response = login(client, grassroots_cadre).post(
        "/api/v1/members", {"union": "SH-A-1-1", **fields}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_cli_lapse_check(tree, grassroots_cadre):
    services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre,
                        joined_on="2024-01-01")
    out = io.StringIO()
    call_command("members", "lapse-check", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "1 members would be flagged on 2026-05-12 (dry run, nothing changed)"
    out = io.StringIO()
    call_command("members", "lapse-check", "--date", "2026-05-12", stdout=out)
    assert out.getvalue().startswith("1 members flagged for the lapse watch on 2026-05-12")
    assert Membership.objects.get().lapse_flagged_on == TODAY


def test_lapse_task_runs(tree, grassroots_cadre, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from gonghui.members.tasks import lapse_check_task

    services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre,
                        joined_on="2024-01-01")
    result = lapse_check_task.enqueue("2026-05-12")
    assert result.return_value == 1


@pytest.mark.django_db
@pytest.mark.parametrize("day", [TODAY, dt.date(2018, 6, 1)])
def test_demo_seed_is_idempotent_and_links_worker(day):
    # only this app's hook (the other apps' demo data is theirs to test)
    from gonghui.demo import load_employers, load_orgs, load_users
    from gonghui.members.demo import seed_members

    orgs = load_orgs()
    load_employers(orgs)
    users = load_users(orgs)
    out = io.StringIO()
    with clock.frozen(day):  # any day: the demo's dates follow the clock
        seed_members(orgs=orgs, users=users, stdout=out)
    text = out.getvalue()
    count = Membership.objects.count()
    person = Person.objects.get(user__username="worker")
    assert person.member_union.code == "SH-HP-01-01"
    assert "worker / Gonghui2026!" in text
    assert Application.objects.filter(status="submitted").count() == 6
    groups = set(Person.objects.values_list("new_employment_group", flat=True))
    assert groups == {"", "courier", "food_delivery", "truck_driver", "domestic", "caregiver",
                      "security_guard", "real_estate", "mall_info"}
    out = io.StringIO()
    seed_members(orgs=orgs, users=users, stdout=out)
    assert Membership.objects.count() == count
    assert "demo members already loaded" in out.getvalue()
