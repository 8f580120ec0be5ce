"""Auditors' (经审) findings: the one thing an auditor writes. The ledger is never touched.

A finding is a workflow (`FINDING_TRANSITIONS`): open → answered (the treasurer) → closed or
back to open (the auditor). Every move goes through `core.workflow.transition()` and leaves a
`FindingEvent` (HistoryBase) row with the whole text that came with it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.workflow import transition
from gonghui.funds.models import (
    FINDING_TRANSITIONS,
    Finding,
    FindingEvent,
    FindingStatus,
    LedgerTransaction,
    Severity,
)
from gonghui.funds.permissions import require_funds
from gonghui.orgs.models import Org


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("请填写{what}。").format(what=what), code="text_required")
    if len(value) > 2000:
        raise ApplicationError(_("{what}不能超过 2000 字。").format(what=what), code="too_long")
    return value


def _event(finding: Finding, old: str, new: str, *, actor: Actor, text: str) -> FindingEvent:
    # Written here rather than by transition()'s default writer, which cuts `reason` to 500
    # characters: a finding's text, answer and reason for sending it back run to 2000.
    return FindingEvent.objects.create(
        finding=finding, union_id=finding.union_id, from_status=old or "", to_status=new,
        actor=actor_user(actor),
        actor_name=actor_name(actor), at=clock.now(), reason=text)


def finding_add(*, union: Org, text: str, severity: str, actor: Actor,
                tx: LedgerTransaction | None = None) -> Finding:
    """An auditor's finding on `union` (optionally on one of its transactions). Also on a merged
    or dissolved union's book: auditing the books a union leaves behind is part of 经审."""
    require_funds(actor, Capability.FUNDS_AUDIT, union,
                  message=_("只有经审委员可以提出审计意见。"))
    author = actor_user(actor)
    if author is None:
        raise Forbidden(_("审计意见须由具名的经审委员提出。"), code="finding_needs_user")
    if severity not in Severity.values:
        raise ApplicationError(_("请选择问题性质。"), code="bad_severity")
    if tx is not None and tx.union_id != union.pk:
        raise ApplicationError(_("凭证不属于该工会。"), code="wrong_union")
    text = _text(text, _("审计意见"))
    with transaction.atomic():
        finding = Finding.objects.create(union=union, transaction=tx, severity=severity,
                                         text=text, created_by=author, created_at=clock.now())
        _event(finding, "", finding.status, actor=actor, text=text)
        audit_record(actor=actor, action="funds.finding_add", obj=finding, org_path=union.path,
                     after={"severity": severity, "text": text,
                            "transaction": tx.pk if tx else None})
    return finding


def _move(finding: Finding, target: str, *, actor: Actor, note: str,
          extra: dict[str, Any] | None = None) -> Finding:
    written: list[FindingEvent] = []

    def history(locked: Finding, old: Any, new: Any) -> None:
        written.append(_event(locked, old, new, actor=actor, text=note))

    with transaction.atomic():
        locked = transition(finding, target, transitions=FINDING_TRANSITIONS, actor=actor,
                            reason=note, write_history=history, extra_fields=extra)
        audit_record(actor=actor, action=f"funds.finding_{target}", obj=locked,
                     org_path=Org.objects.get(pk=locked.union_id).path,
                     before={"status": written[0].from_status}, after={"status": target},
                     note=note)
    return locked


def finding_answer(*, finding: Finding, response: str, actor: Actor) -> Finding:
    """The treasurer's answer (what was done about it)."""
    union = Org.objects.get(pk=finding.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    response = _text(response, _("答复"))
    return _move(finding, FindingStatus.ANSWERED, actor=actor, note=response,
                 extra={"response": response})


def finding_close(*, finding: Finding, actor: Actor, note: str = "") -> Finding:
    union = Org.objects.get(pk=finding.union_id)
    require_funds(actor, Capability.FUNDS_AUDIT, union,
                  message=_("只有经审委员可以关闭审计意见。"))
    return _move(finding, FindingStatus.CLOSED, actor=actor, note=(note or "").strip()[:2000])


def finding_reopen(*, finding: Finding, actor: Actor, note: str) -> Finding:
    union = Org.objects.get(pk=finding.union_id)
    require_funds(actor, Capability.FUNDS_AUDIT, union,
                  message=_("只有经审委员可以退回答复。"))
    return _move(finding, FindingStatus.OPEN, actor=actor, note=_text(note, _("退回理由")))
