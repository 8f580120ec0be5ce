"""Browser test: a treasurer enters an expense with its invoice scan and finds it in the income
and expense statement. Playwright from pip driving Debian's /usr/bin/chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PASSWORD
from gonghui.funds.tests.conftest import PDF_BYTES

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("GONGHUI_ARTIFACTS", "var/artifacts"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_enter_expense_with_evidence_and_see_it_in_the_statement(live_server, page, tree,
                                                                 treasurer, tmp_path):
    union = tree["SH-A-1-1"]
    scan = tmp_path / "运动会发票.pdf"
    scan.write_bytes(PDF_BYTES)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", treasurer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
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
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "funds-statement.png"), full_page=True)
    page.goto(f"{live_server.url}/funds/{union.pk}/journal/")
    page.screenshot(path=str(ARTIFACTS / "funds-journal.png"), full_page=True)
