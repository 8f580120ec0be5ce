"""Figures of a subtree, read through the modules' own selectors (members.stats_selectors,
orgs.stats_selectors, aid and mutualaid dashboards) and the stored monthly snapshots.
Internal use after the view checked stats.read over `org`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.aid import selectors as aid
from gonghui.core import clock
from gonghui.members import stats_selectors as members
from gonghui.members.choices import Education, EmploymentForm, Gender, NewEmploymentGroup
from gonghui.mutualaid import selectors as mutualaid
from gonghui.orgs import stats_selectors as orgs
from gonghui.orgs.models import Org
from gonghui.stats import panels
from gonghui.stats.models import MonthlySnapshot, ReportJob, SubtreeBreakdown

TREND_MONTHS = 24


def rate(part: int, whole: int) -> float | None:
    """A percentage to one decimal, None for an empty denominator."""
    return round(100 * part / whole, 1) if whole else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def coverage(org: Org) -> dict[str, Any]:
    """建会率 and 入会率 of the subtree: covered employers / employers; active members /
    employees of the subtree's employers."""
    totals = members.counter_totals(org_path=org.path)
    groups = orgs.employer_groups(org=org, by="child")
    employers = sum(g["employers"] for g in groups.values())
    covered = sum(g["covered"] for g in groups.values())
    employees = sum(g["employees"] for g in groups.values())
    return {"employers": employers, "covered": covered, "employees": employees,
            "members": totals["active"], "coverage_rate": rate(covered, employers),
            "membership_rate": rate(totals["active"], employees)}


def coverage_by_child(org: Org) -> list[dict[str, Any]]:
    """The drill-down rows: each active child's subtree (and the org's own area as "本级")."""
    cut = len(org.path) + Org.steplen
    employers = orgs.employer_groups(org=org, by="child")
    counters = members.counters_by_child(org_path=org.path, child_len=cut)
    rows = []
    for child in orgs.children(org):  # one query; reused below through `seen`
        e = employers.get(child.path, {})
        m = counters.get(child.path, {})
        rows.append(_coverage_row(child.name, child.code, e, m, drill=True))
    own = org.path
    if any(employers.get(own, {}).values()) or any(counters.get(own, {}).values()):
        rows.append(_coverage_row(org.name + _("（本级）"), org.code, employers.get(own, {}),
                                  counters.get(own, {}), drill=False))
    # figures still kept under closed (merged / dissolved) children: one line, so that the
    # lines add up to the subtree's totals
    seen = {c.path for c in orgs.children(org)} | {own}
    rest_e: dict[str, int] = {}
    rest_m: dict[str, int] = {}
    for path, e in employers.items():
        if path not in seen:
            for k, v in e.items():
                rest_e[k] = rest_e.get(k, 0) + v
    for path, m in counters.items():
        if path not in seen:
            for k, v in m.items():
                rest_m[k] = rest_m.get(k, 0) + v
    if any(rest_e.values()) or any(rest_m.values()):
        rows.append(_coverage_row(_("已撤并的下级组织"), "", rest_e, rest_m, drill=False))
    return rows


def _coverage_row(name: str, code: str, e: dict[str, int], m: dict[str, int], *,
                  drill: bool) -> dict[str, Any]:
    employers, covered, employees = e.get("employers", 0), e.get("covered", 0), e.get("employees", 0)
    active = m.get("active", 0)
    return {"name": name, "code": code, "drill": drill, "active": active,
            "retired": m.get("retired", 0), "new_employment": m.get("new_employment", 0),
            "employers": employers, "covered": covered, "employees": employees,
            "coverage_rate": rate(covered, employers), "membership_rate": rate(active, employees)}


def coverage_by_industry(org: Org) -> list[dict[str, Any]]:
    """Employers and coverage by industry; members by their union's industry."""
    employers = orgs.employer_groups(org=org, by="industry")
    members_by = members.counters_by_industry(org_path=org.path)
    rows = []
    for industry in sorted(set(employers) | set(members_by)):
        e = employers.get(industry, {})
        row = _coverage_row(industry or _("（未填）"), "", e, {"active": members_by.get(industry, 0)},
                            drill=False)
        rows.append(row)
    return rows


