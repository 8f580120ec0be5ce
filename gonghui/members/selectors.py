"""Reads of the member registry. Every function that takes `viewer` scopes through
accounts.scoping.scope; the others are for internal use and say so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from gonghui.members.models import OrgMemberMonth, OrgMemberStats
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class MemberStats:
    active: int
    retired: int
    new_employment: int
    joins: int
    exits: int
    transfers_in: int
    transfers_out: int


def member_stats(*, org: Org, today: dt.date) -> MemberStats:
    """Counters of `org`'s subtree (the caller checked the viewer may see `org`): two index-range
    sums over the per-union counter tables, never a scan of member rows."""
    totals = OrgMemberStats.objects.filter(org_path__startswith=org.path).aggregate(
        active=Sum("active"), retired=Sum("retired"), new_employment=Sum("new_employment"))
    month = OrgMemberMonth.objects.filter(
        month=today.replace(day=1), org_path__startswith=org.path
    ).aggregate(joins=Sum("joins"), exits=Sum("exits"), transfers_in=Sum("transfers_in"),
                transfers_out=Sum("transfers_out"))
    return MemberStats(**{k: v or 0 for k, v in (totals | month).items()})
