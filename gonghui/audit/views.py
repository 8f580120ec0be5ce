from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit import selectors
from gonghui.core.pagination import paginate, querystring_without_page


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _pairs(values: Any) -> list[tuple[str, Any]]:
    return list(values.items()) if isinstance(values, dict) else []


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AUDIT_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "object_type", "q")}
    queryset = selectors.audit_events(
        viewer=request.user, since=_date(request.GET.get("since", "")),
        until=_date(request.GET.get("until", "")), **params,
    )
    # the object types of the trail this viewer reads, not of the whole federation's
    types = selectors.audit_events(viewer=request.user).values_list(
        "object_type", flat=True).distinct().order_by()
    page = paginate(request, queryset)
    # key/value pairs made here: in a template `before.items` would read a key named "items"
    events = list(page.object_list)
    for event in events:
        event.before_pairs = _pairs(event.before)  # type: ignore[attr-defined]
        event.after_pairs = _pairs(event.after)  # type: ignore[attr-defined]
    page.object_list = events
    return render(request, "audit/list.html", {
        "page": page, "params": params, "types": sorted(set(types)),
        "since": request.GET.get("since", ""), "until": request.GET.get("until", ""),
        "qs": querystring_without_page(request),
    })


@login_required
def read_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AUDIT_READ)
    actor = request.GET.get("actor", "").strip()
    return render(request, "audit/reads.html", {
        "page": paginate(request, selectors.sensitive_reads(viewer=request.user, actor=actor)),
        "actor": actor, "qs": querystring_without_page(request),
    })
