"""Property: whatever sequence of postings, reversals, rejected postings and closings happens,
every transaction balances, the maintained month balances equal the lines, every union's book
sums to zero, and nothing dated in a closed period ever changes after closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import clock
from gonghui.core.colocated import same_union
from gonghui.core.errors import ApplicationError
from gonghui.funds.models import LedgerLine, LedgerTransaction, PeriodBalance
from gonghui.funds.services import (
    chart_ensure,
    period_close,
    post_transaction,
    reverse_transaction,
)
from gonghui.funds.sums import fen

CODES = ["1001", "2201", "4101", "4201", "4901", "510101", "510102", "530104", "5501"]
TODAY = dt.date(2026, 7, 15)

amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda fen: Decimal(fen) / 100)
post_op = st.tuples(
    st.just("post"), st.integers(0, 1), st.integers(1, 7), st.integers(1, 28),
    st.lists(st.tuples(st.sampled_from(CODES), amounts, st.booleans()), min_size=1, max_size=4),
)
bad_op = st.tuples(st.just("bad"), st.integers(0, 1), st.integers(1, 7), amounts)
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 10_000))
close_op = st.tuples(st.just("close"), st.integers(0, 1), st.integers(1, 6))
operations = st.lists(st.one_of(post_op, post_op, bad_op, reverse_op, close_op), max_size=20)


class _Rollback(Exception):
    pass


def _fire_deferred_checks() -> None:
    """PostgreSQL: run the deferred double-entry trigger now (the test never commits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _period_snapshot(union, period: int) -> tuple:
    # the joins carry the union: one shard's co-located join on Citus, never a repartition
    lines = sorted(LedgerLine.objects.filter(same_union("transaction"), same_union("account"),
                                             union=union, transaction__period=period)
                   .values_list("transaction_id", "account__code", "amount"))
    balances = sorted(PeriodBalance.objects.filter(union=union, period=period)
                      .values_list("account_code", "debit", "credit"))
    return tuple(lines), tuple(balances)


def _check_invariants(unions, closed: dict) -> None:
    for tx_id, total in (LedgerLine.objects.values("transaction_id")
                         .annotate(total=Sum("amount")).values_list("transaction_id", "total")):
        assert fen(total) == 0, f"transaction {tx_id} unbalanced by {total}"
    for union in unions:
        from_lines = {
            (r["account__code"], r["transaction__period"]): fen(r["s"])
            for r in LedgerLine.objects.filter(same_union("transaction"), same_union("account"),
                                               union=union)
            .values("account__code", "transaction__period").annotate(s=Sum("amount"))
        }
        from_balances = {
            (r.account_code, r.period): r.debit - r.credit
            for r in PeriodBalance.objects.filter(union=union)
        }
        assert from_lines == {k: v for k, v in from_balances.items() if v != 0 or k in from_lines}
        total = PeriodBalance.objects.filter(union=union).aggregate(d=Sum("debit"),
                                                                   c=Sum("credit"))
        assert fen(total["d"]) == fen(total["c"])
    for (union, period), snapshot in closed.items():
        assert _period_snapshot(union, period) == snapshot, f"closed {period} changed"


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_ledger_stays_balanced_and_closed_periods_unchanged(tree, city_admin, ops):
    unions = [tree["SH-A-1-1"], tree["SH-B-1-1"]]
    try:
        with transaction.atomic(), clock.frozen(TODAY):
            for union in unions:
                chart_ensure(union)
            posted: list[LedgerTransaction] = []
            closed: dict = {}
            for n, op in enumerate(ops):
                kind = op[0]
                if kind == "post":
                    _k, u, month, day, parts = op
                    lines = [(code, amount if debit else -amount) for code, amount, debit in parts]
                    rest = -sum((a for _c, a in lines), Decimal("0"))
                    if rest == 0:
                        continue
                    lines.append(("1002", rest))
                    date = dt.date(2026, month, day)
                    period = 202600 + month
                    if (unions[u], period) in closed:
                        with pytest.raises(ApplicationError) as refused:
                            post_transaction(union=unions[u], date=date, memo=f"op {n}",
                                             lines=lines, idempotency_key=f"op-{n}",
                                             actor=city_admin)
                        assert refused.value.code == "period_closed"
                    else:
                        posted.append(post_transaction(
                            union=unions[u], date=date, memo=f"op {n}", lines=lines,
                            idempotency_key=f"op-{n}", actor=city_admin))
                elif kind == "bad":
                    _k, u, month, amount = op
                    count = LedgerTransaction.objects.count()
                    with pytest.raises(ApplicationError):
                        post_transaction(union=unions[u], date=dt.date(2026, month, 3),
                                         memo="bad", idempotency_key=f"bad-{n}",
                                         lines=[("1002", amount), ("4101", -amount + Decimal(
                                             "0.01"))], actor=city_admin)
                    assert LedgerTransaction.objects.count() == count
                elif kind == "reverse" and posted:
                    tx = posted[op[1] % len(posted)]
                    if tx.reversal_of_id:
                        continue
                    rev = reverse_transaction(tx=tx, actor=city_admin)
                    assert rev.date == TODAY
                    posted.append(rev)
                elif kind == "close":
                    _k, u, month = op
                    key = (unions[u], 202600 + month)
                    if key in closed:
                        continue
                    period_close(union=unions[u], year=2026, month=month, actor=city_admin)
                    closed[key] = _period_snapshot(*key)
                _fire_deferred_checks()
                _check_invariants(unions, closed)
            raise _Rollback
    except _Rollback:
        pass
