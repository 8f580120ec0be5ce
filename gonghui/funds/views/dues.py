"""The month's dues list: generate from the roster, mark members paid, undo a mistake."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import run_service
from gonghui.funds import selectors, services
from gonghui.funds.permissions import access_dues_entry, access_dues_list, access_union
from gonghui.funds.views.ledger import _date, union_context
from gonghui.orgs.models import Org


def _period(request: HttpRequest) -> tuple[int, int]:
    today = clock.today()
    try:
        year, month = (int(x) for x in request.GET.get("period", "").split("-"))
        if 1 <= month <= 12 and 2000 <= year <= 2999:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def _back(union_pk: int, period: int) -> HttpResponse:
    url = reverse("funds:dues", args=[union_pk])
    return redirect(f"{url}?period={period // 100}-{period % 100:02d}")


def _dues_page(request: HttpRequest, union: Org, year: int, month: int, *,
               status: int = 200) -> HttpResponse:
    """The month's list; a refused action comes back here with its message and status."""
    dues_list = selectors.dues_list_of(union, year * 100 + month)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    entries, totals = selectors.dues_entries(dues_list, q=params["q"], status=params["status"])
    return render(request, "funds/dues.html", {
        **union_context(request, union, "dues"), "dues_list": dues_list,
        "year": year, "month": month, "period": f"{year}-{month:02d}",
        "prev": (dt.date(year, month, 1) - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (dt.date(year, month, 28) + dt.timedelta(days=5)).strftime("%Y-%m"),
        "page": paginate(request, entries, per_page=50), "params": params, "totals": totals,
        "rate": (totals["paid"] or 0) / totals["due"] * 100 if totals.get("due") else None,
        "qs": querystring_without_page(request), "today": clock.today(),
    }, status=status)


@login_required
def dues(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk)
    year, month = _period(request)
    return _dues_page(request, union, year, month)


@login_required
@require_POST
def dues_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """The month the page shows (`?period=YYYY-MM`), this month without one."""
    union = access_union(request.user, pk, write=True)
    year, month = _period(request)
    outcome = run_service(request, lambda: services.dues_list_generate(
        union=union, year=year, month=month, actor=request.user),
        success=_("已按在册会员生成 {y} 年 {m} 月会费名单。").format(y=year, m=month))
    if outcome.ok:
        return _back(union.pk, year * 100 + month)
    return _dues_page(request, union, year, month, status=outcome.status)


@login_required
@require_POST
def dues_pay(request: HttpRequest, pk: int, list_pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    dues_list = access_dues_list(request.user, union, list_pk)
    if request.POST.get("all") == "1":
        ids = selectors.unpaid_entry_ids(dues_list)
    else:
        ids = [int(i) for i in request.POST.getlist("entry") if i.isdigit()]
    paid_on = _date(request.POST.get("paid_on", "")) or clock.today()
    if not ids:  # nothing ticked (or nobody left unpaid): an incomplete request
        messages.error(request, _("请勾选已缴费的会员。"))
        return _dues_page(request, union, dues_list.period // 100, dues_list.period % 100,
                          status=400)
    outcome = run_service(request, lambda: services.dues_mark_paid(
        dues_list=dues_list, entry_ids=ids, paid_on=paid_on, actor=request.user,
        into=request.POST.get("into", "1002")))
    if outcome.ok:
        messages.success(request, _("已登记 {n} 名会员缴费。").format(n=outcome.value))
        return _back(union.pk, dues_list.period)
    return _dues_page(request, union, dues_list.period // 100, dues_list.period % 100,
                      status=outcome.status)


@login_required
@require_POST
def dues_unmark(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_dues_entry(request.user, pk, write=True)
    outcome = run_service(request, lambda: services.dues_unmark(
        entry=entry, actor=request.user, reason=request.POST.get("reason", "")),
        success=_("已撤销 {name} 的缴费登记。").format(name=entry.person_name))
    period = entry.dues_list.period
    if outcome.ok:
        return _back(entry.union_id, period)
    return _dues_page(request, entry.union, period // 100, period % 100, status=outcome.status)

