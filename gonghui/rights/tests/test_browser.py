"""Browser journey (the shared Chromium fixture): a worker files a wage dispute on a
phone-sized page, a cadre screens it, records a mediation session and closes it with a
mediation agreement; the worker sees the outcome and rates the help. Screenshots go to
var/artifacts/."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, PHONE, make_user, new_page, screenshot, sign_in
from gonghui.core import clock
from gonghui.rights.models import Case

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_worker_files_on_a_phone_and_cadre_reaches_an_agreement(live_server, browser, page,
                                                                 tree, district_cadre):
    make_user("worker")
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "worker")
    phone.goto(f"{live_server.url}/rights/portal/")
    phone.click("#ask-help")
    phone.wait_for_selector("#id_description")
    phone.select_option("#id_union", "SH-A-1")
    phone.select_option("#id_dispute_type", "wages")
    phone.fill("#id_description", "公司拖欠我三个月工资共15000元")
    phone.fill("#id_known_on", clock.today().isoformat())
    phone.fill("#id_employer_name", "甲一物流有限公司")
    phone.fill("#id_amount_claimed", "15000")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "rights-portal-new-phone")
    phone.click("#submit")
    phone.wait_for_selector("#case-status")
    assert phone.locator("#case-status").inner_text().strip() == "已提交"
    case = Case.objects.get()
    assert (case.union.code, case.status, case.amount_claimed) == ("SH-A-1", "submitted",
                                                                   15000)
    screenshot(phone, "rights-portal-case-phone")

    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/rights/cases/")
    page.click(f"text={case.number}")
    page.wait_for_selector("#actions")
    page.click('#actions >> text="受理"')
    page.select_option("#id_kind", "mediation")
    page.click("#submit")
    page.wait_for_selector("#case-status")
    assert page.locator("#case-status").inner_text().strip() == "办理中"
    assert "调解期满15日" in page.locator("#clocks").inner_text()
    page.click("#actions >> text=记录开庭/调解")
    page.fill("#id_on", clock.today().isoformat())
    page.fill("#id_note", "双方到场，公司同意一次性支付12000元")
    page.click("#submit")
    page.wait_for_selector("#case-status")
    page.click('#actions >> text="结案"')
    page.select_option("#id_outcome", "agreement")
    page.fill("#id_amount_recovered", "12000")
    page.fill("#id_closed_on", clock.today().isoformat())
    page.click("#submit")
    page.wait_for_selector("#case-outcome")
    assert page.locator("#case-status").inner_text().strip() == "已结案"
    assert "达成调解协议" in page.locator("#case-outcome").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "双方到场" in timeline
    screenshot(page, "rights-case-closed")

    phone.goto(f"{live_server.url}/rights/portal/{case.pk}/")
    phone.wait_for_selector("#rate")
    phone.select_option("#id_rating", "5")
    phone.click("#rate button")
    phone.wait_for_selector("text=您的评价")
    case.refresh_from_db()
    assert (case.status, case.outcome, str(case.amount_recovered), case.rating) == (
        "closed", "agreement", "12000.00", 5)
    screenshot(phone, "rights-portal-rated-phone")


@pytest.mark.django_db(transaction=True)
def test_district_risk_map_on_desktop_and_phone(live_server, browser, page, tree,
                                                district_cadre):
    from conftest import make_org
    from gonghui.rights.models import EmployerRisk
    from gonghui.rights.tests.conftest import make_employer

    streets = [tree["SH-A-1"], make_org(tree["SH-A"], "SH-A-2", "甲区二街道工会", "street",
                                        "street")]
    levels = ["green", "green", "yellow", "orange", "red", "green", "green", "red"]
    for i, level in enumerate(levels):
        area = streets[i % 2]
        employer = make_employer(area, f"地图单位{'甲乙丙丁戊己庚辛'[i]}")
        EmployerRisk.objects.create(employer=employer, area_path=area.path, score=i,
                                    level=level, signals=1, computed_at=clock.now())
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/rights/risk/")
    page.click("text=风险地图")
    page.wait_for_selector("#risk-map-tiles canvas")
    page.wait_for_selector("#risk-map-bars canvas")
    rows = page.locator("#risk-map-table tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split() == ["甲区一街道工会", "2", "1", "0", "1", "4",
                                               "25.0%"]
    assert rows.nth(1).inner_text().split() == ["甲区二街道工会", "2", "0", "1", "1", "4",
                                               "50.0%"]
    page.wait_for_timeout(1500)        # ECharts' opening animation
    screenshot(page, "rights-risk-map")
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "district_a")
    phone.goto(f"{live_server.url}/rights/risk/map/")
    phone.wait_for_selector("#risk-map-tiles canvas")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.wait_for_timeout(1500)
    screenshot(phone, "rights-risk-map-phone")
    phone.click('#risk-map-table >> text="甲区二街道工会"')
    phone.wait_for_selector("text=甲区二街道工会")
    assert "org=SH-A-2" in phone.url
    phone.click("#risk-map-table tbody tr >> nth=0 >> a >> nth=-1")   # the street's red count
    phone.wait_for_selector("table")
    assert "level=red" in phone.url
