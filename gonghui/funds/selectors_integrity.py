"""Ledger integrity checks an operator runs (`gonghui funds check`): every transaction balanced
with at least two lines of its own union, and the maintained month balances equal to the lines.
Internal use (no viewer): the command is an operator's tool over the whole database."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from gonghui.funds.models import LedgerLine, LedgerTransaction, PeriodBalance
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
    per_tx = txs.annotate(total=Sum("lines__amount"), n=Count("lines")).values_list(
        "pk", "total", "n")
    for pk, total, n in per_tx.iterator():
        if n < 2:
            report.too_few_lines.append(pk)
        elif fen(total) != 0:
            report.unbalanced.append(pk)
    report.foreign_lines = list(lines.filter(
        ~Q(union_id=F("transaction__union_id")) | ~Q(account__union_id=F("union_id")))
        .values_list("transaction_id", flat=True).distinct())
    from_lines = {
        (r["union_id"], r["account__code"], r["transaction__period"]): (fen(r["d"]), fen(r["c"]))
        for r in lines.values("union_id", "account__code", "transaction__period").annotate(
            d=Sum("amount", filter=Q(amount__gt=0)), c=Sum("amount", filter=Q(amount__lt=0)))
    }
    stored = {(b.union_id, b.account_code, b.period): (b.debit, b.credit)
              for b in balances.iterator()}
    for key in sorted(set(from_lines) | set(stored)):
        d, c = from_lines.get(key, (fen(0), fen(0)))
        if stored.get(key, (fen(0), fen(0))) != (d, -c):
            report.balance_mismatches.append(key)
    return report
