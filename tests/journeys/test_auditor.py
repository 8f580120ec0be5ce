"""Journey: the city's auditor (经审委员) reads the books, the vouchers' evidence and the audit
trail in words, and cannot write anything nor browse the member registry (issue 12 items 1,
12, 14, 15). Desktop and phone screenshots in var/artifacts/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.core import clock
from gonghui.funds.models import LedgerTransaction

pytestmark = BROWSER_MARKS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_auditor_reads_and_cannot_write(live_server, browser, tree, city_admin, auditor):
    from gonghui.funds.services import expense_record

    union = tree["SH-A-1-1"]
    tx = expense_record(union=union, date=clock.today() - dt.timedelta(days=1),
                        account_code="510102", amount=Decimal("2500.00"), memo="职工运动会奖品",
                        idempotency_key="journey-auditor", actor=city_admin,
                        evidence=SimpleUploadedFile("奖品发票.pdf", PDF,
                                                    content_type="application/pdf"))
    page = new_page(browser)
    sign_in(page, live_server.url, "auditor")

    # the registry is not part of an auditor's work: no menu entry, and the page refuses (403)
    nav = page.locator("nav.gh-navbar").inner_text()
    assert "会员" not in nav
    assert page.goto(f"{live_server.url}/members/").status == 403

    # the books: the voucher, its evidence, and no button that writes
    page.goto(f"{live_server.url}/")
    page.click("nav >> a.nav-link:has-text('经费')")
    page.click(f"a[href='/funds/{union.pk}/']")
    assert page.locator("text=记支出").count() == 0
    page.click("a.nav-link:has-text('凭证')")
    page.click(f"a[href='/funds/tx/{tx.pk}/']")
    page.wait_for_selector("text=职工运动会奖品")
    assert page.locator("text=奖品发票.pdf").count() == 1
    assert page.locator("form[action$='/reverse/']").count() == 0
    assert page.locator("form[action$='/evidence/']").count() == 0
    screenshot(page, "journey-auditor-voucher")
    assert page.goto(f"{live_server.url}/funds/{union.pk}/expense/new/").status == 403
    assert LedgerTransaction.objects.count() == 1

    # the trail in words: 记账, the voucher, Beijing time
    page.goto(f"{live_server.url}/")
    page.click("nav >> a.dropdown-toggle:has-text('管理')")
    page.click("a.dropdown-item:has-text('审计日志')")
    page.wait_for_selector("h1:has-text('审计日志')")
    table = page.locator("table").inner_text()
    assert "记账" in table
    assert "funds.post" not in table
    screenshot(page, "journey-auditor-trail")
    page.context.close()

    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "auditor")
    phone.goto(f"{live_server.url}/audit/")
    assert "记账" in phone.locator("table").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1 or \
        phone.locator(".table-responsive").count() == 1
    screenshot(phone, "journey-auditor-phone")
