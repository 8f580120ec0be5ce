"""Browser test: a cadre opens a hardship file and records an assistance, then states a purpose
to see the household's full ID numbers (the shared Chromium fixture of the root conftest:
Playwright driving Debian's /usr/bin/chromium). Screenshots go to var/artifacts/."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, open_module, screenshot, sign_in
from gonghui.aid.models import Assistance
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.audit.models import SensitiveRead

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_open_file_and_record_assistance(live_server, browser, page, tree, standard, aid_cadre,
                                         street_cadre):
    file = active_file(make_person(tree["SH-A-1-1"], "林秀英"), aid_cadre, street_cadre,
                       incomes=("1800",))
    sign_in(page, live_server.url, "aid_a11")
    open_module(page, "困难帮扶")
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
    screenshot(page, "aid-file-assistance")
    phone = new_page(browser, PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/aid/files/{file.pk}/")
    phone.wait_for_selector("#timeline")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "aid-file-phone")


@pytest.mark.django_db(transaction=True)
def test_reveal_asks_for_a_purpose(live_server, page, tree, standard, aid_cadre, street_cadre,
                                   district_cadre):
    file = active_file(make_person(tree["SH-A-1-1"], "林秀英"), aid_cadre, street_cadre)
    me = file.household.get(relation="self")
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/aid/files/{file.pk}/")
    page.click("#reveal-form button")
    page.wait_for_selector("#revealed .alert-danger")
    assert page.locator("#revealed .alert-danger").inner_text().strip() == "请填写查看完整信息的用途。"
    assert SensitiveRead.objects.count() == 0
    page.fill("#reveal-form input[name=purpose]", "入户核对家庭成员身份")
    page.click("#reveal-form button")
    page.wait_for_selector("#revealed .alert-warning")
    assert me.id_number in page.locator("#revealed").inner_text()
    log = SensitiveRead.objects.get()
    assert (log.actor_name, log.purpose) == ("district_a", "入户核对家庭成员身份")
    screenshot(page, "aid-file-reveal")
