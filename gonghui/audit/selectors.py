from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, scope
from gonghui.audit.models import AuditEvent, SensitiveRead


def audit_events(
    *, viewer: Any, actor: str = "", action: str = "", object_type: str = "",
    q: str = "", since: dt.date | None = None, until: dt.date | None = None,
    actions: list[str] | None = None,
) -> QuerySet[AuditEvent]:
    """The trail a user may read: events of orgs in their audit.read subtrees; events with no
    org (users, tokens) only for global administrators."""
    queryset = AuditEvent.objects.all()
    if not is_global(viewer):
        queryset = scope(queryset.exclude(org_path=""), viewer, Capability.AUDIT_READ,
                         path_field="org_path")
    if actor:
        queryset = queryset.filter(actor_name__icontains=actor)
    if action:
        queryset = queryset.filter(action__startswith=action)
    if actions is not None:
        queryset = queryset.filter(action__in=actions)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if q:
        queryset = queryset.filter(object_repr__icontains=q)
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def sensitive_reads(*, viewer: Any, actor: str = "") -> QuerySet[SensitiveRead]:
    queryset = SensitiveRead.objects.all()
    if not is_global(viewer):
        queryset = scope(queryset.exclude(org_path=""), viewer, Capability.AUDIT_READ,
                         path_field="org_path")
    if actor:
        queryset = queryset.filter(actor_name__icontains=actor)
    return queryset
