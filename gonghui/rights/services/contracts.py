"""Collective contracts under 集体合同规定 (2004): request and answer (Art. 32), representatives
(Art. 19), adoption by the workers' congress (Art. 36), signing, filing (Art. 42), entry into
force (Art. 47), term (Art. 38), and the employers covered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import append_history, transition
from gonghui.orgs.models import Employer, Org
from gonghui.rights import clocks
from gonghui.rights.models import (
    CONTRACT_TRANSITIONS,
    MULTI_EMPLOYER_KINDS,
    Contract,
    ContractKind,
    ContractStatus,
    Coverage,
    Representative,
)

MIN_REPRESENTATIVES = 3


def _write(actor: Actor, contract: Contract) -> None:
    require_capability(actor, Capability.RIGHTS_WRITE, contract.org)


def _not_future(day: dt.date, field: str) -> None:
    if day > clock.today():
        raise ApplicationError(_("日期不能晚于今天。"), extra={"field": field})


def _employers_in(org: Org, employers: Iterable[Employer]) -> list[Employer]:
    rows = list(employers)
    for e in rows:
        if not e.area.path.startswith(org.path) and not org.path.startswith(e.area.path):
            raise ApplicationError(_("用人单位“{name}”不在本工会辖区内。").format(name=e.name),
                                   extra={"field": "employers"})
    return rows


@transaction.atomic
def contract_start(*, org: Org, kind: str, title: str, requested_on: dt.date,
                   employers: Iterable[Employer], actor: Actor) -> Contract:
    """Art. 32: a negotiation starts with a written request."""
    require_capability(actor, Capability.RIGHTS_WRITE, org)
    if kind not in ContractKind.values:
        raise ApplicationError(_("请选择集体合同种类。"), extra={"field": "kind"})
    if not title.strip():
        raise ApplicationError(_("请填写合同名称。"), extra={"field": "title"})
    _not_future(requested_on, "requested_on")
    rows = _employers_in(org, employers)
    if not rows:
        raise ApplicationError(_("请至少选择一个用人单位。"), extra={"field": "employers"})
    if len(rows) > 1 and kind not in MULTI_EMPLOYER_KINDS:
        raise ApplicationError(_("只有区域性或行业性集体合同可以覆盖多个用人单位。"),
                               extra={"field": "employers"})
    contract = Contract.objects.create(org=org, org_path=org.path, kind=kind,
                                       title=title.strip(), requested_on=requested_on)
    Coverage.objects.bulk_create([Coverage(contract=contract, employer=e) for e in rows])
    append_history(contract, "", ContractStatus.NEGOTIATING, actor=actor,
                   reason=_("提出书面协商要求"))
    audit_record(actor=actor, action="rights.contract.start", obj=contract, org_path=org.path,
                 after={"kind": kind, "employers": [e.pk for e in rows]})
    return contract


@transaction.atomic
def contract_answer(*, contract: Contract, answered_on: dt.date, actor: Actor) -> Contract:
    _write(actor, contract)
    if contract.status != ContractStatus.NEGOTIATING:
        raise Conflict(_("只有协商中的合同可以记录对方答复。"))
    if answered_on < contract.requested_on:
        raise ApplicationError(_("答复日期不能早于协商要求日期。"), extra={"field": "answered_on"})
    _not_future(answered_on, "answered_on")
    Contract.objects.filter(pk=contract.pk).update(answered_on=answered_on)
    contract.answered_on = answered_on
    late = answered_on > clocks.negotiation_answer_due(contract.requested_on)
    note = _("对方答复（超过20日）") if late else _("对方答复")
    append_history(contract, contract.status, contract.status, actor=actor, reason=note)
    audit_record(actor=actor, action="rights.contract.answer", obj=contract,
                 org_path=contract.org_path, after={"answered_on": answered_on})
    return contract


@transaction.atomic
def representative_add(*, contract: Contract, side: str, name: str, is_chief: bool,
                       actor: Actor) -> Representative:
    _write(actor, contract)
    if contract.status != ContractStatus.NEGOTIATING:
        raise Conflict(_("协商结束后不能再变更协商代表。"))
    if side not in Representative.Side.values or not name.strip():
        raise ApplicationError(_("请填写代表姓名并选择代表方。"), extra={"field": "name"})
    if is_chief and contract.representatives.filter(side=side, is_chief=True).exists():
        raise ApplicationError(_("该方已有首席代表。"), extra={"field": "is_chief"})
    rep = Representative.objects.create(contract=contract, side=side, name=name.strip(),
                                        is_chief=is_chief)
    audit_record(actor=actor, action="rights.contract.representative", obj=contract,
                 org_path=contract.org_path, after={"side": side, "name": rep.name})
    return rep


def representatives_problem(contract: Contract) -> str:
    """Art. 19: at least 3 representatives a side, each side with a chief; '' when fine."""
    for side in Representative.Side:
        reps = [r for r in contract.representatives.all() if r.side == side]
        if len(reps) < MIN_REPRESENTATIVES:
            return _("{side}协商代表不足3人（集体合同规定第十九条）。").format(side=side.label)
        if not any(r.is_chief for r in reps):
            return _("{side}尚未确定首席代表。").format(side=side.label)
    return ""


@transaction.atomic
def contract_adopt(*, contract: Contract, adopted_on: dt.date, delegates_total: int,
                   delegates_present: int, votes_for: int, actor: Actor) -> Contract:
    """Art. 36: the draft goes to the workers' congress (or all workers): at least 2/3 present,
    and it passes with more than half of ALL delegates or workers."""
    _write(actor, contract)
    problem = representatives_problem(contract)
    if problem:
        raise Conflict(problem)
    if contract.answered_on is None:
        raise Conflict(_("请先记录对方对协商要求的答复。"))
    if delegates_total < 1 or delegates_present > delegates_total or votes_for > delegates_present:
        raise ApplicationError(_("人数不合理：出席人数不能超过总数，赞成票不能超过出席人数。"),
                               extra={"field": "delegates_present"})
    if adopted_on < contract.requested_on:
        raise ApplicationError(_("通过日期不能早于协商要求日期。"), extra={"field": "adopted_on"})
    _not_future(adopted_on, "adopted_on")
    if not clocks.quorum_met(delegates_present, delegates_total):
        raise ApplicationError(_("出席人数 {p} 人不足全体 {t} 人的三分之二，不能表决（集体合同规定第三十六条）。"
                                 ).format(p=delegates_present, t=delegates_total),
                               extra={"field": "delegates_present"})
    if not clocks.majority_of_all(votes_for, delegates_total):
        raise ApplicationError(_("赞成票 {v} 票未超过全体 {t} 人的半数，草案未获通过。").format(
            v=votes_for, t=delegates_total), extra={"field": "votes_for"})
    contract = transition(contract, ContractStatus.ADOPTED, transitions=CONTRACT_TRANSITIONS,
                          actor=actor, reason=_("职代会通过：{v}/{t}").format(
                              v=votes_for, t=delegates_total),
                          extra_fields={"adopted_on": adopted_on,
                                        "delegates_total": delegates_total,
                                        "delegates_present": delegates_present,
                                        "votes_for": votes_for})
    audit_record(actor=actor, action="rights.contract.adopt", obj=contract,
                 org_path=contract.org_path)
    return contract


@transaction.atomic
def contract_sign(*, contract: Contract, signed_on: dt.date, term_start: dt.date,
                  term_end: dt.date, actor: Actor) -> Contract:
    _write(actor, contract)
    if contract.adopted_on and signed_on < contract.adopted_on:
        raise ApplicationError(_("签订日期不能早于职代会通过日期。"), extra={"field": "signed_on"})
    _not_future(signed_on, "signed_on")
    if not clocks.term_years_ok(term_start, term_end):
        raise ApplicationError(_("集体合同期限应为一至三年（集体合同规定第三十八条）。"),
                               extra={"field": "term_end"})
    contract = transition(contract, ContractStatus.SIGNED, transitions=CONTRACT_TRANSITIONS,
                          actor=actor, reason=_("签订"),
                          extra_fields={"signed_on": signed_on, "term_start": term_start,
                                        "term_end": term_end})
    audit_record(actor=actor, action="rights.contract.sign", obj=contract,
                 org_path=contract.org_path)
    return contract


@transaction.atomic
def contract_file(*, contract: Contract, filed_on: dt.date, received_on: dt.date,
                  actor: Actor) -> Contract:
    """Art. 42/47: filed within 10 days of signing; in force after the bureau's 15 days."""
    _write(actor, contract)
    if contract.signed_on and filed_on < contract.signed_on:
        raise ApplicationError(_("报送日期不能早于签订日期。"), extra={"field": "filed_on"})
    if received_on < filed_on:
        raise ApplicationError(_("劳动部门收到日期不能早于报送日期。"),
                               extra={"field": "received_on"})
    _not_future(received_on, "received_on")
    effective = clocks.effective_on(received_on)
    late = contract.signed_on is not None and filed_on > clocks.filing_due(contract.signed_on)
    contract = transition(contract, ContractStatus.FILED, transitions=CONTRACT_TRANSITIONS,
                          actor=actor,
                          reason=(_("报送备案（超过签订后10日）") if late else _("报送备案")),
                          extra_fields={"filed_on": filed_on, "received_on": received_on,
                                        "effective_on": effective})
    audit_record(actor=actor, action="rights.contract.file", obj=contract,
                 org_path=contract.org_path, after={"effective_on": effective})
    return contract


