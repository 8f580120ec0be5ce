"""Every read of rights objects that is more than a get, scoped to the viewer's subtrees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import prefixes, scope
from gonghui.core import clock
from gonghui.orgs.models import Employer, Org
from gonghui.rights import clocks
from gonghui.rights.models import (
    Body,
    Case,
    CaseKind,
    CaseStatus,
    Congress,
    Contract,
    ContractStatus,
    Coverage,
    EmployerRisk,
    Lawyer,
    Letter,
    LetterStatus,
    Level,
    RiskAlert,
    RiskSignal,
)

READ = Capability.RIGHTS_READ


def case_list(*, viewer: Any, q: str = "", status: str = "", kind: str = "",
              dispute_type: str = "", body: str = "", within: Org | None = None,
              overdue: bool = False) -> QuerySet[Case]:
    rows = scope(Case.objects.select_related("union", "lawyer"), viewer, READ,
                 path_field="union_path")
    if q:
        rows = rows.filter(Q(worker_name__icontains=q) | Q(number__icontains=q)
                           | Q(employer_name__icontains=q))
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if dispute_type:
        rows = rows.filter(dispute_type=dispute_type)
    if body:
        rows = rows.filter(body=body)
    if within is not None:
        rows = rows.filter(union_path__startswith=within.path)
    if overdue:
        rows = rows.filter(mediation_overdue_q(clock.today()))
    return rows.order_by("-id")


def mediation_overdue_q(today: dt.date) -> Q:
    """Open mediations at the union's committee whose 15-day period has run out (Art. 14).

    The deadline is non-decreasing in the application day, so the overdue ones are those applied
    on or before the last day whose deadline (rolled over rest days) lies before today."""
    last = today - dt.timedelta(days=clocks.MEDIATION_DAYS)
    while clocks.mediation_deadline(last) >= today:
        last -= dt.timedelta(days=1)
    return Q(status=CaseStatus.OPEN, kind=CaseKind.MEDIATION, body=Body.UNION,
             applied_on__lte=last)


def own_cases(*, user: Any) -> QuerySet[Case]:
    return Case.objects.filter(worker=user).select_related("union").order_by("-id")


def cases_of_worker(*, user: Any, id_hash: str = "") -> QuerySet[Case]:
    """Internal (no viewer: the worker's own 我的数据): the cases the account filed, and those a
    union entered for the person of `id_hash` (the account's proven person, members.mydata)."""
    match = Q(worker=user)
    if id_hash:
        match |= Q(worker_id_hash=id_hash)
    return Case.objects.filter(match).select_related("union").order_by("id")


def lawyer_list(*, viewer: Any, q: str = "", active_only: bool = False) -> QuerySet[Lawyer]:
    rows = scope(Lawyer.objects.select_related("org"), viewer, READ, path_field="org_path")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(firm__icontains=q))
    if active_only:
        rows = rows.filter(active=True)
    return rows


def lawyers_for(case: Case) -> QuerySet[Lawyer]:
    """Registered lawyers of the case's union or any union above it (internal: no viewer)."""
    ancestors = [case.union_path[:i] for i in range(4, len(case.union_path) + 1, 4)]
    return Lawyer.objects.filter(active=True, org_path__in=ancestors)


def employer_list(*, viewer: Any, q: str = "") -> QuerySet[Employer]:
    rows = scope(Employer.objects.select_related("area"), viewer, READ, path_field="area__path")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc=q.strip().upper()))
    return rows.order_by("name", "id")


def letter_list(*, viewer: Any, q: str = "", kind: str = "", status: str = "",
                overdue: bool = False) -> QuerySet[Letter]:
    rows = scope(Letter.objects.select_related("org", "employer"), viewer, READ,
                 path_field="org_path")
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(employer__name__icontains=q))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status=LetterStatus.ISSUED, reply_due__lt=clock.today())
    return rows


def contract_list(*, viewer: Any, q: str = "", kind: str = "", status: str = "",
                  renewal: bool = False) -> QuerySet[Contract]:
    rows = scope(Contract.objects.select_related("org"), viewer, READ, path_field="org_path")
    if q:
        rows = rows.filter(title__icontains=q)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if renewal:
        rows = rows.filter(renewal_q(clock.today()))
    return rows.annotate(employers=Count("coverage")).order_by("-id")


def in_force_q(today: dt.date) -> Q:
    return Q(status=ContractStatus.FILED, effective_on__lte=today, term_end__gte=today)


def renewal_q(today: dt.date) -> Q:
    """In force and in the last 3 months of the term (Art. 38): term_end - 3 months < today."""
    return in_force_q(today) & Q(term_end__lt=clocks.add_months(today, clocks.RENEWAL_WINDOW_MONTHS)
                                 + dt.timedelta(days=1))


