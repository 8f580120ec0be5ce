"""Shared mechanics of the member services: opening and closing memberships, counters, events.

Internal to members.services; other apps call the public functions of the package.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.audit.services import audit_batch, audit_batch_row
from gonghui.core import clock, hooks
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.members.models import (
    HELD_STATUSES,
    MEMBERSHIP_TRANSITIONS,
    CardNumberClaim,
    EventKind,
    Membership,
    MembershipEvent,
    MembershipStatus,
    OrgMemberMonth,
    OrgMemberStats,
    Person,
)
from gonghui.members.validation import ValidatedPerson
from gonghui.orgs.models import Org


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def require_member_union(union: Org) -> None:
    """Eligibility: only an active, member-holding union receives members (whoever acts)."""
    if not union.is_active:
        raise ApplicationError(_("“{name}”已合并或撤销，不能接收会员。").format(name=union.name),
                               code="union_closed")
    if not union.holds_members:
        raise ApplicationError(
            _("“{name}”是{type}，不直接发展会员；请选择基层、联合、街道、园区或产业工会。").format(
                name=union.name, type=union.get_org_type_display()),
            code="union_not_member_holding",
        )


class _Batch:
    """What a batch of member services defers to its end: counter changes (summed), history
    rows (inserted together), and the membership ids it takes from the sequence in one go."""

    def __init__(self, ids_at_once: int) -> None:
        self.stats: dict[int, tuple[str, dict[str, int]]] = {}
        self.months: dict[tuple[int, dt.date], tuple[str, dict[str, int]]] = {}
        self.inserts: list[models.Model] = []
        self.ids: list[int] = []
        self.ids_at_once = ids_at_once


_local = threading.local()


def _batch() -> _Batch | None:
    return getattr(_local, "batch", None)


def _add(target: dict[str, int], deltas: dict[str, int]) -> None:
    for name, value in deltas.items():
        target[name] = target.get(name, 0) + value


@contextmanager
def batched(*, ids_at_once: int = 50) -> Iterator[None]:
    """Many member services in one transaction (a bulk job's slice of rows): the unions'
    counter rows are updated once at the end with the summed changes, the history rows
    (`insert`) go in at the end, one statement per table, the audit rows too (`audit_batch`:
    the chain head is locked once, at the end), and on PostgreSQL new memberships take their
    ids (and so their card numbers) from the sequence `ids_at_once` at a time. Enter inside `transaction.atomic`;
    each service call that may fail goes in `batch_row()`, so a failed call takes its deferred
    changes back with its savepoint. The counters are right when the transaction commits —
    the same transaction as the memberships they count."""
    if _batch() is not None:
        yield
        return
    with audit_batch():
        batch = _local.batch = _Batch(ids_at_once)
        try:
            yield
            _insert_now(batch.inserts)
            for org_id, (path, deltas) in batch.stats.items():
                _bump_stats_now(org_id, path, deltas)
            for (org_id, month), (path, deltas) in batch.months.items():
                _bump_month_now(org_id, path, month, deltas)
        finally:
            _local.batch = None


@contextmanager
def batch_row() -> Iterator[None]:
    """One service call of a batch: when it raises (its own atomic block rolled its writes
    back to the savepoint), its counter changes and audit rows are taken back too."""
    batch = _batch()
    if batch is None:
        yield
        return
    stats = {k: (path, dict(d)) for k, (path, d) in batch.stats.items()}
    months = {k: (path, dict(d)) for k, (path, d) in batch.months.items()}
    inserts = len(batch.inserts)
    try:
        with audit_batch_row():
            yield
    except BaseException:
        batch.stats, batch.months = stats, months
        del batch.inserts[inserts:]
        raise


def insert(row: models.Model) -> None:
    """Insert a history row (insert-only, read by nobody in the same transaction) now, or in a
    batch at its end together with the batch's other rows."""
    batch = _batch()
    if batch is not None:
        batch.inserts.append(row)
        return
    row.save(force_insert=True)


def _insert_now(rows: list[models.Model]) -> None:
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, same in by_model.items():
        model._default_manager.bulk_create(same)


def bump_stats(union: Org, *, active: int = 0, retired: int = 0, new_employment: int = 0) -> None:
    """Change a union's counters in the caller's transaction (update first: one query); in a
    batch, at the batch's end."""
    deltas = {k: v for k, v in (("active", active), ("retired", retired),
                                 ("new_employment", new_employment)) if v}
    if not deltas:
        return
    batch = _batch()
    if batch is not None:
        _add(batch.stats.setdefault(union.pk, (union.path, {}))[1], deltas)
        return
    _bump_stats_now(union.pk, union.path, deltas)


def _bump_stats_now(org_id: int, path: str, deltas: dict[str, int]) -> None:
    changes = {k: F(k) + v for k, v in deltas.items() if v}
    if not changes:
        return
    if OrgMemberStats.objects.filter(org_id=org_id).update(**changes):
        return
    try:
        with transaction.atomic():
            OrgMemberStats.objects.create(org_id=org_id, org_path=path)
    except IntegrityError:
        pass  # created by a concurrent transaction: update it
    OrgMemberStats.objects.filter(org_id=org_id).update(**changes)


def bump_month(union: Org, on: dt.date, **deltas: int) -> None:
    """Joins / exits / transfers of a union in the month of `on`."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    batch = _batch()
    if batch is not None:
        _add(batch.months.setdefault((union.pk, month_of(on)), (union.path, {}))[1], deltas)
        return
    _bump_month_now(union.pk, union.path, month_of(on), deltas)


def _bump_month_now(org_id: int, path: str, month: dt.date, deltas: dict[str, int]) -> None:
    changes = {k: F(k) + v for k, v in deltas.items() if v}
    if not changes:
        return
    if OrgMemberMonth.objects.filter(org_id=org_id, month=month).update(**changes):
        return
    try:
        with transaction.atomic():
            OrgMemberMonth.objects.create(org_id=org_id, org_path=path, month=month)
    except IntegrityError:
        pass
    OrgMemberMonth.objects.filter(org_id=org_id, month=month).update(**changes)


def membership_id_ahead() -> int | None:
    """In a batch on PostgreSQL: a membership id taken from the table's sequence ahead of the
    insert (so the card number goes in with it); None otherwise."""
    batch = _batch()
    if batch is None or connection.vendor != "postgresql":
        return None
    if not batch.ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Membership._meta.db_table, batch.ids_at_once])
            batch.ids = [row[0] for row in cursor.fetchall()][::-1]
    return batch.ids.pop()


def card_number(joined_on: dt.date, membership_id: int) -> str:
    """会员证号: the year of joining and the membership's id (unique by construction)."""
    return f"{joined_on.year}{membership_id:010d}"


def card_number_taken(card: str) -> Conflict:
    return Conflict(_("会员证号 {card} 已被其他会员使用，不能重复；未作任何更改，请联系系统管理员核对。"
                      ).format(card=card), code="card_number_taken")


def claim_card_number(card: str, membership_id: int) -> None:
    """Take `card` for the membership in the card-number claim table (`CardNumberClaim`): in the
    transaction that gives the membership its number, before the number is written. A number
    another membership holds — in any union — raises the conflict (the caller's transaction
    rolls back: nothing changed). On Citus the claim's primary key is the only cluster-wide
    guard (the membership's own unique key holds per union there, docs/scale.md)."""
    table = CardNumberClaim._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("card_number", "membership_id") VALUES (%s, %s) '  # noqa: S608
            'ON CONFLICT ("card_number") DO NOTHING RETURNING "card_number"',
            [card, membership_id])
        if cursor.fetchone() is None:
            raise card_number_taken(card)


