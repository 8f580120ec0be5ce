"""Pages of the workbench: the role-adapted home page, the to-do inbox and the global search."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gonghui.accounts.models import RoleAssignment, User
from gonghui.core import clock
from gonghui.core.search import MAX_QUERY, normalize
from gonghui.workbench import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Worker → the member portal; auditor → the funds overview; cadre → inbox + key figures."""
    kind = selectors.home_kind(request.user)
    if kind == "worker":
        return redirect("members:portal")
    context: dict = {"kind": kind}
    if kind == "auditor":
        today = clock.today()
        context.update(funds=[selectors.funds_overview(request.user, org, year=today.year)
                              for org in selectors.figure_roots(request.user)[:3]], today=today)
    if kind in ("cadre", "auditor"):
        today = clock.today()
        kinds = [k for k in selectors.inbox_kinds(request.user) if k.count]
        context.update(
            kinds=kinds, total=sum(k.count for k in kinds),
            rows=selectors.inbox(request.user, limit=10, today=today, kinds=kinds),
            messages_list=selectors.latest_messages(request.user),
            unread=selectors.unread_messages(request.user),
            figures=[selectors.key_figures(org, today=today)
                     for org in selectors.figure_roots(request.user)[:3]],
            today=today,
        )
    else:
        context["grants"] = RoleAssignment.objects.filter(
            user=cast(User, request.user)).select_related("org")
    return render(request, "home.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The whole inbox: counts per kind as tabs, one kind at a time or all, overdue filter."""
    today = clock.today()
    kinds = [k for k in selectors.inbox_kinds(request.user) if k.count]
    kind = request.GET.get("kind", "")
    if kind not in {k.name for k in kinds}:
        kind = ""
    overdue_only = request.GET.get("overdue") == "1"
    rows = selectors.inbox(request.user, kind=kind, limit=selectors.INBOX_LIMIT, today=today,
                           overdue_only=overdue_only, kinds=kinds)
    total = sum(k.count for k in kinds)
    shown_of = next((k.count for k in kinds if k.name == kind), total)
    return render(request, "workbench/inbox.html", {
        "kinds": kinds, "kind": kind, "rows": rows, "total": total, "today": today,
        "overdue_only": overdue_only, "shown_of": shown_of, "limit": selectors.INBOX_LIMIT,
        "messages_list": selectors.latest_messages(request.user, limit=10),
        "unread": selectors.unread_messages(request.user),
    })


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own inbox on the portal (phone first): what waits for them — a ballot, a
    survey, an activity tomorrow, and any work of their roles — and their messages."""
    today = clock.today()
    rows = selectors.inbox(request.user, limit=selectors.MINE_LIMIT, today=today)
    return render(request, "workbench/mine.html", {
        "rows": rows, "today": today, "limit": selectors.MINE_LIMIT,
        "messages_list": selectors.latest_messages(request.user, limit=10),
        "unread": selectors.unread_messages(request.user),
    })


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = normalize(request.GET.get("q", ""))
    kind = request.GET.get("kind", "")
    limit = 50 if kind else 10
    groups = selectors.search_groups(request.user, q, kind=kind, limit=limit) if q else []
    return render(request, "workbench/search.html", {
        "q": q, "kind": kind, "groups": groups, "max_query": MAX_QUERY,
        "hits": sum(len(g.hits) for g in groups),
    })
