from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit import labels, selectors
from gonghui.core.pagination import paginate, querystring_without_page


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AUDIT_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "object_type", "q")}
    action = params["action"]
    # an action typed in words (记账) matches the codes whose label contains it
    codes = None if not action or action.isascii() else labels.action_codes(action)
    queryset = selectors.audit_events(
        viewer=request.user, since=_date(request.GET.get("since", "")),
        until=_date(request.GET.get("until", "")), actor=params["actor"],
        action="" if codes is not None else action, actions=codes,
        object_type=params["object_type"], q=params["q"],
    )
    # the object types of the trail this viewer reads, not of the whole federation's
    types = selectors.audit_events(viewer=request.user).values_list(
        "object_type", flat=True).distinct().order_by()
    page = paginate(request, queryset)
    # label/value rows made here: in a template `before.items` would read a key named "items"
    events = list(page.object_list)
    labels.decorate(events)
    page.object_list = events
    return render(request, "audit/list.html", {
        "page": page, "params": params,
        "types": sorted((labels.type_label(t), t) for t in set(types)),
        "actions": [(code, str(label)) for code, label in labels.ACTIONS.items()],
        "since": request.GET.get("since", ""), "until": request.GET.get("until", ""),
        "qs": querystring_without_page(request),
    })


@login_required
def read_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AUDIT_READ)
    actor = request.GET.get("actor", "").strip()
    page = paginate(request, selectors.sensitive_reads(viewer=request.user, actor=actor))
    reads = list(page.object_list)
    labels.decorate_reads(reads)
    page.object_list = reads
    return render(request, "audit/reads.html", {
        "page": page,
        "actor": actor, "qs": querystring_without_page(request),
    })