def stats_delta(status: str, person: Person, sign: int) -> dict[str, int]:
    """What a membership in `status` contributes to its union's counters (times sign)."""
    if status == MembershipStatus.ACTIVE:
        return {"active": sign, "new_employment": sign if person.new_employment_group else 0}
    if status == MembershipStatus.RETIRED:
        return {"retired": sign}
    return {}


def event(
    membership: Membership, kind: str, *, actor: Actor, from_status: str = "",
    to_status: str = "", reason: str = "", other_union: Org | None = None,
) -> MembershipEvent:
    """The membership's history row (in a batch: written at the batch's end)."""
    row = MembershipEvent(
        membership=membership, union_id=membership.union_id, kind=kind, from_status=from_status,
        to_status=to_status, other_union=other_union, actor=actor_user(actor),
        actor_name=actor_name(actor), at=clock.now(), reason=reason[:500],
    )
    insert(row)
    return row


def already_member(person: Person, viewer: Actor) -> Conflict:
    """The one-会籍 conflict. It names the union only when the viewer may see it (SPEC §1: a
    cadre must not learn, even from an error message, who is a member in another district)."""
    held = (
        Membership.objects.filter(person=person, status__in=HELD_STATUSES)
        .select_related("union").first()
    )
    if held is not None and has_capability(viewer, Capability.MEMBER_READ, held.union):
        return Conflict(
            _("{name}（身份证号码 {masked}）已是“{union}”的会员，不能重复入会；"
              "如已更换工作单位，请办理会员转会。").format(
                name=person.name, masked=person.masked_id, union=held.union.name),
            code="already_member",
        )  # fmt: skip
    return held_elsewhere()


def held_elsewhere() -> Conflict:
    """The one-会籍 conflict that names no union."""
    return Conflict(
        _("该身份证号码的本人已是其他工会的会员，不能重复入会；请由本人或原工会办理会员转会。"),
        code="already_member",
    )


