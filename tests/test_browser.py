"""Browser tests: Playwright from pip driving Debian's /usr/bin/chromium (never a downloaded one)."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, open_module, screenshot, sign_in

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_open_org_tree(live_server, page, tree, district_cadre):
    sign_in(page, live_server.url, "district_a")
    open_module(page, "组织")
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
    screenshot(page, "org-tree")


@pytest.mark.django_db(transaction=True)
def test_refused_dissolve_shows_the_reason(live_server, page, tree, district_cadre):
    """A refusal comes back as the page with the rule's message (400), nothing changes."""
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/orgs/{tree['SH-A-1'].pk}/")
    page.click("button[data-bs-target='#dissolve']")
    page.wait_for_selector("#dissolve .modal-footer button", state="visible")
    with page.expect_response(lambda r: r.url.endswith("/dissolve/")) as response:
        page.click("#dissolve .modal-footer button")
    assert response.value.status == 400
    page.wait_for_selector("text=不能撤销")
    assert "还有2 个下级组织" in page.content()
    screenshot(page, "org-dissolve-refused")
