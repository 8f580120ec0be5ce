"""Cases: a worker's request, a cadre's screening, legal aid and mediation with the four-party
hand-offs (四方联动), hearings, closing with an outcome, and the worker's rating."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record, reveal, sensitive_read_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.crypto import blind_index, decrypt, encrypt
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.idnumber import IDNumberError, parse
from gonghui.core.workflow import append_history, transition
from gonghui.members.models import HELD_STATUSES, Membership
from gonghui.orgs.models import Employer, Org, OrgStatus
from gonghui.rights.models import (
    CASE_TRANSITIONS,
    Body,
    Case,
    CaseDocument,
    CaseKind,
    CaseStatus,
    Hearing,
    Lawyer,
    Outcome,
    Referral,
)
from gonghui.rights.permissions import require_case_write

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


def _check_dates(known_on: dt.date, applied_on: dt.date) -> None:
    today = clock.today()
    if applied_on > today:
        raise ApplicationError(_("申请日期不能晚于今天。"), extra={"field": "applied_on"})
    if known_on > applied_on:
        raise ApplicationError(_("知道权利被侵害之日不能晚于申请日期。"),
                               extra={"field": "known_on"})


def _id_fields(id_number: str) -> dict[str, Any]:
    if not id_number.strip():
        return {"worker_id_number": None, "worker_id_hash": ""}
    try:
        number = parse(id_number).number
    except IDNumberError as exc:
        raise ApplicationError(exc.message, extra={"field": "id_number"}) from exc
    return {"worker_id_number": number, "worker_id_hash": blind_index(number)}


def _check_union(union: Org) -> None:
    if union.status != OrgStatus.ACTIVE:
        raise Conflict(_("该工会已合并或撤销，不能受理新的维权求助。"))


def _is_member(user: Any) -> bool:
    return user is not None and Membership.objects.filter(
        person__user=user, status__in=HELD_STATUSES).exists()


def _create(*, union: Org, status: str, kind: str, worker: Any, worker_name: str,
            id_number: str, phone: str, is_member: bool, employer: Employer | None,
            employer_name: str, dispute_type: str, description: str, workers_involved: int,
            amount_claimed: Decimal, known_on: dt.date, applied_on: dt.date,
            actor: Actor, note: str) -> Case:
    _check_union(union)
    _check_dates(known_on, applied_on)
    if amount_claimed < 0:
        raise ApplicationError(_("诉求金额不能为负数。"), extra={"field": "amount_claimed"})
    if workers_involved < 1:
        raise ApplicationError(_("涉及人数至少为 1 人。"), extra={"field": "workers_involved"})
    if not worker_name.strip():
        raise ApplicationError(_("请填写职工姓名。"), extra={"field": "worker_name"})
    case = Case.objects.create(
        union=union, union_path=union.path, status=status, kind=kind, worker=worker,
        worker_name=worker_name.strip(), worker_phone=phone.strip(), is_member=is_member,
        employer=employer, employer_name=(employer.name if employer else employer_name.strip()),
        dispute_type=dispute_type, description=description.strip(),
        workers_involved=workers_involved, amount_claimed=amount_claimed, known_on=known_on,
        applied_on=applied_on, body=Body.UNION, body_since=applied_on, **_id_fields(id_number))
    case.number = f"WQ{applied_on.year}-{case.pk:06d}"
    case.save(update_fields=["number"])
    append_history(case, "", status, actor=actor, reason=note)
    audit_record(actor=actor, action="rights.case.create", obj=case, org_path=case.union_path,
                 after={"kind": kind, "status": status, "dispute_type": dispute_type})
    return case


@transaction.atomic
def case_submit(*, union: Org, dispute_type: str, description: str, known_on: dt.date,
                phone: str = "", employer_name: str = "", id_number: str = "",
                workers_involved: int = 1, amount_claimed: Decimal = Decimal("0"),
                actor: Actor) -> Case:
    """A worker asks for help (any signed-in worker; membership is recorded, not required)."""
    user = actor_user(actor)
    if user is None:
        raise Forbidden(_("求助须以本人账户提交。"))
    name = getattr(user, "display_name", "") or user.get_username()
    return _create(union=union, status=CaseStatus.SUBMITTED, kind=CaseKind.REQUEST, worker=user,
                   worker_name=name, id_number=id_number, phone=phone,
                   is_member=_is_member(user), employer=None, employer_name=employer_name,
                   dispute_type=dispute_type, description=description,
                   workers_involved=workers_involved, amount_claimed=amount_claimed,
                   known_on=known_on, applied_on=clock.today(), actor=actor,
                   note=_("职工提交求助"))


@transaction.atomic
def case_open(*, union: Org, kind: str, worker_name: str, dispute_type: str, description: str,
              known_on: dt.date, applied_on: dt.date, id_number: str = "", phone: str = "",
              is_member: bool = False, employer: Employer | None = None,
              employer_name: str = "", workers_involved: int = 1,
              amount_claimed: Decimal = Decimal("0"), lawyer: Lawyer | None = None,
              actor: Actor) -> Case:
    """A cadre opens a case directly (a walk-in, a phone call, a referral from elsewhere)."""
    require_capability(actor, Capability.RIGHTS_WRITE, union)
    if kind not in (CaseKind.LEGAL_AID, CaseKind.MEDIATION):
        raise ApplicationError(_("请选择法律援助或调解。"), extra={"field": "kind"})
    case = _create(union=union, status=CaseStatus.OPEN, kind=kind, worker=None,
                   worker_name=worker_name, id_number=id_number, phone=phone,
                   is_member=is_member, employer=employer, employer_name=employer_name,
                   dispute_type=dispute_type, description=description,
                   workers_involved=workers_involved, amount_claimed=amount_claimed,
                   known_on=known_on, applied_on=applied_on, actor=actor,
                   note=_("工会直接受理"))
    if lawyer is not None:
        _set_lawyer(case, lawyer, actor)
    return case


def _set_lawyer(case: Case, lawyer: Lawyer, actor: Actor) -> None:
    ancestors = {case.union_path[:i] for i in range(4, len(case.union_path) + 1, 4)}
    if not lawyer.active or lawyer.org_path not in ancestors:
        raise ApplicationError(_("只能指派本工会或上级工会在册的律师或志愿者。"),
                               extra={"field": "lawyer"})
    case.lawyer = lawyer
    case.save(update_fields=["lawyer", "updated_at"])
    append_history(case, case.status, case.status, actor=actor,
                   reason=_("指派承办人：{name}").format(name=lawyer))


@transaction.atomic
def case_accept(*, case: Case, kind: str, lawyer: Lawyer | None = None, note: str = "",
                actor: Actor) -> Case:
    """Screening said yes: the request becomes a legal-aid or a mediation case."""
    require_case_write(actor, case)
    if kind not in (CaseKind.LEGAL_AID, CaseKind.MEDIATION):
        raise ApplicationError(_("请选择法律援助或调解。"), extra={"field": "kind"})
    case = transition(case, CaseStatus.OPEN, transitions=CASE_TRANSITIONS, actor=actor,
                      reason=note or _("受理"), extra_fields={"kind": kind})
    if lawyer is not None:
        _set_lawyer(case, lawyer, actor)
    audit_record(actor=actor, action="rights.case.accept", obj=case, org_path=case.union_path,
                 after={"kind": kind})
    return case


@transaction.atomic
def case_reject(*, case: Case, reason: str, actor: Actor) -> Case:
    require_case_write(actor, case)
    if not reason.strip():
        raise ApplicationError(_("请填写不予受理的理由。"), extra={"field": "reason"})
    case = transition(case, CaseStatus.REJECTED, transitions=CASE_TRANSITIONS, actor=actor,
                      reason=reason)
    audit_record(actor=actor, action="rights.case.reject", obj=case, org_path=case.union_path,
                 note=reason)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, reason: str, actor: Actor) -> Case:
    """The worker withdraws their own request or case; a cadre records a withdrawal."""
    user = actor_user(actor)
    if case.worker_id is None or user is None or case.worker_id != user.pk:
        require_case_write(actor, case)
    case = transition(case, CaseStatus.WITHDRAWN, transitions=CASE_TRANSITIONS, actor=actor,
                      reason=reason or _("撤回"))
    audit_record(actor=actor, action="rights.case.withdraw", obj=case, org_path=case.union_path,
                 note=reason)
    return case


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise Conflict(_("只有办理中的案件可以进行此操作。"))


@transaction.atomic
def case_assign(*, case: Case, lawyer: Lawyer, actor: Actor) -> Case:
    require_case_write(actor, case)
    _require_open(case)
    _set_lawyer(case, lawyer, actor)
    audit_record(actor=actor, action="rights.case.assign", obj=case, org_path=case.union_path,
                 after={"lawyer": lawyer.pk})
    return case


@transaction.atomic
def case_refer(*, case: Case, to_body: str, on: dt.date, reason: str, documents: str = "",
               actor: Actor) -> Referral:
    """A hand-off between the four parties; the case stays in its union."""
    require_case_write(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk, union_id=case.union_id)  # the shard
    _require_open(case)
    if to_body not in Body.values:
        raise ApplicationError(_("请选择移交的机构。"), extra={"field": "to_body"})
    if to_body == case.body:
        raise ApplicationError(_("案件已在该机构办理，不能移交给同一机构。"),
                               extra={"field": "to_body"})
    if on < case.body_since:
        raise ApplicationError(_("移交日期不能早于案件转入当前机构的日期（{day}）。").format(
            day=case.body_since), extra={"field": "on"})
    if on > clock.today():
        raise ApplicationError(_("移交日期不能晚于今天。"), extra={"field": "on"})
    if not reason.strip():
        raise ApplicationError(_("请填写移交原因。"), extra={"field": "reason"})
    referral = Referral.objects.create(
        case=case, from_body=case.body, to_body=to_body, on=on, reason=reason.strip(),
        documents=documents.strip(), actor_name=actor_name(actor), at=clock.now())
    fields = {"body": to_body, "body_since": on}
    if to_body == Body.ARBITRATION:
        fields.update(arbitration_accepted_on=on, arbitration_extended=False)
    Case.objects.filter(pk=case.pk).update(updated_at=clock.now(), **fields)
    append_history(case, case.status, case.status, actor=actor,
                   reason=_("移交：{a} → {b}（{why}）").format(
                       a=Body(case.body).label, b=Body(to_body).label, why=reason.strip()))
    audit_record(actor=actor, action="rights.case.refer", obj=case, org_path=case.union_path,
                 before={"body": case.body}, after={"body": to_body, "on": on})
    return referral


@transaction.atomic
def case_extend_arbitration(*, case: Case, reason: str, actor: Actor) -> Case:
    """Art. 43: the arbitration may be extended once, by at most 15 days."""
    require_case_write(actor, case)
    _require_open(case)
    if case.body != Body.ARBITRATION:
        raise Conflict(_("案件不在仲裁阶段，不能延长仲裁期限。"))
    if case.arbitration_extended:
        raise Conflict(_("仲裁期限只能延长一次（劳动争议调解仲裁法第四十三条）。"))
    Case.objects.filter(pk=case.pk).update(arbitration_extended=True, updated_at=clock.now())
    case.arbitration_extended = True
    append_history(case, case.status, case.status, actor=actor,
                   reason=_("仲裁期限延长15日：{why}").format(why=reason))
    audit_record(actor=actor, action="rights.case.extend", obj=case, org_path=case.union_path)
    return case


@transaction.atomic
def case_hearing(*, case: Case, on: dt.date, note: str, actor: Actor) -> Hearing:
    require_case_write(actor, case)
    _require_open(case)
    if on < case.applied_on:
        raise ApplicationError(_("开庭/调解日期不能早于申请日期。"), extra={"field": "on"})
    if not note.strip():
        raise ApplicationError(_("请填写情况记录。"), extra={"field": "note"})
    hearing = Hearing.objects.create(case=case, on=on, body=case.body, note=note.strip(),
                                     actor_name=actor_name(actor))
    append_history(case, case.status, case.status, actor=actor,
                   reason=_("{day} 开庭/调解：{note}").format(day=on, note=note.strip()))
    audit_record(actor=actor, action="rights.case.hearing", obj=case, org_path=case.union_path)
    return hearing


@transaction.atomic
def case_close(*, case: Case, outcome: str, amount_recovered: Decimal, closed_on: dt.date,
               note: str = "", actor: Actor) -> Case:
    require_case_write(actor, case)
    if outcome not in Outcome.values:
        raise ApplicationError(_("请选择结案结果。"), extra={"field": "outcome"})
    if amount_recovered < 0:
        raise ApplicationError(_("挽回金额不能为负数。"), extra={"field": "amount_recovered"})
    if closed_on < case.applied_on or closed_on > clock.today():
        raise ApplicationError(_("结案日期应在申请日期与今天之间。"), extra={"field": "closed_on"})
    case = transition(case, CaseStatus.CLOSED, transitions=CASE_TRANSITIONS, actor=actor,
                      reason=note or str(Outcome(outcome).label),
                      extra_fields={"outcome": outcome, "amount_recovered": amount_recovered,
                                    "closed_on": closed_on})
    audit_record(actor=actor, action="rights.case.close", obj=case, org_path=case.union_path,
                 after={"outcome": outcome, "amount_recovered": amount_recovered})
    return case


@transaction.atomic
def case_rate(*, case: Case, rating: int, comment: str = "", actor: Actor) -> Case:
    """The worker rates the help once the case is closed (once)."""
    user = actor_user(actor)
    if user is None or case.worker_id != user.pk:
        raise Forbidden(_("只有求助的职工本人可以评价。"))
    case = Case.objects.select_for_update().get(pk=case.pk, union_id=case.union_id)  # the shard
    if case.status != CaseStatus.CLOSED:
        raise Conflict(_("案件结案后才能评价。"))
    if case.rating is not None:
        raise Conflict(_("您已评价过本案件。"))
    if not 1 <= rating <= 5:
        raise ApplicationError(_("评价为 1 到 5 星。"), extra={"field": "rating"})
    Case.objects.filter(pk=case.pk).update(rating=rating, rating_comment=comment.strip()[:500])
    case.rating, case.rating_comment = rating, comment.strip()[:500]
    audit_record(actor=actor, action="rights.case.rate", obj=case, org_path=case.union_path,
                 after={"rating": rating})
    return case


@transaction.atomic
def document_add(*, case: Case, name: str, content_type: str, data: bytes,
                 actor: Actor) -> CaseDocument:
    """A photo or file, stored encrypted (personal data); by the worker or a cadre."""
    user = actor_user(actor)
    if case.worker_id is None or user is None or case.worker_id != user.pk:
        require_case_write(actor, case)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.OPEN):
        raise Conflict(_("案件已办结，不能再上传材料。"))
    if content_type not in DOCUMENT_TYPES:
        raise ApplicationError(_("只能上传 JPG、PNG、WEBP 图片或 PDF 文件。"),
                               extra={"field": "file"})
    if not data or len(data) > MAX_DOCUMENT_BYTES:
        raise ApplicationError(_("文件不能为空，且不能超过 10 MB。"), extra={"field": "file"})
    doc = CaseDocument.objects.create(
        case=case, name=name[:200], content_type=content_type,
        data=encrypt(base64.b64encode(data).decode()), size=len(data),
        uploaded_by=actor_name(actor), at=clock.now())
    append_history(case, case.status, case.status, actor=actor,
                   reason=_("上传材料：{name}").format(name=doc.name))
    audit_record(actor=actor, action="rights.case.document", obj=case, org_path=case.union_path,
                 after={"document": doc.pk, "name": doc.name})
    return doc


def document_bytes(*, doc: CaseDocument, actor: Actor) -> bytes:
    """The clear bytes of a document, logged as a read of personal data."""
    sensitive_read_record(actor=actor, subject=doc.case, field="document", purpose=doc.name,
                          org_path=doc.case.union_path)
    return base64.b64decode(decrypt(bytes(doc.data)))


def case_reveal_id(*, case: Case, purpose: str, actor: Actor) -> str:
    return reveal(actor=actor, cap=Capability.RIGHTS_REVEAL, org=case.union, subject=case,
                  field="worker_id_number", value=lambda: case.worker_id_number or "",
                  purpose=purpose)


@transaction.atomic
def lawyer_add(*, org: Org, name: str, kind: str, firm: str = "", phone: str = "",
               actor: Actor) -> Lawyer:
    require_capability(actor, Capability.RIGHTS_WRITE, org)
    if not name.strip():
        raise ApplicationError(_("请填写姓名。"), extra={"field": "name"})
    lawyer = Lawyer.objects.create(org=org, org_path=org.path, name=name.strip(), kind=kind,
                                   firm=firm.strip(), phone=phone.strip())
    audit_record(actor=actor, action="rights.lawyer.add", obj=lawyer, org_path=org.path)
    return lawyer
