"""Reads of the member registry. Every function that takes `viewer` scopes through
accounts.scoping.scope; the others are for internal use and say so."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.members import seniority
from gonghui.members.choices import Gender
from gonghui.members.models import (
    HELD_STATUSES,
    Application,
    Membership,
    MembershipEvent,
    OrgMemberMonth,
    OrgMemberStats,
    Person,
    Transfer,
)
from gonghui.members.seniority import years_ago
from gonghui.members.stats_selectors import AGE_BANDS
from gonghui.members.validation import id_hash_of
from gonghui.orgs.models import MEMBER_HOLDING_TYPES, Employer, Org, OrgStatus, OrgType

# Unions that take workers whose employer has no union (两非一无) and new-employment workers.
AREA_TYPES = (OrgType.STREET, OrgType.TOWN, OrgType.PARK, OrgType.INDUSTRY, OrgType.JOINT,
              OrgType.TRADE_FEDERATION)


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


# --- member lists ----------------------------------------------------------------------------

def _kind_of_query(q: str) -> str:
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", q)).upper()
    if re.fullmatch(r"\d{17}[\dX]", compact) or re.fullmatch(r"\d(\.\d+)?E\+?\d+", compact):
        return "id"
    if re.fullmatch(r"(\+?86)?1[3-9]\d{9}", compact):
        return "phone"
    if re.fullmatch(r"\d{12,20}", compact):
        return "card"
    return "name"


def age_bands() -> list[tuple[str, str]]:
    """The member list's age filter: the yearly report's bands (stats_selectors.AGE_BANDS)."""
    return [(label, label) for label, _low, _high in AGE_BANDS]


def seniority_bands() -> list[tuple[str, str]]:
    """The member list's 会龄 filter: the bands the lists and exports show (seniority.BANDS)."""
    return [(f"{low}-{'' if high is None else high}",
             seniority.band_of(low)) for low, high in seniority.BANDS]


def _completed_years_q(field: str, low: int, high: int | None, today: dt.date) -> Q:
    """Rows whose `field` date lies `low` or more, and less than `high`, completed years before
    `today` (the arithmetic of seniority.full_years, as date bounds an index can use)."""
    condition = Q(**{f"{field}__lte": years_ago(today, low)})
    if high is not None:
        condition &= Q(**{f"{field}__gt": years_ago(today, high)})
    return condition


def _band_filter(age: str, seniority_band: str, today: dt.date) -> Q:
    condition = Q()
    if age:
        bands = {label: (low, high) for label, low, high in AGE_BANDS}
        if age not in bands:
            raise ApplicationError(_("年龄段“{v}”不在可选范围内。").format(v=age), code="bad_filter")
        low, high = bands[age]
        condition &= _completed_years_q("person__birth_date", low, high + 1, today)
    if seniority_band:
        keys = {key: key for key, _label in seniority_bands()}
        if seniority_band not in keys:
            raise ApplicationError(_("会龄段“{v}”不在可选范围内。").format(v=seniority_band),
                                   code="bad_filter")
        low_text, high_text = seniority_band.split("-")
        condition &= _completed_years_q("seniority_since", int(low_text),
                                        int(high_text) if high_text else None, today)
    return condition


def member_list(
    *, viewer: Any, q: str = "", status: str = "", within: Org | None = None,
    new_employment: str = "", flagged: bool = False, today: dt.date | None = None,
    gender: str = "", age: str = "", seniority: str = "",
) -> QuerySet[Membership]:
    """Memberships the viewer may read (member.read over the union's subtree).

    `q` is an exact ID number (through the blind index: the plaintext is never compared), a
    mobile number, a card number, or the beginning of a name. `status` "" means the members
    holding 会籍 (active and retired), "all" every membership, else one status. `gender` is M
    or F; `age` one of `age_bands()` (years completed today), `seniority` one of
    `seniority_bands()` (会龄 in completed years from seniority_since)."""
    today = today or clock.today()
    queryset = scope(Membership.objects.all(), viewer, Capability.MEMBER_READ, path_field="union_path")
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    if status == "all":
        pass
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=HELD_STATUSES)
    q = (q or "").strip()
    if q:
        kind = _kind_of_query(q)
        if kind == "id":
            digest = id_hash_of(q, today=today)
            queryset = queryset.filter(person__id_hash=digest) if digest else queryset.none()
        elif kind == "phone":
            queryset = queryset.filter(person__phone=q.replace(" ", "").replace("-", "")[-11:])
        elif kind == "card":
            queryset = queryset.filter(card_number=q)
        else:
            queryset = queryset.filter(person__name__startswith=q)
    if new_employment == "any":
        queryset = queryset.exclude(person__new_employment_group="")
    elif new_employment:
        queryset = queryset.filter(person__new_employment_group=new_employment)
    if flagged:
        queryset = queryset.filter(lapse_flagged_on__isnull=False, status="active")
    if gender:
        if gender not in Gender.values:
            raise ApplicationError(_("性别只能是 M（男）或 F（女）。"), code="bad_filter")
        queryset = queryset.filter(person__gender=gender)
    queryset = queryset.filter(_band_filter(age, seniority, today))
    return queryset.select_related("person", "union").order_by("union_path", "id")


def member_list_count(
    *, viewer: Any, within: Org | None, status: str = "", **filters: Any
) -> int | None:
    """The count of an unfiltered list of members holding 会籍, from the counters (no member row
    read); None when filters need a real count."""
    if status or any(filters.values()):
        return None
    if within is not None:
        paths = [within.path]
    elif is_global(viewer):
        paths = [""]
    else:
        paths = prefixes(viewer, Capability.MEMBER_READ)
    if not paths:
        return 0
    condition = Q()
    for path in paths:
        condition |= Q(org_path__startswith=path)
    row = OrgMemberStats.objects.filter(condition).aggregate(n=Sum(F("active") + F("retired")))
    return row["n"] or 0


