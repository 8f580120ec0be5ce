"""The only way to reach outreach objects, and the answer to "may this actor do that".

Cadres: outreach.read over an object's org sees it, outreach.write changes it (404 outside the
subtrees, 403 visible but read-only — `accounts.gates.require_capability`). Members (a worker's
account with a held membership): the public fields of public stations, the activities and
announcements addressed to their union's subtree (and their group), their own sign-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.errors import Conflict, NotFound
from gonghui.members.choices import Gender
from gonghui.members.selectors import held_membership, portal_person
from gonghui.orgs.models import Org, OrgStatus
from gonghui.outreach.models import (
    Activity,
    Announcement,
    Course,
    Group,
    Project,
    Receipt,
    Signup,
    Station,
    StationPhoto,
    StationStatus,
)

READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


@dataclass(frozen=True)
class MemberContext:
    """A worker's own membership as outreach needs it."""

    membership_id: int
    union_path: str
    name: str
    groups: frozenset[str]

    def ancestor_paths(self) -> list[str]:
        """Paths of the union and every federation above it (4 characters per level)."""
        return [self.union_path[:i] for i in range(4, len(self.union_path) + 1, 4)]


def member_context(user: Any) -> MemberContext | None:
    cached: MemberContext | bool | None = getattr(user, "_gh_outreach_member", False)
    if cached is not False:
        return cached if isinstance(cached, MemberContext) else None
    person = portal_person(user)
    membership = held_membership(person)
    context = None
    if person is not None and membership is not None:
        groups = set()
        if person.new_employment_group:
            groups.add(Group.NEW_EMPLOYMENT.value)
        if person.gender == Gender.FEMALE:
            groups.add(Group.WOMEN.value)
        context = MemberContext(membership_id=membership.pk, union_path=membership.union_path,
                                name=person.name, groups=frozenset(groups))
    if user is not None:
        user._gh_outreach_member = context
    return context


def require_member(user: Any) -> MemberContext:
    context = member_context(user)
    if context is None:
        raise NotFound()
    return context


def access_org(user: Any, code_or_pk: str | int, *, write: bool = True) -> Org:
    """An active org the user may act for (404 outside, 403 read-only)."""
    org = Org.objects.filter(code=str(code_or_pk)).first()
    if org is None and str(code_or_pk).isdigit():
        org = Org.objects.filter(pk=int(code_or_pk)).first()
    if org is None:
        raise NotFound()
    require_capability(user, WRITE if write else READ, org)
    if org.status != OrgStatus.ACTIVE and write:
        raise Conflict(_("该组织已合并或撤销，不能再发布新的内容。"))
    return org


def writable_orgs(user: Any, *, limit: int = 300) -> list[Org]:
    return list(scope(Org.objects.filter(status=OrgStatus.ACTIVE), user, WRITE)
                .order_by("path")[:limit])


def _get(queryset: QuerySet[Any], user: Any, pk: Any, *, write: bool) -> Any:
    obj = scope(queryset, user, READ, path_field="org_path").filter(pk=_pk(pk)).first()
    if obj is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, obj.org)
    return obj


def access_station(user: Any, pk: Any, *, write: bool = False) -> Station:
    result: Station = _get(Station.objects.select_related("org"), user, pk, write=write)
    return result


def access_station_photo(user: Any, station_pk: Any, photo_pk: Any) -> StationPhoto:
    """A photo of a public station that is not removed is one of its public fields: any
    signed-in user sees it (the portal's station cards); any other photo only the station's
    readers (404 otherwise, as everywhere)."""
    photo = (StationPhoto.objects.select_related("station", "station__org")
             .filter(pk=_pk(photo_pk), station_id=_pk(station_pk)).first())
    if photo is None:
        raise NotFound()
    station = photo.station
    if not (station.public and station.status != StationStatus.REMOVED):
        access_station(user, station.pk)
    return photo


def access_activity(user: Any, pk: Any, *, write: bool = False) -> Activity:
    result: Activity = _get(Activity.objects.select_related("org"), user, pk, write=write)
    return result


def access_announcement(user: Any, pk: Any, *, write: bool = False) -> Announcement:
    result: Announcement = _get(Announcement.objects.select_related("org"), user, pk, write=write)
    return result


def access_project(user: Any, pk: Any, *, write: bool = False) -> Project:
    result: Project = _get(Project.objects.select_related("org"), user, pk, write=write)
    return result


def access_course(user: Any, pk: Any, *, write: bool = False) -> Course:
    result: Course = _get(Course.objects.select_related("org"), user, pk, write=write)
    return result


def member_activity(user: Any, pk: Any) -> tuple[Activity, MemberContext]:
    """An activity addressed to the member's union subtree and group (404 otherwise)."""
    context = require_member(user)
    activity = Activity.objects.select_related("org").filter(
        pk=_pk(pk), org_path__in=context.ancestor_paths()).first()
    if activity is None or (activity.group and activity.group not in context.groups):
        raise NotFound()
    return activity, context


def own_signup(user: Any, pk: Any) -> Signup:
    signup = Signup.objects.select_related("activity").filter(
        pk=_pk(pk), user_id=getattr(user, "pk", None) or 0).first()
    if signup is None:
        raise NotFound()
    return signup


def own_receipt(user: Any, announcement_id: Any) -> Receipt:
    """The viewer's copy of an announcement: only recipients reach it (404 for anyone else)."""
    receipt = Receipt.objects.select_related("announcement", "announcement__org").filter(
        announcement_id=_pk(announcement_id), user_id=getattr(user, "pk", None) or 0,
        announcement__status="published").first()
    if receipt is None:
        raise NotFound()
    return receipt


def public_station(pk: Any) -> Station:
    station = Station.objects.filter(pk=_pk(pk), public=True).exclude(status="removed").first()
    if station is None:
        raise NotFound()
    return station


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
