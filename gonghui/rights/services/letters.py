"""The "two letters": a 劳动法律监督意见书 to an employer, its reply, and — unanswered or
refused — a 劳动法律监督建议书 to the labour inspection authority with the whole file."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
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
    LETTER_TRANSITIONS,
    Case,
    Letter,
    LetterKind,
    LetterStatus,
    RightsPolicy,
)

PREFIX = {LetterKind.OPINION: "监督意见", LetterKind.RECOMMENDATION: "监督建议"}


def policy_for(org: Org) -> RightsPolicy | None:
    """The nearest federation setting at or above `org` (internal)."""
    ancestors = [org.path[:i] for i in range(4, len(org.path) + 1, 4)]
    return (RightsPolicy.objects.filter(org_path__in=ancestors).order_by("-org_path").first())


def reply_due(org: Org, issued_on: dt.date) -> dt.date:
    policy = policy_for(org)
    days = policy.reply_days if policy else clocks.DEFAULT_REPLY_DAYS
    working = policy.reply_in_working_days if policy else False
    return clocks.period_end(issued_on, days, working_days=working)


@transaction.atomic
def policy_set(*, org: Org, reply_days: int, reply_in_working_days: bool,
               actor: Actor) -> RightsPolicy:
    require_capability(actor, Capability.POLICY_WRITE, org, read=Capability.RIGHTS_READ)
    if not 1 <= reply_days <= 90:
        raise ApplicationError(_("答复期限应为 1 到 90 天。"), extra={"field": "reply_days"})
    policy, _created = RightsPolicy.objects.update_or_create(
        org=org, defaults={"org_path": org.path, "reply_days": reply_days,
                           "reply_in_working_days": reply_in_working_days})
    audit_record(actor=actor, action="rights.policy.set", obj=policy, org_path=org.path,
                 after={"reply_days": reply_days, "working_days": reply_in_working_days})
    return policy


def _number(org: Org, kind: str, year: int) -> tuple[int, str]:
    # the org row lock serialises numbering within one union (the unique constraint backs it)
    Org.objects.select_for_update().filter(pk=org.pk).first()
    last = (Letter.objects.filter(org=org, kind=kind, year=year).aggregate(m=Max("seq"))["m"]
            or 0)
    seq = last + 1
    short = org.short_name or org.name
    return seq, f"{short}{PREFIX[LetterKind(kind)]}〔{year}〕{seq}号"


def _check_text(violation: str, legal_basis: str, correction: str) -> None:
    for field, value, label in (("violation", violation, _("违法事实")),
                                ("legal_basis", legal_basis, _("法律依据")),
                                ("correction", correction, _("整改要求"))):
        if not value.strip():
            raise ApplicationError(_("请填写{label}。").format(label=label),
                                   extra={"field": field})


@transaction.atomic
def opinion_issue(*, org: Org, employer: Employer, violation: str, legal_basis: str,
                  correction: str, issued_on: dt.date, case: Case | None = None,
                  actor: Actor) -> Letter:
    require_capability(actor, Capability.RIGHTS_WRITE, org)
    _check_text(violation, legal_basis, correction)
    if issued_on > clock.today():
        raise ApplicationError(_("发出日期不能晚于今天。"), extra={"field": "issued_on"})
    if not employer.area.path.startswith(org.path) and not org.path.startswith(employer.area.path):
        raise ApplicationError(_("只能向本工会辖区内的用人单位发出意见书。"),
                               extra={"field": "employer"})
    seq, number = _number(org, LetterKind.OPINION, issued_on.year)
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                org=org, org_path=org.path, kind=LetterKind.OPINION, year=issued_on.year,
                seq=seq, number=number, employer=employer, case=case, addressee=employer.name,
                violation=violation.strip(), legal_basis=legal_basis.strip(),
                correction=correction.strip(), issued_on=issued_on,
                reply_due=reply_due(org, issued_on))
    except IntegrityError as exc:
        raise Conflict(_("文号已被占用，请重试。")) from exc
    append_history(letter, "", LetterStatus.ISSUED, actor=actor, reason=number)
    audit_record(actor=actor, action="rights.letter.issue", obj=letter, org_path=org.path,
                 after={"number": number, "employer": employer.pk})
    return letter


@transaction.atomic
def opinion_reply(*, letter: Letter, reply_on: dt.date, reply_text: str, corrected: bool,
                  actor: Actor) -> Letter:
    require_capability(actor, Capability.RIGHTS_WRITE, letter.org)
    if letter.kind != LetterKind.OPINION:
        raise Conflict(_("只有意见书需要记录用人单位的答复。"))
    if reply_on < letter.issued_on:
        raise ApplicationError(_("答复日期不能早于意见书发出日期（{day}）。").format(
            day=letter.issued_on), extra={"field": "reply_on"})
    if reply_on > clock.today():
        raise ApplicationError(_("答复日期不能晚于今天。"), extra={"field": "reply_on"})
    if not reply_text.strip():
        raise ApplicationError(_("请填写答复内容。"), extra={"field": "reply_text"})
    target = LetterStatus.CORRECTED if corrected else LetterStatus.REFUSED
    letter = transition(letter, target, transitions=LETTER_TRANSITIONS, actor=actor,
                        reason=reply_text.strip()[:500],
                        extra_fields={"reply_on": reply_on, "reply_text": reply_text.strip()})
    audit_record(actor=actor, action="rights.letter.reply", obj=letter, org_path=letter.org_path,
                 after={"status": target, "reply_on": reply_on})
    return letter


@transaction.atomic
def recommendation_issue(*, opinion: Letter, authority: str, issued_on: dt.date,
                         actor: Actor) -> Letter:
    """Escalate an unanswered (past its reply date) or refused opinion to labour inspection."""
    require_capability(actor, Capability.RIGHTS_WRITE, opinion.org)
    if opinion.kind != LetterKind.OPINION:
        raise Conflict(_("只能就意见书提请劳动监察。"))
    unanswered = (opinion.status == LetterStatus.ISSUED and opinion.reply_due is not None
                  and issued_on > opinion.reply_due)
    if opinion.status != LetterStatus.REFUSED and not unanswered:
        raise Conflict(_("用人单位拒不整改或逾期（{due}）未答复的，才能发出建议书。").format(
            due=opinion.reply_due))
    if not authority.strip():
        raise ApplicationError(_("请填写劳动保障监察机构。"), extra={"field": "authority"})
    if issued_on > clock.today() or issued_on < opinion.issued_on:
        raise ApplicationError(_("发出日期应在意见书发出日期与今天之间。"),
                               extra={"field": "issued_on"})
    seq, number = _number(opinion.org, LetterKind.RECOMMENDATION, issued_on.year)
    letter = Letter.objects.create(
        org=opinion.org, org_path=opinion.org_path, kind=LetterKind.RECOMMENDATION,
        year=issued_on.year, seq=seq, number=number, employer=opinion.employer, opinion=opinion,
        case=opinion.case, addressee=authority.strip(), violation=opinion.violation,
        legal_basis=opinion.legal_basis, correction=opinion.correction, issued_on=issued_on)
    append_history(letter, "", LetterStatus.ISSUED, actor=actor, reason=number)
    transition(opinion, LetterStatus.ESCALATED, transitions=LETTER_TRANSITIONS, actor=actor,
               reason=_("已发出建议书 {number}").format(number=number))
    audit_record(actor=actor, action="rights.letter.escalate", obj=letter,
                 org_path=opinion.org_path, after={"opinion": opinion.pk, "number": number})
    return letter


@transaction.atomic
def letter_close(*, letter: Letter, note: str, actor: Actor) -> Letter:
    require_capability(actor, Capability.RIGHTS_WRITE, letter.org)
    letter = transition(letter, LetterStatus.CLOSED, transitions=LETTER_TRANSITIONS,
                        actor=actor, reason=note or _("办结"))
    audit_record(actor=actor, action="rights.letter.close", obj=letter, org_path=letter.org_path)
    return letter
