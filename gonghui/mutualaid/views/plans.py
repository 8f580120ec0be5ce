"""Plans: the list, a plan with its versions and enrolment runs, a new plan, a new version,
and the enrolment of a union's members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.errors import Forbidden
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.forms import EnrolForm, PlanForm, VersionForm, default_year, year_dates
from gonghui.mutualaid.models import Plan
from gonghui.mutualaid.permissions import access_plan, access_union


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MUTUALAID_READ)
    plans = selectors.plan_list(viewer=request.user).select_related("org")
    return render(request, "mutualaid/plans.html", {
        "plans": plans, "can_create": has_capability(request.user, Capability.POLICY_WRITE)})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE)
    orgs = selectors.orgs_with(viewer=request.user, cap=Capability.POLICY_WRITE)
    year = default_year()
    start, end = year_dates(year)
    form = PlanForm(request.POST if request.method == "POST" else None,
                    initial={"plan_year": year, "year_starts_on": start, "year_ends_on": end})
    outcome = None
    if request.method == "POST" and form.is_valid():
        default = orgs[0].pk if orgs else ""
        org = access_union(request.user, request.POST.get("org", default))
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.plan_create(
            org=org, code=data["code"], name=data["name"], kind=data["kind"],
            description=data["description"], plan_year=data["plan_year"],
            year_starts_on=data["year_starts_on"], year_ends_on=data["year_ends_on"],
            actor=request.user, **form.rules()), form=form)
        if outcome.ok and outcome.value is not None:
            plan: Plan = outcome.value
            messages.success(request, _("已创建计划“{name}”。").format(name=plan.name))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/plan_form.html", {
        "form": form, "orgs": orgs, "title": _("新建互助保障计划")},
        status=form_status(form, outcome))


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    versions = list(selectors.plan_versions(plan))
    runs = selectors.enrolment_runs(viewer=request.user).filter(plan=plan)[:20]
    return render(request, "mutualaid/plan_detail.html", {
        "plan": plan, "versions": versions, "runs": runs,
        "can_write": has_capability(request.user, Capability.POLICY_WRITE, plan.org),
        "enrol_orgs": selectors.enrol_orgs(viewer=request.user, plan=plan),
        "history": plan.history.order_by("at", "id"),
    })


def _version_initial(plan: Plan) -> tuple[dict[str, Any], Any]:
    latest = selectors.plan_versions(plan).first()
    initial: dict[str, Any] = {"plan_year": latest.plan_year if latest else default_year()}
    if latest is not None:
        initial.update({f: getattr(latest, f) for f in (
            "contribution", "waiting_days", "deductible", "deductible_days", "per_day",
            "lump_sum", "per_claim_cap", "per_year_cap", "auto_approve_limit")})
        initial["ratio_percent"] = latest.ratio * 100
    return initial, latest


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk, write=True)
    initial, latest = _version_initial(plan)
    form = VersionForm(request.POST if request.method == "POST" else None, initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        effective_on: dt.date = (data["effective_on"] or data["year_starts_on"]
                                 or (latest.effective_on if latest else default_year_start()))
        outcome = run_service(request, lambda: services.plan_version_create(
            plan=plan, plan_year=data["plan_year"], effective_on=effective_on,
            year_starts_on=data["year_starts_on"], year_ends_on=data["year_ends_on"],
            note=data["note"], actor=request.user, **form.rules()), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已生成第 {n} 版规则。").format(n=outcome.value.number))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/plan_form.html", {
        "form": form, "plan": plan, "title": _("修订规则：{name}").format(name=plan.name)},
        status=form_status(form, outcome))


def default_year_start() -> dt.date:
    return year_dates(default_year())[0]


@login_required
def enrol(request: HttpRequest, pk: int, org_id: int) -> HttpResponse:
    """A grassroots cadre enrols the union's members: all, or the ones ticked."""
    plan = access_plan(request.user, pk)
    union = access_union(request.user, org_id, write=True)
    if not plan.offered_to(union):
        raise Forbidden(_("该计划不面向“{union}”开办。").format(union=union.name))
    year_text = str(request.GET.get("year") or request.POST.get("plan_year") or "")
    year = int(year_text) if year_text.isdigit() else default_year()
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.union_members(union=union, q=q), per_page=50)
    enrolled = selectors.enrolled_person_ids(plan=plan, plan_year=year, union=union)
    form = EnrolForm(request.POST if request.method == "POST" else None,
                     initial={"plan": plan.pk, "plan_year": year},
                     person_choices=[(m.person_id, m.person.name) for m in page])
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data["person"] if data["scope"] == "chosen" else None
        outcome = run_service(request, lambda: services.enrol_members(
            plan=plan, plan_year=data["plan_year"], union=union, actor=request.user,
            person_ids=chosen, enrolled_on=data["enrolled_on"]), form=form)
        if outcome.ok and outcome.value is not None:
            run = outcome.value
            messages.success(request, _("已为 {n} 名会员参保，缴费 {amount} 元已记入经费账。").format(
                n=run.enrolled_count, amount=run.amount))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/enrol.html", {
        "plan": plan, "union": union, "form": form, "page": page, "enrolled": enrolled,
        "year": year, "q": q, "qs": querystring_without_page(request)},
        status=form_status(form, outcome))
