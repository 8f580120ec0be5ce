"""Members: direct add by a cadre, edits, lifecycle states, the logged reveal of an ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record, reveal
from gonghui.core import clock
from gonghui.core.actor import SYSTEM, Actor
from gonghui.core.citus import lock_row, shard_key
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import can_transition, refuse
from gonghui.members.models import (
    HELD_STATUSES,
    MEMBERSHIP_TRANSITIONS,
    EventKind,
    Membership,
    MembershipStatus,
    Person,
)
from gonghui.members.services._common import (
    already_member,
    bump_stats,
    close_membership,
    event,
    open_membership,
    person_for,
    require_member_union,
)
from gonghui.members.validation import (
    PERSON_FIELD_NAMES,
    ValidatedPerson,
    check_joined_on,
    validate_person,
)
from gonghui.orgs.models import Org

# Fields a cadre may change on a person (the ID number too: typos happen; gender and birth date
# follow it).
EDITABLE_PERSON_FIELDS = tuple(n for n in PERSON_FIELD_NAMES if n != "id_hash")


def person_snapshot(person: Person) -> dict[str, Any]:
    """Audit form of a person: no ID number (it is encrypted; the audit trail is not)."""
    data: dict[str, Any] = {}
    for name in EDITABLE_PERSON_FIELDS:
        value = person.masked_id if name == "id_number" else getattr(person, name)
        if isinstance(value, dt.date | Decimal):
            value = str(value)
        data[name] = value
    return data


def apply_person_fields(person: Person, values: Mapping[str, Any]) -> dict[str, tuple]:
    """Set validated values on a person; returns {field: (old, new)} of what changed."""
    changed: dict[str, tuple] = {}
    for name, value in values.items():
        if name not in EDITABLE_PERSON_FIELDS and name != "id_hash":
            continue
        old = getattr(person, name)
        if old != value:
            changed[name] = (old, value)
            setattr(person, name, value)
    return changed


def member_add(
    *, union: Org, fields: Mapping[str, object], actor: Actor, joined_on: object = None,
    reason: str = "",
) -> Membership:
    """A cadre adds a member directly (入会 without an online application).

    Raises PersonInvalid for bad fields, Conflict when the person already holds 会籍 anywhere
    (named only if the actor may see that union)."""
    require_capability(actor, Capability.MEMBER_WRITE, union)
    require_member_union(union)
    today = clock.today()
    vp = validate_person(fields, today=today)
    joined = check_joined_on(joined_on or today, birth_date=vp.birth_date, today=today)
    with transaction.atomic():
        person, created = person_for(vp)
        if not created and person.member_union_id is not None:
            raise already_member(person, actor)
        membership = open_membership(person=person, union=union, joined_on=joined,
                                     seniority_since=joined, actor=actor,
                                     reason=reason or _("工会直接发展"))
        if not created:
            _update_existing_person(person, vp, actor=actor, union=union)
        audit_record(actor=actor, action="member.add", obj=membership, org_path=union.path,
                     after={"person": person_snapshot(person), "union": union.code,
                            "joined_on": joined, "card_number": membership.card_number},
                     note=reason)
    return membership


def _update_existing_person(person: Person, vp: ValidatedPerson, *, actor: Actor,
                            union: Org) -> None:
    """A returning person (earlier membership ended): the cadre's fresh data replaces the old."""
    old_group = person.new_employment_group
    changed = apply_person_fields(person, vp.model_fields())
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
        if "new_employment_group" in changed:
            _recount_new_employment(person, old_group)


def _recount_new_employment(person: Person, old_group: str) -> None:
    """The person's group changed: fix the counter of the union holding their active membership."""
    active = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE) \
        .select_related("union").first()
    if active is None:
        return
    delta = (1 if person.new_employment_group else 0) - (1 if old_group else 0)
    bump_stats(active.union, new_employment=delta)


def member_update(
    *, membership: Membership, fields: Mapping[str, object], actor: Actor, reason: str = ""
) -> Person:
    """Edit a member's personal fields. Unchanged fields may be omitted."""
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    today = clock.today()
    person = membership.person
    current = {n: getattr(person, n) for n in EDITABLE_PERSON_FIELDS}
    current.pop("gender"), current.pop("birth_date")  # both follow the ID number
    merged = {**current, **dict(fields.items())}
    merged = {k: v for k, v in merged.items() if v is not None}
    vp = validate_person(merged, today=today)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = person_snapshot(person)
        old_group = person.new_employment_group
        changed = apply_person_fields(person, vp.model_fields())
        if not changed:
            return person
        try:
            with transaction.atomic():
                person.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise Conflict(_("该身份证号码已登记为另一人，请核对。"), code="id_taken") from exc
        if "new_employment_group" in changed:
            _recount_new_employment(person, old_group)
        after = person_snapshot(person)
        labels = sorted(str(getattr(Person._meta.get_field(n), "verbose_name", n))
                        for n in changed if n != "id_hash")
        event(membership, EventKind.EDIT, actor=actor, reason=reason or "、".join(labels))
        audit_record(actor=actor, action="member.update", obj=membership,
                     org_path=membership.union.path,
                     before={k: before[k] for k in before if before[k] != after[k]},
                     after={k: after[k] for k in after if before[k] != after[k]}, note=reason)
    return person


