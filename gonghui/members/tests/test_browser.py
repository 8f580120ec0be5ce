"""Browser: a worker applies on a phone-sized screen, a cadre approves, the worker sees the e-card
(Playwright driving Debian's /usr/bin/chromium; screenshots under var/artifacts/)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import ARTIFACTS, BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.members.models import Membership
from gonghui.members.phone_check import phone_code
from gonghui.members.tests.factories import id_number
from gonghui.orgs.models import Employer

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_worker_applies_on_phone_cadre_approves_worker_sees_card(live_server, browser, tree,
                                                                 grassroots_cadre):
    Employer.objects.create(name="甲一精密机械有限公司", area=tree["SH-A-1"],
                            union=tree["SH-A-1-1"], employees_count=120)
    number = id_number(birth=dt.date(1993, 6, 8), gender="F")
    worker = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2,
                                 is_mobile=True, has_touch=True).new_page()
    worker.goto(f"{live_server.url}/members/portal/")
    worker.click("text=注册并申请入会")
    worker.fill("#id_name", "林小雨")
    worker.fill("#id_phone", "13817001234")
    worker.click("button:has-text('获取验证码')")  # the code goes out by SMS
    worker.wait_for_selector("text=验证码已发送")
    worker.fill("#id_password", "Rain-drop-2026")
    worker.fill("#id_password2", "Rain-drop-2026")
    worker.fill("#id_code", phone_code("13817001234"))  # what the text message said
    worker.check("#id_consent")  # the privacy notice above the form (stored with the account)
    worker.click("button:has-text('注册')")
    worker.wait_for_url("**/members/portal/apply/")
    worker.fill("#q", "甲一精密")
    worker.click("button:has-text('查找')")
    worker.click("a:has-text('加入')")
    worker.wait_for_selector("#id_id_number")
    assert worker.locator(".alert").first.inner_text().count("甲一公司工会") == 1
    worker.fill("#id_id_number", number.lower())
    worker.select_option("#id_education", "college")
    worker.fill("#id_occupation", "装配工")
    worker.check("#id_consent")
    screenshot(worker, "members-portal-apply")
    # the page fits the phone: nothing wider than the viewport
    assert worker.evaluate("document.documentElement.scrollWidth") <= 375
    worker.click("#submit-application")
    worker.wait_for_selector("#application-status")
    assert worker.inner_text("#application-status") == "待审批"

    cadre = new_page(browser)
    sign_in(cadre, live_server.url, grassroots_cadre.username)
    cadre.goto(f"{live_server.url}/members/applications/")
    cadre.click("text=林小雨")
    cadre.wait_for_selector("#approve")
    assert "甲一精密机械有限公司" in cadre.inner_text("main")
    screenshot(cadre, "members-application-detail")
    cadre.click("#approve")
    cadre.wait_for_selector(".alert-success")
    assert "已批准入会" in cadre.inner_text(".alert-success")
    screenshot(cadre, "members-applications")

    membership = Membership.objects.get(person__name="林小雨")
    worker.reload()
    assert worker.inner_text("#application-status") == "已批准"
    worker.click("text=查看电子会员证")
    worker.wait_for_selector("#e-card")
    assert worker.inner_text("#card-number") == membership.card_number
    assert "甲一公司工会" in worker.inner_text("#e-card")
    assert worker.locator("#e-card svg").count() == 1  # the QR code
    assert worker.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(worker, "members-ecard")
    pdf = worker.request.get(f"{live_server.url}/members/portal/card.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    (ARTIFACTS / "members-ecard.pdf").write_bytes(pdf.body())
