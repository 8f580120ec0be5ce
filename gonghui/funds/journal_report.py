"""The journal (序时账) as a `Report`, so the .xlsx and PDF exports show the voucher numbers
exactly as the journal page does."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.funds.models import LedgerTransaction
from gonghui.funds.reports import Report, Row
from gonghui.orgs.models import Org

# an export is a document for a month or a year of one union, not a data dump
MAX_EXPORT_TRANSACTIONS = 20000


def journal_report(transactions: QuerySet[LedgerTransaction], *, org: Org, rollup: bool,
                   period_label: str) -> Report:
    """`transactions`: the journal selector's queryset (scoped, lines prefetched)."""
    report = Report(
        kind="journal", title=_("序时账"), org=org, rollup=rollup, period_label=period_label,
        columns=[_("凭证号"), _("日期"), _("摘要"), _("科目"), _("借方"), _("贷方")],
        money_columns={4, 5},
    )
    rows = list(transactions.order_by("date", "period", "voucher_type", "voucher_no", "id")
                [:MAX_EXPORT_TRANSACTIONS])
    for tx in rows:
        for i, line in enumerate(tx.lines.all()):
            first = i == 0
            report.rows.append(Row([
                (tx.voucher_label or f"#{tx.pk}") if first else "",
                tx.date.isoformat() if first else "",
                tx.memo if first else "",
                f"{line.account.code} {line.account.name}",
                line.amount if line.amount > 0 else None,
                -line.amount if line.amount < 0 else None,
            ], level=0 if first else 1))
    if len(rows) == MAX_EXPORT_TRANSACTIONS:
        report.notes.append(_("仅导出前 {n} 笔凭证，请缩小日期范围。").format(
            n=MAX_EXPORT_TRANSACTIONS))
    return report
