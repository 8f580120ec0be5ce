"""Policy limits at their edges: exactly at the limit passes, one fen over is refused (block) or
needs confirmation (warn), and the message names the rule and what is left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core import clock
from gonghui.funds.models import LedgerTransaction
from gonghui.funds.services import (
    PolicyBlocked,
    PolicyWarning,
    expense_record,
    policy_check,
    policy_limit_create,
    policy_limit_deactivate,
)
from gonghui.funds.tests.conftest import add_members, invoice

D = Decimal
DAY = dt.date(2026, 2, 5)


@pytest.fixture
def gifts_limit(tree, city_admin):
    """City rule: festival gifts at most 500 yuan per member per year, blocking."""
    return policy_limit_create(org=tree["SH"], name="节日慰问品每人每年不超过 500 元",
                               account_code="510101", kind="per_member_year",
                               amount=D("500.00"), action="block", actor=city_admin)


def spend(union, actor, amount, key, code="510101", confirm=False):
    return expense_record(union=union, date=DAY, account_code=code, amount=D(amount),
                          memo="春节慰问品", idempotency_key=key, actor=actor,
                          evidence=invoice(), confirm_warnings=confirm)


def test_per_member_year_limit_exactly_at_the_limit_passes(tree, city_admin, treasurer,
                                                         gifts_limit):
    union = tree["SH-A-1-1"]
    add_members(union, 4, city_admin)  # cap 4 × 500 = 2,000.00
    spend(union, treasurer, "1500.00", "a")
    tx = spend(union, treasurer, "500.00", "b")
    assert tx.was_created is True
    [check] = policy_check(union=union, account_code="510101", amount=D("0.00"), date=DAY)
    assert (check.cap, check.used, check.remaining) == (D("2000.00"), D("2000.00"), D("0.00"))


def test_per_member_year_limit_one_fen_over_is_blocked_with_the_rule_and_what_is_left(
        tree, city_admin, treasurer, gifts_limit):
    union = tree["SH-A-1-1"]
    add_members(union, 4, city_admin)
    spend(union, treasurer, "1500.00", "a")
    with pytest.raises(PolicyBlocked) as exc:
        spend(union, treasurer, "500.01", "b")
    assert exc.value.message == (
        "规则「节日慰问品每人每年不超过 500 元」（测试市总工会制定）：每名会员每年 ¥500.00 × 4 名"
        "在册会员 = 本年上限 ¥2,000.00，本年已用 ¥1,500.00，剩余 ¥500.00，本次 ¥500.01 超出 ¥0.01。")
    assert LedgerTransaction.objects.count() == 1
    # confirming does not help against a blocking rule
    with pytest.raises(PolicyBlocked):
        spend(union, treasurer, "500.01", "b", confirm=True)
    assert LedgerTransaction.objects.count() == 1


def test_limit_counts_the_year_of_the_entry_only(tree, city_admin, treasurer, gifts_limit):
    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin)
    expense_record(union=union, date=dt.date(2025, 12, 20), account_code="510101",
                   amount=D("500.00"), memo="2025 慰问", idempotency_key="old", actor=treasurer,
                   evidence=invoice())
    assert spend(union, treasurer, "500.00", "new").was_created is True


def test_reversed_spending_frees_the_limit(tree, city_admin, treasurer, gifts_limit):
    from gonghui.funds.services import reverse_transaction

    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin)
    tx = spend(union, treasurer, "500.00", "a")
    with clock.frozen(DAY):
        reverse_transaction(tx=tx, actor=treasurer)
    assert spend(union, treasurer, "500.00", "b").was_created is True


def test_per_entry_warning_needs_confirmation(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    policy_limit_create(org=tree["SH-A"], name="单次文体活动不超过 20,000 元",
                        account_code="510102", kind="per_entry", amount=D("20000.00"),
                        action="warn", actor=city_admin)
    assert spend(union, treasurer, "20000.00", "at", code="510102").was_created is True
    with pytest.raises(PolicyWarning) as exc:
        spend(union, treasurer, "20000.01", "over", code="510102")
    assert exc.value.message == ("规则「单次文体活动不超过 20,000 元」（甲区总工会制定）：每笔上限 "
                                 "¥20,000.00，本次 ¥20,000.01 超出 ¥0.01。")
    assert LedgerTransaction.objects.count() == 1
    tx = spend(union, treasurer, "20000.01", "over", code="510102", confirm=True)
    assert tx.was_created is True
    from gonghui.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="funds.limit_override",
                                     object_id=str(tx.pk)).count() == 1


def test_limit_on_a_header_covers_its_details_and_per_year_kind(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    policy_limit_create(org=tree["SH"], name="职工活动每年不超过 1 万", account_code="5101",
                        kind="per_year", amount=D("10000.00"), action="block", actor=city_admin)
    spend(union, treasurer, "6000.00", "a", code="510102")
    spend(union, treasurer, "4000.00", "b", code="510199")
    with pytest.raises(PolicyBlocked):
        spend(union, treasurer, "0.01", "c", code="510103")
    # other spending categories are not covered
    assert spend(union, treasurer, "99999.00", "d", code="540101").was_created is True


def test_limits_of_another_subtree_do_not_apply(tree, city_admin, treasurer):
    policy_limit_create(org=tree["SH-B"], name="乙区规则", account_code="510102",
                        kind="per_entry", amount=D("1.00"), action="block", actor=city_admin)
    assert policy_check(union=tree["SH-A-1-1"], account_code="510102", amount=D("5.00"),
                        date=DAY) == []
    assert spend(tree["SH-A-1-1"], treasurer, "5.00", "a", code="510102").was_created is True


def test_deactivated_limit_no_longer_applies(tree, city_admin, treasurer, gifts_limit):
    union = tree["SH-A-1-1"]
    policy_limit_deactivate(limit=gifts_limit, actor=city_admin)
    assert spend(union, treasurer, "100.00", "a").was_created is True


def test_no_members_means_no_festival_gifts(tree, treasurer, gifts_limit):
    with pytest.raises(PolicyBlocked) as exc:
        spend(tree["SH-A-1-1"], treasurer, "0.01", "a")
    assert "× 0 名在册会员 = 本年上限 ¥0.00" in exc.value.message


def test_only_policy_writers_set_limits(tree, treasurer, district_cadre):
    from gonghui.core.errors import Forbidden, NotFound

    with pytest.raises(Forbidden):
        policy_limit_create(org=tree["SH-A-1-1"], name="x", account_code="510101",
                            kind="per_entry", amount=D("1"), action="block", actor=treasurer)
    # another district's federation lies outside the cadre's subtrees: 404, not 403
    with pytest.raises(NotFound):
        policy_limit_create(org=tree["SH-B"], name="x", account_code="510101",
                            kind="per_entry", amount=D("1"), action="block",
                            actor=district_cadre)
