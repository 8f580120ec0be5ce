"""Browser journey: a member answers a survey on a phone-sized page (with a skip-logic question
appearing only after the answer that opens it), and the cadre sees the response rate rise.
Playwright drives Debian's /usr/bin/chromium; screenshots go to var/artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_MARKS, PHONE, make_user, new_page, screenshot, sign_in
from gonghui.evaluation.models import Answered, Response
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests.conftest import add_members

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_member_answers_on_a_phone_and_the_rate_rises(live_server, browser, page, tree,
                                                      district_cadre):
    members = add_members(tree["SH-A-1-1"], 3, district_cadre)
    worker = make_user("worker_eval")
    members[0].person.user = worker
    members[0].person.save(update_fields=["user"])
    survey = svc.survey_create(org=tree["SH-A"], title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 3, 31), actor=district_cadre)
    q1 = svc.question_add(survey=survey, kind="single", text="您是否经常加班？",
                          options=["是", "否"], actor=district_cadre)
    svc.question_add(survey=survey, kind="number", text="每周加班多少小时？", show_if=q1,
                     show_if_value="1", actor=district_cadre)
    svc.question_add(survey=survey, kind="scale", text="您对工会工作的满意度", actor=district_cadre)
    svc.survey_open(survey=survey, actor=district_cadre)

    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/evaluation/surveys/{survey.pk}/")
    assert page.locator("#answered-total").inner_text() == "0"

    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "worker_eval")
    phone.goto(f"{live_server.url}/evaluation/my/")
    phone.click("text=职工队伍状况调查")
    phone.wait_for_selector("#answer-form")
    phone.wait_for_load_state("load")
    hidden = phone.locator("fieldset[data-show-if]")
    expect(hidden).to_be_hidden()
    phone.check(f"#q{q1.pk}_1", force=True)
    expect(hidden).to_be_visible()
    phone.check(f"#q{q1.pk}_2", force=True)
    expect(hidden).to_be_hidden()
    phone.check(f"#q{q1.pk}_1", force=True)
    expect(hidden).to_be_visible()
    hidden.locator("input").fill("6")
    phone.click("label:has-text('4')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "evaluation-survey-phone")
    phone.click("#submit-answers")
    phone.wait_for_selector(".alert-success")
    assert "感谢您的参与" in phone.locator(".alert-success").inner_text()
    assert "已提交" in phone.locator(".list-group").inner_text()
    assert (Answered.objects.count(), Response.objects.get().person_id) == (1, None)

    page.reload()
    assert page.locator("#answered-total").inner_text() == "1"
    assert page.locator("#rate-total").inner_text() == "33.3"
    assert "甲一公司工会" in page.locator("#rates").inner_text()
    screenshot(page, "evaluation-survey-rate")
