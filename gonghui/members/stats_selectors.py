"""Reads of the member registry for the statistics app (stats reads members only through
these and `selectors.member_stats`). Internal use: the caller checked that the viewer may read
`org`'s figures (stats.read over it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.db.models.functions import Substr

from gonghui.members.models import (
    HELD_STATUSES,
    Membership,
    MembershipStatus,
    OrgMemberMonth,
    OrgMemberStats,
)
from gonghui.members.seniority import years_ago

# Age bands of the yearly report (years completed on the day of the figures).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("≤35", 0, 35), ("36-45", 36, 45), ("46-54", 46, 54), ("≥55", 55, 200))


def counter_totals(*, org_path: str) -> dict[str, int]:
    """Active, retired and new-employment members of the subtree from the per-union counters."""
    row = OrgMemberStats.objects.filter(org_path__startswith=org_path).aggregate(
        active=Sum("active"), retired=Sum("retired"), new_employment=Sum("new_employment"))
    return {k: int(v or 0) for k, v in row.items()}


def held_breakdown(*, org_path: str, today: dt.date) -> dict[str, Any]:
    """Members holding 会籍 in the subtree, by status, gender, age band, education, employment
    form and new-employment group (one grouped query each over the subtree's memberships)."""
    held = Membership.objects.filter(union_path__startswith=org_path, status__in=HELD_STATUSES)
    out: dict[str, Any] = {}
    active = held.filter(status=MembershipStatus.ACTIVE)
    # the eight groups count working members, like the new-employment counter (stats_delta)
    for key, field, rows_of in (("status", "status", held), ("gender", "person__gender", held),
                                ("education", "person__education", held),
                                ("employment_form", "person__employment_form", held),
                                ("new_employment_group", "person__new_employment_group", active)):
        rows = rows_of.values(field).annotate(n=Count("id")).order_by(field)
        out[key] = {row[field] or "": row["n"] for row in rows}
    bands: dict[str, Any] = {}
    for label, low, high in AGE_BANDS:
        # born after (today - high - 1 years) and on or before (today - low years)
        bands[label] = Count("id", filter=Q(person__birth_date__lte=years_ago(today, low),
                                            person__birth_date__gt=years_ago(today, high + 1)))
    out["age_band"] = active.aggregate(**bands)
    return out


def held_breakdown_by_prefix(*, prefix_len: int, today: dt.date) -> dict[str, dict[str, Any]]:
    """`held_breakdown` of every path prefix of `prefix_len` characters at once, in ONE grouped
    scan of the held memberships (the stats refresh of the big subtrees). A union above that
    depth keeps its own, shorter path as its prefix."""
    band = Case(*[When(person__birth_date__lte=years_ago(today, low),
                       person__birth_date__gt=years_ago(today, high + 1), then=Value(label))
                  for label, low, high in AGE_BANDS], default=Value(""), output_field=CharField())
    fields = ("status", "person__gender", "person__education", "person__employment_form",
              "person__new_employment_group")
    rows = (Membership.objects.filter(status__in=HELD_STATUSES)
            .annotate(prefix=Substr("union_path", 1, prefix_len), band=band)
            .values("prefix", "band", *fields).annotate(n=Count("id")).order_by())
    keys = ("status", "gender", "education", "employment_form", "new_employment_group")
    out: dict[str, dict[str, Any]] = {}
    for row in rows.iterator(chunk_size=10_000):
        b = out.setdefault(row["prefix"], {**{k: {} for k in keys},
                                           "age_band": {label: 0 for label, _l, _h in AGE_BANDS}})
        working = row["status"] == MembershipStatus.ACTIVE
        for key, field in zip(keys, fields, strict=True):
            if key == "new_employment_group" and not working:
                continue
            value = row[field] or ""
            b[key][value] = b[key].get(value, 0) + row["n"]
        if working and row["band"]:
            b["age_band"][row["band"]] += row["n"]
    return out


def monthly_flows(*, org_path: str, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, int]]:
    """Joins, exits and transfers of the subtree per month (first days), from the month
    counters as they stand now."""
    rows = (OrgMemberMonth.objects.filter(org_path__startswith=org_path, month__gte=first,
                                          month__lte=last)
            .values("month").annotate(joins=Sum("joins"), exits=Sum("exits"),
                                      transfers_in=Sum("transfers_in"),
                                      transfers_out=Sum("transfers_out")).order_by("month"))
    return {row["month"]: {k: int(row[k] or 0) for k in ("joins", "exits", "transfers_in",
                                                         "transfers_out")} for row in rows}


def per_org_counters(*, org_path: str, month: dt.date) -> list[dict[str, Any]]:
    """One row per union of the subtree with its own counters and its joins/exits of `month`
    (the monthly snapshot's input)."""
    totals: dict[int, dict[str, Any]] = {row["org_id"]: dict(row) for row in OrgMemberStats.objects.filter(
        org_path__startswith=org_path).values("org_id", "org_path", "active", "retired",
                                              "new_employment")}
    for row in OrgMemberMonth.objects.filter(org_path__startswith=org_path, month=month).values(
            "org_id", "org_path", "joins", "exits", "transfers_in", "transfers_out"):
        target = totals.setdefault(row["org_id"], {"org_id": row["org_id"],
                                                   "org_path": row["org_path"], "active": 0,
                                                   "retired": 0, "new_employment": 0})
        target.update(joins=row["joins"], exits=row["exits"])
    return list(totals.values())


def counters_by_child(*, org_path: str, child_len: int) -> dict[str, dict[str, int]]:
    """The counters of the subtree grouped by the first `child_len` characters of the path
    (each child's subtree; the org's own members under its own path)."""
    rows = (OrgMemberStats.objects.filter(org_path__startswith=org_path)
            .annotate(key=Substr("org_path", 1, child_len)).values("key")
            .annotate(active=Sum("active"), retired=Sum("retired"),
                      new_employment=Sum("new_employment")).order_by("key"))
    return {row["key"]: {k: int(row[k] or 0) for k in ("active", "retired", "new_employment")}
            for row in rows}


def counters_by_industry(*, org_path: str) -> dict[str, int]:
    """Active members of the subtree by their union's industry (入会率 by industry)."""
    rows = (OrgMemberStats.objects.filter(org_path__startswith=org_path)
            .values("org__industry").annotate(active=Sum("active")).order_by())
    return {row["org__industry"] or "": int(row["active"] or 0) for row in rows}
