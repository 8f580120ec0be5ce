"""The aid dashboard of one subtree (ECharts, served by the app itself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid import selectors
from gonghui.aid.models import Cause, FileStatus
from gonghui.aid.permissions import access_aid_org
from gonghui.aid.rules import Category
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.orgs.picker import filter_org


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
    roots = list(selectors.aid_roots(request.user))
    picked, problem = filter_org(viewer=request.user, text=request.GET.get("org", ""),
                                 purpose="aid",
                                 access=lambda code: access_aid_org(request.user, code))
    if problem:
        messages.error(request, problem)
    if picked is not None:
        org = picked
    elif roots:
        org = roots[0]
    else:
        raise NotFound()
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 \
        else clock.today().year
    data = selectors.dashboard(org=org, viewer=request.user, year=year)
    categories = dict(Category.choices)
    causes = dict(Cause.choices)
    statuses = dict(FileStatus.choices)
    charts = {
        "category": [{"name": str(categories.get(k, k)), "value": n}
                     for k, n in data["by_category"].items() if k],
        "cause": {"names": [str(causes.get(k, k)) for k, _n in data["by_cause"]],
                  "values": [n for _k, n in data["by_cause"]]},
        "money": {"names": [name or "日常帮扶" for name, _s, _n in data["money"]],
                  "values": [float(s) for _name, s, _n in data["money"]]},
    }
    return render(request, "aid/dashboard.html", {
        "org": org, "roots": roots, "year": year, "data": data, "charts": charts,
        "status_rows": [(statuses.get(k, k), n) for k, n in data["by_status"].items()],
        "tab": "dashboard",
    })
