"""The cadre's dashboard (figures of a subtree for a plan year) and the member's portal page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.errors import NotFound
from gonghui.mutualaid import presenters, selectors
from gonghui.mutualaid.forms import default_year
from gonghui.mutualaid.permissions import access_union
from gonghui.orgs.picker import filter_org

PORTAL_PAGE = 50  # the latest payouts; the page says when there are more


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Dashboard: enrolled, paid, amounts, pending, failed — by plan and by child org."""
    if (not has_capability(request.user, Capability.MUTUALAID_READ)
            and selectors.portal_person(request.user) is not None):
        return portal(request)
    org, problem = filter_org(viewer=request.user, text=request.GET.get("org", ""),
                              purpose="mutualaid",
                              access=lambda code: access_union(request.user, code))
    if problem:
        messages.error(request, problem)
    if org is None:
        org = selectors.default_org(viewer=request.user)
    if org is None:
        raise NotFound()
    org = access_union(request.user, org.pk)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else default_year()
    data = selectors.dashboard(org=org, plan_year=year)
    chart = {
        "labels": [row["name"] for row in data["children"]],
        "paid": [float(row["paid_amount"]) for row in data["children"]],
        "pending": [float(row["pending_amount"]) for row in data["children"]],
        "failed": [float(row["failed_amount"]) for row in data["children"]],
        "plans": [row["name"] for row in data["plans"]],
        "plan_paid": [float(row["paid_amount"]) for row in data["plans"]],
        "plan_pending": [float(row["pending_amount"]) for row in data["plans"]],
    }
    return render(request, "mutualaid/home.html", {
        "org": org, "year": year, "data": data, "chart": chart,
        "years": range(year + 1, year - 4, -1),
    })


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """The member's own payouts, how each was computed, and where it stands (phone first)."""
    person = selectors.portal_person(request.user)
    payouts = (list(selectors.member_payouts(person)[:PORTAL_PAGE + 1])
               if person is not None else [])
    rows = [{"payout": p, "lines": presenters.lines(p.computation),
             "decline": presenters.decline_text(p.decline)} for p in payouts[:PORTAL_PAGE]]
    return render(request, "mutualaid/portal.html", {
        "person": person, "rows": rows, "more": len(payouts) > PORTAL_PAGE})
