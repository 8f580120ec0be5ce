"""公示 reads. The public list is every signed-in user's (公示 is public); the management list
is scoped by the read partner of each notice's capability over its org's subtree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core import clock
from gonghui.core.actor import actor_user
from gonghui.core.models import WorkdayOverride
from gonghui.notices.models import Notice, NoticeItem, Objection
from gonghui.orgs.models import Org, OrgStatus

PUBLIC_STATES = ("current", "ended")


def public_notices(*, state: str = "current", q: str = "",
                   today: dt.date | None = None) -> QuerySet[Notice]:
    """Notices in their period ("current") or closed ("ended"); withdrawn ones never."""
    today = today or clock.today()
    queryset = Notice.objects.select_related("org")
    if state == "ended":
        queryset = queryset.filter(status=Notice.Status.CLOSED).order_by("-end_date", "-id")
    else:
        queryset = queryset.filter(status=Notice.Status.PUBLISHED, start_date__lte=today,
                                   end_date__gte=today).order_by("end_date", "-id")
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(org__name__icontains=q))
    return queryset


def managed_notices(*, viewer: Any, q: str = "", status: str = "",
                    kind: str = "") -> QuerySet[Notice]:
    """Notices the viewer may see as a manager: the org lies in a subtree where the viewer
    holds the read partner of the notice's capability."""
    base = Notice.objects.all()
    parts = []
    for cap in base.values_list("capability", flat=True).distinct().order_by():
        try:
            read_cap = Capability(cap).read_of
        except ValueError:
            continue
        parts.append(scope(base.filter(capability=cap), viewer, read_cap, path_field="org_path"))
    if not parts:
        return base.none()
    queryset = parts[0]
    for part in parts[1:]:
        queryset = queryset | part
    queryset = queryset.select_related("org").annotate(
        # distinct: the two joins (objections × items) multiply rows
        pending=Count("objections", filter=Q(objections__status=Objection.Status.PENDING),
                      distinct=True),
        item_count=Count("items", distinct=True),
    ).order_by("-start_date", "-id")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(org__name__icontains=q))
    return queryset


def notice_items(notice: Notice, *, q: str = "", upheld: bool | None = None
                 ) -> QuerySet[NoticeItem]:
    queryset = NoticeItem.objects.filter(notice=notice).order_by("position")
    if q:
        queryset = queryset.filter(text__icontains=q)
    if upheld is not None:
        queryset = queryset.filter(objection_upheld=upheld)
    return queryset


def notice_objections(notice: Notice, *, status: str = "") -> QuerySet[Objection]:
    """All objections of a notice (for its managers; callers check access first)."""
    queryset = Objection.objects.filter(notice=notice).select_related("item")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def my_objections(notice: Notice, viewer: Any) -> QuerySet[Objection]:
    user = actor_user(viewer)
    if user is None:
        return Objection.objects.none()
    return Objection.objects.filter(notice=notice, author=user).select_related("item")


def pending_objections(*, viewer: Any) -> QuerySet[Objection]:
    """Undecided objections on notices the viewer manages (the to-do list)."""
    return Objection.objects.filter(
        status=Objection.Status.PENDING,
        notice__in=managed_notices(viewer=viewer, status=Notice.Status.PUBLISHED).values("pk"),
    ).select_related("notice")


def publishable_orgs(*, viewer: Any, capability: Capability = Capability.ORG_WRITE
                     ) -> QuerySet[Org]:
    """Active orgs in whose subtree the viewer may publish (the publish form's choices)."""
    return scope(Org.objects.filter(status=OrgStatus.ACTIVE), viewer, capability).order_by("path")


def workday_overrides(*, year: int | None = None, kind: str = "",
                      q: str = "") -> QuerySet[WorkdayOverride]:
    """The calendar's overrides (federation-wide data: callers check the admin gate)."""
    queryset = WorkdayOverride.objects.all().order_by("date")
    if year:
        queryset = queryset.filter(date__year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = queryset.filter(note__icontains=q)
    return queryset
