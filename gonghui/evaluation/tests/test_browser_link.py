"""Browser journey: a worker without an account scans the survey's QR code, proves the number
the union holds with the texted code and answers on a phone-sized page; the cadre sees the QR
code and the link on the survey page, the results drawn as charts, on desktop and phone."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.evaluation.models import Answered, Response
from gonghui.evaluation.services import links
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests.conftest import add_members
from gonghui.members.models import Person
from gonghui.members.phone_check import phone_code

pytestmark = BROWSER_MARKS


def _until(page, expression: str, seconds: float = 10) -> None:
    """Poll `expression` in the page (page.wait_for_function evaluates a string, which the
    CSP's script-src 'self' forbids)."""
    for _n in range(int(seconds * 5)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"not true after {seconds} s: {expression}")


@pytest.mark.django_db(transaction=True)
def test_worker_without_account_answers_through_the_link(live_server, browser, page, tree,
                                                         district_cadre):
    members = add_members(tree["SH-A-1-1"], 12, district_cadre)
    Person.objects.filter(pk=members[0].person_id).update(phone="13900001111")
    survey = svc.survey_create(org=tree["SH-A"], title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 3, 31), actor=district_cadre)
    q1 = svc.question_add(survey=survey, kind="single", text="您的用工形式是否稳定？",
                          options=["稳定", "一般", "不稳定"], actor=district_cadre)
    q2 = svc.question_add(survey=survey, kind="scale", text="您对工会工作的满意度",
                          actor=district_cadre)
    svc.survey_open(survey=survey, actor=district_cadre)
    for n, m in enumerate(members[1:]):
        svc.response_submit(survey=survey, person=m.person, actor=district_cadre,
                            answers={q1.pk: str(1 + n % 3), q2.pk: str(1 + n % 5)})

    phone = new_page(browser, PHONE)
    phone.goto(f"{live_server.url}/evaluation/q/{links.link_token(survey)}/")
    phone.fill("#link-phone", "13900001111")
    phone.click("#link-send")
    phone.wait_for_selector(".alert-success")
    assert "验证码已发送" in phone.locator(".alert-success").inner_text()
    phone.fill("#link-code", phone_code("13900001111"))
    screenshot(phone, "evaluation-link-identify-phone")
    phone.click("#link-verify")
    phone.wait_for_selector("#answer-form")
    phone.check(f"#q{q1.pk}_3", force=True)
    phone.click("label:has-text('2')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "evaluation-link-answer-phone")
    phone.click("#submit-answers")
    phone.wait_for_selector("#link-done")
    screenshot(phone, "evaluation-link-done-phone")
    assert Answered.objects.filter(survey=survey, person_id=members[0].person_id).count() == 1
    assert Response.objects.filter(survey=survey, person__isnull=True).count() == 12

    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/evaluation/surveys/{survey.pk}/")
    _until(page, "document.querySelector('#survey-link img').naturalWidth > 0")
    assert page.locator("#answered-total").inner_text() == "12"
    assert page.input_value("#survey-link-url").endswith(
        f"/evaluation/q/{links.link_token(survey)}/")
    screenshot(page, "evaluation-survey-link-desktop")
    page.goto(f"{live_server.url}/evaluation/surveys/{survey.pk}/results/")
    page.wait_for_selector(".gh-q-chart canvas")
    page.wait_for_selector("#crosstab-chart canvas")
    assert page.locator(".gh-q-chart canvas").count() == 2
    screenshot(page, "evaluation-results-charts-desktop")
    cadre_phone = new_page(browser, PHONE)
    sign_in(cadre_phone, live_server.url, "district_a")
    cadre_phone.goto(f"{live_server.url}/evaluation/surveys/{survey.pk}/results/")
    cadre_phone.wait_for_selector(".gh-q-chart canvas")
    assert cadre_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(cadre_phone, "evaluation-results-charts-phone")
