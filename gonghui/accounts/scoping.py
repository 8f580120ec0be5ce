"""THE scoping helper. Every selector, page, API endpoint and export that reads org-bound data
filters through `scope()`; nothing else decides visibility.

A role held at an org reaches that org's subtree: an org is visible when its materialised path
starts with the path of an org where the user holds a role granting the capability.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.roles import ALL_CAPABILITIES, CAPABILITIES
from gonghui.core.actor import SystemActor

Q_ = TypeVar("Q_", bound=QuerySet[Any])


def _grants(user: Any) -> list[tuple[str, str]]:
    """(org path, role) pairs, cached on the user object for the request."""
    if isinstance(user, SystemActor):
        return []
    cached = getattr(user, "_gh_grants", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user, org__status="active").values_list(
                "org__path", "role"
            )
        )
        user._gh_grants = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached grants (after assigning or revoking a role)."""
    if hasattr(user, "_gh_grants"):
        del user._gh_grants


def grant_paths(user: Any) -> list[str]:
    """The org paths where `user` holds any role (the roots of everything they may see)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return [path for path, _role in _grants(user)]


def prefixes(user: Any, cap: str) -> list[str]:
    """The minimal list of subtree paths where `user` holds `cap`."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    paths = sorted({path for path, role in _grants(user) if cap in CAPABILITIES.get(role, ())})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def is_global(user: Any) -> bool:
    """A superuser, or a system actor (the CLI's operator, the platform's own tasks)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
                and getattr(user, "is_superuser", False))


def scope(queryset: Q_, user: Any, cap: str, *, path_field: str = "path") -> Q_:
    """Restrict `queryset` to rows whose org path lies in the user's subtrees for `cap`."""
    if is_global(user):
        return queryset
    roots = prefixes(user, cap)
    if not roots:
        return queryset.none()
    condition = Q()
    for root in roots:
        condition |= Q(**{f"{path_field}__startswith": root})
    return queryset.filter(condition)


def can(user: Any, org: Model | None, cap: str) -> bool:
    """Does `user` hold `cap` over `org` (i.e. at `org` or one of its ancestors)?"""
    if org is None:
        return False
    if is_global(user):
        return True
    path = org.path  # type: ignore[attr-defined]
    return any(path.startswith(root) for root in prefixes(user, cap))


def capabilities_anywhere(user: Any) -> frozenset[str]:
    if is_global(user):
        return ALL_CAPABILITIES
    if user is None or not user.is_authenticated:
        return frozenset()
    caps: set[str] = set()
    for _path, role in _grants(user):
        caps |= CAPABILITIES.get(role, frozenset())
    return frozenset(caps)
