"""自动退会: no dues and no union activity for 6 consecutive months, and still so after the union
tried to reach the member (SPEC §2.2). Three steps, none silent:

1. `lapse_check` (nightly task / `gonghui members lapse-check`) flags such members;
2. a cadre records the contact attempt (`lapse_contact_record`);
3. a cadre confirms the lapse (`lapse_confirm`) — only after a contact was recorded.
Dues or activity at any point (`membership_touch`) clears the flag.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import is_global
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import SYSTEM, Actor, actor_name, actor_user
from gonghui.core.citus import lock_per_shard, shard_key
from gonghui.core.errors import ApplicationError, Forbidden, InvalidTransition
from gonghui.members.models import (
    EventKind,
    LapseContact,
    Membership,
    MembershipEvent,
    MembershipStatus,
)
from gonghui.members.services._common import close_membership, event

LAPSE_MONTHS = 6
BATCH = 2000


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def lapse_candidates(*, today: dt.date) -> QuerySet[Membership]:
    """Internal: active, not yet flagged, nothing since the cutoff (joined, dues, activity)."""
    cutoff = months_before(today, LAPSE_MONTHS)
    return Membership.objects.filter(
        Q(last_dues_on__isnull=True) | Q(last_dues_on__lt=cutoff),
        Q(last_activity_on__isnull=True) | Q(last_activity_on__lt=cutoff),
        status=MembershipStatus.ACTIVE, lapse_flagged_on__isnull=True, joined_on__lt=cutoff,
    )


def lapse_check(*, today: dt.date | None = None, actor: Actor = SYSTEM) -> int:
    """Flag every candidate (in batches, each its own transaction). Returns how many.

    The whole federation at once: the platform's nightly task or an operator (a system actor),
    or a superuser — never a cadre, whose rights end at their subtree."""
    if not is_global(actor):
        raise Forbidden()
    today = today or clock.today()
    flagged = 0
    while True:
        with transaction.atomic():
            # claimed shard by shard on Citus: SKIP LOCKED stays on one shard, one statement
            # per shard (not per union) until the batch is full
            ids = [(m.pk, m.union_id, m.union_path) for m in lock_per_shard(
                lapse_candidates(today=today).order_by("pk").only("union_id", "union_path"),
                limit=BATCH, skip_locked=True)]
            if not ids:
                break
            Membership.objects.filter(pk__in=[i for i, _u, _p in ids]).update(
                lapse_flagged_on=today
            )
            now = clock.now()
            reason = _("连续 {n} 个月未缴纳会费且未参加工会活动，请联系本人核实。").format(n=LAPSE_MONTHS)
            MembershipEvent.objects.bulk_create([
                MembershipEvent(membership_id=pk, union_id=union_id, kind=EventKind.LAPSE_FLAG,
                                actor=actor_user(actor), actor_name=actor_name(actor), at=now,
                                reason=reason)
                for pk, union_id, _p in ids
            ])
            for pk, _u, path in ids:
                audit_record(actor=actor, action="member.lapse_flag",
                             object_type="members.membership", object_id=str(pk),
                             object_repr=str(pk), org_path=path,
                             after={"lapse_flagged_on": today})
            flagged += len(ids)
    return flagged


def _require_flagged(membership: Membership, actor: Actor) -> None:
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    if membership.status != MembershipStatus.ACTIVE or membership.lapse_flagged_on is None:
        raise ApplicationError(_("该会员没有自动退会预警。"), code="not_flagged")


def lapse_contact_record(
    *, membership: Membership, actor: Actor, method: str, outcome: str, note: str = ""
) -> LapseContact:
    """Record an attempt to reach a flagged member. "Will stay" clears the flag (it counts as
    union activity today)."""
    method = (method or "").strip()
    if not method:
        raise ApplicationError(_("请填写联系方式（电话、上门、短信等）。"), code="method_required")
    if outcome not in LapseContact.Outcome.values:
        raise ApplicationError(_("请选择联系结果。"), code="outcome_invalid")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("union", "person") \
            .get(pk=membership.pk, **shard_key(membership))
        _require_flagged(locked, actor)
        contact = LapseContact.objects.create(
            membership=locked, union_id=locked.union_id, at=clock.now(), method=method[:32],
            outcome=outcome, note=note[:500], actor=actor_user(actor),
        )
        label = LapseContact.Outcome(outcome).label
        event(locked, EventKind.LAPSE_CONTACT, actor=actor,
              reason=f"{method}：{label}" + (f"（{note}）" if note else ""))
        if outcome == LapseContact.Outcome.WILL_STAY:
            Membership.objects.filter(pk=locked.pk).update(
                lapse_flagged_on=None, last_activity_on=clock.today()
            )
            event(locked, EventKind.LAPSE_CLEAR, actor=actor, reason=_("本人表示继续参加工会。"))
        audit_record(actor=actor, action="member.lapse_contact", obj=locked,
                     org_path=locked.union.path,
                     after={"method": method, "outcome": outcome, "note": note})
    return contact


def lapse_confirm(*, membership: Membership, actor: Actor, reason: str = "") -> Membership:
    """Confirm the lapse (自动退会). Refused until a contact attempt was recorded after the flag."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("union", "person") \
            .get(pk=membership.pk, **shard_key(membership))
        _require_flagged(locked, actor)
        contacted = LapseContact.objects.filter(
            membership=locked, at__date__gte=locked.lapse_flagged_on
        ).exclude(outcome=LapseContact.Outcome.WILL_STAY).exists()
        if not contacted:
            raise InvalidTransition(
                _("请先联系本人并记录联系情况，再确认自动退会。"), code="contact_required"
            )
        reason = (reason or "").strip() or _("连续 {n} 个月未缴纳会费且未参加工会活动，经联系确认。").format(
            n=LAPSE_MONTHS)
        close_membership(locked, target=MembershipStatus.LAPSED, actor=actor, reason=reason,
                         on=clock.today())
        audit_record(actor=actor, action="member.lapse", obj=locked, org_path=locked.union.path,
                     before={"status": MembershipStatus.ACTIVE},
                     after={"status": MembershipStatus.LAPSED}, note=reason)
    return locked


def lapse_clear(*, membership: Membership, actor: Actor, reason: str) -> Membership:
    """A cadre lifts the flag (e.g. the member was on long sick leave), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写解除预警的原因。"), code="reason_required")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("union").get(
            pk=membership.pk, **shard_key(membership))
        _require_flagged(locked, actor)
        Membership.objects.filter(pk=locked.pk).update(
            lapse_flagged_on=None, last_activity_on=clock.today())
        event(locked, EventKind.LAPSE_CLEAR, actor=actor, reason=reason)
        audit_record(actor=actor, action="member.lapse_clear", obj=locked,
                     org_path=locked.union.path, before={"lapse_flagged_on":
                                                         locked.lapse_flagged_on},
                     after={"lapse_flagged_on": None}, note=reason)
    return locked
