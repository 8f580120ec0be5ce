"""Year-end closing of many unions at once (a subtree run: a whole city is ~10,000 books).

Closing union by union costs a dozen queries and three audit-chain appends per union (~0.13 s
each: ~21 min for a city). Here a chunk of unions is closed in one database transaction with a
fixed number of set queries: their books are locked in id order, the blockers and the
income/spending balances of all of them are aggregated in one query each, and the closing
entries, their lines, the closing period's month balances, the `YearClosing` and `ClosedPeriod`
rows are bulk-inserted. The result is the one `year_close` gives for each union — same lines
(`closing_lines_from`), memo, idempotency key, voucher number, surplus — and one
`funds.year_close` audit row per union carrying the entry's lines and voucher.

A union the chunk cannot treat like the others (already closed, a later year closed, the year
locked without a closing, a blocker, an inactive account among its closing lines) is left to the
per-union `_close_one` after the chunk, which gives the exact refusal or result. A chunk that
fails as a whole (e.g. a concurrent posting taking a voucher number) is rolled back and its
unions are closed one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.citus import lock_per_shard
from gonghui.funds.chart import STANDARD_CHART, SURPLUS_ACCUMULATED, SURPLUS_THIS_YEAR
from gonghui.funds.models import (
    CLOSING_MONTH,
    Account,
    Book,
    ClosedPeriod,
    Finding,
    FindingStatus,
    LedgerLine,
    LedgerTransaction,
    PeriodBalance,
    YearClosing,
)
from gonghui.funds.services.ledger import voucher_type_for
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

CHUNK = 250  # unions per database transaction: ~4,000 lines, short enough to hold the locks
ZERO = Decimal("0.00")


def closing_lines_from(balances: Iterable[tuple[str, Any, Any]]
                       ) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """The closing entry's lines from (account code, debit sum, credit sum) of the income and
    spending accounts, in code order: each balance carried out, the surplus (income − spending)
    into 本年结余 and on into 累计结余."""
    lines: list[tuple[str, Decimal]] = []
    for code, debit, credit in sorted(balances, key=lambda row: row[0]):
        balance = fen(debit) - fen(credit)
        if balance:
            lines.append((code, -balance))
    surplus = sum((amount for _c, amount in lines), ZERO)
    if surplus:
        lines += [(SURPLUS_THIS_YEAR, -surplus), (SURPLUS_THIS_YEAR, surplus),
                  (SURPLUS_ACCUMULATED, -surplus)]
    return lines, surplus


def _chart_upgrade_many(ids: list[int]) -> None:
    """`chart_upgrade` for many books: the accounts added to the standard chart later."""
    have = set(Account.objects.filter(union_id__in=ids, code=SURPLUS_ACCUMULATED)
               .values_list("union_id", flat=True))
    missing = [u for u in ids if u not in have]
    if missing:
        Account.objects.bulk_create(
            [Account(union_id=u, code=code, name=name, category=cat, parent_code=parent)
             for u in missing for code, name, cat, parent in STANDARD_CHART],
            ignore_conflicts=True, batch_size=2000)


def _per_union(rows: Iterable[dict[str, Any]], key: str = "union_id") -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def close_chunk(unions: Sequence[Org], year: int, actor: Actor) -> tuple[list[int], list[int]]:
    """Close `year` for the chunk in one database transaction (see the module doc). Returns
    (ids closed here, ids left to the per-union path). Caller checked the actor and the year."""
    ids = [u.pk for u in unions]
    by_id = {u.pk: u for u in unions}
    _chart_upgrade_many(ids)
    end = year * 100 + CLOSING_MONTH
    with transaction.atomic():
        # the books locked shard by shard on Citus (row locks are single-shard there)
        schemes = {book.union_id: book.voucher_scheme for book in lock_per_shard(
            Book.objects.filter(union_id__in=ids).order_by("union_id")
            .only("union_id", "voucher_scheme"))}
        odd = set(YearClosing.objects.filter(union_id__in=ids, year=year,
                                             reopened_at__isnull=True)
                  .values_list("union_id", flat=True))
        odd |= set(ClosedPeriod.objects.filter(union_id__in=ids, month=0, year__gte=year)
                   .values_list("union_id", flat=True))
        odd |= set(Finding.objects.filter(
            union_id__in=ids, status__in=[FindingStatus.OPEN, FindingStatus.ANSWERED])
            .values_list("union_id", flat=True))
        totals = (PeriodBalance.objects.filter(union_id__in=ids, period__lte=end)
                  .values("union_id").annotate(d=Sum("debit"), c=Sum("credit")))
        odd |= {row["union_id"] for row in totals if fen(row["d"]) != fen(row["c"])}
        odd |= {u for u in ids if u not in schemes}
        rows = _per_union(
            PeriodBalance.objects.filter(union_id__in=ids, period__lte=end)
            .filter(Q(account_code__startswith="4") | Q(account_code__startswith="5"))
            .values("union_id", "account_code").annotate(d=Sum("debit"), c=Sum("credit")))
        entries: dict[int, tuple[list[tuple[str, Decimal]], Decimal]] = {}
        for u in ids:
            if u not in odd:
                entries[u] = closing_lines_from(
                    (r["account_code"], r["d"], r["c"]) for r in rows.get(u, []))
        accounts = {(a.union_id, a.code): a for a in Account.objects.filter(
            union_id__in=[u for u, (lines, _s) in entries.items() if lines],
            code__in={code for lines, _s in entries.values() for code, _a in lines})}
        for u, (lines, _s) in list(entries.items()):
            if any((u, code) not in accounts or not accounts[(u, code)].is_active
                   for code, _a in lines):
                odd.add(u)
                del entries[u]
        _write(entries, by_id, schemes, accounts, year, actor)
    return list(entries), [u for u in ids if u in odd]


def _write(entries: dict[int, tuple[list[tuple[str, Decimal]], Decimal]], by_id: dict[int, Org],
           schemes: dict[int, str], accounts: dict[tuple[int, str], Account], year: int,
           actor: Actor) -> None:
    end = year * 100 + CLOSING_MONTH
    attempts = dict(YearClosing.objects.filter(union_id__in=list(entries), year=year)
                    .values("union_id").annotate(n=Count("id")).values_list("union_id", "n"))
    numbers = {(r["union_id"], r["voucher_type"]): r["n"] for r in
               LedgerTransaction.objects.filter(union_id__in=list(entries), period=end)
               .values("union_id", "voucher_type").annotate(n=Max("voucher_no"))}
    user, name = actor_user(actor), actor_name(actor)
    memo = _("{y} 年度结账：收支结转本年结余，转入累计结余").format(y=year)
    posting = [u for u, (lines, _s) in entries.items() if lines]
    txs: dict[int, LedgerTransaction] = {}
    for u in posting:
        vtype = voucher_type_for(schemes[u], entries[u][0])
        txs[u] = LedgerTransaction(
            union_id=u, date=dt.date(year, 12, 31), period=end, memo=memo, voucher_type=vtype,
            voucher_no=(numbers.get((u, vtype)) or 0) + 1, source="funds.year_close",
            idempotency_key=f"funds.year_close:{year}:{attempts.get(u, 0)}",
            created_by=user, created_by_name=name)
    LedgerTransaction.objects.bulk_create(list(txs.values()), batch_size=1000)
    lines = [LedgerLine(transaction=txs[u], union_id=u, account=accounts[(u, code)],
                        amount=amount)
             for u in posting for code, amount in entries[u][0]]
    LedgerLine.objects.bulk_create(lines, batch_size=2000)
    _add_to_balances_many(lines, end)
    closings = YearClosing.objects.bulk_create(
        [YearClosing(union_id=u, year=year, transaction=txs.get(u), surplus=entries[u][1],
                     closed_by=user, closed_by_name=name) for u in entries], batch_size=1000)
    ClosedPeriod.objects.bulk_create(
        [ClosedPeriod(union_id=u, year=year, month=0, closed_by=user) for u in entries],
        ignore_conflicts=True, batch_size=1000)
    for closing in closings:
        union, tx = by_id[closing.union_id], txs.get(closing.union_id)
        audit_record(actor=actor, action="funds.year_close", obj=closing, org_path=union.path,
                     object_repr=f"{union.name} {year}",
                     after={"year": year, "surplus": str(closing.surplus),
                            "voucher": tx.voucher_label if tx else "",
                            "transaction": tx.pk if tx else None,
                            "lines": [[c, str(a)] for c, a in entries[closing.union_id][0]]})


def _add_to_balances_many(lines: list[LedgerLine], period: int) -> None:
    """The closing period's month balances of all the chunk's lines, upserted in account order
    (the posting service's order, so no deadlock with a concurrent posting)."""
    sums: dict[tuple[int, int], list[Any]] = {}
    for line in lines:
        row = sums.setdefault((line.union_id, line.account_id),
                              [line.account.code, ZERO, ZERO])
        if line.amount > 0:
            row[1] += line.amount
        else:
            row[2] -= line.amount
    keys = sorted(sums)
    table = PeriodBalance._meta.db_table
    for start in range(0, len(keys), 1000):
        part = keys[start:start + 1000]
        params: list[Any] = []
        for union_id, account_id in part:
            code, debit, credit = sums[(union_id, account_id)]
            params += [union_id, account_id, code, period, debit, credit]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part))
        sql = (
            f"INSERT INTO {table} (union_id, account_id, account_code, period, debit, credit) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (union_id, account_id, period) DO UPDATE SET "
            f"debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def close_chunk_safely(unions: Sequence[Org], year: int, actor: Actor
                       ) -> tuple[list[int], list[int]]:
    """`close_chunk`, or — when the chunk fails as a whole — every union left to the per-union
    path (nothing of the chunk was written: it is one database transaction)."""
    try:
        return close_chunk(unions, year, actor)
    except (IntegrityError, DatabaseError):
        return [], [u.pk for u in unions]
