"""Pages and API: the worker's intake and case page, a cadre's handling, scoping (another
district → 404 and nothing changed), the due list, the dashboard, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.rights.models import Case, CaseStatus, Hearing
from gonghui.rights.services import cases as svc
from gonghui.rights.tests.conftest import make_employer, open_case

pytestmark = pytest.mark.django_db


def test_worker_files_on_the_portal_and_follows_it(client, tree, member_user, today):
    login(client, member_user)
    page = client.get(reverse("rights:portal_new"))
    assert page.status_code == 200
    assert "2027年6月1日" in page.content.decode()     # the one-year limitation, on intake
    response = client.post(reverse("rights:portal_new"), {
        "union": "SH-A-1", "dispute_type": "wages", "description": "三个月没发工资",
        "known_on": "2026-05-10", "employer_name": "某物流公司", "phone": "13800000000",
        "workers_involved": "3", "amount_claimed": "21000"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rights:portal_case", args=[case.pk])
    assert (case.union.code, case.status, case.worker_id, case.workers_involved) == (
        "SH-A-1", "submitted", member_user.pk, 3)
    text = client.get(response["Location"]).content.decode()
    assert "已提交" in text
    assert "职工提交求助" in text


def test_portal_bad_input_changes_nothing(client, tree, member_user, today):
    login(client, member_user)
    response = client.post(reverse("rights:portal_new"), {
        "union": "SH-A-1", "dispute_type": "wages", "description": "x",
        "known_on": "2026-07-01", "workers_involved": "1", "amount_claimed": "0"})
    assert response.status_code == 400
    assert "知道权利被侵害之日不能晚于申请日期。" in response.content.decode()
    assert Case.objects.count() == 0


def test_another_worker_gets_404(client, tree, member_user, today):
    case = svc.case_submit(union=tree["SH-A-1"], dispute_type="wages", description="x",
                           known_on=dt.date(2026, 5, 1), actor=member_user)
    login(client, make_user("someone"))
    assert client.get(reverse("rights:portal_case", args=[case.pk])).status_code == 404
    assert client.post(reverse("rights:portal_withdraw", args=[case.pk]),
                       {"reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


@pytest.mark.parametrize("method", ["page", "api"])
def test_other_district_404_and_nothing_changed(client, tree, district_cadre,
                                                other_district_cadre, today, method):
    case = open_case(tree["SH-A-1-1"], district_cadre)
    login(client, other_district_cadre)
    if method == "page":
        assert client.get(reverse("rights:case", args=[case.pk])).status_code == 404
        response = client.post(reverse("rights:case_act", args=[case.pk, "hearing"]),
                               {"on": "2026-06-01", "note": "x"})
    else:
        assert client.get(f"/api/v1/rights/cases/{case.pk}").status_code == 404
        response = client.post(f"/api/v1/rights/cases/{case.pk}/actions/hearing",
                               data=json.dumps({"on": "2026-06-01", "note": "x"}),
                               content_type="application/json")
    assert response.status_code == 404
    assert Hearing.objects.count() == 0
    listing = client.get("/api/v1/rights/cases").json()
    assert (listing["count"], listing["items"]) == (0, [])


def test_cadre_handles_through_the_api(client, tree, district_cadre, today):
    login(client, district_cadre)
    response = client.post("/api/v1/rights/cases", data=json.dumps({
        "union": "SH-A-1-1", "kind": "mediation", "worker_name": "赵六",
        "dispute_type": "contract", "description": "未签劳动合同", "known_on": "2026-05-01",
        "applied_on": "2026-06-01", "workers_involved": 1, "amount_claimed": "8000",
        "id_number": "11010519491231002X"}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["worker_id_masked"] == "110***********002X"
    assert [c["kind"] for c in body["clocks"]] == ["limitation", "mediation"]
    case_id = body["id"]
    bad = client.post(f"/api/v1/rights/cases/{case_id}/actions/close", data=json.dumps({
        "outcome": "agreement", "amount_recovered": "-1", "closed_on": "2026-06-01"}),
        content_type="application/json")
    assert bad.status_code == 400
    done = client.post(f"/api/v1/rights/cases/{case_id}/actions/close", data=json.dumps({
        "outcome": "agreement", "amount_recovered": "8000.00", "closed_on": "2026-06-01"}),
        content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["amount_recovered"]) == ("closed", "8000.00")


def test_due_list_and_cli(client, tree, district_cadre, today):
    with clock.frozen(dt.datetime(2026, 5, 20, 9)):
        open_case(tree["SH-A-1-1"], district_cadre, applied_on=dt.date(2026, 5, 20))
    login(client, district_cadre)
    text = client.get(reverse("rights:due")).content.decode()
    assert "2026-06-04" in text                   # 20 May + 15 days, within 7 days of 1 June
    out = io.StringIO()
    call_command("rights", "due", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["kind"], r["due"], r["days_left"]) for r in rows] == [
        ("mediation", "2026-06-04", 3)]


def test_dashboard_figures(client, tree, district_cadre, other_district_cadre, today):
    case = open_case(tree["SH-A-1-1"], district_cadre)
    svc.case_close(case=case, outcome="agreement", amount_recovered=Decimal("3000.10"),
                   closed_on=today, actor=district_cadre)
    make_employer(tree["SH-A-1"])
    login(client, district_cadre)
    assert client.get(reverse("rights:home")).status_code == 200
    figures = client.get("/api/v1/rights/dashboard").json()
    assert (figures["cases_total"], figures["recovered"]) == (1, "3000.10")
    login(client, other_district_cadre)
    figures = client.get("/api/v1/rights/dashboard").json()
    assert (figures["cases_total"], figures["recovered"]) == (0, "0.00")
