"""Journey: a treasurer (财务人员) of a grassroots union posts spending with its invoice, reads
the balance sheet and exports the same month (issue 12 item 2: the export was for January while
the screen showed December). Desktop and phone screenshots in var/artifacts/."""

from __future__ import annotations

import io

import openpyxl
import pytest

from conftest import BROWSER_MARKS, PHONE, make_user, new_page, open_module, screenshot, sign_in
from gonghui.core import clock

pytestmark = BROWSER_MARKS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_treasurer_posts_spending_and_files_the_month_on_the_screen(live_server, browser, tree,
                                                                    tmp_path):
    union = tree["SH-A-1-1"]
    make_user("treasurer_a11", org=union, role="treasurer")
    scan = tmp_path / "场地费发票.pdf"
    scan.write_bytes(PDF)
    page = new_page(browser)
    sign_in(page, live_server.url, "treasurer_a11")

    # the treasurer reaches the books from the navigation, not by typing an address
    open_module(page, "经费")
    page.click(f"a[href='/funds/{union.pk}/']")
    page.click("text=记支出")
    page.select_option("#id_account_code", "510102")
    page.fill("#id_amount", "12345.60")
    page.fill("#id_memo", "职工羽毛球比赛场地费")
    page.set_input_files("#id_evidence", str(scan))
    page.click("button[type=submit]:has-text('记账')")
    page.wait_for_selector("text=已记账")
    assert page.locator("text=场地费发票.pdf").count() == 1
    assert "12,345.60" in page.locator("table").first.inner_text()
    screenshot(page, "journey-treasurer-voucher")

    # the balance sheet: the month the screen shows is the month the form will send
    page.click("a.nav-link:has-text('报表')")
    page.click("a.nav-link:has-text('资产负债表')")
    page.wait_for_selector("h2:has-text('资产负债表')")
    year = clock.today().year
    shown_month = page.locator("select[name=month]").input_value()
    assert shown_month == "12"
    period = page.locator("p.text-center.small").inner_text()
    assert f"{year} 年 12 月末" in period
    screenshot(page, "journey-treasurer-balance")
    with page.expect_download() as download:
        page.click("button[name=format][value=xlsx]")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["A1"].value == "资产负债表"
    assert sheet["A2"].value.endswith(f"{year} 年 12 月末")

    # another month chosen on the screen: the file follows it
    page.select_option("select[name=month]", "6")
    page.click("button:has-text('查询')")
    page.wait_for_selector(f"text={year} 年 6 月末")
    with page.expect_download() as download:
        page.click("button[name=format][value=xlsx]")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["A2"].value.endswith(f"{year} 年 6 月末")
    page.context.close()

    # on a phone: the statement reads without splitting an amount across lines
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "treasurer_a11")
    phone.goto(f"{live_server.url}/funds/{union.pk}/reports/income/")
    phone.wait_for_selector("h2:has-text('收入支出表')")
    wrapped = phone.evaluate("""() => [...document.querySelectorAll('table td')]
        .filter(td => /\\d,\\d{3}\\.\\d\\d/.test(td.innerText))
        .filter(td => td.getClientRects().length)
        .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1; })
        .map(td => td.innerText)""")
    assert wrapped == []
    assert "12,345.60" in phone.locator("table").first.inner_text()
    screenshot(phone, "journey-treasurer-phone")
