"""The month's dues list: generate from the roster, mark members paid, undo a mistake."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.funds import services
from gonghui.funds.models import DuesEntry, DuesList
from gonghui.funds.permissions import access_union
from gonghui.funds.sums import fen
from gonghui.funds.views.ledger import _date, union_context


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


@login_required
def dues(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk)
    year, month = _period(request)
    dues_list = DuesList.objects.filter(union=union, period=year * 100 + month).first()
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    entries = DuesEntry.objects.none()
    totals: dict = {}
    if dues_list is not None:
        entries = dues_list.entries.order_by("id")
        totals = entries.aggregate(
            n=Count("id"), n_paid=Count("id", filter=Q(paid_on__isnull=False)),
            due=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
        totals["due"], totals["paid"] = fen(totals["due"]), fen(totals["paid"])
        if params["q"]:
            entries = entries.filter(person_name__icontains=params["q"])
        if params["status"] == "paid":
            entries = entries.filter(paid_on__isnull=False)
        elif params["status"] == "unpaid":
            entries = entries.filter(paid_on__isnull=True)
    return render(request, "funds/dues.html", {
        **union_context(request, union, "dues"), "dues_list": dues_list,
        "year": year, "month": month, "period": f"{year}-{month:02d}",
        "prev": (dt.date(year, month, 1) - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (dt.date(year, month, 28) + dt.timedelta(days=5)).strftime("%Y-%m"),
        "page": paginate(request, entries, per_page=50), "params": params, "totals": totals,
        "rate": (totals["paid"] or 0) / totals["due"] * 100 if totals.get("due") else None,
        "qs": querystring_without_page(request), "today": clock.today(),
    })


@login_required
@require_POST
def dues_generate(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    year, month = _period(request)
    try:
        services.dues_list_generate(union=union, year=year, month=month, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已按在册会员生成 {y} 年 {m} 月会费名单。").format(y=year,
                                                                                m=month))
    return _back(union.pk, year * 100 + month)


@login_required
@require_POST
def dues_pay(request: HttpRequest, pk: int, list_pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    dues_list = DuesList.objects.filter(pk=list_pk, union=union).first()
    if dues_list is None:
        raise NotFound()
    if request.POST.get("all") == "1":
        ids = list(dues_list.entries.filter(paid_on__isnull=True, amount__gt=0)
                   .values_list("pk", flat=True))
    else:
        ids = [int(i) for i in request.POST.getlist("entry") if i.isdigit()]
    paid_on = _date(request.POST.get("paid_on", "")) or clock.today()
    try:
        n = services.dues_mark_paid(dues_list=dues_list, entry_ids=ids, paid_on=paid_on,
                                    actor=request.user, into=request.POST.get("into", "1002"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记 {n} 名会员缴费。").format(n=n))
    return _back(union.pk, dues_list.period)


@login_required
@require_POST
def dues_unmark(request: HttpRequest, pk: int) -> HttpResponse:
    entry = DuesEntry.objects.filter(pk=pk).select_related("dues_list").first()
    if entry is None:
        raise NotFound()
    union = access_union(request.user, entry.union_id, write=True)
    try:
        services.dues_unmark(entry=entry, actor=request.user,
                             reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销 {name} 的缴费登记。").format(name=entry.person_name))
    return _back(union.pk, entry.dues_list.period)
