"""Playwright (Debian's Chromium): a cadre uploads a station photo on the station's page and
sees it served by the checked view (desktop and phone); the offline map of 2,500 stations
shows clusters with counts, and zooming in asks for the view again — no request leaves the
host."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.outreach.models import Station, StationPhoto
from gonghui.outreach.tests.conftest import make_station

pytestmark = BROWSER_MARKS


def _until(page, expression: str, seconds: float = 10) -> None:
    """Poll `expression` in the page (page.wait_for_function evaluates a string, which the
    CSP's script-src 'self' forbids)."""
    for _n in range(int(seconds * 5)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"not true after {seconds} s: {expression}")


@pytest.mark.django_db(transaction=True)
def test_cadre_adds_a_photo(live_server, browser, page, tree, cadre_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    station = make_station(tree["SH-A-1-1"], code="P1", name="南京东路爱心接力站")
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (181, 18, 27)).save(picture, "JPEG")
    (tmp_path / "门口.jpg").write_bytes(picture.getvalue())
    sign_in(page, live_server.url, "outreach_a")
    page.goto(f"{live_server.url}/outreach/stations/{station.pk}/")
    page.set_input_files("#photo-form input[type=file]", str(tmp_path / "门口.jpg"))
    page.fill("#photo-form input[name=caption]", "站点门口")
    page.click("#photo-form button")
    page.wait_for_selector("#station-photos img")
    _until(page, "document.querySelector('#station-photos img').naturalWidth === 640")
    assert StationPhoto.objects.get().caption == "站点门口"
    screenshot(page, "outreach-station-photo-desktop")
    phone = new_page(browser, PHONE)
    sign_in(phone, live_server.url, "outreach_a")
    phone.goto(f"{live_server.url}/outreach/stations/{station.pk}/")
    _until(phone, "document.querySelector('#station-photos img').naturalWidth > 0")
    wide = phone.evaluate("Array.from(document.querySelectorAll('body *')).filter("
                          "e => e.getBoundingClientRect().right > 376).slice(0, 8)"
                          ".map(e => e.tagName + '.' + e.className + ' ' + "
                          "Math.round(e.getBoundingClientRect().right))")
    screenshot(phone, "outreach-station-photo-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide


@pytest.mark.django_db(transaction=True)
def test_map_clusters_offline(live_server, browser, tree, cadre_a):
    rng = random.Random(18)
    org = tree["SH-A-1-1"]
    Station.objects.bulk_create([Station(
        org=org, org_path=org.path, code=f"M{n:05d}", name=f"站点{n}", kind="outdoor",
        address="测试路", district="黄浦区", lat=rng.uniform(30.9, 31.5),
        lon=rng.uniform(121.1, 121.8)) for n in range(2500)])
    page = new_page(browser, PHONE)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live_server.url, "outreach_a")
    page.goto(f"{live_server.url}/outreach/map/")
    page.wait_for_selector("#map[data-view='1']", timeout=20000)
    whole = int(page.get_attribute("#map", "data-total") or 0)
    assert whole > 2000      # the city's view: clusters, not 2,000 single points
    clusters = int(page.get_attribute("#map", "data-clusters") or 0)
    width, height = page.evaluate("[document.querySelector('#map').clientWidth, "
                                  "document.querySelector('#map').clientHeight]")
    assert 1 < clusters <= round(width / 56) * round(height / 56)
    page.wait_for_timeout(1000)   # ECharts' entrance animation, for the screenshot
    screenshot(page, "outreach-map-clusters-phone")
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _n in range(8):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(150)
    _until(page, "Number(document.querySelector('#map').getAttribute('data-view')) > 1")
    page.wait_for_timeout(500)
    assert int(page.get_attribute("#map", "data-total") or 0) < whole
    screenshot(page, "outreach-map-zoomed-phone")
    assert [u for u in requests if not u.startswith(live_server.url)] == []
