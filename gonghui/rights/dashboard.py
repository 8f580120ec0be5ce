"""The dashboard's figures over a viewer's subtree: aggregates in the database, no row loops."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from gonghui.core import clock
from gonghui.orgs.models import Org
from gonghui.rights import selectors
from gonghui.rights.models import (
    Body,
    CaseKind,
    CaseStatus,
    DisputeType,
    Level,
)


def dashboard_figures(*, viewer: Any, within: Org | None = None) -> dict[str, Any]:
    today = clock.today()
    cases = selectors.case_list(viewer=viewer, within=within).order_by()
    by_state = {(r["kind"], r["status"]): r["n"]
                for r in cases.values("kind", "status").annotate(n=Count("pk"))}
    by_type = {r["dispute_type"]: r["n"]
               for r in cases.values("dispute_type").annotate(n=Count("pk"))}
    recovered = cases.filter(status=CaseStatus.CLOSED).aggregate(
        s=Sum("amount_recovered"))["s"] or Decimal("0")
    at_body = {r["body"]: r["n"] for r in cases.filter(status=CaseStatus.OPEN)
               .values("body").annotate(n=Count("pk"))}
    overdue_mediations = cases.filter(selectors.mediation_overdue_q(today)).count()
    letters_overdue = selectors.letter_list(viewer=viewer, overdue=True).count()
    congresses = selectors.congress_list(viewer=viewer).order_by()
    if within is not None:
        congresses = congresses.filter(org_path__startswith=within.path)
    risk = selectors.risk_list(viewer=viewer, within=within).order_by()
    levels = {r["level"]: r["n"] for r in risk.values("level").annotate(n=Count("pk"))}
    return {
        "kinds": [(str(k.label), [by_state.get((k.value, s.value), 0) for s in CaseStatus])
                  for k in CaseKind],
        "statuses": [str(s.label) for s in CaseStatus],
        "types": [(str(t.label), by_type.get(t.value, 0)) for t in DisputeType],
        "bodies": [(str(b.label), at_body.get(b.value, 0)) for b in Body],
        "cases_total": sum(by_state.values()),
        "cases_open": sum(n for (k, s), n in by_state.items() if s == CaseStatus.OPEN),
        "recovered": Decimal(recovered).quantize(Decimal("0.01")),
        "overdue_mediations": overdue_mediations,
        "letters_overdue": letters_overdue,
        "coverage": selectors.coverage(viewer=viewer, within=within, today=today),
        "renewals": selectors.contract_list(viewer=viewer, renewal=True).count(),
        "congresses": congresses.count(),
        "congresses_lapsed": congresses.filter(selectors.lapsed_q(today)).count(),
        "levels": [(lv.value, str(lv.label), levels.get(lv.value, 0)) for lv in Level],
        "alerts_open": selectors.alert_list(viewer=viewer, open_only=True).count(),
    }
