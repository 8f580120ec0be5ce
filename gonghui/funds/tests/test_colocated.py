"""Joins between two rows of one union carry the union (core/colocated.py): the SQL has the
union in every join of co-located tables, and the objects come back as `select_related` leaves
them. Runs on SQLite, PostgreSQL and the Citus cluster alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from gonghui.core import clock
from gonghui.funds import selectors
from gonghui.funds.models import Finding, LedgerTransaction, YearClosing
from gonghui.funds.selectors_integrity import ledger_integrity
from gonghui.funds.services import post_income, reverse_transaction
from gonghui.funds.services.findings import finding_add

D = Decimal
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def reversed_pair(tree, city_admin):
    union = tree["SH-A-1-1"]
    with clock.frozen(dt.date(2026, 3, 20)):
        kept = post_income(union=union, date=DAY, account_code="4101", amount=D("5.00"),
                           memo="会费", idempotency_key="kept", actor=city_admin)
        original = post_income(union=union, date=DAY, account_code="4101", amount=D("7.00"),
                               memo="错记", idempotency_key="wrong", actor=city_admin)
        reversal = reverse_transaction(tx=original, actor=city_admin, memo="记错")
    return union, kept, original, reversal


def test_the_journal_joins_reversals_on_the_union_and_reads_them_without_more_queries(
        reversed_pair, city_admin):
    union, kept, original, reversal = reversed_pair
    queryset = selectors.journal(viewer=city_admin, union=union)
    with CaptureQueriesContext(connection) as queries:
        rows = {tx.pk: tx for tx in queryset}
        # the relations are cached as select_related leaves them
        seen = {pk: (tx.reversal_of.pk if tx.reversal_of else None,
                     getattr(getattr(tx, "reversed_by", None), "pk", None))
                for pk, tx in rows.items()}
        lines = {pk: sorted((ln.account.code, ln.amount) for ln in tx.lines.all())
                 for pk, tx in rows.items()}
    assert seen == {kept.pk: (None, None), original.pk: (None, reversal.pk),
                    reversal.pk: (original.pk, None)}
    assert lines[reversal.pk] == [("1002", D("-7.00")), ("4101", D("7.00"))]
    with pytest.raises(LedgerTransaction.reversed_by.RelatedObjectDoesNotExist):
        rows[kept.pk].reversed_by  # noqa: B018 - the access is the assertion
    # the page, its lines (with accounts) and its evidence: three statements, whatever the rows
    assert len(queries) == 3
    page_sql = queries[0]["sql"]
    assert page_sql.count("LEFT OUTER JOIN") == 2
    assert page_sql.count('."union_id" = ("funds_ledgertransaction"."union_id")') == 2
    assert 'INNER JOIN "funds_account"' in queries[1]["sql"]
    assert '"funds_account"."union_id" = ("funds_ledgerline"."union_id")' in queries[1]["sql"]


def test_the_journal_filtered_by_account_lists_each_transaction_once(reversed_pair, city_admin):
    union, kept, original, reversal = reversed_pair
    with clock.frozen(dt.date(2026, 3, 20)):
        other = post_income(union=union, date=DAY, account_code="4201", amount=D("1.00"),
                            memo="拨缴", idempotency_key="other", actor=city_admin)
    assert sorted(tx.pk for tx in selectors.journal(viewer=city_admin, union=union,
                                                    account="41")) == sorted(
        [kept.pk, original.pk, reversal.pk])
    assert [tx.pk for tx in selectors.journal(viewer=city_admin, union=union,
                                              account="4201")] == [other.pk]
    # every transaction has a 1002 line: once each, no DISTINCT needed
    assert len(list(selectors.journal(viewer=city_admin, union=union, account="1002"))) == 4


def test_findings_and_year_closings_read_their_voucher_in_one_statement(reversed_pair, tree,
                                                                       city_admin):
    union, kept, _original, _reversal = reversed_pair
    auditor = make_user("city_auditor", org=tree["SH"], role="auditor")
    finding_add(union=union, tx=kept, severity="note", text="请补充签到表", actor=auditor)
    finding_add(union=union, tx=None, severity="note", text="账簿整体", actor=auditor)
    YearClosing.objects.create(union=union, year=2025, transaction=None, surplus=D("0.00"))
    with CaptureQueriesContext(connection) as queries:
        findings = {f.text: f.transaction.pk if f.transaction else None
                    for f in selectors.finding_list(viewer=city_admin, union=union)}
        closings = [(c.year, c.transaction) for c in selectors.year_closings(union)]
    assert findings == {"账簿整体": None, "请补充签到表": kept.pk}
    assert closings == [(2025, None)]
    # findings with their events prefetched, then the closings: three statements
    assert len(queries) == 3
    assert Finding.objects.count() == 2


def test_the_integrity_check_counts_each_transactions_own_lines(reversed_pair):
    union = reversed_pair[0]
    report = ledger_integrity(union_id=union.pk)
    assert (report.transactions, report.unbalanced, report.too_few_lines, report.foreign_lines,
            report.balance_mismatches) == (3, [], [], [], [])
    assert report.ok
