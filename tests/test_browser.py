"""Browser tests: Playwright from pip driving Debian's /usr/bin/chromium (never a downloaded one)."""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, BROWSER_MARKS, PASSWORD

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_open_org_tree(live_server, page, tree, district_cadre):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "district_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=组织")
    page.wait_for_selector(".gh-tree")
    assert page.locator(".gh-tree").inner_text().count("甲区总工会") == 1
    # expand district A, then its street: children arrive by htmx
    page.click(f"#org-{tree['SH-A'].pk} > .gh-toggle")
    page.wait_for_selector(f"#org-{tree['SH-A-1'].pk}")
    page.click(f"#org-{tree['SH-A-1'].pk} > .gh-toggle")
    page.wait_for_selector(f"#org-{tree['SH-A-1-2'].pk}")
    text = page.locator(".gh-tree").inner_text()
    assert "甲二公司工会" in text
    assert "乙区" not in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "org-tree.png"), full_page=True)
