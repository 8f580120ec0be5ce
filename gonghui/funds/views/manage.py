"""Pages: budgets, closing periods, the federation's limits and allocation split."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.funds import reports, selectors, services
from gonghui.funds.forms import BudgetForm, CloseForm, LimitForm, RatioForm
from gonghui.funds.permissions import access_limit, access_union
from gonghui.funds.views.ledger import union_context


@login_required
def budget(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    current = selectors.budgets(union, year)
    form = BudgetForm(request.POST or None,
                      initial={f"b_{code}": amount for code, amount in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_set(union=union, year=year, amounts=form.amounts(),
                                actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("{y} 年度预算已保存。").format(y=year))
            return redirect("funds:budget", union.pk, year)
    rollup = request.GET.get("rollup") == "1"
    return render(request, "funds/budget.html", {
        **union_context(request, union, "budget"), "form": form, "year": year,
        "rollup": rollup,
        "report": reports.budget_vs_actual(viewer=request.user, org=union, year=year,
                                           rollup=rollup, upto=clock.today()),
    })


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    today = clock.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    form = CloseForm(request.POST or None,
                     initial={"year": last_month.year, "month": last_month.month})
    if request.method == "POST" and form.is_valid():
        try:
            services.period_close(union=union, year=form.cleaned_data["year"],
                                  month=form.cleaned_data["month"], actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已结账。"))
            return redirect("funds:close", union.pk)
    return render(request, "funds/close.html", {
        **union_context(request, union, "close"), "form": form,
        "closed": selectors.closed_periods(union),
    })


@login_required
def limits(request: HttpRequest, pk: int) -> HttpResponse:
    """Limits and the allocation split: set here by `policy.write` holders for the subtree."""
    org = access_union(request.user, pk, write=request.method == "POST", cap="policy.write")
    limit_form = LimitForm(request.POST if request.POST.get("form") == "limit" else None)
    ratio, rule = services.kept_ratio_for(org)
    ratio_form = RatioForm(request.POST if request.POST.get("form") == "ratio" else None,
                           initial={"kept_percent": ratio * 100,
                                    "note": rule.note if rule else ""})
    if request.method == "POST":
        try:
            if limit_form.is_bound and limit_form.is_valid():
                services.policy_limit_create(org=org, actor=request.user,
                                             **limit_form.cleaned_data)
                messages.success(request, _("限额规则已生效。"))
                return redirect("funds:limits", org.pk)
            if ratio_form.is_bound and ratio_form.is_valid():
                services.allocation_rule_set(
                    org=org, kept_ratio=ratio_form.cleaned_data["kept_percent"] / 100,
                    note=ratio_form.cleaned_data["note"], actor=request.user)
                messages.success(request, _("拨缴经费留成比例已保存。"))
                return redirect("funds:limits", org.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "funds/limits.html", {
        **union_context(request, org, "limits"), "limit_form": limit_form,
        "ratio_form": ratio_form, "ratio": ratio * 100, "rule": rule,
        "own_limits": selectors.limits_set_by(viewer=request.user, org=org).order_by("-id"),
        "applying": selectors.limits_for(org),
    })


@login_required
@require_POST
def limit_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    limit = access_limit(request.user, pk, write=True)
    services.policy_limit_deactivate(limit=limit, actor=request.user)
    messages.success(request, _("规则“{name}”已停用。").format(name=limit.name))
    return redirect("funds:limits", limit.org_id)