_STATUS_ACTIONS: dict[str, str] = {
    MembershipStatus.RETIRED: "member.retire",
    MembershipStatus.WITHDRAWN: "member.withdraw",
    MembershipStatus.DECEASED: "member.decease",
}


def membership_set_status(
    *, membership: Membership, target: str, actor: Actor, reason: str,
    on: dt.date | None = None,
) -> Membership:
    """Retired (keeps 会籍), withdrawn (退会) or deceased, with a reason. Lapse has its own path
    (lapse_confirm: contact first) and transfers theirs (transfer_accept)."""
    if target not in _STATUS_ACTIONS:
        raise ApplicationError(_("该状态不能直接设置。"), code="status_not_settable")
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写原因。"), code="reason_required")
    on = on or clock.today()
    if on > clock.today():
        raise ApplicationError(_("日期不能晚于今天。"), code="date_future")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("person", "union") \
            .get(pk=membership.pk, **shard_key(membership))
        if not can_transition(MEMBERSHIP_TRANSITIONS, locked.status, target):
            raise refuse(Membership, locked.status, target)
        if on < locked.joined_on:
            raise ApplicationError(_("日期不能早于入会日期。"), code="date_before_join")
        old = locked.status
        close_membership(locked, target=target, actor=actor, reason=reason, on=on)
        audit_record(actor=actor, action=_STATUS_ACTIONS[target], obj=locked,
                     org_path=locked.union.path, before={"status": old},
                     after={"status": target, "on": on}, note=reason)
    return locked


def membership_touch(
    *, membership_id: int, kind: str, on: dt.date, actor: Actor = SYSTEM
) -> None:
    """Record dues paid (kind="dues") or union activity (kind="activity") on `on`.

    Called by funds (dues) and activity modules in their own transaction. It only moves the
    lapse watch dates forward and clears a pending lapse flag; the calling module audits the
    business write that caused it."""
    field = {"dues": "last_dues_on", "activity": "last_activity_on"}.get(kind)
    if field is None:
        raise ValueError(f"unknown touch kind {kind!r}")
    with transaction.atomic():
        # by id alone: lock_row adds the union on Citus (a single-shard lock)
        locked = lock_row(Membership.objects.all(), membership_id)
        if locked is None or locked.status not in HELD_STATUSES:
            return
        current = getattr(locked, field)
        updates: dict[str, Any] = {}
        if current is None or on > current:
            updates[field] = on
        if locked.lapse_flagged_on is not None and on >= locked.lapse_flagged_on:
            updates["lapse_flagged_on"] = None
            event(locked, EventKind.LAPSE_CLEAR, actor=actor, reason=_(
                "{when} 有{what}记录，解除预警。").format(
                    when=on.isoformat(), what=_("缴费") if kind == "dues" else _("活动")))
        if updates:
            Membership.objects.filter(pk=locked.pk).update(**updates)


def id_number_reveal(*, membership: Membership, actor: Actor, purpose: str) -> str:
    """The full ID number, for a role with member.reveal over the union: the one reveal
    service checks, asks for the purpose and logs the read first (PIPL)."""
    require_capability(actor, Capability.MEMBER_REVEAL, membership.union,
                       message=_("您的角色不能查看完整身份证号码。"))
    with transaction.atomic():
        return reveal(actor=actor, cap=Capability.MEMBER_REVEAL, org=membership.union,
                      subject=membership.person, field="id_number",
                      value=lambda: membership.person.id_number, purpose=purpose,
                      org_path=membership.union.path)


def phone_reveal(*, membership: Membership, actor: Actor, purpose: str) -> str:
    """The full phone number: like the ID number, masked everywhere and read only through the
    logged reveal with a purpose (SPEC §5)."""
    require_capability(actor, Capability.MEMBER_REVEAL, membership.union,
                       message=_("您的角色不能查看完整手机号码。"))
    with transaction.atomic():
        return reveal(actor=actor, cap=Capability.MEMBER_REVEAL, org=membership.union,
                      subject=membership.person, field="phone",
                      value=lambda: membership.person.phone, purpose=purpose,
                      org_path=membership.union.path)


__all__ = [
    "id_number_reveal",
    "member_add",
    "member_update",
    "membership_set_status",
    "membership_touch",
    "phone_reveal",
]
