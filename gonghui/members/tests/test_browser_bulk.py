"""Browser (issue 20): a member changes their phone on a phone-sized page; a cadre bulk-approves
a filtered list (Playwright driving Debian's /usr/bin/chromium)."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, PHONE, make_user, new_page, screenshot, sign_in
from gonghui.members import services
from gonghui.members.models import Application, Person
from gonghui.members.phone_check import phone_code
from gonghui.members.tests.factories import person_fields

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def test_member_changes_phone_on_a_phone(live_server, browser, tree, city_admin):
    worker_user = make_user("worker_phone")
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("陈晨"),
                            actor=city_admin)
    Person.objects.filter(pk=m.person_id).update(user=worker_user)
    page = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2,
                               is_mobile=True, has_touch=True).new_page()
    sign_in(page, live_server.url, worker_user.username)
    page.goto(f"{live_server.url}/members/portal/me/")
    page.fill("#phone", "13955556666")
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("text=验证码已发送")
    page.fill("#phone", "13955556666")
    page.fill("#code", phone_code("13955556666"))
    page.click("button:has-text('保存联系方式')")
    page.wait_for_selector("text=联系方式已更新")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "members-selfservice-phone")
    assert Person.objects.get(pk=m.person_id).phone == "13955556666"


def test_cadre_bulk_approves_a_filtered_list(live_server, browser, tree, city_admin,
                                             district_cadre):
    for name in ("赵一", "赵二", "赵三", "钱四"):
        services.application_submit(union=tree["SH-A-1-1"], fields=person_fields(name),
                                    actor=city_admin)
    page = new_page(browser)
    sign_in(page, live_server.url, district_cadre.username)
    page.goto(f"{live_server.url}/members/applications/?q=赵&status=submitted")
    page.check("#bulk-all")
    page.click("button:has-text('批量批准')")
    page.wait_for_selector("#bulk-counts")
    assert page.inner_text("#bulk-counts") == "共 3 项：成功 3 项，失败 0 项。"
    screenshot(page, "members-bulk-approve")
    assert sorted(Application.objects.values_list("person__name", "status")) == [
        ("赵一", "approved"), ("赵三", "approved"), ("赵二", "approved"), ("钱四", "submitted")]


def test_cadre_saves_a_filter_and_applies_its_chip_on_a_phone(live_server, browser, tree,
                                                               city_admin, district_cadre):
    from gonghui.members.models import SavedFilter

    services.member_add(union=tree["SH-A-1-1"], fields=person_fields("孙一"), actor=city_admin)
    services.member_add(union=tree["SH-A-1-2"], fields=person_fields("孙二"), actor=city_admin)
    page = new_page(browser, PHONE)
    sign_in(page, live_server.url, district_cadre.username)
    page.goto(f"{live_server.url}/members/?org=SH-A-1-2&status=active")
    page.fill("input[name=name]", "二公司在册")
    page.click("button:has-text('保存筛选')")
    page.wait_for_selector("text=已保存为常用筛选")
    assert list(SavedFilter.objects.values_list("name", "params")) == [
        ("二公司在册", {"org": "SH-A-1-2", "status": "active"})]
    page.goto(f"{live_server.url}/members/")
    page.click("#saved-filters a:has-text('二公司在册')")
    page.wait_for_url("**/members/?org=SH-A-1-2&status=active")
    assert page.locator("table tbody tr").count() == 1
    assert "孙二" in page.inner_text("table tbody")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "members-saved-filters-phone")
