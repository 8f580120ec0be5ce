"""Shared fixtures: a small federation tree and the personas of CONVENTIONS.md.

    SH (city) ─┬─ SH-A (district A) ── SH-A-1 (street) ── SH-A-1-1 (grassroots)
               │                                       └─ SH-A-1-2 (grassroots)
               └─ SH-B (district B) ── SH-B-1 (street) ── SH-B-1-1 (grassroots)
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests judge values, not speed: on a loaded CI machine one example may take longer
# than hypothesis's default 200 ms deadline, which failed a test with DeadlineExceeded.
hypothesis_settings.register_profile("gonghui", deadline=None)
hypothesis_settings.load_profile("gonghui")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in browser tests

# the attack battery's figures in the terminal summary, also under xdist (issue 13)
pytest_plugins = ("tests.security.battery",)

PASSWORD = "Test-pass-2026"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://…)")
    skip_citus = pytest.mark.skip(reason="needs a Citus coordinator: set GONGHUI_TEST_CITUS_URL="
                                         "postgres://… (docs/scale.md)")
    on_citus = bool(os.environ.get("GONGHUI_TEST_CITUS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "citus" in item.keywords and not on_citus:
            item.add_marker(skip_citus)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 costs ~50 ms a hash; tests that check the hasher itself restore it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # TOTP for the roles that reveal personal data is on in production (settings); the tests of
    # that rule turn it on (tests/security/test_totp_reveal.py), the others sign in without it.
    settings.GONGHUI_REQUIRE_TOTP_FOR_REVEAL = False
    # Subtree figures are cached for a minute in production; tests see every write at once
    # (the cache itself: gonghui/orgs/tests/test_figures_cache.py).
    settings.GONGHUI_FIGURES_CACHE_SECONDS = 0
    # The same for the working-day overrides (gonghui/core/tests/test_workdays.py tests the cache).
    settings.GONGHUI_CALENDAR_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def make_org(parent: Any, code: str, name: str, level: str, org_type: str, **extra: Any):
    from gonghui.orgs.models import Org

    org = Org(code=code, name=name, level=level, org_type=org_type, **extra)
    if parent is None:
        return Org.objects.add_root(instance=org)
    return Org.objects.add_child(Org.objects.get(pk=parent.pk), instance=org)


@pytest.fixture(autouse=True)
def _clock_not_inherited():
    """Every test starts on the real clock. `clock.frozen` restores the previous value on exit,
    so threads of an earlier test that froze it and exited out of order (a concurrency test)
    could leave a date frozen for the tests after it in the same process."""
    from gonghui.core import clock

    clock._frozen = None
    yield
    clock._frozen = None


@pytest.fixture
def tree(db) -> dict[str, Any]:
    city = make_org(None, "SH", "测试市总工会", "city", "federation")
    a = make_org(city, "SH-A", "甲区总工会", "district", "federation")
    b = make_org(city, "SH-B", "乙区总工会", "district", "federation")
    a1 = make_org(a, "SH-A-1", "甲区一街道工会", "street", "street")
    b1 = make_org(b, "SH-B-1", "乙区一街道工会", "street", "street")
    a11 = make_org(a1, "SH-A-1-1", "甲一公司工会", "grassroots", "grassroots")
    a12 = make_org(a1, "SH-A-1-2", "甲二公司工会", "grassroots", "grassroots")
    b11 = make_org(b1, "SH-B-1-1", "乙一公司工会", "grassroots", "grassroots")
    from gonghui.orgs.models import Org

    return {o.code: Org.objects.get(pk=o.pk) for o in (city, a, b, a1, b1, a11, a12, b11)}


def make_user(username: str, *, org: Any = None, role: str = "", **extra: Any):
    from gonghui.accounts.models import RoleAssignment, User

    user = User(username=username, display_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    if org is not None:
        RoleAssignment.objects.create(user=user, org=org, role=role)
    return user


@pytest.fixture
def city_admin(tree):
    return make_user("city_admin", org=tree["SH"], role="admin")


@pytest.fixture
def district_cadre(tree):
    """Administrator of district A (SH-A)."""
    return make_user("district_a", org=tree["SH-A"], role="admin")


@pytest.fixture
def other_district_cadre(tree):
    """Administrator of district B (SH-B): must never see district A."""
    return make_user("district_b", org=tree["SH-B"], role="admin")


@pytest.fixture
def grassroots_cadre(tree):
    return make_user("grassroots_a11", org=tree["SH-A-1-1"], role="registrar")


@pytest.fixture
def auditor(tree):
    return make_user("auditor", org=tree["SH"], role="auditor")


@pytest.fixture
def member_user(tree):
    """A worker's account: no role anywhere."""
    return make_user("worker")


def login(client, user) -> Any:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- browser tests: THE Chromium fixture ---------------------------------------------------
# Playwright from pip drives Debian's /usr/bin/chromium (never a downloaded browser).

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = __import__("pathlib").Path(os.environ.get("GONGHUI_ARTIFACTS", "var/artifacts"))
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def browser():
    """A headless Chromium for the test; `new_page(browser)` opens a zh-CN page in it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A desktop-sized zh-CN page."""
    return new_page(browser)


def new_page(browser: Any, viewport: dict[str, int] | None = None) -> Any:
    return browser.new_context(locale="zh-CN", viewport=viewport or DESKTOP).new_page()


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # a cadre lands on the home page, a worker is sent on to the member portal
    page.wait_for_url(lambda url: url.startswith(base_url) and "/accounts/login/" not in url)


def open_module(page: Any, label: str) -> None:
    """Open a module from the navigation as a person would: a top-level entry directly, an entry
    inside a group's menu (组织会员, 帮扶服务 …) after opening the menu; on a phone the collapsed
    navigation is opened first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.count() and toggler.first.is_visible():
        toggler.first.click()
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    item = page.locator("a.dropdown-item", has_text=exact)
    if item.count():
        item.first.locator("xpath=ancestor::li[contains(@class,'dropdown')][1]/a").click()
        item.first.click()
    else:
        page.locator("a.gh-mod", has_text=exact).first.click()
    page.wait_for_load_state()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
