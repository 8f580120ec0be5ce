"""Pages: budgets, closing periods, the federation's limits and allocation split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.core.views import Outcome, form_status, posted, run_service
from gonghui.funds import reports, selectors, services
from gonghui.funds.forms import (
    SPLIT_LEVELS,
    BudgetForm,
    CloseForm,
    LevelSplitForm,
    LimitForm,
    RatioForm,
    YearCloseForm,
    YearReopenForm,
)
from gonghui.funds.permissions import access_limit, access_union
from gonghui.funds.services.levels import level_split_for, level_split_set, split_by_shares
from gonghui.funds.views.ledger import union_context
from gonghui.orgs.models import Level, Org

EXAMPLE_ALLOCATION = Decimal("10000.00")


@login_required
def budget(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    current = selectors.budgets(union, year)
    form = BudgetForm(posted(request),
                      initial={f"b_{code}": amount for code, amount in current.items()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.budget_set(
            union=union, year=year, amounts=form.amounts(), actor=request.user),
            form=form, success=_("{y} 年度预算已保存。").format(y=year))
        if outcome.ok:
            return redirect("funds:budget", union.pk, year)
    rollup = request.GET.get("rollup") == "1"
    return render(request, "funds/budget.html", {
        **union_context(request, union, "budget"), "form": form, "year": year,
        "rollup": rollup,
        "report": reports.budget_vs_actual(viewer=request.user, org=union, year=year,
                                           rollup=rollup, upto=clock.today()),
    }, status=form_status(form, outcome))


def close_page(request: HttpRequest, union: Org, *, form: Any = None, year_form: Any = None,
               reopen_form: Any = None, status: int = 200) -> HttpResponse:
    """The closing page (months, the year-end closing, reopening); a form posted from it
    comes back here with its errors."""
    today = clock.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return render(request, "funds/close.html", {
        **union_context(request, union, "close"),
        "form": form or CloseForm(initial={"year": last_month.year, "month": last_month.month}),
        "closed": selectors.closed_periods(union),
        "closings": selectors.year_closings(union), "runs": selectors.year_close_runs(union),
        "year_form": year_form or YearCloseForm(initial={"year": today.year - 1}),
        "reopen_form": reopen_form or YearReopenForm(initial={"year": today.year - 1}),
        "can_reopen": has_capability(request.user, Capability.FUNDS_REOPEN, union),
    }, status=status)


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    if request.method != "POST":
        return close_page(request, union)
    form = CloseForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.period_close(
            union=union, year=form.cleaned_data["year"], month=form.cleaned_data["month"],
            actor=request.user), form=form, success=_("已结账。"))
        if outcome.ok:
            return redirect("funds:close", union.pk)
    return close_page(request, union, form=form, status=form_status(form, outcome))


def _split_context(org: Org, split_form: Any) -> dict[str, Any]:
    """This year's level split in force for `org` (its own or an ancestor's), each level's part
    of an example ¥10,000.00 passed up, and the form prefilled from it."""
    year = clock.today().year
    split = level_split_for(org, year)
    rows: list[dict[str, Any]] = []
    if split is not None:
        shares = {k: Decimal(v) for k, v in split.shares.items()}
        parts = split_by_shares(EXAMPLE_ALLOCATION, shares, split.residue_level)
        rows = [{"level": Level(k).label, "percent": shares[k] * 100, "part": parts[k],
                 "residue": k == split.residue_level} for k in SPLIT_LEVELS if k in shares]
    initial: dict[str, Any] = {"year": year, "residue_level": "city"}
    if split is not None:
        initial.update({k: Decimal(v) * 100 for k, v in split.shares.items()},
                       residue_level=split.residue_level, note=split.note)
    return {"split": split, "split_rows": rows, "split_year": year,
            "example_allocation": EXAMPLE_ALLOCATION,
            "split_form": split_form or LevelSplitForm(initial=initial)}


def _limits_page(request: HttpRequest, org: Org, *, limit_form: Any = None,
                 ratio_form: Any = None, split_form: Any = None,
                 status: int = 200) -> HttpResponse:
    ratio, rule = services.kept_ratio_for(org)
    return render(request, "funds/limits.html", {
        **_split_context(org, split_form),
        **union_context(request, org, "limits"),
        "limit_form": limit_form or LimitForm(),
        "ratio_form": ratio_form or RatioForm(initial={"kept_percent": ratio * 100,
                                                       "note": rule.note if rule else ""}),
        "ratio": ratio * 100, "rule": rule,
        "own_limits": selectors.limits_set_by(viewer=request.user, org=org).order_by("-id"),
        "applying": selectors.limits_for(org),
    }, status=status)


@login_required
def limits(request: HttpRequest, pk: int) -> HttpResponse:
    """Limits and the allocation split: set here by `policy.write` holders for the subtree."""
    org = access_union(request.user, pk, write=request.method == "POST",
                       cap=Capability.POLICY_WRITE)
    if request.method != "POST":
        return _limits_page(request, org)
    if request.POST.get("form") == "split":
        return _split_post(request, org)
    if request.POST.get("form") == "ratio":
        form: Any = RatioForm(request.POST)
        outcome: Outcome[Any] | None = None
        if form.is_valid():
            outcome = run_service(request, lambda: services.allocation_rule_set(
                org=org, kept_ratio=form.cleaned_data["kept_percent"] / 100,
                note=form.cleaned_data["note"], actor=request.user),
                form=form, success=_("拨缴经费留成比例已保存。"))
            if outcome.ok:
                return redirect("funds:limits", org.pk)
        return _limits_page(request, org, ratio_form=form, status=form_status(form, outcome))
    form = LimitForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.policy_limit_create(
            org=org, actor=request.user, **form.cleaned_data),
            form=form, success=_("限额规则已生效。"))
        if outcome.ok:
            return redirect("funds:limits", org.pk)
    return _limits_page(request, org, limit_form=form, status=form_status(form, outcome))


def _split_post(request: HttpRequest, org: Org) -> HttpResponse:
    form = LevelSplitForm(request.POST)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: level_split_set(
            org=org, year=form.cleaned_data["year"], shares=form.shares(),
            residue_level=form.cleaned_data["residue_level"], note=form.cleaned_data["note"],
            actor=request.user), form=form, success=_("分级上解比例已保存。"))
        if outcome.ok:
            return redirect("funds:limits", org.pk)
    return _limits_page(request, org, split_form=form, status=form_status(form, outcome))


@login_required
@require_POST
def limit_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    limit = access_limit(request.user, pk, write=True)
    outcome = run_service(
        request, lambda: services.policy_limit_deactivate(limit=limit, actor=request.user),
        success=_("规则“{name}”已停用。").format(name=limit.name))
    if outcome.ok:
        return redirect("funds:limits", limit.org_id)
    return _limits_page(request, limit.org, status=outcome.status)
