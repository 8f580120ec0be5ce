"""Reads of orgs and employers for the statistics app. Internal use: the caller checked that the
viewer may read `org_path`'s figures (stats.read over it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.scoping import scope
from gonghui.orgs.models import Employer, Org, OrgStatus


def children(org: Org) -> list[Org]:
    """The active children of `org` (the drill-down's rows), by path."""
    return list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1,
                                   status=OrgStatus.ACTIVE).order_by("path"))


def employer_groups(*, org: Org, by: str) -> dict[str, dict[str, int]]:
    """Employers of the subtree grouped by child org path (`by="child"`, employers of the org's
    own area under its own path) or by industry (`by="industry"`): employers, covered ones,
    employees, employees of covered ones."""
    queryset = Employer.objects.filter(area__path__startswith=org.path)
    if by == "child":
        queryset = queryset.annotate(key=Substr("area__path", 1, len(org.path) + Org.steplen))
    else:
        queryset = queryset.annotate(key=Substr("industry", 1, 64))
    rows = queryset.values("key").annotate(
        employers=Count("id"), covered=Count("id", filter=Q(union__isnull=False)),
        employees=Sum("employees_count"),
        covered_employees=Sum("employees_count", filter=Q(union__isnull=False))).order_by("key")
    return {row["key"] or "": {k: int(row[k] or 0) for k in
                               ("employers", "covered", "employees", "covered_employees")}
            for row in rows}


def org_counts(*, org: Org) -> dict[str, Any]:
    """Active orgs of the subtree by level and by type (the report's first sheet)."""
    active = Org.objects.filter(path__startswith=org.path, status=OrgStatus.ACTIVE)
    by_level = dict(active.values_list("level").annotate(n=Count("id")).order_by())
    by_type = dict(active.values_list("org_type").annotate(n=Count("id")).order_by())
    return {"by_level": by_level, "by_type": by_type, "total": sum(by_level.values())}


def employers_per_area(*, org_path: str) -> dict[int, dict[str, int]]:
    """Employers of each area org in the subtree (the monthly snapshot's input)."""
    rows = (Employer.objects.filter(area__path__startswith=org_path).values("area_id")
            .annotate(employers=Count("id"), covered=Count("id", filter=Q(union__isnull=False)),
                      employees=Sum("employees_count")).order_by())
    return {row["area_id"]: {k: int(row[k] or 0) for k in ("employers", "covered", "employees")}
            for row in rows}


def employer_list(*, viewer: Any, q: str = "", industry: str = "", covered: str = "",
                  within: Org | None = None) -> Any:
    """Employers whose area lies in the viewer's org.read subtrees, by name/USCC, industry and
    coverage."""
    queryset = scope(Employer.objects.all(), viewer, Capability.ORG_READ, path_field="area__path")
    if within is not None:
        queryset = queryset.filter(area__path__startswith=within.path)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(uscc=q.upper()) | Q(address__icontains=q))
    if industry:
        queryset = queryset.filter(industry=industry)
    if covered == "yes":
        queryset = queryset.filter(union__isnull=False)
    elif covered == "no":
        queryset = queryset.filter(union__isnull=True)
    return queryset.select_related("area", "union").order_by("area__path", "name", "id")


def industries(*, org: Org | None = None) -> list[str]:
    queryset = Employer.objects.exclude(industry="")
    if org is not None:
        queryset = queryset.filter(area__path__startswith=org.path)
    return sorted(set(queryset.values_list("industry", flat=True).distinct()))


def cadre_counts(*, org: Org) -> dict[str, int]:
    """Role holders (工会干部 and staff with a role) at active orgs of the subtree, by role."""
    rows = (RoleAssignment.objects.filter(org__path__startswith=org.path,
                                          org__status=OrgStatus.ACTIVE)
            .values("role").annotate(n=Count("id")).order_by("role"))
    return {row["role"]: row["n"] for row in rows}
