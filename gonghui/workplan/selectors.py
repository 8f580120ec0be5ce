"""Reads for viewers: every one goes through `scope()` on the plan's org path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from gonghui.accounts.scoping import scope
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    DepartmentRole,
    Item,
    ItemDepartment,
    Milestone,
    MilestoneStatus,
    Notification,
    Plan,
    SubTask,
    SubTaskStatus,
)
from gonghui.workplan.permissions import READ, department_ids
from gonghui.workplan.supervision import PlanSummary, plans_summary


def plan_list(*, viewer: Any, q: str = "", year: int | None = None, org_code: str = "") -> QuerySet[Plan]:
    queryset = scope(Plan.objects.select_related("org"), viewer, READ, path_field="org__path")
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(doc_number__icontains=q)
                                   | Q(org__name__icontains=q))
    if year:
        queryset = queryset.filter(year=year)
    if org_code:
        queryset = queryset.filter(org__code=org_code)
    return queryset.annotate(item_count=Count("items")).order_by("-year", "org__path", "title")


def plan_years(*, viewer: Any) -> list[int]:
    return list(scope(Plan.objects.all(), viewer, READ, path_field="org__path")
                .order_by("-year").values_list("year", flat=True).distinct())


def rollup(*, viewer: Any, year: int, today: dt.date) -> list[PlanSummary]:
    """The plans of `year` the viewer sees (their org's and those below), each with item counts
    by verdict: the city's view of its districts' plans."""
    plans = list(scope(Plan.objects.select_related("org"), viewer, READ, path_field="org__path")
                 .filter(year=year).order_by("org__path", "title"))
    return plans_summary(plans, today=today)


def plan_items(plan: Plan) -> QuerySet[Item]:
    """Internal: the caller has checked the plan is visible."""
    return (Item.objects.filter(plan=plan).select_related("heading")
            .prefetch_related(Prefetch("assignments",
                                       ItemDepartment.objects.select_related("department")))
            .order_by("number"))


def item_milestones(item: Item) -> QuerySet[Milestone]:
    """Internal: the caller has checked the item is visible."""
    return (Milestone.objects.filter(item=item).select_related("department")
            .prefetch_related(Prefetch("subtasks", SubTask.objects.select_related("department")))
            .order_by("due_date", "id"))


def department_list(*, viewer: Any, org_code: str = "", q: str = "") -> QuerySet[Department]:
    queryset = scope(Department.objects.select_related("org"), viewer, READ, path_field="org__path")
    if org_code:
        queryset = queryset.filter(org__code=org_code)
    if q:
        queryset = queryset.filter(name__icontains=q)
    return (queryset.annotate(
        member_count=Count("memberships", distinct=True),
        lead_count=Count("assignments", filter=Q(assignments__role=DepartmentRole.LEAD),
                         distinct=True))
        .order_by("org__path", "sort_order", "id"))


def department_members(department: Department) -> QuerySet[DepartmentMembership]:
    """Internal: the caller has checked the department is visible."""
    return department.memberships.select_related("user").order_by("-is_head", "user__username")


def my_departments(*, viewer: Any) -> QuerySet[Department]:
    """The departments the viewer works in, among those they may see."""
    return (scope(Department.objects.select_related("org"), viewer, READ, path_field="org__path")
            .filter(pk__in=department_ids(viewer)).order_by("org__path", "sort_order"))


def my_milestones(*, viewer: Any, include_closed: bool = False) -> QuerySet[Milestone]:
    """Milestones of items my departments lead or co-operate on, and those they own."""
    mine = department_ids(viewer)
    queryset = scope(Milestone.objects.select_related("item__plan__org", "department"), viewer,
                     READ, path_field="item__plan__org__path")
    queryset = queryset.filter(Q(department_id__in=mine)
                               | Q(item__assignments__department_id__in=mine)).distinct()
    if not include_closed:
        queryset = queryset.filter(status=MilestoneStatus.OPEN)
    return queryset.order_by("due_date", "id")


def my_subtasks(*, viewer: Any) -> QuerySet[SubTask]:
    return (scope(SubTask.objects.select_related("milestone__item__plan", "department"), viewer,
                  READ, path_field="milestone__item__plan__org__path")
            .filter(department_id__in=department_ids(viewer), status=SubTaskStatus.OPEN)
            .order_by("due_date", "id"))


def notifications_for(user: Any, *, unread_only: bool = False,
                      q: str = "", kind: str = "") -> QuerySet[Notification]:
    queryset = Notification.objects.filter(recipient=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    if q:
        queryset = queryset.filter(text__icontains=q)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
