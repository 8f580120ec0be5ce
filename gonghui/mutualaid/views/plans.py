from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can, prefixes, scope
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.forms import EnrolForm, PlanForm, VersionForm, default_year, year_dates
from gonghui.mutualaid.permissions import access_plan, access_union
from gonghui.orgs.models import Org


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(viewer=request.user).select_related("org")
    writable = scope(Org.objects.all(), request.user, "policy.write").exists()
    return render(request, "mutualaid/plans.html", {"plans": plans, "can_create": writable})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    orgs = list(scope(Org.objects.filter(status="active"), request.user, "policy.write")
                .order_by("path")[:200])
    if not orgs:
        raise PermissionDenied
    year = default_year()
    start, end = year_dates(year)
    form = PlanForm(request.POST or None, initial={"plan_year": year, "year_starts_on": start,
                                                   "year_ends_on": end})
    if request.method == "POST" and form.is_valid():
        org = access_union(request.user, request.POST.get("org", orgs[0].pk))
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                org=org, code=data["code"], name=data["name"], kind=data["kind"],
                description=data["description"], plan_year=data["plan_year"],
                year_starts_on=data["year_starts_on"], year_ends_on=data["year_ends_on"],
                actor=request.user, **form.rules())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建计划“{name}”。").format(name=plan.name))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/plan_form.html", {"form": form, "orgs": orgs,
                                                        "title": _("新建互助保障计划")})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    versions = list(selectors.plan_versions(plan))
    runs = selectors.enrolment_runs(viewer=request.user).filter(plan=plan)[:20]
    return render(request, "mutualaid/plan_detail.html", {
        "plan": plan, "versions": versions, "runs": runs,
        "can_write": can(request.user, plan.org, "policy.write"),
        "enrol_orgs": _enrol_orgs(request.user, plan),
    })


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk, write=True)
    latest = selectors.plan_versions(plan).first()
    initial: dict[str, Any] = {"plan_year": latest.plan_year if latest else default_year()}
    if latest is not None:
        initial.update({f: getattr(latest, f) for f in (
            "contribution", "waiting_days", "deductible", "deductible_days", "per_day",
            "lump_sum", "per_claim_cap", "per_year_cap", "auto_approve_limit")})
        initial["ratio_percent"] = latest.ratio * 100
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.plan_version_create(
                plan=plan, plan_year=data["plan_year"],
                effective_on=(data["effective_on"] or data["year_starts_on"]
                              or (latest.effective_on if latest else default_year_start())),
                year_starts_on=data["year_starts_on"], year_ends_on=data["year_ends_on"],
                note=data["note"], actor=request.user, **form.rules())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已生成第 {n} 版规则。").format(n=version.number))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/plan_form.html", {
        "form": form, "plan": plan, "title": _("修订规则：{name}").format(name=plan.name)})


def default_year_start():
    return year_dates(default_year())[0]


def _enrol_orgs(user, plan) -> list[Org]:
    """Member-holding unions under the plan's org where the user may enrol."""
    if not prefixes(user, "mutualaid.write") and not user.is_superuser:
        return []
    queryset = scope(Org.objects.filter(path__startswith=plan.org_path, status="active",
                                        level__in=["grassroots", "street", "branch"]),
                     user, "mutualaid.write")
    return list(queryset.order_by("path")[:300])


@login_required
def enrol(request: HttpRequest, pk: int, org_id: int) -> HttpResponse:
    """A grassroots cadre enrols the union's members: all, or the ones ticked."""
    from gonghui.members.models import Membership

    plan = access_plan(request.user, pk)
    union = access_union(request.user, org_id, write=True)
    if not union.path.startswith(plan.org_path):
        raise Forbidden(_("该计划不面向本工会开办。"))
    year = int(request.GET.get("year") or request.POST.get("plan_year") or default_year())
    q = request.GET.get("q", "").strip()
    members = (Membership.objects.filter(union=union, status="active").select_related("person")
               .order_by("person__name", "id"))
    if q:
        members = members.filter(person__name__contains=q)
    page = paginate(request, members, per_page=50)
    enrolled = selectors.enrolled_person_ids(plan=plan, plan_year=year, union=union)
    form = EnrolForm(request.POST or None, initial={"plan": plan.pk, "plan_year": year},
                     person_choices=[(m.person_id, m.person.name) for m in page])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data["person"] if data["scope"] == "chosen" else None
        try:
            run = services.enrol_members(plan=plan, plan_year=data["plan_year"], union=union,
                                         actor=request.user, person_ids=chosen,
                                         enrolled_on=data["enrolled_on"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已为 {n} 名会员参保，缴费 {amount} 元已记入经费账。").format(
                n=run.enrolled_count, amount=run.amount))
            return redirect("mutualaid:plan", plan.pk)
    return render(request, "mutualaid/enrol.html", {
        "plan": plan, "union": union, "form": form, "page": page, "enrolled": enrolled,
        "year": year, "q": q, "qs": querystring_without_page(request)})
