"""The outreach home: the dashboard for cadres, the way into the portal for members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.outreach import selectors
from gonghui.outreach.models import StationKind
from gonghui.outreach.permissions import member_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() \
        else clock.today().year
    cadre = has_capability(request.user, Capability.OUTREACH_READ)
    data = selectors.dashboard(viewer=request.user, year=year) if cadre else None
    kinds = dict(StationKind.choices)
    return render(request, "outreach/home.html", {
        "cadre": cadre, "data": data, "year": year, "tab": "home",
        "by_kind": [(kinds[k], n) for k, n in (data or {}).get("by_kind", {}).items()],
        "member": member_context(request.user),
        "unread": selectors.unread_count(request.user)})
