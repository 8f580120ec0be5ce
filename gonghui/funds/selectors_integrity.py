"""Ledger integrity checks an operator runs (`gonghui funds check`): every transaction balanced
with at least two lines of its own union, and the maintained month balances equal to the lines.
Internal use (no viewer): the command is an operator's tool over the whole database."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum

from gonghui.core.colocated import same_union
from gonghui.funds.models import Account, LedgerLine, LedgerTransaction, PeriodBalance
from gonghui.funds.sums import fen


@dataclass
class IntegrityReport:
    transactions: int = 0
    unbalanced: list[int] = field(default_factory=list)
    too_few_lines: list[int] = field(default_factory=list)
    foreign_lines: list[int] = field(default_factory=list)
    balance_mismatches: list[tuple[int, str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unbalanced or self.too_few_lines or self.foreign_lines
                    or self.balance_mismatches)


def ledger_integrity(*, union_id: int | None = None) -> IntegrityReport:
    report = IntegrityReport()
    txs = LedgerTransaction.objects.all()
    lines = LedgerLine.objects.all()
    balances = PeriodBalance.objects.all()
    if union_id is not None:
        txs, lines, balances = (txs.filter(union_id=union_id), lines.filter(union_id=union_id),
                                balances.filter(union_id=union_id))
    report.transactions = txs.count()
    # per transaction from its lines (no join: on Citus a GROUP BY on every shard), merged in
    # id order with the transactions (one without a line has no group)
    per_tx = (lines.order_by("transaction_id").values("transaction_id")
              .annotate(total=Sum("amount"), n=Count("id"))
              .values_list("transaction_id", "total", "n").iterator())
    group = next(per_tx, None)
    for pk in txs.order_by("pk").values_list("pk", flat=True).iterator():
        while group is not None and group[0] < pk:  # a line of another union's transaction
            group = next(per_tx, None)
        total, n = (group[1], group[2]) if group is not None and group[0] == pk else (0, 0)
        if n < 2:
            report.too_few_lines.append(pk)
        elif fen(total) != 0:
            report.unbalanced.append(pk)
    # a line whose transaction or account is not of the line's union (correlated on the union:
    # on Citus the (union, fk) foreign keys already refuse such a line)
    report.foreign_lines = sorted(set(lines.filter(
        ~Exists(LedgerTransaction.objects.filter(pk=OuterRef("transaction_id"),
                                                 union=OuterRef("union")))
        | ~Exists(Account.objects.filter(pk=OuterRef("account_id"), union=OuterRef("union"))))
        .values_list("transaction_id", flat=True)))
    from_lines = {
        (r["union_id"], r["account__code"], r["transaction__period"]): (fen(r["d"]), fen(r["c"]))
        for r in lines.filter(same_union("account"), same_union("transaction"))
        .values("union_id", "account__code", "transaction__period").annotate(
            d=Sum("amount", filter=Q(amount__gt=0)), c=Sum("amount", filter=Q(amount__lt=0)))
    }
    stored = {(b.union_id, b.account_code, b.period): (b.debit, b.credit)
              for b in balances.iterator()}
    for key in sorted(set(from_lines) | set(stored)):
        d, c = from_lines.get(key, (fen(0), fen(0)))
        if stored.get(key, (fen(0), fen(0))) != (d, -c):
            report.balance_mismatches.append(key)
    return report
