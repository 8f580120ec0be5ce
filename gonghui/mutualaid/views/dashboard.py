from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.accounts.scoping import is_global, prefixes
from gonghui.core.errors import NotFound
from gonghui.mutualaid import presenters, selectors
from gonghui.mutualaid.forms import default_year
from gonghui.mutualaid.permissions import access_union
from gonghui.orgs.models import Org


def _default_org(user) -> Org:
    if is_global(user):
        org = Org.objects.filter(depth=1).order_by("path").first()
    else:
        roots = prefixes(user, "mutualaid.read")
        org = Org.objects.filter(path=roots[0]).first() if roots else None
    if org is None:
        raise NotFound()
    return org


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Dashboard: enrolled, paid, amounts, pending, failed — by plan and by child org."""
    if selectors.portal_person(request.user) is not None and not prefixes(
            request.user, "mutualaid.read") and not is_global(request.user):
        return portal(request)
    org_code = request.GET.get("org", "")
    org = access_union(request.user, org_code) if org_code else _default_org(request.user)
    access_union(request.user, org.pk)
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
    payouts = list(selectors.member_payouts(person)[:50]) if person is not None else []
    rows = [{"payout": p, "lines": presenters.lines(p.computation),
             "decline": presenters.decline_text(p.decline)} for p in payouts]
    return render(request, "mutualaid/portal.html", {"person": person, "rows": rows})
