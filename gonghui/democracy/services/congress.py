"""The congress with standing representatives (代表常任制) and its proposals (代表提案制).

Cadres (democracy.write over the congress's union) keep the congress, its sessions and act as
the proposal committee; a representative with an account drafts, co-signs and rates their own
proposals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import User
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.core.workflow import transition
from gonghui.democracy.counting import may_start
from gonghui.democracy.models import (
    PROPOSAL_TRANSITIONS,
    Attendance,
    Congress,
    ContactRecord,
    Cosigner,
    Proposal,
    ProposalDepartment,
    ProposalStatus,
    Representative,
    Satisfaction,
    Session,
    SessionVote,
)
from gonghui.notifications.services import notify
from gonghui.orgs.models import Org
from gonghui.workplan.models import Department

P = ProposalStatus


def _write(actor: Actor, congress: Congress) -> None:
    require_capability(actor, Capability.DEMOCRACY_WRITE, congress.org)


def _audit(actor: Actor, action: str, obj: Any, congress: Congress, **extra: Any) -> None:
    audit_record(actor=actor, action=f"democracy.{action}", obj=obj, org_path=congress.org_path,
                 **extra)


def _text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, extra={"field": field})
    return value


def congress_create(*, org: Org, name: str, started_on: dt.date, term_years: int = 5,
                    min_cosigners: int = 2, actor: Actor) -> Congress:
    require_capability(actor, Capability.DEMOCRACY_WRITE, org)
    name = _text(name, _("请填写代表大会名称。"), "name")
    if term_years not in (3, 5):
        raise ApplicationError(_("任期只能是 3 年或 5 年。"), extra={"field": "term_years"})
    if not 0 <= min_cosigners <= 50:
        raise ApplicationError(_("附议人数须在 0 到 50 之间。"), extra={"field": "min_cosigners"})
    try:
        with transaction.atomic():
            congress = Congress.objects.create(org=org, org_path=org.path, name=name,
                                               started_on=started_on, term_years=term_years,
                                               min_cosigners=min_cosigners)
            _audit(actor, "congress.create", congress, congress, after={"name": name})
    except IntegrityError as exc:
        raise Conflict(_("该工会已有同名的代表大会。"), extra={"field": "name"}) from exc
    return congress


def _reps(congress: Congress) -> Any:
    """The congress's representatives, read in its union (on Citus one shard: a session or a
    vote then writes reference tables, which Citus refuses after a read over every shard)."""
    return Representative.objects.filter(congress=congress, org_id=congress.org_id)


def representatives_add(*, congress: Congress, lines: Sequence[str], elected_on: dt.date,
                        actor: Actor) -> int:
    """Lines "选举单位,姓名[,账号]": the representatives elected per constituency."""
    _write(actor, congress)
    rows = []
    for no, raw in enumerate(lines, start=1):
        parts = [p.strip() for p in raw.replace("，", ",").split(",")]
        if not any(parts):
            continue
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ApplicationError(_("第 {no} 行应为“选举单位,姓名[,账号]”。").format(no=no),
                                   extra={"field": "lines"})
        user = None
        if len(parts) > 2 and parts[2]:
            user = User.objects.filter(username=parts[2], is_active=True).first()
            if user is None:
                raise ApplicationError(_("第 {no} 行：账号“{u}”不存在。").format(
                    no=no, u=parts[2]), extra={"field": "lines"})
        rows.append(Representative(congress=congress, org_id=congress.org_id,
                                   constituency=parts[0], name=parts[1],
                                   user=user, elected_on=elected_on))
    if not rows:
        raise ApplicationError(_("请至少填写一名代表。"), extra={"field": "lines"})
    try:
        with transaction.atomic():
            Representative.objects.bulk_create(rows)
            _audit(actor, "representatives.add", congress, congress, after={"added": len(rows)})
    except IntegrityError as exc:
        raise Conflict(_("名单中有代表已经登记（同一选举单位同名，或同一账号）。"),
                       extra={"field": "lines"}) from exc
    return len(rows)


def session_hold(*, congress: Congress, held_on: dt.date, agenda: str,
                 present_ids: Sequence[int], actor: Actor) -> Session:
    """Record a session with its attendance; it may meet only with two thirds present."""
    _write(actor, congress)
    reps = set(_reps(congress).filter(active=True).values_list("pk", flat=True))
    ids = set(present_ids)
    if not ids <= reps:
        raise ApplicationError(_("出席名单中有不是本届在任代表的人。"), extra={"field": "present"})
    if not may_start(len(reps), len(ids)):
        raise ApplicationError(_("代表 {e} 人，出席 {p} 人，不足三分之二，不能开会。").format(
            e=len(reps), p=len(ids)), extra={"field": "present"})
    with transaction.atomic():
        number = (congress.sessions.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        session = Session.objects.create(congress=congress, number=number, held_on=held_on,
                                         agenda=agenda.strip())
        Attendance.objects.bulk_create([Attendance(session=session, representative_id=pk,
                                                   org_id=congress.org_id) for pk in ids])
        _audit(actor, "session.hold", session, congress,
               after={"number": number, "entitled": len(reps), "present": len(ids)})
    return session


def session_vote(*, session: Session, subject: str, yes: int, no: int, abstain: int,
                 actor: Actor) -> SessionVote:
    """A vote on a report: adopted with "yes" from more than half of all representatives."""
    congress = session.congress
    _write(actor, congress)
    subject = _text(subject, _("请填写表决事项。"), "subject")
    entitled = _reps(congress).filter(active=True).count()
    present = session.attendance.filter(org_id=congress.org_id).count()
    if min(yes, no, abstain) < 0:
        raise ApplicationError(_("票数不能为负数。"), extra={"field": "yes"})
    if yes + no + abstain > present:
        raise ApplicationError(_("赞成、反对、弃权合计（{n}）多于出席人数（{p}）。").format(
            n=yes + no + abstain, p=present), extra={"field": "yes"})
    with transaction.atomic():
        vote = SessionVote.objects.create(session=session, subject=subject, entitled=entitled,
                                          present=present, yes=yes, no=no, abstain=abstain,
                                          adopted=yes * 2 > entitled)
        _audit(actor, "session.vote", vote, congress,
               after={"subject": subject, "yes": yes, "no": no, "abstain": abstain,
                      "adopted": vote.adopted})
    return vote


def contact_record(*, representative: Representative, on: dt.date, kind: str, summary: str,
                   members_reached: int = 0, actor: Actor) -> ContactRecord:
    """Recorded by the cadre, or by the representative themselves."""
    congress = representative.congress
    if representative.user_id is None or getattr(actor, "pk", None) != representative.user_id:
        _write(actor, congress)
    summary = _text(summary, _("请填写联系内容。"), "summary")
    if on > clock.today():
        raise ApplicationError(_("日期不能晚于今天。"), extra={"field": "on"})
    with transaction.atomic():
        row = ContactRecord.objects.create(representative=representative, on=on, kind=kind,
                                           summary=summary, members_reached=members_reached)
        _audit(actor, "contact.record", row, congress, after={"kind": kind, "on": on})
    return row


# --- proposals ----------------------------------------------------------------------------------

def _own(actor: Actor, representative: Representative) -> None:
    if representative.user_id is None or getattr(actor, "pk", None) != representative.user_id:
        raise NotFound()


def proposal_draft(*, representative: Representative, title: str, body: str,
                   actor: Actor) -> Proposal:
    _own(actor, representative)
    title = _text(title, _("请填写案由。"), "title")
    body = _text(body, _("请填写提案内容和建议。"), "body")
    congress = representative.congress
    with transaction.atomic():
        proposal = Proposal.objects.create(congress=congress, org_id=congress.org_id,
                                           org_path=congress.org_path,
                                           proposer=representative, year=clock.today().year,
                                           title=title, body=body)
        _audit(actor, "proposal.draft", proposal, congress, after={"title": title})
    return proposal


def proposal_cosign(*, proposal: Proposal, representative: Representative,
                    actor: Actor) -> Cosigner:
    _own(actor, representative)
    if representative.congress_id != proposal.congress_id:
        raise NotFound()
    if representative.pk == proposal.proposer_id:
        raise ApplicationError(_("提案人不能附议自己的提案。"))
    if proposal.status != P.DRAFT:
        raise Conflict(_("提案已经提交，不能再附议。"))
    try:
        with transaction.atomic():
            row = Cosigner.objects.create(proposal=proposal, org_id=proposal.org_id,
                                          representative=representative)
            _audit(actor, "proposal.cosign", proposal, proposal.congress,
                   after={"cosigner": representative.name})
    except IntegrityError as exc:
        raise Conflict(_("您已经附议过这件提案。")) from exc
    return row


def proposal_submit(*, proposal: Proposal, actor: Actor) -> Proposal:
    _own(actor, proposal.proposer)
    needed = proposal.congress.min_cosigners
    have = proposal.cosigners.filter(org_id=proposal.org_id).count()
    if have < needed:
        raise ApplicationError(_("提案须有至少 {n} 名代表附议，目前 {have} 名。").format(
            n=needed, have=have))
    with transaction.atomic():
        proposal = transition(proposal, P.SUBMITTED, transitions=PROPOSAL_TRANSITIONS,
                              actor=actor, reason=_("附议 {n} 人").format(n=have))
        _audit(actor, "proposal.submit", proposal, proposal.congress)
    return proposal


def proposal_decide(*, proposal: Proposal, decision: str, reason: str = "",
                    actor: Actor) -> Proposal:
    """The proposal committee: accept (立案), turn into an opinion, or decline with a reason."""
    _write(actor, proposal.congress)
    if decision not in (P.ACCEPTED, P.OPINION, P.DECLINED):
        raise ApplicationError(_("请选择审查结论。"), extra={"field": "decision"})
    reason = reason.strip()
    if decision != P.ACCEPTED and not reason:
        raise ApplicationError(_("转为意见建议或不予立案时须说明理由。"),
                               extra={"field": "reason"})
    with transaction.atomic():
        proposal = transition(proposal, decision, transitions=PROPOSAL_TRANSITIONS, actor=actor,
                              reason=reason, extra_fields={"decision_reason": reason})
        _audit(actor, "proposal.decide", proposal, proposal.congress,
               after={"decision": decision, "reason": reason})
    return proposal


def proposal_assign(*, proposal: Proposal, lead: Department,
                    co_departments: Sequence[Department] = (), deadline: dt.date,
                    actor: Actor) -> Proposal:
    _write(actor, proposal.congress)
    org_id = proposal.congress.org_id
    if lead.org_id != org_id or any(d.org_id != org_id for d in co_departments):
        raise ApplicationError(_("承办部门须是本工会的部门。"), extra={"field": "lead"})
    if lead in co_departments:
        raise ApplicationError(_("牵头部门不能同时是协办部门。"), extra={"field": "co"})
    if deadline <= clock.today():
        raise ApplicationError(_("答复期限须晚于今天。"), extra={"field": "deadline"})
    with transaction.atomic():
        proposal = transition(proposal, P.ASSIGNED, transitions=PROPOSAL_TRANSITIONS,
                              actor=actor, reason=lead.name,
                              extra_fields={"deadline": deadline, "assigned_on": clock.today()})
        proposal.departments.filter(org_id=proposal.org_id).delete()   # the union's shard
        ProposalDepartment.objects.bulk_create(
            [ProposalDepartment(proposal=proposal, org_id=proposal.org_id, department=lead,
                                is_lead=True)]
            + [ProposalDepartment(proposal=proposal, org_id=proposal.org_id, department=d)
               for d in co_departments])
        _audit(actor, "proposal.assign", proposal, proposal.congress,
               after={"lead": lead.name, "co": [d.name for d in co_departments],
                      "deadline": deadline})
    return proposal


def proposal_reply(*, proposal: Proposal, reply: str, actor: Actor) -> Proposal:
    """The departments' reply (entered by the cadre), published to the proposer."""
    _write(actor, proposal.congress)
    reply = _text(reply, _("请填写答复内容。"), "reply")
    with transaction.atomic():
        proposal = transition(proposal, P.REPLIED, transitions=PROPOSAL_TRANSITIONS, actor=actor,
                              extra_fields={"reply": reply, "replied_on": clock.today()})
        _audit(actor, "proposal.reply", proposal, proposal.congress)
        if proposal.proposer.user is not None:
            notify(recipients=[proposal.proposer.user], kind="democracy.proposal_reply",
                   title=_("您的提案已答复：{t}").format(t=proposal.title),
                   url=reverse("democracy:my_proposal", args=[proposal.pk]),
                   org_path=proposal.org_path, actor=actor)
    return proposal


