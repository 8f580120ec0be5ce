"""Reads for bulk decisions and deadlines: the filtered queues a cadre selects from, the overdue
cases for the level above, and a cadre's own bulk jobs. Every function scopes through
accounts.scoping like members.selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes
from gonghui.core import clock
from gonghui.members import selectors
from gonghui.members.models import (
    APPLICATION_OPEN_STATUSES,
    Application,
    BulkDecisionJob,
    Transfer,
    TransferStatus,
)


def _below_grants(viewer: Any, path_field: str) -> Q | None:
    """Rows of unions strictly below the orgs where the viewer holds member.read: the level
    above a union watches its deadlines. None = everything (a global viewer); Q() never
    matches nothing, so an empty grant list returns a condition matching no row."""
    if is_global(viewer):
        return None
    roots = prefixes(viewer, Capability.MEMBER_READ)
    if not roots:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(**{f"{path_field}__startswith": root}) & ~Q(**{path_field: root})
    return condition


def overdue_applications(*, viewer: Any, today: dt.date | None = None) -> QuerySet[Application]:
    """Open applications (submitted or appealed) past their deadline in unions below the
    viewer's own orgs, oldest deadline first."""
    today = today or clock.today()
    queryset = Application.objects.filter(status__in=APPLICATION_OPEN_STATUSES, due_on__lt=today)
    below = _below_grants(viewer, "union__path")
    if below is not None:
        queryset = queryset.filter(below)
    return queryset.select_related("person", "union").order_by("due_on", "id")


def overdue_transfers(*, viewer: Any, today: dt.date | None = None) -> QuerySet[Transfer]:
    """Pending transfers past the receiving union's deadline, below the viewer's own orgs."""
    today = today or clock.today()
    queryset = Transfer.objects.filter(status=TransferStatus.PENDING, due_on__lt=today)
    below = _below_grants(viewer, "to_union__path")
    if below is not None:
        queryset = queryset.filter(below)
    return queryset.select_related("person", "from_union", "to_union").order_by("due_on", "id")


def filtered_ids(*, viewer: Any, kind: str, params: Any, limit: int) -> list[int]:
    """Every id of the filtered list the cadre sees (select all on the filtered list), with the
    list page's own filters: applications by status/q/org, incoming transfers by status/q."""
    if kind == "application":
        within = params.get("within")
        rows: QuerySet[Any] = selectors.application_list(
            viewer=viewer, status=params.get("status", "submitted"), q=params.get("q", ""),
            within=within)
    else:
        rows = selectors.transfer_list(viewer=viewer, direction="in",
                                       status=params.get("status", "pending"),
                                       q=params.get("q", ""))
    return list(rows.values_list("pk", flat=True)[:limit])


def bulk_jobs(*, viewer: Any) -> QuerySet[BulkDecisionJob]:
    """A cadre's own bulk jobs (a job holds the ids they chose; nobody else's are shown)."""
    if not getattr(viewer, "pk", None):
        return BulkDecisionJob.objects.none()
    return BulkDecisionJob.objects.filter(created_by=viewer).order_by("-created_at", "-id")
