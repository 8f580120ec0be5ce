"""Stats end to end: coverage (建会率/入会率) on a hand-built subtree, every figure against a
direct recount of the raw rows, trends that survive a transfer and a merge, the employer
registry (validation, scoping, import), the yearly report and its totals sheet, query counts."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import login, make_org
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.members import services as members
from gonghui.members.models import HELD_STATUSES, Membership, MembershipStatus
from gonghui.members.tests.factories import id_number, person_fields
from gonghui.orgs import services as orgs
from gonghui.orgs.models import Employer, Org
from gonghui.orgs.validation import make_uscc
from gonghui.stats import report, selectors
from gonghui.stats.models import MonthlySnapshot, ReportJob, ReportStatus
from gonghui.stats.services.employers import EmployerData, employer_create, employers_import
from gonghui.stats.services.reports import report_run, report_start
from gonghui.stats.services.snapshots import snapshot_month

pytestmark = pytest.mark.django_db

NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def add(union, actor, i, **fields):
    return members.member_add(union=union, fields=person_fields(
        "张" + NAMES[i % len(NAMES)] + NAMES[(i // len(NAMES)) % len(NAMES)],
        id_number=id_number(gender="F" if i % 3 == 0 else "M"), **fields), actor=actor)


def employer(area, name, employees, union=None, industry="制造业"):
    return Employer.objects.create(name=name, area=area, union=union, employees_count=employees,
                                   industry=industry)


# --- coverage -------------------------------------------------------------------------------

def test_coverage_rates_on_a_hand_built_subtree(tree, city_admin):
    for i in range(3):
        add(tree["SH-A-1-1"], city_admin, i)
    add(tree["SH-A-1-2"], city_admin, 3)
    add(tree["SH-B-1-1"], city_admin, 4)
    employer(tree["SH-A-1"], "甲一公司", 10, union=tree["SH-A-1-1"])
    employer(tree["SH-A-1"], "甲二公司", 6, union=tree["SH-A-1-2"], industry="服务业")
    employer(tree["SH-A-1"], "甲三公司", 4)
    employer(tree["SH-A-1"], "甲四公司", 0)
    employer(tree["SH-B-1"], "乙一公司", 100, union=tree["SH-B-1-1"])
    c = selectors.coverage(tree["SH-A"])
    assert c == {"employers": 4, "covered": 2, "employees": 20, "members": 4,
                 "coverage_rate": 50.0, "membership_rate": 20.0}
    city = selectors.coverage(tree["SH"])
    assert (city["employers"], city["covered"], city["employees"], city["members"]) == (5, 3, 120, 5)
    assert city["coverage_rate"] == 60.0
    assert city["membership_rate"] == round(100 * 5 / 120, 1)
    by_child = {r["code"]: r for r in selectors.coverage_by_child(tree["SH"])}
    assert (by_child["SH-A"]["employers"], by_child["SH-A"]["covered"],
            by_child["SH-A"]["active"]) == (4, 2, 4)
    assert (by_child["SH-B"]["employers"], by_child["SH-B"]["active"]) == (1, 1)
    industries = {r["name"]: r for r in selectors.coverage_by_industry(tree["SH-A"])}
    assert (industries["制造业"]["employers"], industries["制造业"]["covered"]) == (3, 1)
    assert industries["服务业"]["coverage_rate"] == 100.0
    # an empty subtree has no rate rather than a division by zero
    assert selectors.coverage(tree["SH-A-1-2"])["coverage_rate"] is None


def test_figures_equal_a_direct_recount_of_a_random_subtree(tree, city_admin):
    rng = random.Random(19)
    unions = [tree["SH-A-1-1"], tree["SH-A-1-2"], tree["SH-B-1-1"]]
    for i in range(24):
        m = add(rng.choice(unions), city_admin, i,
                new_employment_group=rng.choice(["", "", "courier", "food_delivery"]))
        if i % 7 == 0:
            members.membership_set_status(membership=m, target=MembershipStatus.RETIRED,
                                          actor=city_admin, reason="退休")
    for i in range(9):
        employer(rng.choice([tree["SH-A-1"], tree["SH-B-1"]]), f"单位{i}", rng.randint(0, 50),
                 union=rng.choice([None, unions[0]]))
    org = rng.choice([tree["SH"], tree["SH-A"], tree["SH-A-1"], tree["SH-B"]])
    held = Membership.objects.filter(union__path__startswith=org.path, status__in=HELD_STATUSES)
    active = held.filter(status=MembershipStatus.ACTIVE)
    panel = selectors.member_panel(org, today=clock.today())
    assert panel["active"] == active.count()
    assert panel["retired"] == held.filter(status=MembershipStatus.RETIRED).count()
    assert {r["key"]: r["value"] for r in panel["gender"]} == {
        g: held.filter(person__gender=g).count() for g in ("F", "M")
        if held.filter(person__gender=g).exists()}
    # the eight groups count working members (as the new-employment counter does)
    assert sum(r["value"] for r in panel["new_employment_group"]) == \
        active.exclude(person__new_employment_group="").count()
    employers = Employer.objects.filter(area__path__startswith=org.path)
    c = selectors.coverage(org)
    assert c["employers"] == employers.count()
    assert c["covered"] == employers.exclude(union=None).count()
    assert c["employees"] == sum(e.employees_count for e in employers)
    # never another subtree's rows
    other = tree["SH-B"] if org.path.startswith(tree["SH-A"].path) else tree["SH-A"]
    if not org.path.startswith(other.path) and org.pk != tree["SH"].pk:
        assert selectors.coverage(other)["members"] == Membership.objects.filter(
            union__path__startswith=other.path, status=MembershipStatus.ACTIVE).count()


# --- trends ---------------------------------------------------------------------------------

def test_monthly_series_survive_a_transfer_and_a_merge(tree, city_admin):
    with clock.frozen(dt.datetime(2026, 1, 10, 9, 0)):
        movers = [add(tree["SH-A-1-1"], city_admin, i) for i in range(3)]
        add(tree["SH-A-1-2"], city_admin, 5)
        employer(tree["SH-A-1"], "甲一公司", 10, union=tree["SH-A-1-1"])
    with clock.frozen(dt.datetime(2026, 1, 31, 22, 0)):
        stored = snapshot_month(month=dt.date(2026, 1, 1), actor=system_actor("cli"))
    assert stored == MonthlySnapshot.objects.count()
    january = MonthlySnapshot.objects.get(org__code="SH-A-1-1")
    assert (january.active, january.joins) == (3, 3)
    with clock.frozen(dt.datetime(2026, 2, 5, 9, 0)):
        before = selectors.trend(tree["SH-A"], today=clock.today(), months=2)
        t = members.transfer_start(membership=movers[0], to_union=tree["SH-B-1-1"],
                                   actor=city_admin, reason="换工作")
        members.transfer_accept(transfer=t, actor=city_admin)
        orgs.org_merge(source=Org.objects.get(code="SH-A-1-2"),
                       target=Org.objects.get(code="SH-B-1-1"), actor=city_admin, note="合并")
        after = selectors.trend(Org.objects.get(code="SH-A"), today=clock.today(), months=2)
    january = after[0]
    assert january == before[0]
    assert january["month"] == dt.date(2026, 1, 1)
    assert january["source"] == "snapshot"
    assert (january["active"], january["joins"], january["exits"]) == (4, 4, 0)
    # the live current month shows the moves
    assert after[1]["active"] == 2
    assert after[1]["source"] == "live"


def test_snapshot_refuses_an_old_month_and_replaces_a_rerun(tree, city_admin):
    with clock.frozen(dt.datetime(2026, 3, 10, 9, 0)):
        add(tree["SH-A-1-1"], city_admin, 1)
        with pytest.raises(ApplicationError, match="只能生成本月或上月的快照"):
            snapshot_month(month=dt.date(2026, 1, 1), actor=system_actor("cli"))
        snapshot_month(month=dt.date(2026, 3, 1), actor=system_actor("cli"))
        n = MonthlySnapshot.objects.count()
        snapshot_month(month=dt.date(2026, 3, 1), actor=system_actor("cli"))
    assert MonthlySnapshot.objects.count() == n
    row = MonthlySnapshot.objects.get(org__code="SH-A-1-1")
    assert (row.active, row.joins, row.org_path) == (1, 1, tree["SH-A-1-1"].path)


# --- employers ------------------------------------------------------------------------------

def test_employer_create_validates_and_audits(tree, district_cadre):
    uscc = make_uscc("91310101MA1FL0000")
    e = employer_create(data=EmployerData(name=" 甲五 公司 ", area=tree["SH-A-1"], uscc=uscc.lower(),
                                          employees_count=12), actor=district_cadre)
    assert (e.name, e.uscc, e.employees_count) == ("甲五 公司", uscc, 12)
    assert AuditEvent.objects.filter(action="stats.employer_create", object_id=str(e.pk)).count() == 1
    with pytest.raises(Conflict, match="已登记为另一家单位"):
        employer_create(data=EmployerData(name="另一家", area=tree["SH-A-1"], uscc=uscc),
                        actor=district_cadre)
    bad = uscc[:-1] + ("1" if uscc[-1] != "1" else "2")
    with pytest.raises(ApplicationError, match=f"统一社会信用代码“{bad}”无效"):
        employer_create(data=EmployerData(name="坏码", area=tree["SH-A-1"], uscc=bad),
                        actor=district_cadre)
    with pytest.raises(ApplicationError, match="请填写单位名称"):
        employer_create(data=EmployerData(name="  ", area=tree["SH-A-1"]), actor=district_cadre)
    assert Employer.objects.count() == 1


def test_employer_outside_the_subtree_is_refused_and_nothing_changes(tree, district_cadre,
                                                                     auditor):
    with pytest.raises(NotFound):
        employer_create(data=EmployerData(name="乙五公司", area=tree["SH-B-1"]),
                        actor=district_cadre)
    with pytest.raises(Forbidden):  # the auditor reads orgs but may not register employers
        employer_create(data=EmployerData(name="甲五公司", area=tree["SH-A-1"]), actor=auditor)
    assert Employer.objects.count() == 0
    assert not AuditEvent.objects.filter(action="stats.employer_create").exists()


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_employer_import_creates_updates_and_reports_bad_rows(tree, district_cadre):
    uscc = make_uscc("91310101MA1FL0000")
    header = ["单位名称", "统一社会信用代码", "行业", "地址", "职工人数", "所在区域工会代码",
              "覆盖工会代码"]
    result = employers_import(upload=xlsx([
        header,
        ["甲五公司", uscc, "制造业", "甲路 1 号", 30, "SH-A-1", "SH-A-1-1"],
        ["甲六公司", "", "服务业", "", "12", "SH-A-1", ""],
        ["坏码公司", "123", "", "", 1, "SH-A-1", ""],
        ["乙五公司", "", "", "", 1, "SH-B-1", ""],
        ["负数公司", "", "", "", -3, "SH-A-1", ""],
        [None, None, None, None, None, None, None],
    ]), actor=district_cadre)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [(e.line_no, e.column) for e in result.errors] == [
        (4, "统一社会信用代码"), (5, "所在区域工会代码"), (6, "职工人数")]
    assert "无权" in result.errors[1].message
    assert Employer.objects.count() == 2
    again = employers_import(upload=xlsx([header, ["甲五公司", uscc, "制造业", "甲路 1 号", 31,
                                                   "SH-A-1", "SH-A-1-1"],
                                          ["甲六公司", "", "服务业", "", 12, "SH-A-1", ""]]),
                             actor=district_cadre)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 1, 1, [])
    assert Employer.objects.get(uscc=uscc).employees_count == 31


def test_employer_pages(client, tree, district_cadre, other_district_cadre):
    e = employer(tree["SH-A-1"], "甲五公司", 5)
    login(client, district_cadre)
    html = client.get(reverse("stats:employers"), {"q": "甲五"}).content.decode()
    assert "甲五公司" in html
    response = client.post(reverse("stats:employer_new"), {
        "name": "甲六公司", "uscc": "bad", "employees_count": "3", "area": "SH-A-1"})
    assert response.status_code == 400
    assert "统一社会信用代码“BAD”无效" in response.content.decode()
    response = client.post(reverse("stats:employer_new"), {
        "name": "甲六公司", "employees_count": "3", "area": "SH-A-1", "union": "SH-A-1-1"})
    created = Employer.objects.get(name="甲六公司")
    assert response["Location"] == reverse("stats:employer", args=[created.pk])
    assert created.union.code == "SH-A-1-1"
    login(client, other_district_cadre)
    assert client.get(reverse("stats:employer", args=[e.pk])).status_code == 404
    assert client.post(reverse("stats:employer_edit", args=[e.pk]), {
        "name": "改名", "employees_count": "1", "area": "SH-A-1"}).status_code == 404
    assert Employer.objects.get(pk=e.pk).name == "甲五公司"
    assert "甲五公司" not in client.get(reverse("stats:employers")).content.decode()


# --- dashboard and report -------------------------------------------------------------------

def test_dashboard_page_drills_down_and_keeps_to_the_subtree(client, tree, district_cadre,
                                                             city_admin):
    add(tree["SH-A-1-1"], city_admin, 1)
    add(tree["SH-B-1-1"], city_admin, 2)
    login(client, district_cadre)
    response = client.get(reverse("stats:home"))
    assert response.status_code == 200
    assert response.context["org"].code == "SH-A"
    assert response.context["data"]["members"]["active"] == 1
    assert [c["code"] for c in response.context["data"]["children"]] == ["SH-A-1"]
    response = client.get(reverse("stats:home"), {"org": "SH-A-1"})
    assert response.context["org"].code == "SH-A-1"
    assert client.get(reverse("stats:home"), {"org": "SH-B"}).status_code == 404


def test_dashboard_query_count_does_not_grow_with_the_data(client, tree, city_admin):
    login(client, city_admin)
    client.get(reverse("stats:home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("stats:home"))
    for i in range(8):
        add(tree["SH-A-1-1" if i % 2 else "SH-B-1-1"], city_admin, i)
        employer(tree["SH-A-1"], f"单位{i}", i)
    make_org(tree["SH-A"], "SH-A-2", "甲区二街道工会", "street", "street")
    with CaptureQueriesContext(connection) as after:
        assert client.get(reverse("stats:home")).status_code == 200
    assert len(after) == len(before)
    assert len(after) <= 60


def test_yearly_report_totals_sheet_passes(tree, city_admin, tmp_path):
    for i in range(6):
        add(tree["SH-A-1-1" if i % 2 else "SH-B-1-1"], city_admin, i,
            new_employment_group="courier" if i % 3 == 0 else "")
    employer(tree["SH-A-1"], "甲一公司", 10, union=tree["SH-A-1-1"])
    employer(tree["SH-B-1"], "乙三公司", 7)
    job = report_start(org=tree["SH"], year=clock.today().year, actor=city_admin, enqueue=False)
    job = report_run(job=ReportJob.objects.select_related("org", "created_by").get(pk=job.pk),
                     out=tmp_path / "r.xlsx")
    assert job.status == ReportStatus.DONE
    assert job.checks_passed is True
    assert job.percent == 100
    book = load_workbook(Path(job.file_path), read_only=True)
    assert book.sheetnames == ["组织", "会员", "覆盖", "干部", "经费", "核对"]
    checks = list(book["核对"].iter_rows(min_row=2, values_only=True))
    assert len(checks) == 13
    assert {row[3] for row in checks} == {"PASS"}
    members_sheet = list(book["会员"].iter_rows(values_only=True))
    assert members_sheet[1] == ("在职会员", 6)
    data = report.figures(org=tree["SH"], year=clock.today().year, viewer=city_admin,
                          today=clock.today())
    assert data["coverage"]["employers"] == 2
    assert data["members"]["active"] == 6


def test_report_refuses_outside_and_bad_year(tree, district_cadre):
    with pytest.raises(NotFound):
        report_start(org=tree["SH-B"], year=2025, actor=district_cadre, enqueue=False)
    with pytest.raises(ApplicationError, match="年度应在 2000 年到"):
        report_start(org=tree["SH-A"], year=1999, actor=district_cadre, enqueue=False)
    assert ReportJob.objects.count() == 0
