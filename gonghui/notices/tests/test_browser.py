"""公示 and the notification bell in a real browser at phone width (Debian's chromium)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.notices.models import Objection
from gonghui.notices.services import NoticeItemIn, notice_publish
from gonghui.notifications.services import notify

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_object_to_a_notice_and_decide_at_phone_width(live_server, browser, tree,
                                                      district_cadre, member_user):
    with clock.frozen(dt.date(2026, 3, 2)):
        notice = notice_publish(kind="notices.general", title="2026年度先进工作者公示",
                                org=tree["SH-A"], working_days=5, actor=district_cadre,
                                items=[NoticeItemIn(text=f"职工{i} 甲一公司 岗位能手")
                                       for i in range(1, 4)])
        notify(recipients=[member_user], kind="notices.published", title="新公示：先进工作者",
               url=f"/notices/{notice.pk}/", actor=system_actor("cli"))

        page = new_page(browser, PHONE)
        sign_in(page, live_server.url, "worker")
        page.click("button.navbar-toggler")
        assert page.locator("#gh-unread").inner_text() == "1"
        page.click("a.gh-bell")
        page.click("text=新公示：先进工作者")           # opens (marks read) and follows the link
        page.wait_for_selector("h1:has-text('2026年度先进工作者公示')")
        assert page.locator("[id^=item-]").count() == 3
        page.select_option("#id_item", label="职工2 甲一公司 岗位能手")
        page.fill("#id_text", "职工2 当年未在岗，事迹不实。")
        page.click("text=提交异议")
        page.wait_for_selector("text=异议已提交")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "notices-objection-phone")

        cadre = new_page(browser, PHONE)
        sign_in(cadre, live_server.url, "district_a")
        cadre.goto(f"{live_server.url}/notices/manage/{notice.pk}/")
        row = cadre.locator("[id^=objection-]")
        row.locator("select[name=decision]").select_option("upheld")
        row.locator("input[name=reason]").fill("经核实属实，取消该同志评选资格。")
        row.locator("button:has-text('处理')").click()
        cadre.wait_for_selector("text=异议已处理")
        assert cadre.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(cadre, "notices-manage-phone")
    objection = Objection.objects.get()
    assert (objection.status, objection.item.text) == ("upheld", "职工2 甲一公司 岗位能手")
