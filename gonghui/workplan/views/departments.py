"""A federation's departments (the reusable list of 责任单位) and who works in them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service
from gonghui.workplan import selectors
from gonghui.workplan.forms import DepartmentEditForm, DepartmentForm, MemberForm
from gonghui.workplan.models import Department
from gonghui.workplan.permissions import (
    access_department,
    has_write,
    require_issuer_page,
    require_workplan_page,
    writable_orgs,
)
from gonghui.workplan.rules import HEALTH_BADGES, HEALTH_ORDER, Health
from gonghui.workplan.services import departments as services
from gonghui.workplan.supervision import plan_supervision


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "org")}
    if request.method == "POST":
        orgs = require_issuer_page(request.user)
    else:
        require_workplan_page(request.user)
        orgs = writable_orgs(request.user)
    form = DepartmentForm(posted(request), orgs=orgs)
    outcome: Outcome[Department] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.department_create(
            org=form.cleaned_data["org"], name=form.cleaned_data["name"], actor=request.user),
            form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已添加部门“{name}”。").format(name=outcome.value.name))
            return redirect("workplan:department", outcome.value.pk)
    queryset = selectors.department_list(viewer=request.user, org_code=params["org"], q=params["q"])
    return render(request, "workplan/departments.html", {
        "page": paginate(request, queryset), "params": params,
        "form": form if orgs.exists() else None, "qs": querystring_without_page(request),
    }, status=form_status(form, outcome))


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _department_page(request, access_department(request.user, pk))


def _department_page(request: HttpRequest, department: Department,
                     status: int = 200) -> HttpResponse:
    """The department's page; after a refused POST, with the refusal's status and message."""
    today = clock.today()
    plans = department.org.workplans.filter(items__assignments__department=department).distinct()
    return render(request, "workplan/department_detail.html", {
        "department": department, "members": selectors.department_members(department),
        "can_write": has_write(request.user, department.org), "member_form": MemberForm(),
        "edit_form": DepartmentEditForm(initial={"name": department.name,
                                                 "sort_order": department.sort_order,
                                                 "is_active": department.is_active}),
        "sups": [plan_supervision(plan, today=today, department=department)
                 for plan in plans.order_by("-year", "title")[:10]],
        "badges": HEALTH_BADGES, "order": HEALTH_ORDER,
        "healths": [(h, Health(h).label) for h in HEALTH_ORDER],
    }, status=status)


def _after_post(request: HttpRequest, department: Department,
                outcome: Outcome[Any] | None) -> HttpResponse:
    """Back to the department page when it worked; the page with 400/409 when it did not."""
    if outcome is not None and outcome.ok:
        return redirect("workplan:department", department.pk)
    return _department_page(request, department, outcome.status if outcome else 400)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    # write=True before anything: whether a username exists is not for read-only eyes
    department = access_department(request.user, pk, write=True)
    form = MemberForm(request.POST)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"].strip(),
                                               is_active=True).first()
        if user is None:
            messages.error(request, _("本单位及下级单位中没有用户名为“{u}”的用户。").format(
                u=form.cleaned_data["username"]))
        else:
            outcome = run_service(request, lambda: services.membership_add(
                department=department, user=user, actor=request.user,
                is_head=form.cleaned_data["is_head"]),
                success=_("已添加成员 {u}。").format(u=user))
    else:
        messages.error(request, _("请填写用户名。"))
    return _after_post(request, department, outcome)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    department = access_department(request.user, pk)
    membership = department.memberships.filter(pk=mid).select_related("user").first()
    if membership is not None:
        run_service(request, lambda: services.membership_remove(membership=membership,
                                                                actor=request.user),
                    success=_("已移除成员 {u}。").format(u=membership.user))
    return redirect("workplan:department", department.pk)


@login_required
@require_POST
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = access_department(request.user, pk, write=True)
    form = DepartmentEditForm(request.POST)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.department_update(
            department=department, actor=request.user, **form.cleaned_data),
            success=_("已保存。"))
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return _after_post(request, department, outcome)
