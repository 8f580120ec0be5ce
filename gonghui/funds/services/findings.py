"""Auditors' (经审) findings: the one thing an auditor writes. The ledger is never touched."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can
from gonghui.audit.services import audit_record
from gonghui.core import clock
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
from gonghui.orgs.models import Org


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("请填写{what}。").format(what=what), code="text_required")
    if len(value) > 2000:
        raise ApplicationError(_("{what}不能超过 2000 字。").format(what=what), code="too_long")
    return value


def finding_add(*, union: Org, text: str, severity: str, actor: Any,
                tx: LedgerTransaction | None = None) -> Finding:
    if not can(actor, union, "funds.audit"):
        raise Forbidden(_("只有经审委员可以提出审计意见。"))
    if severity not in Severity.values:
        raise ApplicationError(_("请选择问题性质。"), code="bad_severity")
    if tx is not None and tx.union_id != union.pk:
        raise ApplicationError(_("凭证不属于该工会。"), code="wrong_union")
    text = _text(text, _("审计意见"))
    with transaction.atomic():
        finding = Finding.objects.create(union=union, transaction=tx, severity=severity,
                                         text=text, created_by=actor, created_at=clock.now())
        FindingEvent.objects.create(finding=finding, to_status=finding.status, actor=actor,
                                    at=clock.now(), note=text)
        audit_record(actor=actor, action="funds.finding_add", obj=finding, org_path=union.path,
                     after={"severity": severity, "text": text,
                            "transaction": tx.pk if tx else None})
    return finding


def _move(finding: Finding, target: str, *, actor: Any, note: str,
          extra: dict[str, Any] | None = None) -> Finding:
    def history(locked: Finding, old: str, new: str) -> None:
        FindingEvent.objects.create(finding=locked, from_status=old, to_status=new, actor=actor,
                                    at=clock.now(), note=note)

    with transaction.atomic():
        locked = transition(finding, target, transitions=FINDING_TRANSITIONS,
                            write_history=history, extra_fields=extra)
        audit_record(actor=actor, action=f"funds.finding_{target}", obj=locked,
                     org_path=Org.objects.get(pk=locked.union_id).path,
                     before={"status": finding.status}, after={"status": target}, note=note)
    return locked


def finding_answer(*, finding: Finding, response: str, actor: Any) -> Finding:
    """The treasurer's answer (what was done about it)."""
    union = Org.objects.get(pk=finding.union_id)
    if not can(actor, union, "funds.write"):
        raise Forbidden()
    response = _text(response, _("答复"))
    return _move(finding, FindingStatus.ANSWERED, actor=actor, note=response,
                 extra={"response": response})


def finding_close(*, finding: Finding, actor: Any, note: str = "") -> Finding:
    union = Org.objects.get(pk=finding.union_id)
    if not can(actor, union, "funds.audit"):
        raise Forbidden(_("只有经审委员可以关闭审计意见。"))
    return _move(finding, FindingStatus.CLOSED, actor=actor, note=note.strip()[:2000])


def finding_reopen(*, finding: Finding, actor: Any, note: str) -> Finding:
    union = Org.objects.get(pk=finding.union_id)
    if not can(actor, union, "funds.audit"):
        raise Forbidden(_("只有经审委员可以退回答复。"))
    return _move(finding, FindingStatus.OPEN, actor=actor, note=_text(note, _("退回理由")))
