"""User journeys (issue 12), walked in Debian's Chromium as each persona would, asserting what
the user sees; desktop and phone screenshots go to var/artifacts/journey-*.png.

- a worker on a phone: sign in → portal → e-card → mutual-aid payouts → join/transfer;
- a grassroots registrar: upload a roster → leave it awaiting confirmation → find it again,
  back to the preview → import → the error report;
- a district cadre: approve a join application, reveal an ID number with a purpose, grant a
  role with the org picker — the role never defaults to 管理员;
- a city admin: move a union under another street with the org picker.
(The treasurer's and the auditor's journeys are usability part B's.)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import BROWSER_MARKS, DESKTOP, PASSWORD, PHONE, make_user, screenshot
from gonghui.accounts.models import RoleAssignment
from gonghui.audit.models import SensitiveRead
from gonghui.core.testing import synthetic_id_number
from gonghui.members.models import Application, Membership, Person
from gonghui.orgs.models import Org
from gonghui.roster.tests.conftest import messy_xlsx  # noqa: F401 — the roster tests' file

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def _page(browser: Any, viewport: dict[str, int], **kwargs: Any) -> Any:
    page = browser.new_context(locale="zh-CN", viewport=viewport, **kwargs).new_page()
    page.set_default_timeout(120_000)  # a loaded shared machine: slow, not wrong
    page.set_default_navigation_timeout(120_000)
    return page


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _pick(page: Any, selector: str, text: str, code: str) -> None:
    """Type into an org picker, wait for the suggestions, choose the org with `code`."""
    page.fill(selector, "")
    page.type(selector, text, delay=30)
    option = page.locator(f"[data-org-picker] [data-code='{code}']")
    option.wait_for(state="visible", timeout=15_000)
    option.click()
    assert page.input_value(selector) == code


def test_worker_on_a_phone(live_server, browser, tree, member_user):
    from gonghui.mutualaid.tests.conftest import add_member

    person = add_member(tree["SH-A-1-1"], "王芳", synthetic_id_number(7))
    Person.objects.filter(pk=person.pk).update(user=member_user)
    # the mutual-aid helper writes the membership directly, without a card number: give it one
    Membership.objects.filter(person=person).update(card_number="310000000000007")
    card = "310000000000007"
    page = _page(browser, PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("#join-online a", has_text="在线注册并申请入会").is_visible()
    screenshot(page, "journey-worker-login-phone")
    _sign_in(page, live_server.url, "worker")
    page.goto(f"{live_server.url}/members/portal/")
    assert "王芳" in page.inner_text("main")
    screenshot(page, "journey-worker-portal-phone")
    page.click(".gh-portal-nav >> text=会员证")
    page.wait_for_selector("#e-card")
    assert page.inner_text("#card-number").strip() == card
    assert "甲一公司工会" in page.inner_text("#e-card")
    screenshot(page, "journey-worker-card-phone")
    page.click(".gh-portal-nav >> text=互助保障")
    page.wait_for_selector("text=我的互助保障给付")
    screenshot(page, "journey-worker-payouts-phone")
    page.click(".gh-portal-nav >> text=首页")
    page.click("text=换了工作？申请转入新单位工会")
    page.wait_for_load_state("networkidle")
    assert "/members/portal/transfer/" in page.url
    screenshot(page, "journey-worker-transfer-phone")
    page.click(".gh-portal-nav >> text=入会/转会")
    page.wait_for_load_state("networkidle")
    assert "/members/portal/apply/" in page.url
    # nothing overflows the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_grassroots_registrar_imports_a_roster(live_server, browser, settings, tree,
                                               grassroots_cadre, messy_xlsx):  # noqa: F811
    from gonghui.roster.models import ImportJob
    from gonghui.roster.tests.test_browser import _worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = messy_xlsx  # 9 good rows, 5 bad, 3 skipped
    page = _page(browser, DESKTOP, accept_downloads=True)
    _sign_in(page, live_server.url, "grassroots_a11")
    page.goto(live_server.url + reverse("roster:home"))
    # the only union it may import into is pre-filled
    assert page.input_value("#id_union") == "SH-A-1-1"
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#mapping")
    # leave the preview: the job waits in 待确认 and is not a dead end
    page.goto(live_server.url + reverse("roster:home"))
    page.click("text=去确认")
    page.wait_for_selector("#mapping")
    job = ImportJob.objects.get()
    page.goto(live_server.url + reverse("roster:job", args=[job.pk]))
    assert "此导入还在等待确认" in page.inner_text("#awaiting")
    screenshot(page, "journey-registrar-awaiting")
    page.click("#awaiting >> text=返回预览并确认")
    page.wait_for_selector("#mapping")
    page.click("#start-import")
    page.wait_for_selector("#progress")
    worker = _worker()
    page.wait_for_selector("#download-report", timeout=90_000)
    worker.join(timeout=60)
    assert [t.strip() for t in page.locator("#counts .gh-stat").all_inner_texts()] == [
        "9", "0", "5", "3"]
    screenshot(page, "journey-registrar-done")
    with page.expect_download() as info:
        page.click("#download-report")
    assert info.value.suggested_filename == f"导入错误报告-{job.pk}.xlsx"
    phone = _page(browser, PHONE)
    _sign_in(phone, live_server.url, "grassroots_a11")
    phone.goto(live_server.url + reverse("roster:job", args=[job.pk]))
    screenshot(phone, "journey-registrar-done-phone")


def test_district_cadre_approves_reveals_and_grants(live_server, browser, tree, district_cadre):
    from gonghui.members import services
    from gonghui.members.tests.factories import person_fields

    number = synthetic_id_number(11)
    application = services.application_submit(
        union=tree["SH-A-1-2"], fields=person_fields("李雷", id_number=number),
        actor=district_cadre)
    make_user("newbie")
    page = _page(browser, DESKTOP)
    _sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/members/applications/{application.pk}/")
    page.click("#approve")
    page.wait_for_load_state("networkidle")
    membership = Membership.objects.get(person__name="李雷")
    assert Application.objects.get(pk=application.pk).status == "approved"
    page.goto(f"{live_server.url}/members/{membership.pk}/")
    assert number not in page.inner_text("main")
    page.fill("input[name=purpose]", "核对入会信息")
    page.click("text=查看完整号码")
    page.wait_for_selector("#id-number >> text=已记录查看")
    assert number in page.inner_text("#id-number")
    assert list(SensitiveRead.objects.values_list("purpose", flat=True)) == ["核对入会信息"]
    screenshot(page, "journey-cadre-reveal")

    page.goto(f"{live_server.url}/accounts/roles/")
    assert page.input_value("#id_role") == ""  # never starts on 管理员
    page.fill("input[name=username]", "newbie")
    page.select_option("#id_role", "registrar")
    page.click("button:text-is('授权')")  # no org yet: refused, the chosen role is kept
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_role") == "registrar"
    assert not RoleAssignment.objects.filter(user__username="newbie").exists()
    _pick(page, "#id_org_code", "甲二", "SH-A-1-2")
    screenshot(page, "journey-cadre-grant-picker")
    page.click("button:text-is('授权')")
    page.wait_for_load_state("networkidle")
    grant = RoleAssignment.objects.get(user__username="newbie")
    assert (grant.org.code, grant.role) == ("SH-A-1-2", "registrar")
    assert "newbie" in page.inner_text("table")
    phone = _page(browser, PHONE)
    _sign_in(phone, live_server.url, "district_a")
    phone.goto(f"{live_server.url}/accounts/roles/")
    screenshot(phone, "journey-cadre-roles-phone")


def test_city_admin_moves_a_union_with_the_picker(live_server, browser, tree, city_admin):
    page = _page(browser, DESKTOP)
    _sign_in(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/orgs/{tree['SH-A-1-2'].pk}/move/")
    _pick(page, "#id_target", "乙区一", "SH-B-1")
    assert "乙区一街道工会（SH-B-1）" in page.inner_text(".org-picker-chosen")
    screenshot(page, "journey-admin-move-picker")
    page.click("button:has-text('确定')")
    page.wait_for_url(f"{live_server.url}/orgs/{tree['SH-A-1-2'].pk}/")
    assert "已移动到“乙区一街道工会”之下。" in page.inner_text("body")
    assert Org.objects.get_parent(Org.objects.get(code="SH-A-1-2")).code == "SH-B-1"
    screenshot(page, "journey-admin-moved")
    phone = _page(browser, PHONE)
    _sign_in(phone, live_server.url, "city_admin")
    phone.goto(f"{live_server.url}/orgs/{tree['SH-A-1-1'].pk}/move/")
    _pick(phone, "#id_target", "乙区", "SH-B")
    screenshot(phone, "journey-admin-move-phone")
