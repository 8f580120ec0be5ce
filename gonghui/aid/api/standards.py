"""JSON API of the reference data and figures: local 低保 standards and the dashboard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid import selectors
from gonghui.aid.api.schemas import DashboardOut, StandardIn, StandardOut
from gonghui.aid.models import LocalStandard
from gonghui.aid.permissions import access_aid_org
from gonghui.aid.services.standards import standard_save
from gonghui.aid.services.standards_import import resolve_region
from gonghui.core import clock
from gonghui.core.bounds import Year
from gonghui.core.errors import NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body

router = Router()


def _standard(s: LocalStandard, outcome: str | None = None) -> dict[str, Any]:
    return {"id": s.pk, "org": s.org.code, "org_name": s.org.name, "year": s.year,
            "monthly_line": s.monthly_line, "effective_from": s.effective_from,
            "source": s.source, "outcome": outcome}


@router.get("/standards", response=Page[StandardOut])
def list_standards(request: HttpRequest, paging: Query[PageParams], year: Year | None = None):
    require_capability(request.user, Capability.AID_READ)
    return paginate(request, selectors.standard_list(viewer=request.user, year=str(year or "")), paging,
                    item=_standard)


@router.put("/standards", response=StandardOut, openapi_extra=body_schema(StandardIn))
def put_standard(request: HttpRequest):
    """Create or change a region's standard for a year (policy.write over the region); a
    change re-flags the affected files for review."""
    require_capability(request.user, Capability.POLICY_WRITE, read=Capability.AID_READ)
    payload = parse_body(request, StandardIn)
    row, outcome = standard_save(org=resolve_region(payload.org), year=payload.year,
                                 monthly_line=payload.monthly_line, actor=request.user,
                                 effective_from=payload.effective_from, source=payload.source)
    return _standard(row, outcome)


@router.get("/dashboard", response=DashboardOut)
def get_dashboard(request: HttpRequest, org: str = "", year: Year | None = None):
    require_capability(request.user, Capability.AID_READ)
    roots = list(selectors.aid_roots(request.user))
    target = access_aid_org(request.user, org) if org else (roots[0] if roots else None)
    if target is None:
        raise NotFound()
    year = year or clock.today().year
    data = selectors.dashboard(org=target, viewer=request.user, year=year)
    return {**{k: v for k, v in data.items() if k not in ("by_cause", "money", "by_category",
                                                          "by_status")},
            "org": target.code, "year": year,
            "by_status": data["by_status"],
            "by_category": {k: v for k, v in data["by_category"].items() if k},
            "by_cause": dict(data["by_cause"]),
            "money": [{"programme": name, "amount": str(total), "count": n}
                      for name, total, n in data["money"]]}
