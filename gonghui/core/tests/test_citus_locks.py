"""The row-lock helpers of core/citus.py: one statement on one node; on Citus one statement per
union (`lock_per_union`) or per shard (`lock_per_shard`), each routed to a single shard, so
`FOR UPDATE SKIP LOCKED` is accepted there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gonghui.core import citus
from gonghui.funds.models import Budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgets(tree):
    """Two budgets in each of the three grassroots unions and the two streets (10 rows)."""
    rows = []
    for code in ("SH-A-1-1", "SH-A-1-2", "SH-B-1-1", "SH-A-1", "SH-B-1"):
        for account in ("5301", "5302"):
            rows.append(Budget.objects.create(union=tree[code], year=2026, account_code=account,
                                              amount=Decimal("10.00")))
    return rows


def _locking(queries) -> list[str]:
    return [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]


def test_lock_per_shard_locks_all_rows_or_the_first_limit(budgets):
    ids = [b.pk for b in budgets]
    with transaction.atomic():
        everything = citus.lock_per_shard(Budget.objects.order_by("id"))
        first = citus.lock_per_shard(Budget.objects.order_by("id"), limit=3)
        none = citus.lock_per_shard(Budget.objects.filter(year=1999).order_by("id"), limit=3)
    assert sorted(b.pk for b in everything) == ids
    assert len(first) == 3
    if not citus.on_citus():  # one statement in the queryset's order
        assert [b.pk for b in first] == ids[:3]
    assert none == []


def test_lock_per_union_and_per_shard_agree_on_one_node(budgets):
    with transaction.atomic():
        per_union = citus.lock_per_union(Budget.objects.order_by("id"), limit=4)
        per_shard = citus.lock_per_shard(Budget.objects.order_by("id"), limit=4)
    assert len(per_union) == len(per_shard) == 4
    if not citus.on_citus():
        assert [b.pk for b in per_union] == [b.pk for b in per_shard]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_one_locking_statement_on_one_node(budgets):
    if citus.on_citus():
        pytest.skip("one node only")
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        citus.lock_per_shard(Budget.objects.order_by("id"), limit=5, skip_locked=True)
    assert len(_locking(ctx.captured_queries)) == 1


@pytest.mark.citus
def test_on_citus_one_statement_per_shard_each_on_one_shard(budgets):
    unions = sorted({b.union_id for b in budgets})
    with connection.cursor() as cursor:
        cursor.execute("SELECT u, get_shard_id_for_distribution_column('funds_budget', u) "
                       "FROM unnest(%s::bigint[]) AS u", [unions])
        shard_of = dict(cursor.fetchall())
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        rows = citus.lock_per_shard(Budget.objects.order_by("id"), skip_locked=True)
    assert sorted(b.pk for b in rows) == sorted(b.pk for b in budgets)
    # a statement per shard that holds a union of these rows, not one per union
    assert len(_locking(ctx.captured_queries)) == len(set(shard_of.values()))
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        limited = citus.lock_per_shard(Budget.objects.order_by("id"), limit=1,
                                       skip_locked=True)
    assert len(limited) == 1
    assert len(_locking(ctx.captured_queries)) == 1
