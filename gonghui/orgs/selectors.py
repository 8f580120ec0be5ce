from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.orgs.models import Employer, Org, OrgHistory, OrgStatus


def org_list(
    *,
    viewer: Any,
    q: str = "",
    level: str = "",
    org_type: str = "",
    status: str = "",
    within: Org | None = None,
) -> QuerySet[Org]:
    queryset = scope(Org.objects.all(), viewer, Capability.ORG_READ)
    if within is not None:
        queryset = queryset.filter(path__startswith=within.path)
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q) | Q(uscc=q.upper())
        )
    if level:
        queryset = queryset.filter(level=level)
    if org_type:
        queryset = queryset.filter(org_type=org_type)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("path")


def org_roots_for(viewer: Any) -> QuerySet[Org]:
    """The top orgs a user sees: the tree's roots for a global admin, else their role orgs."""
    if is_global(viewer):
        return Org.objects.filter(depth=1).order_by("path")
    return Org.objects.filter(path__in=prefixes(viewer, Capability.ORG_READ)).order_by("path")


def org_children(*, viewer: Any, org: Org, include_closed: bool = False) -> QuerySet[Org]:
    queryset = scope(Org.objects.get_children(org), viewer, Capability.ORG_READ)
    if not include_closed:
        queryset = queryset.filter(status=OrgStatus.ACTIVE)
    return queryset.order_by("path")


def org_ancestors(org: Org) -> QuerySet[Org]:
    """Internal use (breadcrumbs); the caller has already checked the org is visible."""
    return Org.objects.get_ancestors(org)


def visible_ancestors(*, viewer: Any, org: Org) -> list[Org]:
    """The breadcrumbs of `org` the viewer may open (their subtrees start below the root)."""
    roots = None if is_global(viewer) else prefixes(viewer, Capability.ORG_READ)
    return [a for a in Org.objects.get_ancestors(org)
            if roots is None or any(a.path.startswith(root) for root in roots)]


def org_history(org: Org) -> QuerySet[OrgHistory]:
    """Internal use (the detail page of a visible org): its status changes, oldest first."""
    return org.history.select_related("actor").order_by("at", "id")


def subtree(org: Org) -> QuerySet[Org]:
    """Internal use: every org under `org`, itself included."""
    return Org.objects.filter(path__startswith=org.path)


_T = TypeVar("_T")
_FIGURES_GENERATION = "gh:figures:generation"


def figures_changed() -> None:
    """An org or employer was written: this process's cached subtree figures are recomputed at
    their next read (other processes' within GONGHUI_FIGURES_CACHE_SECONDS)."""
    try:
        cache.incr(_FIGURES_GENERATION)
    except ValueError:  # not set yet in this cache
        cache.set(_FIGURES_GENERATION, 1, None)


def _cached_figure(name: str, org: Org, compute: Callable[[], _T]) -> _T:
    """A subtree figure shown on the home and org pages, kept for GONGHUI_FIGURES_CACHE_SECONDS
    (0: always computed). The subtree's employers and orgs are counted by a scan of the
    subtree's rows — 65 ms for a district and 150 ms for the whole city of the 10 M-member
    bench, most of a home page's database time (docs/scale.md) — and these figures change
    rarely. The key holds the org's path, so a moved org is counted afresh."""
    seconds = settings.GONGHUI_FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    generation = cache.get(_FIGURES_GENERATION, 0)
    key = f"gh:figures:{name}:{generation}:{org.pk}:{org.path}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def subtree_counts(org: Org) -> dict[str, int]:
    """Orgs of each level in the subtree, active only (one grouped query; cached briefly, see
    `_cached_figure`)."""

    def compute() -> dict[str, int]:
        rows = (subtree(org).filter(status=OrgStatus.ACTIVE).values("level")
                .annotate(n=Count("id")).order_by())
        return {row["level"]: row["n"] for row in rows}

    return _cached_figure("levels", org, compute)


def employer_coverage(org: Org) -> dict[str, int | float | None]:
    """建会率 over a subtree: employers located in it that a union covers / all of them
    (cached briefly, see `_cached_figure`)."""

    def compute() -> dict[str, int | float | None]:
        row = Employer.objects.filter(area__path__startswith=org.path).aggregate(
            employers=Count("id"),
            covered=Count("id", filter=Q(union__isnull=False)),
            employees=Sum("employees_count"),
        )
        employers, covered = row["employers"] or 0, row["covered"] or 0
        return {
            "employers": employers,
            "covered": covered,
            "employees": row["employees"] or 0,
            "rate": round(100 * covered / employers, 1) if employers else None,
        }

    return _cached_figure("employers", org, compute)
