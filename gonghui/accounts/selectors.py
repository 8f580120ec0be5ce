"""Reads of accounts data: role grants a viewer may manage, the org a grant names."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.scoping import scope
from gonghui.core.errors import NotFound


def grant_org(code: str) -> Any:
    """The org a role grant names by its code, or NotFound. Not scoped: the caller checks
    role.assign over it (`require_capability`), which answers 404 outside the viewer's subtrees.

    accounts sits below orgs in the layer order, so the org model is reached through the
    foreign key of `RoleAssignment.org` (as Django reaches a swappable model) instead of an
    import of gonghui.orgs.
    """
    org_model: Any = RoleAssignment._meta.get_field("org").related_model
    org = org_model._default_manager.filter(code=(code or "").strip().upper()).first()
    if org is None:
        raise NotFound()
    return org


def role_assignments(*, viewer: Any, q: str = "", role: str = "") -> QuerySet[RoleAssignment]:
    """The grants in the viewer's role.assign subtrees, filtered by user or org name and role."""
    queryset = scope(
        RoleAssignment.objects.select_related("user", "org", "granted_by"),
        viewer, Capability.ROLE_ASSIGN, path_field="org__path",
    )
    if q:
        queryset = queryset.filter(Q(user__username__icontains=q) | Q(org__name__icontains=q))
    if role:
        queryset = queryset.filter(role=role)
    return queryset.order_by("org__path", "user__username")


def role_assignment(pk: int) -> RoleAssignment:
    """One grant by id, or NotFound. Not scoped: `role_revoke` checks role.assign over its org
    (404 outside the viewer's subtrees, 403 where they only read)."""
    found = RoleAssignment.objects.select_related("user", "org").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def grants_of(user: Any) -> QuerySet[RoleAssignment]:
    """The user's own grants (profile, home page)."""
    return RoleAssignment.objects.filter(user=user).select_related("org")
