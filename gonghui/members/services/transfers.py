"""会员组织关系接转: the sending union (or the worker) asks, the receiving union accepts or declines.

Acceptance closes the old membership and opens the new one in ONE transaction: 会龄 continues,
both unions' histories show it, and a failure in between leaves the member where they were.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock, hooks
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.core.workflow import transition
from gonghui.members.models import (
    HELD_STATUSES,
    TRANSFER_TRANSITIONS,
    CaseEvent,
    EventKind,
    Membership,
    MembershipStatus,
    Person,
    Transfer,
    TransferOrigin,
    TransferStatus,
)
from gonghui.members.services import _common, deadlines
from gonghui.members.services._common import require_member_union
from gonghui.orgs.models import Org


def _history(transfer: Transfer, old: str, new: str, *, actor: Actor, reason: str = "") -> None:
    _common.insert(CaseEvent(
        transfer=transfer, union_id=transfer.from_union_id, from_status=old, to_status=new,
        actor=actor_user(actor), actor_name=actor_name(actor), at=clock.now(), reason=reason[:500],
    ))


def _require_end(actor: Actor, transfer: Transfer, end: Org) -> None:
    """member.write over one end of a transfer. A transfer is visible from both ends (member.read
    over either): 403 for a viewer of the other end only, 404 for one who sees neither."""
    if has_capability(actor, Capability.MEMBER_WRITE, end):
        return
    if any(has_capability(actor, Capability.MEMBER_READ, union)
           for union in (transfer.from_union, transfer.to_union)):
        raise Forbidden()
    raise NotFound()


def _create(*, membership: Membership, to_union: Org, origin: str, actor: Actor, reason: str,
            new_employer: str) -> Transfer:
    require_member_union(to_union)
    if membership.status not in HELD_STATUSES:
        raise ApplicationError(_("该会籍已终止，不能转会。"), code="not_held")
    if membership.union_id == to_union.pk:
        raise ApplicationError(_("转入工会与现在所在工会相同。"), code="same_union")
    with transaction.atomic():
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    membership=membership, person_id=membership.person_id,
                    from_union_id=membership.union_id, to_union=to_union, origin=origin,
                    reason=reason[:500], new_employer=new_employer[:200],
                    requested_by=actor_user(actor),
                    due_on=deadlines.due_on(to_union, clock.today()),
                )
        except IntegrityError as exc:
            raise Conflict(_("该会员已有一笔待接收的转会，请先处理它。"),
                           code="transfer_pending") from exc
        _history(transfer, "", TransferStatus.PENDING, actor=actor, reason=reason)
        audit_record(actor=actor, action="transfer.request", obj=transfer,
                     org_path=membership.union.path,
                     after={"from": membership.union.code, "to": to_union.code,
                            "origin": origin, "reason": reason})
    return transfer


def transfer_start(
    *, membership: Membership, to_union: Org, actor: Actor, reason: str = "", new_employer: str = ""
) -> Transfer:
    """The member's union starts a transfer out (the member changed employer)."""
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    return _create(membership=membership, to_union=to_union, origin=TransferOrigin.OUT,
                   actor=actor, reason=reason, new_employer=new_employer)


def transfer_request(
    *, person: Person, to_union: Org, actor: Actor, reason: str = "", new_employer: str = ""
) -> Transfer:
    """The worker asks, from the new union's side, to move their membership there."""
    user = actor_user(actor)
    if user is None or person.user_id != user.pk:
        raise Forbidden()
    membership = Membership.objects.filter(person=person, status__in=HELD_STATUSES) \
        .select_related("union").first()
    if membership is None:
        raise ApplicationError(_("您目前没有会籍，请直接申请入会。"), code="not_member")
    return _create(membership=membership, to_union=to_union, origin=TransferOrigin.WORKER,
                   actor=actor, reason=reason, new_employer=new_employer)


