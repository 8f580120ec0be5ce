"""The dashboard's panels of the money and work modules, each through its module's own reports
and selectors: funds (the year's 收入支出表 rolled up over the subtree), dues (会费收缴率) and the
work plan's health. A panel is None when the viewer may not read that module over the org (a
figure a role cannot open is not shown on its dashboard either)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.funds import dues_reports, reports
from gonghui.orgs.models import Org
from gonghui.workplan import selectors as workplan
from gonghui.workplan.rules import Health

ZERO = Decimal("0.00")


def funds_panel(org: Org, *, viewer: Any, year: int) -> dict[str, Any] | None:
    """Income and expense of the year by first-level account, with the totals."""
    if not has_capability(viewer, Capability.FUNDS_READ, org):
        return None
    statement = reports.income_statement(viewer=viewer, org=org, year=year, rollup=True)
    strong = [r.cells for r in statement.rows if r.strong]  # 收入合计, 支出合计, 收支结余
    firsts = [{"name": r.cells[0], "code": r.cells[1], "amount": r.cells[3]}
              for r in statement.rows if r.level == 0 and not r.strong]
    return {"income": strong[0][3], "expense": strong[1][3], "surplus": strong[2][3],
            "income_rows": [f for f in firsts if str(f["code"]).startswith("4")],
            "expense_rows": [f for f in firsts if str(f["code"]).startswith("5")]}


def dues_panel(org: Org, *, viewer: Any, year: int) -> dict[str, Any] | None:
    """The year's dues collection of the subtree: entries and amounts due and paid."""
    if not has_capability(viewer, Capability.FUNDS_READ, org):
        return None
    report = dues_reports.dues_collection(viewer=viewer, org=org, year=year, rollup=True)
    _label, n, n_paid, due, paid, rate_text = report.rows[-1].cells  # 合计
    return {"entries": n, "paid_entries": n_paid, "due": due, "paid": paid,
            "rate": round(float(paid / due * 100), 1) if due else None, "rate_text": rate_text}


def workplan_panel(org: Org, *, viewer: Any, year: int, today: Any) -> dict[str, Any] | None:
    """The year's plans of the subtree and their items by health (done, on track, at risk,
    overdue, not broken down)."""
    if not has_capability(viewer, Capability.WORKPLAN_READ, org):
        return None
    summaries = [s for s in workplan.rollup(viewer=viewer, year=year, today=today)
                 if s.plan.org.path.startswith(org.path)]
    counts = {h.value: 0 for h in Health}
    for s in summaries:
        for health, n in s.counts.items():
            counts[str(health)] = counts.get(str(health), 0) + n
    items = sum(counts.values())
    return {"plans": len(summaries), "items": items, "counts": counts,
            "labels": {h.value: str(h.label) for h in Health},
            "on_time_rate": round(100 * (counts[Health.DONE] + counts[Health.ON_TRACK]) / items,
                                  1) if items else None}
