"""拨缴经费 split across the levels above, with the rounding residue to a stated level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.funds.models import LedgerTransaction, LevelSplitRule, PeriodBalance
from gonghui.funds.services import allocation_record
from gonghui.funds.services.levels import (
    allocation_remit_levels,
    level_split_set,
    split_by_shares,
)

D = Decimal
SHARES = {"street": D("0.05"), "district": D("0.15"), "city": D("0.15"), "national": D("0.05")}


def balance(union, code: str) -> Decimal:
    return sum((b.debit - b.credit for b in PeriodBalance.objects.filter(
        union=union, account_code=code)), D("0.00"))


def test_split_with_rounding_residue_to_the_stated_level():
    parts = split_by_shares(D("0.07"), SHARES, "district")
    # 0.07 × 1/8 = 0.00875 → 0.01 (street, national), 0.07 × 3/8 = 0.02625 → 0.03 (city)
    assert parts == {"street": D("0.01"), "city": D("0.03"), "national": D("0.01"),
                     "district": D("0.02")}
    assert sum(parts.values()) == D("0.07")


@given(st.integers(1, 10**11), st.sampled_from(sorted(SHARES)))
def test_property_parts_always_sum_to_the_amount(fen, residue):
    amount = D(fen) / 100
    parts = split_by_shares(amount, SHARES, residue)
    assert sum(parts.values()) == amount
    assert all(abs(parts[k] - amount * SHARES[k] / D("0.40")) < D("0.01") * 4 for k in parts)


def test_shares_must_sum_to_the_passed_up_part(tree, city_admin, district_cadre):
    with pytest.raises(ApplicationError) as exc:
        level_split_set(org=tree["SH"], year=2026, actor=city_admin, residue_level="city",
                        shares={**SHARES, "national": D("0.06")})
    assert exc.value.message == "各级分成比例合计 0.41 必须等于上解比例 0.4000（留成 0.6000）。"
    with pytest.raises(NotFound):
        level_split_set(org=tree["SH"], year=2026, actor=district_cadre, residue_level="city",
                        shares=SHARES)
    assert LevelSplitRule.objects.count() == 0
    rule = level_split_set(org=tree["SH"], year=2026, actor=city_admin, residue_level="city",
                           shares=SHARES)
    assert rule.shares == {"street": "0.05", "district": "0.15", "city": "0.15",
                           "national": "0.05"}
    assert AuditEvent.objects.filter(action="funds.level_split").count() == 1


def test_remittance_posts_every_level_in_one_transaction(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    level_split_set(org=tree["SH"], year=2026, actor=city_admin, residue_level="district",
                    shares=SHARES)
    allocation_record(union=union, date=dt.date(2026, 3, 5), employer_name="甲公司",
                      payroll=D("100000.35"), idempotency_key="a1", actor=treasurer)
    owed = -balance(union, "2201")
    assert owed == D("800.00")  # 2% = 2000.01 → kept 1200.01, passed up 800.00
    txs = allocation_remit_levels(union=union, date=dt.date(2026, 3, 20), amount=D("800.00"),
                                  idempotency_key="r1", actor=treasurer)
    assert sorted(txs) == ["SH", "SH-A", "SH-A-1", "SH-A-1-1"]
    assert balance(union, "2201") == 0
    assert balance(tree["SH-A-1"], "4201") == D("-100.00")
    assert balance(tree["SH-A"], "4201") == D("-300.00")
    assert balance(tree["SH"], "4201") == D("-300.00")
    assert balance(tree["SH"], "2201") == D("-100.00")  # 全总's share, owed on by the city
    received = sum((balance(tree[c], "1002") for c in ("SH", "SH-A", "SH-A-1")), D("0"))
    assert received == D("800.00")
    with pytest.raises(ApplicationError) as exc:
        allocation_remit_levels(union=union, date=dt.date(2026, 3, 21), amount=D("1.00"),
                                idempotency_key="r2", actor=treasurer)
    assert exc.value.code == "over_owed"
    assert LedgerTransaction.objects.filter(source="funds.remit_in").count() == 3
