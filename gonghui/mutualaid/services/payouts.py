"""Payout transitions: review of large payouts, correction and re-queueing of failed ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, InvalidTransition
from gonghui.core.workflow import can_transition, transition, transition_many
from gonghui.mutualaid.models import (
    PAYOUT_TRANSITIONS,
    Enrolment,
    Payout,
    PayoutEvent,
    PayoutStatus,
)
from gonghui.mutualaid.rules import Cover, Outcome, compute
from gonghui.mutualaid.services.enrolment import payee_account_set
from gonghui.mutualaid.services.processing import claim_of


def _move(payout: Payout, target: str, *, actor: Actor, note: str = "",
          extra: dict[str, Any] | None = None) -> Payout:
    before = payout.status
    moved = transition(payout, target, transitions=PAYOUT_TRANSITIONS, actor=actor,
                       reason=note, history_extra={"union_id": payout.union_id},
                       extra_fields=extra)
    audit_record(actor=actor, action=f"mutualaid.payout.{target}", obj=moved,
                 org_path=moved.union_path, before={"status": before},
                 after={"status": target, **({"note": note} if note else {})})
    return moved


def payout_approve(*, payout: Payout, actor: Actor, note: str = "") -> Payout:
    """A cadre approves a payout above the plan's automatic limit (待审核 → 待支付)."""
    require_capability(actor, Capability.MUTUALAID_WRITE, payout.union)
    with transaction.atomic():
        return _move(payout, PayoutStatus.APPROVED, actor=actor, note=note)


def payout_reject(*, payout: Payout, actor: Actor, reason: str) -> Payout:
    """Refuse a payout under review, or give up on one the bank could not pay. The amount it
    reserved goes back to the member's year cap."""
    require_capability(actor, Capability.MUTUALAID_WRITE, payout.union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写驳回原因。"), code="reason_required",
                               extra={"field": "reason"})
    with transaction.atomic():
        # the enrolment is in the payout's union: a single-shard lock on Citus
        enrolment = Enrolment.objects.select_for_update().get(pk=payout.enrolment_id,
                                                              union_id=payout.union_id)
        moved = _move(payout, PayoutStatus.REJECTED, actor=actor, note=reason)
        enrolment.used_amount -= moved.amount
        enrolment.claims_count = max(0, enrolment.claims_count - 1)
        enrolment.save(update_fields=["used_amount", "claims_count"])
    return moved


def payout_requeue(*, payout: Payout, actor: Actor, note: str = "",
                   account: dict[str, str] | None = None) -> Payout:
    """A failed payout, corrected (a new bank account when `account` is given: holder_name,
    bank_name, account_number), goes back to 待支付 for a later batch."""
    require_capability(actor, Capability.MUTUALAID_WRITE, payout.union)
    with transaction.atomic():
        if account:
            payee_account_set(person=payout.person, actor=actor, union=payout.union, **account)
            note = note or _("更换收款账户后重新支付")
        return _move(payout, PayoutStatus.APPROVED, actor=actor,
                     note=note or _("重新支付"), extra={"fail_reason": "", "batch": None})


def bulk_transition(payout_ids: Iterable[int], source: str, target: str, *, actor: Actor,
                    note: str = "", **fields: Any) -> int:
    """The same transition for many payouts at once (batches of thousands). The caller holds
    the rows' locks; only rows still in `source` move, each with its history row. Returns how
    many moved."""
    if not can_transition(PAYOUT_TRANSITIONS, source, target):
        raise InvalidTransition(_("给付状态不能从“{a}”变为“{b}”。").format(
            a=PayoutStatus(source).label, b=PayoutStatus(target).label))
    ids = list(payout_ids)
    moved = list(Payout.objects.filter(id__in=ids, status=source).values_list("id", "union_id"))
    if not moved:
        return 0
    now = clock.now()
    transition_many(Payout.objects.filter(id__in=[pk for pk, _u in moved]), target,
                    transitions={source: {target}},
                    extra_fields={"updated_at": now, **fields})
    user, name = actor_user(actor), actor_name(actor)
    PayoutEvent.objects.bulk_create(
        [PayoutEvent(payout_id=pk, union_id=union_id, from_status=source, to_status=target,
                     actor=user, actor_name=name, at=now, reason=note[:500])
         for pk, union_id in moved], batch_size=2000)
    return len(moved)


def payout_recompute(payout: Payout) -> Outcome | None:
    """Compute the payout again from what is stored: its settlement record, its plan version's
    rules and the enrolment facts saved in its computation. Equal to the stored amount and
    lines for every payout, whatever versions were added since."""
    cover = payout.computation["cover"]
    return compute(
        payout.version.rules(), claim_of(payout.settlement),
        Cover(enrolled_on=dt.date.fromisoformat(cover["enrolled_on"]),
              year_starts_on=dt.date.fromisoformat(cover["year_starts_on"]),
              renewal=bool(cover["renewal"]), year_used=Decimal(cover["year_used"])),
    )
