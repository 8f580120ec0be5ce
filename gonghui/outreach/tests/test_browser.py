"""Playwright on a phone-sized page (Debian's Chromium): a member finds the nearest open
station with a microwave from the phone's position, signs up for a full activity and sees the
waiting-list place, and the offline map renders with no request leaving the host."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, PHONE, screenshot, sign_in
from gonghui.core import clock
from gonghui.outreach import geo, permissions
from gonghui.outreach.models import Amenity
from gonghui.outreach.services import activities as svc
from gonghui.outreach.tests.conftest import make_activity, make_member, make_station

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_member_on_a_phone(live_server, browser, tree):
    here = {"latitude": 31.2300, "longitude": 121.4700}
    make_station(tree["SH-A"], code="N1", name="最近但没有微波炉", lat=31.2302, lon=121.4702,
                 amenities=Amenity.WATER)
    make_station(tree["SH-A"], code="N2", name="有微波炉但已关门", lat=31.2305, lon=121.4705,
                 amenities=Amenity.MICROWAVE, weekly="周日 03:00-03:01")
    make_station(tree["SH-A"], code="N3", name="南京东路爱心接力站", lat=31.2400, lon=121.4800,
                 amenities=Amenity.MICROWAVE | Amenity.WATER)
    make_station(tree["SH-A"], code="N4", name="远处的微波炉站", lat=31.3000, lon=121.5500,
                 amenities=Amenity.MICROWAVE)
    now = clock.now()
    activity = make_activity(
        tree["SH-A"], capacity=1, title="观影活动",
        starts_at=now + dt.timedelta(days=3), ends_at=now + dt.timedelta(days=3, hours=2),
        signup_opens=now - dt.timedelta(days=1), signup_closes=now + dt.timedelta(days=2),
        cancel_deadline=now + dt.timedelta(days=1))
    first, _m = make_member(tree["SH-A-1-1"], "first")
    svc.signup_create(activity=activity, member=permissions.require_member(first), actor=first)
    make_member(tree["SH-A-1-1"], "phone_user")

    context = browser.new_context(locale="zh-CN", viewport=PHONE, geolocation=here,
                                  permissions=["geolocation"])
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live_server.url, "phone_user")

    page.goto(f"{live_server.url}/outreach/near/")
    page.check("input[name=amenity][value=microwave]")
    page.check("#open-now")
    page.click("#locate")
    page.wait_for_selector("#results")
    first_item = page.locator("#results li").first.inner_text()
    assert "南京东路爱心接力站" in first_item
    km = geo.haversine_km(31.23, 121.47, 31.24, 121.48)
    assert f"{km:.1f} km" in first_item
    assert page.locator("#results li").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "outreach-near-phone")

    page.goto(f"{live_server.url}/outreach/my/activities/")
    page.click("text=观影活动")
    assert page.locator("#signup-btn").inner_text().strip() == "名额已满，加入候补"
    page.click("#signup-btn")
    page.wait_for_selector("#my-status")
    assert "候补名单第 1 位" in page.locator("#my-status").inner_text()
    screenshot(page, "outreach-waiting-phone")

    page.goto(f"{live_server.url}/outreach/map/")
    page.wait_for_selector("#map[data-ready='1']", timeout=20000)
    assert page.locator("#map canvas").count() >= 1
    screenshot(page, "outreach-map-phone")
    outside = [u for u in requests if not u.startswith(live_server.url)]
    assert outside == []
    context.close()
