"""Browser test: a treasurer enters an expense with its invoice scan and finds it in the income
and expense statement. Playwright from pip driving Debian's /usr/bin/chromium (the shared
fixture of the root conftest)."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, screenshot, sign_in
from gonghui.funds.tests.conftest import PDF_BYTES

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_enter_expense_with_evidence_and_see_it_in_the_statement(live_server, page, tree,
                                                                 treasurer, tmp_path):
    union = tree["SH-A-1-1"]
    scan = tmp_path / "运动会发票.pdf"
    scan.write_bytes(PDF_BYTES)
    sign_in(page, live_server.url, treasurer.username)
    page.click("nav >> text=经费")
    page.click(f"a[href='/funds/{union.pk}/']")
    page.click("text=记支出")
    page.select_option("#id_account_code", "510102")
    page.fill("#id_amount", "1234.56")
    page.fill("#id_memo", "职工羽毛球比赛场地费")
    page.set_input_files("#id_evidence", str(scan))
    page.click("button[type=submit]:has-text('记账')")
    page.wait_for_selector("text=已记账")
    assert page.locator("table").first.inner_text().count("1,234.56") == 4  # 2 lines + 2 totals
    assert page.locator("text=运动会发票.pdf").count() == 1
    page.click("a.nav-link:has-text('报表')")
    page.wait_for_selector("h2:has-text('收入支出表')")
    text = page.locator("table.gh-report").inner_text()
    assert "文体活动\t510102\t1,234.56\t1,234.56" in text
    assert "三、收支结余\t\t-1,234.56\t-1,234.56" in text
    screenshot(page, "funds-statement")
    page.goto(f"{live_server.url}/funds/{union.pk}/journal/")
    screenshot(page, "funds-journal")
