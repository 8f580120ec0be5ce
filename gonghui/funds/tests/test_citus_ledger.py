"""On a real Citus coordinator only (GONGHUI_TEST_CITUS_URL, docs/scale.md): the ledger's
deferred double-entry check runs on the distributed shards — at the commit of a distributed
transaction over two workers it refuses an unbalanced voucher and the whole transaction, both
workers' writes, is rolled back; a line of another union than its voucher is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from conftest import make_org
from gonghui.funds.models import Account, LedgerLine, LedgerTransaction, PeriodBalance
from gonghui.funds.services import chart_ensure, post_income
from gonghui.funds.tests.conftest import refused_at_commit

pytestmark = [pytest.mark.citus, pytest.mark.django_db(transaction=True)]

D = Decimal
DAY = dt.date(2026, 3, 10)


def _worker_of(union_id: int) -> int:
    """The port of the worker holding a union's shard (every funds table is co-located)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.nodeport FROM pg_dist_shard_placement p WHERE p.shardid = "
            "get_shard_id_for_distribution_column('funds_ledgertransaction', %s)", [union_id])
        return int(cursor.fetchone()[0])


def _union_on_the_other_worker(parent, than: int):
    from gonghui.orgs.models import Org

    for n in range(12):
        candidate = make_org(parent, f"SH-A-1-L{n}", f"甲{n}账簿工会", "grassroots",
                             "grassroots")
        if _worker_of(candidate.pk) != _worker_of(than):
            return Org.objects.get(pk=candidate.pk)
    raise AssertionError("no union on the other worker among 12 new ones")


def _bypass(union, key: str, credit: Decimal, *, line_union=None) -> None:
    """A voucher written without the service (as a faulty client could): 10.00 to the bank
    against `credit` to dues."""
    tx = LedgerTransaction.objects.create(union=union, date=DAY, period=202603, memo=key,
                                          idempotency_key=key)
    LedgerLine.objects.create(transaction=tx, union=union, amount=D("10.00"),
                              account=Account.objects.get(union=union, code="1002"))
    owner = line_union or union
    LedgerLine.objects.create(transaction=tx, union=owner, amount=credit,
                              account=Account.objects.get(union=owner, code="4101"))


@transaction.atomic
def _on_both(near, far, credit: Decimal, actor) -> None:
    """One distributed transaction: a posting in `near`, a bypass voucher in `far`."""
    post_income(union=near, date=DAY, account_code="4101", amount=D("10.00"), memo="会费",
                idempotency_key="dues", actor=actor)
    _bypass(far, "bypass", credit)


@transaction.atomic
def _one_line(union) -> None:
    tx = LedgerTransaction.objects.create(union=union, date=DAY, period=202603, memo="one",
                                          idempotency_key="one")
    LedgerLine.objects.create(transaction=tx, union=union, amount=D("5.00"),
                              account=Account.objects.get(union=union, code="1002"))


def test_the_balance_check_runs_on_the_shards_and_refuses_the_whole_distributed_transaction(
        tree, city_admin):
    near = tree["SH-A-1-1"]
    far = _union_on_the_other_worker(tree["SH-A-1"], than=near.pk)
    assert _worker_of(near.pk) != _worker_of(far.pk)
    chart_ensure(near)
    chart_ensure(far)
    # the co-located check replaced the one-node function on every worker
    with connection.cursor() as cursor:
        cursor.execute("SELECT result FROM run_command_on_workers($$SELECT count(*) FROM pg_proc "
                       "WHERE proname = 'funds_check_transaction_in'$$)")
        assert [row[0] for row in cursor.fetchall()] == ["1", "1"]

    # a balanced voucher on one worker and an unbalanced one on the other, one transaction:
    # the deferred check fails at commit and neither worker keeps anything
    with refused_at_commit() as refusal:
        _on_both(near, far, D("-9.99"), city_admin)
    assert "is unbalanced: its lines sum to 0.01" in " ".join(refusal)
    assert LedgerTransaction.objects.filter(union__in=[near, far]).count() == 0
    assert LedgerLine.objects.filter(union__in=[near, far]).count() == 0
    assert PeriodBalance.objects.filter(union__in=[near, far]).count() == 0

    # a voucher without its second line is refused the same way
    with refused_at_commit() as refusal:
        _one_line(far)
    assert "has 1 line(s)" in " ".join(refusal)

    # a line booked in another union than its voucher: refused (the (union, transaction)
    # foreign key on the cluster)
    with refused_at_commit() as refusal, transaction.atomic():
        _bypass(near, "foreign", D("-10.00"), line_union=far)
    # whichever worker prepares first: the far line's (union, transaction) key or the near
    # voucher left with one line of its own union
    said = " ".join(refusal)
    assert "funds_ledgerline_transaction_id_citus_fk" in said or "has 1 line(s)" in said
    assert LedgerTransaction.objects.filter(union__in=[near, far]).count() == 0

    # balanced vouchers on both workers commit together
    _on_both(near, far, D("-10.00"), city_admin)
    assert sorted(LedgerLine.objects.filter(union__in=[near, far])
                  .values_list("union_id", "amount")) == sorted(
        [(near.pk, D("10.00")), (near.pk, D("-10.00")), (far.pk, D("10.00")),
         (far.pk, D("-10.00"))])
