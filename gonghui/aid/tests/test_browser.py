"""Browser test: a cadre opens a hardship file and records an assistance (Playwright driving
Debian's /usr/bin/chromium, never a downloaded browser). Screenshots go to var/artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PASSWORD
from gonghui.aid.models import Assistance
from gonghui.aid.tests.conftest import active_file, make_person

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("GONGHUI_ARTIFACTS", "var/artifacts"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.mark.django_db(transaction=True)
def test_open_file_and_record_assistance(live_server, browser, tree, standard, aid_cadre,
                                         street_cadre):
    file = active_file(make_person(tree["SH-A-1-1"], "林秀英"), aid_cadre, street_cadre,
                       incomes=("1800",))
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "aid_a11")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=困难帮扶")
    page.wait_for_selector("table")
    page.click(f"text={file.number}")
    page.wait_for_selector("#timeline")
    assert "林秀英户" in page.locator("h1").inner_text()
    assert page.locator("#proposal").inner_text() == "深度困难"
    page.click("#file-actions >> text=登记帮扶")
    page.select_option("#id_kind", "cash")
    page.fill("#id_amount", "800")
    page.fill("#id_description", "临时生活救助（冬季取暖）")
    page.click("button:has-text('提交')")
    page.wait_for_selector(".alert-success")
    assert page.locator(".alert-success").inner_text().strip() == "已登记帮扶。"
    row = page.locator("#assistance tbody tr").first.inner_text()
    assert "现金救助" in row
    assert "800.00" in row
    assert "临时生活救助（冬季取暖）" in row
    assert "凭证 #" in row
    record = Assistance.objects.get(file=file)
    assert (record.kind, str(record.amount), record.ledger_transaction_id is not None) == (
        "cash", "800.00", True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "aid-file-assistance.png"), full_page=True)
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800},
                                storage_state=page.context.storage_state()).new_page()
    phone.goto(f"{live_server.url}/aid/files/{file.pk}/")
    phone.wait_for_selector("#timeline")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(ARTIFACTS / "aid-file-phone.png"), full_page=True)
