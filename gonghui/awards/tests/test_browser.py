"""The journey in a real browser (Debian's chromium): a grassroots cadre nominates at phone
width, the district forwards (its street's queue, then its own), the city shortlists and
publishes the 公示, which anyone can read."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import BROWSER_MARKS, DESKTOP, PHONE, make_user, new_page, screenshot, sign_in
from gonghui.awards.models import Nomination, NominationStatus
from gonghui.awards.services import honours as svc
from gonghui.awards.tests.factories import SYSTEM, member, scheme
from gonghui.core import clock
from gonghui.notices.models import Notice

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_nominate_forward_publish(live_server, browser, tree, district_cadre, city_admin):
    with clock.frozen(dt.datetime(2026, 9, 28, 9)):
        s = scheme(tree["SH"], min_frontline_pct=50)
        svc.quota_set(scheme=s, org=tree["SH-A"], quota=2, actor=SYSTEM)
        member(tree["SH-A-1-1"], "陈建华")
        make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")

        page = new_page(browser, PHONE)
        sign_in(page, live_server.url, "cadre_a11")
        page.goto(f"{live_server.url}/awards/schemes/{s.pk}/")
        page.click("a[href$='/nominate/']")
        page.wait_for_selector("h1:has-text('推荐')")
        assert "一线职工比例 不低于 50%" in page.inner_text("#shares")
        page.fill("#find", "陈")                       # the nominee picker
        page.click("#picker button")
        page.wait_for_selector("#picker table")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "awards-picker-phone")
        page.click("#picker a.btn:has-text('选择')")
        page.wait_for_url("**person=*")
        assert page.input_value("#id_member") == "陈建华"
        page.select_option("#id_category", "frontline")
        page.fill("#id_job_title", "数控车工")
        page.fill("#id_deeds_summary", "数控加工技术能手")
        page.fill("#id_deeds", "扎根一线二十年，完成技术革新十二项。")
        page.click("button:has-text('推荐上报')")
        page.wait_for_selector("text=已推荐上报")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "awards-nominate-phone")

        district = new_page(browser, DESKTOP)
        sign_in(district, live_server.url, "district_a")
        for code in ("SH-A-1", "SH-A"):
            district.goto(f"{live_server.url}/awards/schemes/{s.pk}/review/?org={code}")
            assert "满额 2 人时至少 1 人" in district.inner_text("#shares")
            if code == "SH-A-1":
                screenshot(district, "awards-review-street-shares")
            district.check("input[name=nomination]")
            district.click("#forward")
            district.wait_for_selector("text=已报送 1 个推荐对象")
        screenshot(district, "awards-review-district")

        city = new_page(browser, DESKTOP)
        sign_in(city, live_server.url, "city_admin")
        city.goto(f"{live_server.url}/awards/schemes/{s.pk}/review/?org=SH")
        city.check("input[name=nomination]")
        city.click("#forward")
        city.wait_for_selector("text=已报送 1 个推荐对象")
        city.goto(f"{live_server.url}/awards/schemes/{s.pk}/")
        city.click("button:has-text('发布公示')")
        city.wait_for_selector("text=公示已发布")
        assert "公示期：2026-09-28 至 2026-10-09（5 个工作日）" in city.inner_text("body")
        assert "陈建华" in city.inner_text("table")
        screenshot(city, "awards-publicity")

        public = new_page(browser, PHONE)   # not signed in: the 公示 is public
        public.goto(city.url)
        assert "数控加工技术能手" in public.inner_text("table")
        assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(public, "awards-publicity-phone")
    n = Nomination.objects.get()
    assert (n.status, n.notice_id) == (NominationStatus.IN_NOTICE, Notice.objects.get().pk)