def trend(org: Org, *, today: dt.date, months: int = TREND_MONTHS) -> list[dict[str, Any]]:
    """The last `months` months: a stored month sums its snapshot rows under the org's path
    (exact after later moves); a month without a snapshot shows the live month counters (and
    no member total), the current month the live figures."""
    current = month_start(today)
    first = add_months(current, -(months - 1))
    stored = {row["month"]: row for row in (
        MonthlySnapshot.objects.filter(org_path__startswith=org.path, month__gte=first,
                                       month__lt=current)
        .values("month").annotate(active=Sum("active"), retired=Sum("retired"),
                                  joins=Sum("joins"), exits=Sum("exits"),
                                  employers=Sum("employers"),
                                  covered=Sum("covered_employers")).order_by("month"))}
    live = members.monthly_flows(org_path=org.path, first=first, last=current)
    totals = members.counter_totals(org_path=org.path)
    out = []
    for i in range(months):
        month = add_months(first, i)
        if month in stored:
            s = stored[month]
            out.append({"month": month, "source": "snapshot", "active": int(s["active"] or 0),
                        "retired": int(s["retired"] or 0), "joins": int(s["joins"] or 0),
                        "exits": int(s["exits"] or 0)})
        else:
            flows = live.get(month, {})
            is_current = month == current
            out.append({"month": month, "source": "live" if is_current else "counters",
                        "active": totals["active"] if is_current else None,
                        "retired": totals["retired"] if is_current else None,
                        "joins": flows.get("joins", 0), "exits": flows.get("exits", 0)})
    return out


def _labelled(counts: dict[str, int], choices: Any) -> list[dict[str, Any]]:
    labels = dict(choices)
    return [{"key": k, "name": str(labels.get(k, k or "（未填）")), "value": n}
            for k, n in counts.items()]


def member_panel(org: Org, *, today: dt.date) -> dict[str, Any]:
    """The subtree's member totals (live counters) and breakdowns: stored for a big subtree
    (city, district, street: `gonghui stats breakdowns`, "as of" its day), live for the rest."""
    totals = members.counter_totals(org_path=org.path)
    stored = SubtreeBreakdown.objects.filter(org_path=org.path, org_id=org.pk).first()
    if stored is not None:
        breakdown, as_of = stored.data, stored.as_of
    else:
        breakdown, as_of = members.held_breakdown(org_path=org.path, today=today), today
    groups = {k: v for k, v in breakdown["new_employment_group"].items() if k}
    return {
        **totals, "breakdown_as_of": as_of, "breakdown_stored": stored is not None,
        "gender": _labelled(breakdown["gender"], Gender.choices),
        "education": _labelled(breakdown["education"], Education.choices),
        "employment_form": _labelled(breakdown["employment_form"], EmploymentForm.choices),
        "new_employment_group": _labelled(groups, NewEmploymentGroup.choices),
        "age_band": [{"key": k, "name": k, "value": int(n)} for k, n in breakdown["age_band"].items()],
    }


def dashboard(org: Org, *, viewer: Any, today: dt.date | None = None) -> dict[str, Any]:
    """Every panel of the dashboard for `org`'s subtree, as of `today`."""
    today = today or clock.today()
    aid_data = aid.dashboard(org=org, viewer=viewer, year=today.year)
    ma = mutualaid.dashboard(org=org, plan_year=today.year)
    return {
        "org": org, "as_of": today,
        "members": member_panel(org, today=today),
        "coverage": coverage(org),
        "children": coverage_by_child(org),
        "industries": coverage_by_industry(org),
        "trend": trend(org, today=today),
        "orgs": orgs.org_counts(org=org),
        "aid": {"active": aid_data["active"], "exits": aid_data["exits"],
                "overdue_reviews": aid_data["overdue_reviews"],
                "paid": str(sum((total or 0 for _n, total, _c in aid_data["money"]), 0)),
                "assistance_count": sum(c for _n, _t, c in aid_data["money"])},
        "mutualaid": {"enrolled": ma["totals"]["enrolled"], "payouts": ma["totals"]["payouts"],
                      "paid_count": ma["totals"]["paid_count"],
                      "paid_amount": str(ma["totals"]["paid_amount"]),
                      "failed_count": ma["totals"]["failed_count"]},
        "funds": panels.funds_panel(org, viewer=viewer, year=today.year),
        "dues": panels.dues_panel(org, viewer=viewer, year=today.year),
        "workplan": panels.workplan_panel(org, viewer=viewer, year=today.year, today=today),
    }


def report_list(*, viewer: Any) -> Any:
    """Report jobs of the viewer's stats.read subtrees, newest first."""
    return scope(ReportJob.objects.select_related("org"), viewer, Capability.STATS_READ,
                 path_field="org_path").order_by("-created_at", "-id")


def stats_roots(user: Any) -> list[Org]:
    """The tops of the user's stats.read subtrees."""
    if is_global(user):
        return list(Org.objects.filter(depth=1).order_by("path"))
    paths = prefixes(user, Capability.STATS_READ)
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []
