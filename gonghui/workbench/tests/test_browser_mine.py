"""Browser: a worker on a phone opens the portal's 待办 tab, sees the survey waiting for them and
one tap leads to the answer page; a district cadre's dashboard shows the funds, dues and
work-plan panels. Screenshots in var/artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.evaluation.services import surveys as survey_svc
from gonghui.notifications.services import notify
from gonghui.outreach.tests.conftest import make_member

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_worker_finds_the_survey_in_the_portal_inbox(live_server, browser, page, tree,
                                                      city_admin, district_cadre):
    worker, _membership = make_member(tree["SH-A-1-1"], "worker_mine")
    survey = survey_svc.survey_create(org=tree["SH-A"], title="职工队伍状况调查", year=2026,
                                      closes_on=dt.date.today() + dt.timedelta(days=20),
                                      actor=city_admin)
    survey_svc.question_add(survey=survey, kind="scale", text="工作满意度", actor=city_admin)
    survey_svc.survey_open(survey=survey, actor=city_admin)
    notify(recipients=[worker], kind="system", title="您的入会申请已通过", url="/",
           actor=city_admin)
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "worker_mine")
    phone.goto(f"{live_server.url}/")  # a worker's home is the member portal
    phone.click(".gh-portal-nav a:has-text('待办')")
    phone.wait_for_selector("#mine-todo")
    assert "请填写问卷：职工队伍状况调查" in phone.locator("#mine-todo").inner_text()
    assert "您的入会申请已通过" in phone.locator("#inbox-messages").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "workbench-mine-phone")
    phone.click("#mine-todo a:has-text('职工队伍状况调查')")
    phone.wait_for_url(f"**/my/{survey.pk}/")
    assert "工作满意度" in phone.content()
    # the cadre's dashboard with the module panels
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/stats/")
    page.wait_for_selector("#panel-workplan")
    assert page.locator("#panel-dues").count() == 1
    assert page.locator("#panel-funds").count() == 1
    screenshot(page, "stats-dashboard-panels")