def coverage(*, viewer: Any, within: Org | None = None,
             today: dt.date | None = None) -> dict[str, int]:
    """Employers and workers covered by contracts in force: each employer counted once, however
    many contracts (its own, a regional one, an industry one) cover it."""
    today = today or clock.today()
    contracts = scope(Contract.objects.filter(in_force_q(today)), viewer, READ,
                      path_field="org_path")
    if within is not None:
        contracts = contracts.filter(org_path__startswith=within.path)
    employer_ids = (Coverage.objects.filter(contract__in=contracts)
                    .values("employer_id").distinct())
    totals = Employer.objects.filter(pk__in=employer_ids).aggregate(
        employers=Count("pk"), workers=Sum("employees_count"))
    return {"contracts": contracts.count(), "employers": totals["employers"] or 0,
            "workers": totals["workers"] or 0}


def congress_list(*, viewer: Any, q: str = "", lapsed: bool = False) -> QuerySet[Congress]:
    rows = scope(Congress.objects.select_related("employer", "org"), viewer, READ,
                 path_field="org_path")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(employer__name__icontains=q))
    if lapsed:
        rows = rows.filter(lapsed_q(clock.today()))
    return rows.annotate(delegate_count=Count("delegates", filter=Q(delegates__active=True))
                         ).order_by("-id")


def lapsed_q(today: dt.date) -> Q:
    """No session within the last 12 months (企业民主管理规定: at least once a year)."""
    since = clocks.add_months(today, -clocks.CONGRESS_SESSION_MONTHS)
    return Q(last_session_on__isnull=True) | Q(last_session_on__lt=since)


def risk_list(*, viewer: Any, level: str = "", q: str = "",
              within: Org | None = None) -> QuerySet[EmployerRisk]:
    rows = scope(EmployerRisk.objects.select_related("employer"), viewer, READ,
                 path_field="area_path")
    if level:
        rows = rows.filter(level=level)
    if q:
        rows = rows.filter(employer__name__icontains=q)
    if within is not None:
        rows = rows.filter(area_path__startswith=within.path)
    return rows.order_by("-score", "employer_id")


def signal_list(*, viewer: Any, employer: Employer | None = None) -> QuerySet[RiskSignal]:
    rows = scope(RiskSignal.objects.select_related("employer"), viewer, READ,
                 path_field="area_path")
    if employer is not None:
        rows = rows.filter(employer=employer)
    return rows


def alert_list(*, viewer: Any, status: str = "", level: str = "",
               open_only: bool = False) -> QuerySet[RiskAlert]:
    rows = scope(RiskAlert.objects.select_related("employer"), viewer, READ,
                 path_field="area_path")
    if status:
        rows = rows.filter(status=status)
    if open_only:
        rows = rows.exclude(status="closed")
    if level:
        rows = rows.filter(level=level)
    return rows


def risk_home_area(viewer: Any) -> Org | None:
    """The area a risk map opens on: the top of the viewer's first readable subtree."""
    paths = prefixes(viewer, READ)
    return Org.objects.filter(path=paths[0]).first() if paths else None


def risk_map(*, viewer: Any, within: Org) -> list[dict[str, Any]]:
    """The district risk map: employers by level, counted per area one level below `within`
    (a district's streets; the city's districts), plus `within` itself for employers filed
    directly there. Two queries whatever the number of employers: one aggregate over the
    (area_path, level) index, one for the areas' names."""
    cut = len(within.path) + within.steplen
    counts: dict[str, dict[str, int]] = {}
    rows = (scope(EmployerRisk.objects.filter(area_path__startswith=within.path), viewer, READ,
                  path_field="area_path")
            .annotate(area=Substr("area_path", 1, cut)).values("area", "level")
            .annotate(n=Count("pk")).order_by())
    for r in rows:
        counts.setdefault(r["area"], {})[r["level"]] = r["n"]
    areas = list(Org.objects.filter(Q(path=within.path) | Q(path__startswith=within.path,
                                                             depth=within.depth + 1))
                 .order_by("path").only("pk", "code", "name", "short_name", "path"))
    out = []
    for org in areas:
        by_level = counts.get(org.path, {})
        if org.path == within.path and not by_level:
            continue  # the district itself only when employers are filed directly there
        total = sum(by_level.values())
        hot = by_level.get(Level.ORANGE, 0) + by_level.get(Level.RED, 0)
        out.append({
            "code": org.code, "name": org.short_name or org.name, "own": org.path == within.path,
            "levels": [(lv.value, by_level.get(lv.value, 0)) for lv in Level],
            "total": total, "hot": hot,
            # share of employers at orange or red, in tenths of a percent (integers only)
            "hot_permille": (1000 * hot) // total if total else 0,
            "hot_pct": f"{((1000 * hot) // total if total else 0) / 10:.1f}"})
    return out