@transaction.atomic
def contract_objection(*, contract: Contract, on: dt.date, reason: str,
                       actor: Actor) -> Contract:
    """The bureau objected within its 15 days: the contract does not take effect."""
    _write(actor, contract)
    if contract.received_on and on > clocks.objection_deadline(contract.received_on):
        raise ApplicationError(_("劳动部门的异议期已过（{day}），合同已生效。").format(
            day=clocks.objection_deadline(contract.received_on)), extra={"field": "on"})
    if not reason.strip():
        raise ApplicationError(_("请填写异议内容。"), extra={"field": "reason"})
    contract = transition(contract, ContractStatus.OBJECTED, transitions=CONTRACT_TRANSITIONS,
                          actor=actor, reason=reason, extra_fields={"effective_on": None})
    audit_record(actor=actor, action="rights.contract.objection", obj=contract,
                 org_path=contract.org_path, note=reason)
    return contract


@transaction.atomic
def contract_renegotiate(*, contract: Contract, reason: str, actor: Actor) -> Contract:
    _write(actor, contract)
    contract = transition(contract, ContractStatus.NEGOTIATING,
                          transitions=CONTRACT_TRANSITIONS, actor=actor,
                          reason=reason or _("重新协商"))
    audit_record(actor=actor, action="rights.contract.renegotiate", obj=contract,
                 org_path=contract.org_path)
    return contract


@transaction.atomic
def contract_abandon(*, contract: Contract, reason: str, actor: Actor) -> Contract:
    _write(actor, contract)
    contract = transition(contract, ContractStatus.ABANDONED, transitions=CONTRACT_TRANSITIONS,
                          actor=actor, reason=reason or _("协商终止"))
    audit_record(actor=actor, action="rights.contract.abandon", obj=contract,
                 org_path=contract.org_path)
    return contract
