"""Reads of the roster module, scoped through accounts.scoping.scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.orgs.models import MEMBER_HOLDING_TYPES, Org, OrgStatus
from gonghui.roster.models import ExportJob, ImportJob


def import_jobs(*, viewer: Any, q: str = "", status: str = "", org_code: str = ""
                ) -> QuerySet[ImportJob]:
    # the list never shows a job's column mapping (a wide file's is megabytes, issue 13)
    queryset = scope(ImportJob.objects.select_related("org").defer("mapping"), viewer,
                     Capability.MEMBER_WRITE, path_field="org_path")
    if q:
        queryset = queryset.filter(Q(source_name__icontains=q) | Q(org__name__icontains=q)
                                   | Q(created_by_name__icontains=q))
    if status:
        queryset = queryset.filter(status=status)
    if org_code:
        org = scope(Org.objects.all(), viewer, Capability.MEMBER_WRITE).filter(
            code=org_code.strip().upper()).first()
        queryset = queryset.filter(org_path__startswith=org.path) if org else queryset.none()
    return queryset.order_by("-created_at", "-id")


def export_jobs(*, viewer: Any, limit: int = 10) -> list[ExportJob]:
    """The viewer's latest own exports, newest first (export files are never shared; older
    ones have been cleaned up or downloaded)."""
    return list(scope(ExportJob.objects.select_related("org"), viewer, Capability.MEMBER_READ,
                 path_field="org_path").filter(created_by_id=getattr(viewer, "pk", None)
                                               ).order_by("-created_at", "-id")[:limit])


def target_unions(*, viewer: Any, cap: Capability = Capability.MEMBER_WRITE, limit: int = 300) -> list[Org]:
    """Orgs offered in the union pickers: the viewer's subtrees, top first."""
    return list(scope(Org.objects.filter(status=OrgStatus.ACTIVE), viewer, cap)
                .order_by("path")[:limit])


def member_holding(org: Org) -> bool:
    return org.org_type in MEMBER_HOLDING_TYPES
