"""Issue 12 item 16: the modules are grouped into a few menus so the bar fits on one line at
1280 px in both languages, even for an account with a long name, and collapses on phones."""

from __future__ import annotations

import pytest

from conftest import BROWSER_MARKS, DESKTOP, PHONE, login, make_user, new_page, screenshot, sign_in


def test_modules_are_grouped_for_the_city_administrator(client, tree, city_admin):
    response = login(client, city_admin).get("/")
    groups = {g["key"]: [str(e["label"]) for e in g["entries"]]
              for g in response.context["nav_groups"]}
    assert groups["people"] == ["组织", "会员", "入会审批", "名册导入导出"]
    assert groups["services"][:2] == ["困难帮扶", "互助保障"]
    assert groups["funds"] == ["经费"]
    html = response.content.decode()
    assert 'data-gh-group="people"' in html
    # a one-entry group is a plain link, not a menu
    assert 'data-gh-group="funds"' not in html
    # the old flat bar had every module as its own top-level link
    assert html.count('class="nav-link gh-mod') <= 9


def test_a_member_without_roles_sees_no_module_menus(client, tree, member_user):
    response = login(client, member_user).get("/notices/")
    assert [g["key"] for g in response.context["nav_groups"]] == ["notices"]


def _bar_fits(page) -> dict:
    return page.evaluate("""() => {
        const bar = document.querySelector('nav.gh-navbar');
        const items = [...bar.querySelectorAll('#gh-nav > ul > li.nav-item')];
        const tops = new Set(items.map(li => Math.round(li.getBoundingClientRect().top)));
        const lang = bar.querySelector('.gh-lang button').getBoundingClientRect();
        const wrapped = [...bar.querySelectorAll('.nav-link')].filter(
            a => a.getClientRects().length && a.getBoundingClientRect().height > 48).length;
        return {rows: tops.size, height: bar.getBoundingClientRect().height,
                langRight: lang.right, width: window.innerWidth, wrapped};
    }""")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_bar_fits_at_1280_in_both_languages(live_server, browser, tree, language):
    for viewport in (DESKTOP, {"width": 1366, "height": 900}):
        user = make_user(f"long_{viewport['width']}_{language}", org=tree["SH-A"], role="admin")
        user.display_name = "黄浦区总工会组织部副部长欧阳明珠"
        user.save(update_fields=["display_name"])
        page = new_page(browser, viewport)
        sign_in(page, live_server.url, f"long_{viewport['width']}_{language}")
        if language == "en":
            page.click(".gh-lang button")
            page.wait_for_selector("html[lang=en]")
        fits = _bar_fits(page)
        screenshot(page, f"nav-{language}-{viewport['width']}")
        assert fits["rows"] == 1, fits
        assert fits["wrapped"] == 0, fits
        assert fits["height"] < 70, fits
        assert fits["langRight"] <= fits["width"], fits
        page.click("[data-gh-group=people] > a")
        page.wait_for_selector("[data-gh-group=people] .dropdown-menu.show")
        assert page.locator("[data-gh-group=people] .dropdown-menu a").count() == 4
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_bar_collapses_on_a_phone(live_server, browser, tree, district_cadre):
    page = new_page(browser, PHONE)
    sign_in(page, live_server.url, "district_a")
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.locator("[data-gh-group=people] > a").is_visible()
    page.click(".navbar-toggler")
    page.wait_for_selector("[data-gh-group=people] > a", state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "nav-phone-open")


pytestmark = [pytest.mark.django_db]
test_the_bar_fits_at_1280_in_both_languages = BROWSER_MARKS[0](BROWSER_MARKS[1](
    test_the_bar_fits_at_1280_in_both_languages))
test_the_bar_collapses_on_a_phone = BROWSER_MARKS[0](BROWSER_MARKS[1](
    test_the_bar_collapses_on_a_phone))
