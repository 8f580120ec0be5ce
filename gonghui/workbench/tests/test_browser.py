"""Browser journey: a district cadre's home shows the inbox and the subtree's charts; one click
on an inbox item leads to the approval, and the approved application leaves the inbox. Then the
global search from the navigation, and the dashboard on a phone. Screenshots in var/artifacts/."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.members import services as members
from gonghui.members.models import Application, ApplicationStatus
from gonghui.members.tests.factories import person_fields
from gonghui.orgs.models import Employer

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_cadre_starts_from_the_inbox(live_server, browser, page, tree, district_cadre,
                                     city_admin, member_user):
    members.member_add(union=tree["SH-A-1-1"], fields=person_fields("欧阳娜娜"), actor=city_admin)
    Employer.objects.create(name="甲一公司", area=tree["SH-A-1"], union=tree["SH-A-1-1"],
                            employees_count=8)
    application = members.application_submit(union=tree["SH-A-1-1"],
                                              fields=person_fields("李娜"), actor=member_user)
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#home-inbox")
    inbox = page.locator("#home-inbox").inner_text()
    assert "入会申请待审批" in inbox
    assert "李娜" in inbox
    figures = page.locator('[data-figures="SH-A"]').inner_text()
    assert "50.0%" not in figures  # one employer, covered: 100%
    assert "100.0%" in figures
    screenshot(page, "workbench-home")
    page.click("#inbox-items a:has-text('李娜')")
    page.wait_for_selector("#approve")
    page.click("#approve")
    page.wait_for_load_state()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
    page.goto(f"{live_server.url}/")
    assert "李娜" not in page.locator("#home-inbox").inner_text()
    # the global search in the navigation
    page.fill("nav input[name=q]", "欧阳")
    page.press("nav input[name=q]", "Enter")
    page.wait_for_selector('[data-group="members"]')
    assert "欧阳娜娜" in page.locator('[data-group="members"]').inner_text()
    screenshot(page, "workbench-search")
    # the dashboard with its charts
    page.goto(f"{live_server.url}/stats/")
    page.wait_for_selector("#chart-children svg")
    assert page.locator("#coverage-rate").inner_text() == "100.0%"
    screenshot(page, "stats-dashboard")
    phone = new_page(browser, PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/")
    phone.wait_for_selector("#home-inbox")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "workbench-home-phone")
    phone.goto(f"{live_server.url}/stats/")
    phone.wait_for_selector("#chart-trend svg")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "stats-dashboard-phone")
