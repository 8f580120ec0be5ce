"""The supervision view in a real browser: Debian's chromium through Playwright."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, open_module, screenshot, sign_in
from gonghui.core import clock
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import DepartmentMembership
from gonghui.workplan.services.breakdown import milestone_create
from gonghui.workplan.services.progress import progress_report_create

D = dt.date

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_supervision_view(live_server, browser, seed_plan, plan_a, city_admin, other_district_cadre):
    items = {i.number: i for i in seed_plan.items.all()}
    with clock.frozen(D(2018, 3, 1)):
        done = milestone_create(item=items[1], title="宣讲方案", due_date=D(2018, 4, 1), actor=SYSTEM)
        late = milestone_create(item=items[5], title="实施意见", due_date=D(2018, 5, 20), actor=SYSTEM)
        soon = milestone_create(item=items[7], title="联席会议", due_date=D(2018, 6, 10), actor=SYSTEM)
        fine = milestone_create(item=items[14], title="APP上线", due_date=D(2018, 9, 30), actor=SYSTEM)
        milestone_create(item=items[19], title="调研报告", due_date=D(2018, 11, 30), actor=SYSTEM)
    with clock.frozen(D(2018, 5, 25)):
        progress_report_create(milestone=done, percent=100, text="完成。", actor=SYSTEM)
        for milestone, percent in ((late, 70), (soon, 30), (fine, 40)):
            progress_report_create(milestone=milestone, percent=percent, text="进展。", actor=SYSTEM)
    DepartmentMembership.objects.create(department=late.department, user=city_admin)

    with clock.frozen(D(2018, 6, 1)):  # the live server's thread reads the same clock
        page = new_page(browser, {"width": 1360, "height": 900})
        sign_in(page, live_server.url, "city_admin")
        open_module(page, "工作要点")
        page.wait_for_selector("text=上海市总工会常委会2018年工作要点")
        page.locator("tr", has_text="上海市总工会常委会2018年工作要点").locator("text=督查").click()
        page.wait_for_selector("body[data-charts-ready='1']")
        page.wait_for_selector("#chart-overall svg path")
        counts = {h: page.locator(f"#gh-counts [data-health={h}]").inner_text()
                  for h in ("overdue", "at_risk", "on_track", "done", "unplanned")}
        # 调研报告 (item 19): started 2018-03-01 and never reported → more than 30 days silent
        assert counts == {"overdue": "1", "at_risk": "2", "on_track": "1", "done": "1", "unplanned": "17"}
        assert page.locator("#chart-headings svg rect").count() > 0
        legend = page.locator("#chart-departments").inner_text()
        assert "组织部" in legend
        table = page.locator("#gh-items").inner_text()
        assert "实施意见：已逾期 12 天" in table
        assert "调研报告：开始 92 天未报送进度" in table
        screenshot(page, "workplan-supervision")

        # filter the list to what is overdue
        page.select_option("select[name=health]", "overdue")
        page.click("text=筛选")
        page.wait_for_url("**health=overdue**")
        rows = page.locator("#gh-items tbody tr")
        assert rows.count() == 1
        assert "大力推进产业工人队伍建设" in rows.first.inner_text()

        # the city's roll-up holds the district's plan
        page.goto(f"{live_server.url}/workplan/rollup/?year=2018")
        page.wait_for_selector("#chart-rollup svg")
        assert "甲区总工会2018年工作要点" in page.locator("table").inner_text()

        # phone-sized "my tasks" for a member of 组织部
        phone = new_page(browser, PHONE)
        sign_in(phone, live_server.url, "city_admin")
        phone.goto(f"{live_server.url}/workplan/my/tasks/")
        phone.wait_for_selector("text=实施意见")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone, "workplan-my-tasks-phone")

        # another district's cadre reaches nothing of district A
        other = new_page(browser)
        sign_in(other, live_server.url, "district_b")
        response = other.goto(f"{live_server.url}/workplan/plans/{plan_a.pk}/supervision/")
        assert response.status == 404
        assert "甲区" not in other.content()
