"""Reads of the funds ledger. Every selector taking `viewer` filters through `scope()`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.core.colocated import same_union, select_related_in_union
from gonghui.funds.chart import HEADER_CODES, SPENDING_CATEGORIES
from gonghui.funds.models import (
    Account,
    Budget,
    ClosedPeriod,
    DuesEntry,
    DuesList,
    Evidence,
    Finding,
    LedgerLine,
    LedgerTransaction,
    PeriodBalance,
    PolicyLimit,
    YearCloseRun,
    YearClosing,
)
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org, OrgStatus


def union_list(*, viewer: Actor, q: str = "", level: str = "") -> QuerySet[Org]:
    """Orgs whose books the viewer may read."""
    queryset = scope(Org.objects.filter(status=OrgStatus.ACTIVE), viewer, Capability.FUNDS_READ)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(short_name__icontains=q)
                                   | Q(code__iexact=q))
    if level:
        queryset = queryset.filter(level=level)
    return queryset.order_by("path")


def book_ancestors(*, viewer: Actor, union: Org) -> list[Org]:
    """The ancestors of `union` whose books the viewer may open (breadcrumbs)."""
    return list(scope(Org.objects.get_ancestors(union), viewer, Capability.FUNDS_READ))


def journal(*, viewer: Actor, union: Org, q: str = "", date_from: dt.date | None = None,
            date_to: dt.date | None = None, source: str = "", account: str = "",
            rollup: bool = False) -> QuerySet[LedgerTransaction]:
    """Transactions of one union (or its subtree with `rollup`), newest first, with their lines,
    accounts and evidence prefetched (3 queries per page whatever its size)."""
    queryset = scope(LedgerTransaction.objects.all(), viewer, Capability.FUNDS_READ,
                     path_field="union__path")
    if rollup:
        queryset = queryset.filter(union__path__startswith=union.path)
    else:
        queryset = queryset.filter(union=union)
    if q:
        queryset = queryset.filter(Q(memo__icontains=q) | Q(idempotency_key=q))
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    if source:
        queryset = queryset.filter(source=source)
    if account:
        # a line of the transaction on an account of that code (correlated on the union: one
        # shard's rows on Citus, and no DISTINCT over the page)
        queryset = queryset.filter(Exists(LedgerLine.objects.filter(
            same_union("account"), transaction=OuterRef("pk"), union=OuterRef("union"),
            account__code__startswith=account)))
    queryset = select_related_in_union(queryset.select_related("union"), "reversal_of",
                                       "reversed_by")
    return (queryset.prefetch_related(
                Prefetch("lines", LedgerLine.objects.filter(same_union("account"))
                         .select_related("account").order_by("-amount", "id")),
                "evidence")
            .order_by("-date", "-id"))


def transaction_detail(tx: LedgerTransaction) -> dict[str, Any]:
    """Internal use: the caller reached `tx` through access_transaction."""
    lines = list(tx.lines_with_accounts().order_by("-amount", "id"))
    return {
        "lines": lines,
        "evidence": list(Evidence.objects.filter(union=tx.union_id, transaction=tx)
                         .order_by("id")),
        "reversed_by": LedgerTransaction.objects.filter(union=tx.union_id,
                                                        reversal_of=tx).first(),
        "findings": list(Finding.objects.filter(union=tx.union_id, transaction=tx)
                         .select_related("created_by").order_by("-created_at")),
        "debit_total": sum((ln.amount for ln in lines if ln.amount > 0), Decimal("0.00")),
    }


def accounts_of(union: Org) -> QuerySet[Account]:
    """Internal use: the caller has checked access to `union`."""
    return Account.objects.filter(union=union).order_by("code")


def postable_accounts(union: Org) -> list[Account]:
    return [a for a in accounts_of(union) if a.code not in HEADER_CODES and a.is_active]


def account_balances(union: Org) -> dict[str, Decimal]:
    """Non-zero debit-minus-credit balance of each account of one union, all time (internal
    use)."""
    rows = (PeriodBalance.objects.filter(union=union).values("account_code")
            .annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    balances = {r["account_code"]: fen(r["d"]) - fen(r["c"]) for r in rows}
    return {code: value for code, value in balances.items() if value}


def closed_periods(union: Org) -> list[ClosedPeriod]:
    return list(ClosedPeriod.objects.filter(union=union).select_related("closed_by")
                .order_by("-year", "-month"))


def year_closings(union: Org) -> list[Any]:
    """Internal use: the union's year-end closings, newest first, with their vouchers."""

    return list(select_related_in_union(
        YearClosing.objects.filter(union=union).select_related("reopened_by"),
        "transaction", "reversal").order_by("-year", "-id"))