def transfer_accept(*, transfer: Transfer, actor: Actor, note: str = "") -> Membership:
    """The receiving union accepts: old membership transferred_out, new one opened with the same
    会龄 and status (a retired member stays retired), all in one transaction."""
    _require_end(actor, transfer, transfer.to_union)
    to_union = transfer.to_union
    require_member_union(to_union)
    today = clock.today()
    with transaction.atomic():
        locked = transition(
            transfer, TransferStatus.ACCEPTED, transitions=TRANSFER_TRANSITIONS,
            write_history=lambda t, old, new: _history(t, old, new, actor=actor, reason=note),
            extra_fields={"decided_by": actor_user(actor), "decided_at": clock.now(),
                          "decision_reason": note[:500]},
        )
        # the transfer's sending union is its membership's (a single-shard lock on Citus)
        old = Membership.objects.select_for_update().select_related("person", "union") \
            .get(pk=locked.membership_id, union_id=locked.from_union_id)
        if old.status not in HELD_STATUSES:
            raise ApplicationError(_("原会籍已终止，不能再转入。"), code="not_held")
        status = old.status
        reason = _("转入“{union}”").format(union=to_union.name)
        _common.close_membership(old, target=MembershipStatus.TRANSFERRED_OUT, actor=actor,
                                 reason=reason, on=today, kind=EventKind.TRANSFER_OUT,
                                 other_union=to_union)
        new = _common.open_membership(
            person=old.person, union=to_union, joined_on=today,
            seniority_since=old.seniority_since, actor=actor, kind=EventKind.TRANSFER_IN,
            status=status, reason=_("自“{union}”转入").format(union=old.union.name),
            other_union=old.union, carry_from=old,
        )
        if locked.new_employer:
            Person.objects.filter(pk=old.person_id).update(employer_name=locked.new_employer)
        Transfer.objects.filter(pk=locked.pk).update(new_membership=new)
        audit_record(actor=actor, action="transfer.accept", obj=locked, org_path=to_union.path,
                     before={"union": old.union.code, "membership": old.pk},
                     after={"union": to_union.code, "membership": new.pk,
                            "card_number": new.card_number,
                            "seniority_since": new.seniority_since}, note=note)
        audit_record(actor=actor, action="member.transfer_out", obj=old,
                     org_path=old.union.path, before={"status": status},
                     after={"status": MembershipStatus.TRANSFERRED_OUT, "to": to_union.code})
        hooks.call("member.transferred", transfer=locked, old=old, new=new, actor=actor)
    return new


def transfer_decline(*, transfer: Transfer, actor: Actor, reason: str) -> Transfer:
    _require_end(actor, transfer, transfer.to_union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写不予接收的原因。"), code="reason_required")
    with transaction.atomic():
        locked = transition(
            transfer, TransferStatus.DECLINED, transitions=TRANSFER_TRANSITIONS,
            write_history=lambda t, old, new: _history(t, old, new, actor=actor, reason=reason),
            extra_fields={"decided_by": actor_user(actor), "decided_at": clock.now(),
                          "decision_reason": reason[:500]},
        )
        audit_record(actor=actor, action="transfer.decline", obj=locked,
                     org_path=transfer.to_union.path, before={"status": TransferStatus.PENDING},
                     after={"status": TransferStatus.DECLINED}, note=reason)
    return locked


def transfer_cancel(*, transfer: Transfer, actor: Actor, reason: str = "") -> Transfer:
    """The sending union's cadre, or the worker who asked, takes the request back."""
    user = actor_user(actor)
    if user is None or transfer.requested_by_id != user.pk:
        _require_end(actor, transfer, transfer.from_union)
    with transaction.atomic():
        locked = transition(
            transfer, TransferStatus.CANCELLED, transitions=TRANSFER_TRANSITIONS,
            write_history=lambda t, old, new: _history(t, old, new, actor=actor, reason=reason),
            extra_fields={"decided_by": actor_user(actor), "decided_at": clock.now(),
                          "decision_reason": reason[:500]},
        )
        audit_record(actor=actor, action="transfer.cancel", obj=locked,
                     org_path=transfer.from_union.path, before={"status": TransferStatus.PENDING},
                     after={"status": TransferStatus.CANCELLED}, note=reason)
    return locked
