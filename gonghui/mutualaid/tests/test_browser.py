"""Browser (Playwright + Debian chromium): a member on a phone sees their payouts with how each
was computed; the city cadre's dashboard draws its charts. Screenshots go to var/artifacts/."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from conftest import BROWSER_MARKS, PHONE, make_user, new_page, screenshot, sign_in
from gonghui.mutualaid.models import BatchItem
from gonghui.mutualaid.services import (
    batch_apply_results,
    batch_create,
    batch_export,
    payee_account_set,
    process_queue,
)

from .conftest import enrol, id_number, import_bytes, settlement_csv

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_world(tree, plans, members, cadre_a11, city_admin):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["ratio"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([
        {"no": "YB001", "id": id_number(1), "admitted": dt.date(2026, 5, 6), "days": 7,
         "self_paid": "2600.00", "hospital": "瑞金医院"},
        {"no": "YB002", "id": id_number(1), "admitted": dt.date(2026, 2, 2), "days": 3,
         "hospital": "华山医院"},
        {"no": "YB003", "id": id_number(2), "admitted": dt.date(2026, 8, 2), "days": 12,
         "self_paid": "800.00"},
    ]), tree["SH"])
    process_queue()
    person = members["a"][0]
    payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                      bank_name="工商银行", account_number="6222020200112233445")
    batch = batch_create(org=tree["SH"], actor=city_admin)
    batch_export(batch=batch, actor=city_admin)
    item = BatchItem.objects.filter(batch=batch).order_by("id").first()
    batch_apply_results(batch=batch, actor=city_admin, binary=io.BytesIO(
        f"付款参考号,处理结果\n{item.reference},成功\n".encode()))
    member = make_user("worker_a1")
    person.user = member
    person.save(update_fields=["user"])
    return {"member": member, "person": person}


def test_member_sees_payout_and_its_computation_on_a_phone(live_server, browser, paid_world):
    page = new_page(browser, PHONE)
    sign_in(page, live_server.url, "worker_a1")
    page.goto(f"{live_server.url}/mutualaid/my/")
    cards = page.locator(".gh-payout-card")
    assert cards.count() == 4
    first = cards.nth(0)
    text = first.inner_text()
    assert "住院津贴" in text or "住院自付医疗费补助" in text
    page.get_by_text("怎么算的").nth(1).click()
    body = page.locator("main").inner_text()
    assert "住院 7 天 − 免赔 0 天 = 7 天 × 每天 50.00 元" in body
    assert "个人自付 2600.00 元 − 免赔额 500.00 元" in body
    assert "已支付" in body
    assert "不予给付" in body
    assert "入院日期在保障起始日之前（等待期内）" in body
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "mutualaid-portal-phone")


def test_cadre_dashboard_draws_charts(live_server, browser, paid_world, city_admin):
    page = new_page(browser)
    sign_in(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/mutualaid/?year=2026")
    page.wait_for_selector("#chart-children canvas")
    assert page.locator("#chart-plans canvas").count() == 1
    body = page.locator("main").inner_text()
    assert "甲区总工会" in body
    assert "乙区总工会" in body
    screenshot(page, "mutualaid-dashboard")


def test_cadre_reveals_the_account_with_a_purpose(live_server, browser, paid_world, cadre_a11):
    from gonghui.audit.models import SensitiveRead
    from gonghui.mutualaid.models import Payout

    payout = Payout.objects.filter(person=paid_world["person"]).order_by("id").first()
    page = new_page(browser)
    sign_in(page, live_server.url, "cadre_a11")
    page.goto(f"{live_server.url}/mutualaid/payouts/{payout.pk}/")
    assert "622************3445" in page.locator("#account-number").inner_text()
    page.get_by_role("button", name="查看完整账号（记录在案）").click()
    page.wait_for_selector("#account-number .text-danger")
    assert "这个字段是必填项。" in page.locator("#account-number").inner_text()
    assert SensitiveRead.objects.filter(field="account_number", actor=cadre_a11).count() == 0
    page.get_by_label("查看用途").fill("回盘失败，核对账号")
    page.get_by_role("button", name="查看完整账号（记录在案）").click()
    page.wait_for_selector("#account-number code")
    assert page.locator("#account-number code").inner_text() == "6222020200112233445"
    assert list(SensitiveRead.objects.filter(actor=cadre_a11).values_list("purpose", flat=True)
                ) == ["回盘失败，核对账号"]
    screenshot(page, "mutualaid-account-reveal")