def proposal_rate(*, proposal: Proposal, satisfaction: str, actor: Actor) -> Proposal:
    """The proposer's verdict; "not satisfied" sends it back to the departments once."""
    _own(actor, proposal.proposer)
    if satisfaction not in Satisfaction.values:
        raise ApplicationError(_("请选择满意程度。"), extra={"field": "satisfaction"})
    reopen = satisfaction == Satisfaction.NOT and not proposal.reopened
    with transaction.atomic():
        if reopen:
            proposal = transition(proposal, P.ASSIGNED, transitions=PROPOSAL_TRANSITIONS,
                                  actor=actor, reason=_("提案人不满意，重新办理"),
                                  extra_fields={"satisfaction": satisfaction, "reopened": True})
        else:
            proposal = transition(proposal, P.CLOSED, transitions=PROPOSAL_TRANSITIONS,
                                  actor=actor, reason=str(Satisfaction(satisfaction).label),
                                  extra_fields={"satisfaction": satisfaction})
        _audit(actor, "proposal.rate", proposal, proposal.congress,
               after={"satisfaction": satisfaction, "reopened": reopen})
    return proposal


def representative_of(user: Any, congress: Congress) -> Representative:
    rep = _reps(congress).filter(user=user, active=True).first() if getattr(
        user, "pk", None) else None
    if rep is None:
        raise Forbidden(_("只有本届代表可以提出或附议提案。"))
    return rep
