"""Browser test: a treasurer opens the remittance register from the book's tabs, declares an
employer's payroll, records a partial payment, finds the arrears in the dunning list; the
register on a phone (375 px). Playwright driving Debian's /usr/bin/chromium."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.orgs.models import Employer

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_declare_pay_and_dun_an_employer(live_server, browser, page, tree, treasurer):
    union = tree["SH-A-1-1"]
    employer = Employer.objects.create(name="甲一机械有限公司", uscc="91310000MA1A000011",
                                       area=tree["SH-A-1"], union=union)
    sign_in(page, live_server.url, treasurer.username)
    page.goto(f"{live_server.url}/funds/{union.pk}/")
    page.click("a.nav-link:has-text('拨缴台账')")
    page.select_option("#decl_employer", str(employer.pk))
    page.fill("#decl_period", "2026-03")
    page.fill("#decl_payroll", "12345.67")
    page.click("form[data-declare] button")
    page.wait_for_selector("text=已保存工资总额申报")
    page.select_option("#pay_employer", str(employer.pk))
    page.fill("#pay_period", "2026-03")
    page.fill("#pay_amount", "100.00")
    page.fill("#pay_date", "2026-04-10")
    page.click("form[data-pay] button")
    page.wait_for_selector("text=已登记拨缴经费到账并记账")
    row = page.locator("tr[data-declaration]").first.inner_text()
    assert "2026-03\t甲一机械有限公司" in row
    assert "12,345.67\t246.91\t100.00\t146.91" in row
    screenshot(page, "funds-remittance")
    page.click("a[data-dunning-link]")
    assert "1 家单位欠缴，合计 146.91 元" in page.locator("[data-summary]").inner_text()
    screenshot(page, "funds-dunning")
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, treasurer.username)
    phone.goto(f"{live_server.url}/funds/{union.pk}/remittance/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(phone, "funds-remittance-phone")