def membership_history(*, viewer: Any, membership: Membership) -> QuerySet[MembershipEvent]:
    """Events of this person's memberships that the viewer may read: after a transfer each side
    sees its own part (the transfer events name the other union), never the other district's
    later changes."""
    visible = scope(Membership.objects.filter(person_id=membership.person_id), viewer,
                    Capability.MEMBER_READ, path_field="union_path").values("pk")
    return MembershipEvent.objects.filter(membership__in=visible) \
        .select_related("union", "other_union").order_by("at", "id")


def person_memberships(*, viewer: Any, membership: Membership) -> QuerySet[Membership]:
    return scope(Membership.objects.filter(person_id=membership.person_id), viewer,
                 Capability.MEMBER_READ, path_field="union_path").select_related("union") \
        .order_by("joined_on", "id")


# --- applications and transfers --------------------------------------------------------------

def application_list(
    *, viewer: Any, status: str = "submitted", q: str = "", within: Org | None = None
) -> QuerySet[Application]:
    queryset = scope(Application.objects.all(), viewer, Capability.MEMBER_READ, path_field="union__path")
    if within is not None:
        queryset = queryset.filter(union__path__startswith=within.path)
    if status:
        queryset = queryset.filter(status=status)
    q = (q or "").strip()
    if q:
        if _kind_of_query(q) == "id":
            digest = id_hash_of(q, today=clock.today())
            queryset = queryset.filter(person__id_hash=digest) if digest else queryset.none()
        elif _kind_of_query(q) == "phone":
            queryset = queryset.filter(person__phone=q[-11:])
        else:
            queryset = queryset.filter(person__name__startswith=q)
    return queryset.select_related("person", "union").order_by("created_at", "id")


def transfer_list(
    *, viewer: Any, direction: str = "in", status: str = "pending", q: str = ""
) -> QuerySet[Transfer]:
    """Transfers into (`in`) or out of (`out`) the viewer's subtrees."""
    field = "to_union__path" if direction == "in" else "from_union__path"
    queryset = scope(Transfer.objects.all(), viewer, Capability.MEMBER_READ, path_field=field)
    if status:
        queryset = queryset.filter(status=status)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(person__name__startswith=q)
    return queryset.select_related("person", "from_union", "to_union", "membership") \
        .order_by("-created_at", "-id")


def lapse_watch(*, viewer: Any, within: Org | None = None) -> QuerySet[Membership]:
    return member_list(viewer=viewer, status="active", within=within, flagged=True) \
        .order_by("lapse_flagged_on", "union_path", "id")


# --- the portal ------------------------------------------------------------------------------

def portal_person(user: Any) -> Person | None:
    """The person linked to a worker's own account (internal: the account is the viewer)."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("member_union").first()


def member_unions(*, q: str = "", kind: str = "", district: str = "") -> QuerySet[Org]:
    """The public directory of unions a worker may apply to (names and codes of active
    member-holding unions are not member data). `kind` "area" keeps the street / town / park /
    industry / joint unions that take workers of employers without a union (两非一无) and
    new-employment workers."""
    queryset = Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=MEMBER_HOLDING_TYPES)
    if kind == "area":
        queryset = queryset.filter(org_type__in=AREA_TYPES)
    if district:
        root = Org.objects.filter(code=district, status=OrgStatus.ACTIVE).first()
        queryset = queryset.filter(path__startswith=root.path) if root else queryset.none()
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(short_name__contains=q)
                                   | Q(code__iexact=q))
    return queryset.order_by("path")


def employer_unions(q: str) -> list[tuple[Employer, Org | None]]:
    """Employers matching `q` with the union a worker there joins: the employer's own union,
    else (两非一无) the street / park union of its area."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    employers = Employer.objects.filter(name__contains=q).select_related("union", "area") \
        .order_by("name")[:20]
    return [(e, e.union if e.union is not None and e.union.is_active else
             (e.area if e.area.is_active and e.area.holds_members else None)) for e in employers]


def districts() -> QuerySet[Org]:
    return Org.objects.filter(level="district", status=OrgStatus.ACTIVE).order_by("path")


def writable_unions(*, viewer: Any, limit: int = 500) -> list[Org]:
    """Active member-holding unions where the viewer may add members (the add form's choices;
    the form offers at most `limit`, the rest are reached by their code)."""
    queryset = scope(Org.objects.filter(status=OrgStatus.ACTIVE,
                                        org_type__in=MEMBER_HOLDING_TYPES),
                     viewer, Capability.MEMBER_WRITE).order_by("path")
    return list(queryset[:limit])


def held_membership(person: Person | None) -> Membership | None:
    """Internal use (the portal's own member): the membership holding the person's 会籍."""
    if person is None:
        return None
    return Membership.objects.filter(person=person, status__in=HELD_STATUSES) \
        .select_related("union").first()


def portal_applications(user: Any, *, limit: int = 10) -> list[Application]:
    """A worker's own latest applications (internal: the account is the viewer)."""
    return list(Application.objects.filter(applicant=user).select_related("union")
                .order_by("-created_at")[:limit])


def portal_transfers(person: Person | None, *, limit: int = 5) -> list[Transfer]:
    """A worker's own latest transfers (internal: the person is the viewer's own)."""
    if person is None:
        return []
    return list(Transfer.objects.filter(person=person).select_related("from_union", "to_union")
                .order_by("-created_at")[:limit])