def person_for(vp: ValidatedPerson) -> tuple[Person, bool]:
    """The person with this ID number, created from `vp` if there is none. (person, created)."""
    person = Person.objects.filter(id_hash=vp.id_hash).first()
    if person is not None:
        return person, False
    try:
        with transaction.atomic():
            return Person.objects.create(**vp.model_fields()), True
    except IntegrityError:
        # inserted by a concurrent transaction between our read and our insert
        return Person.objects.get(id_hash=vp.id_hash), False


def open_membership(
    *, person: Person, union: Org, joined_on: dt.date, seniority_since: dt.date, actor: Actor,
    kind: str = EventKind.JOIN, status: str = MembershipStatus.ACTIVE, reason: str = "",
    other_union: Org | None = None, carry_from: Membership | None = None,
    membership_id: int | None = None,
) -> Membership:
    """Insert a membership holding 会籍. Must run inside transaction.atomic (a failure spoils
    it: the caller's block rolls back).

    The compare-and-set of the person's 会籍 union comes first: it is the rule (the same on
    Citus, docs/scale.md), and the person's row stays locked until the commit, so of two
    approvals for one person the second waits and then finds the union set: the conflict,
    with nothing written. The partial unique index stays the database's guard behind it.
    `membership_id`: the id the caller took with `membership_id_ahead()` (to link it first)."""
    # Compare-and-set of the person's 会籍 union: the same rule for Citus (docs/scale.md).
    if not Person.objects.filter(pk=person.pk, member_union__isnull=True).update(
        member_union=union
    ):
        raise already_member(person, actor)
    person.member_union = union
    membership = Membership(
        person=person, union=union, union_path=union.path, status=status, joined_on=joined_on,
        seniority_since=seniority_since,
    )
    if carry_from is not None:
        membership.last_dues_on = carry_from.last_dues_on
        membership.last_activity_on = carry_from.last_activity_on
    ahead = membership_id if membership_id is not None else membership_id_ahead()
    if ahead is not None:
        membership.pk = ahead
        membership.card_number = card_number(joined_on, ahead)
        # the claim first (it names the membership by id, without a database key): a number
        # taken gives its own conflict, not the unique key's error
        claim_card_number(membership.card_number, ahead)
    try:
        membership.save(force_insert=True)
    except IntegrityError as exc:
        # a held membership the person's 会籍 union did not show (data written around the
        # services): the transaction is spoilt, so the conflict without naming the union
        raise held_elsewhere() from exc
    if ahead is None:
        membership.card_number = card_number(joined_on, membership.pk)
        claim_card_number(membership.card_number, membership.pk)
        # the union too: on Citus the update then runs on the membership's shard alone, not on
        # every shard of the table (the same row on one node)
        Membership.objects.filter(pk=membership.pk, union_id=union.pk).update(
            card_number=membership.card_number)
    bump_stats(union, **stats_delta(status, person, +1))
    if kind == EventKind.JOIN:
        bump_month(union, joined_on, joins=1)
    else:
        bump_month(union, clock.today(), transfers_in=1)
    event(membership, kind, actor=actor, to_status=status, reason=reason,
          other_union=other_union)
    return membership


def close_membership(
    membership: Membership, *, target: str, actor: Actor, reason: str, on: dt.date,
    kind: str = EventKind.STATUS, other_union: Org | None = None,
) -> Membership:
    """Move a membership out of a held status (or between held statuses) through the
    transition table, keeping the counters, the person's 会籍 union and the history right.
    Must run inside transaction.atomic (the row is locked by `transition`)."""
    person = membership.person
    old = membership.status
    fields: dict[str, Any] = {}
    if target not in HELD_STATUSES:
        fields.update(ended_on=on, end_reason=reason[:500], lapse_flagged_on=None)
    transition(
        membership, target, transitions=MEMBERSHIP_TRANSITIONS, extra_fields=fields,
        write_history=lambda _locked, old_status, new_status: event(
            membership, kind, actor=actor, from_status=old_status, to_status=new_status,
            reason=reason, other_union=other_union),
    )
    union = membership.union
    minus = stats_delta(old, person, -1)
    plus = stats_delta(target, person, +1)
    bump_stats(union, **{k: minus.get(k, 0) + plus.get(k, 0)
                         for k in ("active", "retired", "new_employment")})
    if target not in HELD_STATUSES:
        Person.objects.filter(pk=person.pk, member_union=union).update(member_union=None)
        person.member_union = None
        if target == MembershipStatus.TRANSFERRED_OUT:
            bump_month(union, clock.today(), transfers_out=1)
        else:
            bump_month(union, on, exits=1)
        # life-event reactions of other modules (aid, mutual aid), in this transaction
        hooks.call("member.ended", membership=membership, status=target, on=on, actor=actor,
                   reason=reason)
    return membership