def year_close_runs(union: Org) -> list[Any]:

    return list(YearCloseRun.objects.filter(org=union).order_by("-id")[:5])


def voucher_gaps(union: Org, year: int) -> list[tuple[int, str, list[int]]]:
    """经审: (period, voucher type, missing numbers) for every sequence of the year that skips
    a number (there must be none: numbers are assigned under the book lock)."""
    rows = (LedgerTransaction.objects.filter(union=union, period__gte=year * 100,
                                             period__lte=year * 100 + 13,
                                             voucher_no__isnull=False)
            .values("period", "voucher_type")
            .annotate(n=Count("id"), top=Max("voucher_no")).order_by("period", "voucher_type"))
    gaps = []
    for row in rows:
        if row["n"] != row["top"]:
            have = set(LedgerTransaction.objects.filter(
                union=union, period=row["period"], voucher_type=row["voucher_type"])
                .values_list("voucher_no", flat=True))
            gaps.append((row["period"], row["voucher_type"],
                         [n for n in range(1, row["top"] + 1) if n not in have]))
    return gaps


def limits_for(union: Org) -> list[PolicyLimit]:
    """Active limits that apply to `union`: set on it or on any of its ancestors."""
    paths = [union.path[:i] for i in range(Org.steplen, len(union.path) + 1, Org.steplen)]
    return list(PolicyLimit.objects.filter(org__path__in=paths, is_active=True)
                .select_related("org").order_by("org__depth", "account_code", "id"))


def limits_set_by(*, viewer: Actor, org: Org) -> QuerySet[PolicyLimit]:
    return scope(PolicyLimit.objects.filter(org=org), viewer, Capability.FUNDS_READ, path_field="org__path")


def budgets(union: Org, year: int) -> dict[str, Decimal]:
    return dict(Budget.objects.filter(union=union, year=year)
                .values_list("account_code", "amount"))


def finding_list(*, viewer: Actor, union: Org | None = None, status: str = "", q: str = "",
                 severity: str = "") -> QuerySet[Finding]:
    queryset = scope(Finding.objects.all(), viewer, Capability.FUNDS_READ, path_field="union__path")
    if union is not None:
        queryset = queryset.filter(union__path__startswith=union.path)
    if status:
        queryset = queryset.filter(status=status)
    if severity:
        queryset = queryset.filter(severity=severity)
    if q:
        queryset = queryset.filter(Q(text__icontains=q) | Q(response__icontains=q)
                                   | Q(union__name__icontains=q))
    return (select_related_in_union(queryset.select_related("union", "created_by"),
                                    "transaction")
            .prefetch_related("events").order_by("-created_at", "-id"))


def dues_list_of(union: Org, period: int) -> DuesList | None:
    """Internal use: the caller has checked access to `union`."""
    return DuesList.objects.filter(union=union, period=period).first()


def dues_entries(dues_list: DuesList | None, *, q: str = "",
                 status: str = "") -> tuple[QuerySet[DuesEntry], dict[str, Any]]:
    """A dues list's entries (filtered by name and paid/unpaid) and the whole list's totals
    (internal use: the caller reached the list through its union)."""
    if dues_list is None:
        return DuesEntry.objects.none(), {}
    entries = dues_list.entries.order_by("id")
    totals: dict[str, Any] = entries.aggregate(
        n=Count("id"), n_paid=Count("id", filter=Q(paid_on__isnull=False)),
        due=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
    totals["due"], totals["paid"] = fen(totals["due"]), fen(totals["paid"])
    if q:
        entries = entries.filter(person_name__icontains=q)
    if status == "paid":
        entries = entries.filter(paid_on__isnull=False)
    elif status == "unpaid":
        entries = entries.filter(paid_on__isnull=True)
    return entries, totals


def unpaid_entry_ids(dues_list: DuesList) -> list[int]:
    """Entries that can be marked paid now (unpaid, with an amount): "mark all"."""
    return list(dues_list.entries.filter(paid_on__isnull=True, amount__gt=0)
                .values_list("pk", flat=True))


SPENDING_TOP = list(SPENDING_CATEGORIES)
