"""Writes of the hardship file: opening, household and incomes, the review chain
(submit → verify by street/district → active), closing, visits, documents, ID reveal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.aid import rules
from gonghui.aid.models import (
    TRANSITIONS,
    ActivityKind,
    AssessmentSource,
    Cause,
    DocumentKind,
    FileDocument,
    FileStatus,
    HardshipFile,
    HouseholdClaim,
    HouseholdMember,
    IncomeAssessment,
    IncomeKind,
    IncomeSource,
    Need,
    Relation,
)
from gonghui.aid.services.common import (
    activity,
    audit,
    can_verify,
    require_active_org,
    require_reason,
    require_write,
    timeline_writer,
)
from gonghui.aid.services.standards import apply_proposal, effective_policy, resolve_standard
from gonghui.audit.services import diff, reveal, snapshot
from gonghui.core import clock, idnumber
from gonghui.core.actor import Actor, actor_user
from gonghui.core.cells import CellError, parse_id_number
from gonghui.core.citus import shard_key, updatable_fields
from gonghui.core.crypto import blind_index
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.money import to_money
from gonghui.core.workflow import transition
from gonghui.members.models import Membership, MembershipStatus, Person

# Data can change while the household is being filed, and while it is helped (the change is
# what the review catches); a file waiting for verification is frozen, closed ones are history.
EDITABLE_STATUSES = frozenset({FileStatus.DRAFT, FileStatus.ACTIVE})
FILE_FIELDS = ("address", "phone", "housing", "housing_area", "housing_note", "needs",
               "needs_note", "sudden", "sudden_on", "sudden_description")
MEMBER_FIELDS = ("name", "relation", "health", "health_note", "work", "education",
                 "university_entry_year", "note")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_DOCUMENT_TYPES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]


def person_hash(number: str) -> str:
    return blind_index(number)


def _locked(file: HardshipFile) -> HardshipFile:
    # with the union: on Citus a row lock must name the shard (core.citus.shard_key)
    return (HardshipFile.objects.select_for_update().select_related("union")
            .filter(**shard_key(file)).get(pk=file.pk))


def _require_editable(file: HardshipFile) -> None:
    if file.status not in EDITABLE_STATUSES:
        raise ApplicationError(
            _("档案当前为“{status}”，不能修改。").format(status=file.get_status_display()),
            code="not_editable",
        )


def duplicate_person_error(id_hash: str, viewer: Actor, *, name: str = "") -> Conflict:
    """The refusal for a person already in an open file: a pointer to that file if the viewer
    may see it, otherwise a message that says nothing about where or whose."""
    claim = HouseholdClaim.objects.filter(id_hash=id_hash).select_related("file").first()
    if claim is not None and scope(
        HardshipFile.objects.filter(pk=claim.file_id), viewer, Capability.AID_READ,
        path_field="union_path"
    ).exists():
        other = claim.file
        return Conflict(
            _("{name}已在困难职工档案 {number}（{applicant}户，{status}）中，一人只能在一份在档档案中。").format(
                name=name or _("该人员"), number=other.number, applicant=other.applicant_name,
                status=other.get_status_display()),
            code="person_has_open_file",
            extra={"existing_file_id": other.pk,
                   "existing_file_url": reverse("aid:file", args=[other.pk])},
        )
    return Conflict(
        _("{name}已在另一份在档困难职工档案中，不能重复建档；如需核实，请联系上级工会。").format(
            name=name or _("该人员")),
        code="person_has_open_file",
    )


def _claim(member: HouseholdMember, viewer: Actor) -> None:
    try:
        with transaction.atomic():
            HouseholdClaim.objects.create(id_hash=member.id_hash, file_id=member.file_id,
                                          member=member)
    except IntegrityError as exc:
        raise duplicate_person_error(member.id_hash, viewer, name=member.name) from exc


def claims_take(file: HardshipFile, viewer: Actor) -> None:
    for member in file.household.all():
        _claim(member, viewer)


def claims_release(file: HardshipFile) -> None:
    HouseholdClaim.objects.filter(file=file).delete()


def refresh_figures(file: HardshipFile) -> HardshipFile:
    """Recompute size, income and the proposal from the rows; flag an active file whose
    proposal now differs from its confirmed category. Saves the figures."""
    file.household_size = file.household.count()
    file.monthly_income = to_money(
        IncomeSource.objects.filter(file=file).aggregate(s=Sum("monthly_amount"))["s"] or 0)
    apply_proposal(file, resolve_standard(file.union_path, clock.today().year),
                   effective_policy(file.union_path))
    fields = ["household_size", "monthly_income", "per_capita_income", "line", "line_year",
              "upper_line", "proposed_category", "updated_at"]
    if (file.status == FileStatus.ACTIVE and file.category != file.proposed_category
            and not file.needs_review):
        file.needs_review = True
        file.review_reason = _("家庭成员或收入变化后，系统建议类别为“{label}”，请复核。").format(
            label=rules.category_label(file.proposed_category))
        fields += ["needs_review", "review_reason"]
    file.save(update_fields=fields)
    return file


def _member_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(MEMBER_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    year = values.get("university_entry_year")
    if year is not None and not 1990 <= int(year) <= 2100:
        raise ApplicationError(_("考入大学年份不正确。"), code="bad_year")
    return values


def file_open(*, person: Person, actor: Actor, address: str = "", phone: str = "",
              work: str = "employed") -> HardshipFile:
    """Open a file (建档) for the household of a member with an active membership. The applicant
    becomes the household's first person (本人)."""
    membership = (Membership.objects.select_related("union")
                  .filter(person=person, status=MembershipStatus.ACTIVE).first())
    if membership is None:
        raise ApplicationError(_("只能为在册会员建档：该人员没有有效会籍。"), code="not_member")
    union = membership.union
    require_capability(actor, Capability.AID_WRITE, union)
    require_active_org(union)
    number = person.id_number
    id_hash = person_hash(number)
    with transaction.atomic():
        file = HardshipFile.objects.create(
            union=union, union_path=union.path, applicant=person, applicant_name=person.name,
            applicant_hash=id_hash, address=address, phone=phone or person.phone or "",
            opened_by=actor_user(actor),
        )
        file.number = f"KN{clock.today().year}{file.pk:07d}"
        # by (union, id): on Citus an UPDATE by id alone runs on every shard and holds all of
        # them against any other such UPDATE until commit (two files opened at once would wait)
        HardshipFile.objects.filter(pk=file.pk, **shard_key(file)).update(number=file.number)
        member = HouseholdMember.objects.create(
            file=file, union=union, name=person.name, relation=Relation.SELF, id_number=number,
            id_hash=id_hash, id_masked=idnumber.mask(number), gender=person.gender,
            birth_date=person.birth_date, work=work,
        )
        _claim(member, actor)
        refresh_figures(file)
        activity(file, ActivityKind.OPEN, actor=actor, status_to=FileStatus.DRAFT)
        audit(actor, "aid.file.open", file, after=snapshot(file))
    return file


def file_update(*, file: HardshipFile, actor: Actor, causes: list[str] | None = None,
                **values: Any) -> HardshipFile:
    """Change the file's own fields (housing, needs, sudden event, contact) and its causes."""
    require_write(actor, file)
    if not values and causes is None:
        raise ApplicationError(_("没有要修改的字段。"), code="empty_patch")
    unknown = set(values) - set(FILE_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    if "needs" in values and not set(values["needs"]) <= set(Need.values):
        raise ApplicationError(_("帮扶需求不正确。"), code="bad_need")
    if causes is not None and not set(causes) <= set(Cause.values):
        raise ApplicationError(_("致困原因不正确。"), code="bad_cause")
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        before = snapshot(file)
        before_causes = sorted(file.causes.values_list("cause", flat=True))
        for name, value in values.items():
            setattr(file, name, value)
        if not file.sudden:
            file.sudden_on, file.sudden_description = None, ""
        file.save(update_fields=updatable_fields(file))  # not the union (Citus)
        if causes is not None and sorted(set(causes)) != before_causes:
            file.causes.exclude(cause__in=causes).delete()
            file.causes.model.objects.bulk_create(
                [file.causes.model(file=file, union_id=file.union_id, cause=c)
                 for c in sorted(set(causes) - set(before_causes))])
        refresh_figures(file)
        old, new = diff(before, snapshot(file))
        if causes is not None and sorted(set(causes)) != before_causes:
            old["causes"], new["causes"] = before_causes, sorted(set(causes))
        if new:
            activity(file, ActivityKind.EDIT, actor=actor, data={"fields": sorted(new)})
            audit(actor, "aid.file.update", file, before=old, after=new)
    return file


def member_add(*, file: HardshipFile, actor: Actor, id_number: str, **values: Any) -> HouseholdMember:
    require_write(actor, file)
    values = _member_values(values)
    if values.get("relation") == Relation.SELF:
        raise ApplicationError(_("申请人本人已在家庭成员中。"), code="second_self")
    try:
        parsed = parse_id_number(id_number, today=clock.today())
    except CellError as exc:
        raise ApplicationError(exc.message, code=exc.code, extra={"field": "id_number"}) from exc
    id_hash = person_hash(parsed.number)
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        if file.household.filter(id_hash=id_hash).exists():
            raise ApplicationError(_("该身份证号码已在本户家庭成员中。"), code="member_twice")
        member = HouseholdMember.objects.create(
            file=file, union_id=file.union_id, id_number=parsed.number, id_hash=id_hash,
            id_masked=idnumber.mask(parsed.number), gender=parsed.gender,
            birth_date=parsed.birth_date, **values,
        )
        _claim(member, actor)
        refresh_figures(file)
        activity(file, ActivityKind.EDIT, actor=actor,
                 data={"member_added": member.name, "relation": member.relation})
        audit(actor, "aid.member.add", file, after=snapshot(member))
    return member


def member_update(*, member: HouseholdMember, actor: Actor, **values: Any) -> HouseholdMember:
    file = member.file
    require_write(actor, file)
    values = _member_values(values)
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        member = HouseholdMember.objects.select_for_update().get(pk=member.pk,
                                                                 **shard_key(member))
        if (member.relation == Relation.SELF) != (values.get("relation", member.relation)
                                                  == Relation.SELF):
            raise ApplicationError(_("不能更改申请人本人的关系。"), code="self_relation")
        before = snapshot(member)
        for name, value in values.items():
            setattr(member, name, value)
        member.save(update_fields=updatable_fields(member))  # not the union (Citus)
        old, new = diff(before, snapshot(member))
        if new:
            activity(file, ActivityKind.EDIT, actor=actor, data={"member_changed": member.name})
            audit(actor, "aid.member.update", file, before=old, after=new)
    return member


def member_remove(*, member: HouseholdMember, actor: Actor, reason: str = "") -> None:
    file = member.file
    require_write(actor, file)
    if member.relation == Relation.SELF:
        raise ApplicationError(_("不能删除申请人本人。"), code="remove_self")
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        before = snapshot(member)
        name = member.name
        member.delete()  # its claim and incomes go with it
        refresh_figures(file)
        activity(file, ActivityKind.EDIT, actor=actor, reason=reason,
                 data={"member_removed": name})
        audit(actor, "aid.member.remove", file, before=before)


def income_add(*, file: HardshipFile, actor: Actor, kind: str, monthly_amount: Decimal,
               member: HouseholdMember | None = None, description: str = "") -> IncomeSource:
    require_write(actor, file)
    if kind not in IncomeKind.values:
        raise ApplicationError(_("收入类型不正确。"), code="bad_income_kind")
    amount = to_money(monthly_amount)
    if amount < 0:
        raise ApplicationError(_("收入金额不能为负数。"), code="negative_income")
    if member is not None and member.file_id != file.pk:
        raise ApplicationError(_("该成员不属于本户。"), code="member_other_file")
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        income = IncomeSource.objects.create(file=file, union_id=file.union_id, member=member,
                                             kind=kind, monthly_amount=amount,
                                             description=description)
        refresh_figures(file)
        activity(file, ActivityKind.EDIT, actor=actor,
                 data={"income_added": str(amount), "kind": kind})
        audit(actor, "aid.income.add", file, after=snapshot(income))
    return income


def income_remove(*, income: IncomeSource, actor: Actor) -> None:
    file = income.file
    require_write(actor, file)
    with transaction.atomic():
        file = _locked(file)
        _require_editable(file)
        before = snapshot(income)
        income.delete()
        refresh_figures(file)
        activity(file, ActivityKind.EDIT, actor=actor,
                 data={"income_removed": before["monthly_amount"], "kind": before["kind"]})
        audit(actor, "aid.income.remove", file, before=before)


def confirm_category(file: HardshipFile, *, category: str, note: str, actor: Actor) -> None:
    """The cadre's confirmation; a category other than the proposal needs a reason."""
    if category not in rules.Category.values:
        raise ApplicationError(_("请选择困难类别。"), code="category_required")
    note = (note or "").strip()
    if category != file.proposed_category and not note:
        raise ApplicationError(
            _("所选类别与系统建议（{proposal}）不一致，请填写理由。").format(
                proposal=rules.category_label(file.proposed_category)),
            code="override_reason_required",
        )
    file.category, file.category_note = category, note[:500]
    file.category_confirmed_at, file.category_confirmed_by = clock.now(), actor_user(actor)


def file_submit(*, file: HardshipFile, actor: Actor, category: str, note: str = "") -> HardshipFile:
    """The grassroots cadre confirms the category and submits the file for verification."""
    require_write(actor, file)
    with transaction.atomic():
        file = refresh_figures(_locked(file))
        if file.status != FileStatus.DRAFT:
            raise ApplicationError(_("只有填报中的档案可以提交。"), code="not_draft")
        if file.line is None:
            raise ApplicationError(
                _("没有找到所在地区 {year} 年度及以前的低保标准，无法测算困难类别；请先由管理员录入低保标准。").format(
                    year=clock.today().year),
                code="no_standard",
            )
        if not file.causes.exists():
            raise ApplicationError(_("请至少选择一项致困原因。"), code="cause_required")
        confirm_category(file, category=category, note=note, actor=actor)
        file.save(update_fields=["category", "category_note", "category_confirmed_at",
                                 "category_confirmed_by"])
        data = {"proposed": file.proposed_category, "category": file.category,
                "per_capita": str(file.per_capita_income), "line": str(file.line)}
        return transition(file, FileStatus.SUBMITTED, transitions=TRANSITIONS,
                          write_history=timeline_writer(ActivityKind.SUBMIT, actor, note, data))


def verifier_problem(actor: Actor, file: HardshipFile) -> Forbidden | None:
    """Why `actor` may not verify (return, reject) this file, or None if they may."""
    if not can_verify(actor, file):
        return Forbidden(_("档案须由街道（乡镇、园区）或区县工会核实。"), code="not_verifier")
    submitter = (file.activities.filter(kind=ActivityKind.SUBMIT).order_by("-at", "-id")
                 .values_list("actor_id", flat=True).first())
    if submitter is not None and submitter == getattr(actor, "pk", None):
        return Forbidden(_("提交人不能核实自己提交的档案。"), code="self_verify")
    return None


def _require_verifier(actor: Actor, file: HardshipFile) -> None:
    require_write(actor, file)
    problem = verifier_problem(actor, file)
    if problem is not None:
        raise problem


def file_verify(*, file: HardshipFile, actor: Actor, note: str = "") -> HardshipFile:
    """核实: the street/district level accepts the file; the help and the review clock start."""
    with transaction.atomic():
        file = _locked(file)
        _require_verifier(actor, file)
        if file.status != FileStatus.SUBMITTED:
            raise ApplicationError(_("只有待核实的档案可以核实。"), code="not_submitted")
        assessment = assess(file, source=AssessmentSource.VERIFY, actor=actor, evidence=note)
        policy = effective_policy(file.union_path)
        return transition(
            file, FileStatus.ACTIVE, transitions=TRANSITIONS,
            write_history=timeline_writer(ActivityKind.VERIFY, actor, note,
                                   {"per_capita": str(assessment.per_capita_income)}),
            extra_fields={
                "verified_at": clock.now(), "verified_by": actor_user(actor),
                "next_review_due": rules.add_months(clock.today(), policy.review_months),
                "needs_review": False, "review_reason": "",
                "above_line_since": file.above_line_since,
            },
        )


def file_return(*, file: HardshipFile, actor: Actor, reason: str) -> HardshipFile:
    reason = require_reason(reason, _("退回理由"))
    with transaction.atomic():
        file = _locked(file)
        _require_verifier(actor, file)
        return transition(file, FileStatus.DRAFT, transitions=TRANSITIONS,
                          write_history=timeline_writer(ActivityKind.RETURN, actor, reason))


def file_reject(*, file: HardshipFile, actor: Actor, reason: str) -> HardshipFile:
    reason = require_reason(reason, _("不予建档的理由"))
    with transaction.atomic():
        file = _locked(file)
        _require_verifier(actor, file)
        file = transition(file, FileStatus.REJECTED, transitions=TRANSITIONS,
                          write_history=timeline_writer(ActivityKind.REJECT, actor, reason))
        claims_release(file)
    return file


def file_close(*, file: HardshipFile, actor: Actor, reason: str) -> HardshipFile:
    """销档 (moved away, deceased, membership ended, withdrawn before submission)."""
    require_write(actor, file)
    reason = require_reason(reason, _("销档原因"))
    with transaction.atomic():
        file = transition(_locked(file), FileStatus.CLOSED, transitions=TRANSITIONS,
                          write_history=timeline_writer(ActivityKind.CLOSE, actor, reason),
                          extra_fields={"next_review_due": None, "needs_review": False})
        claims_release(file)
    return file


def visit_record(*, file: HardshipFile, actor: Actor, note: str, visited_on: dt.date | None = None
                 ) -> None:
    require_write(actor, file)
    note = require_reason(note, _("走访情况"))
    if file.status in (FileStatus.REJECTED, FileStatus.CLOSED):
        raise ApplicationError(_("已结束的档案不能登记走访。"), code="file_ended")
    with transaction.atomic():
        activity(file, ActivityKind.VISIT, actor=actor, reason=note,
                 data={"visited_on": (visited_on or clock.today()).isoformat()})
        audit(actor, "aid.file.visit", file, note=note[:200])


def assess(file: HardshipFile, *, source: str, actor: Actor, evidence: str = "",
           household_size: int | None = None, monthly_income: Decimal | None = None
           ) -> IncomeAssessment:
    """Record a dated income check (the file's own figures unless given) and move the
    解困脱困 clock: a check at/above the exit line starts or continues the run, one below
    ends it. Updates `file.above_line_since` (the caller saves it)."""
    size = household_size if household_size is not None else max(file.household_size, 1)
    income = to_money(monthly_income if monthly_income is not None else file.monthly_income)
    if size < 1:
        raise ApplicationError(_("家庭人口至少为 1。"), code="bad_size")
    if income < 0:
        raise ApplicationError(_("收入不能为负数。"), code="negative_income")
    standard = resolve_standard(file.union_path, clock.today().year)
    if standard is None:
        raise ApplicationError(_("没有找到适用的低保标准，无法核查收入。"), code="no_standard")
    policy = effective_policy(file.union_path)
    pc = rules.per_capita(income, size)
    upper = rules.upper_line(standard.monthly_line, policy.relative_multiple)
    above = rules.above_exit_line(pc, standard.monthly_line, policy.relative_multiple)
    today = clock.today()
    if not above:
        file.above_line_since = None
    elif file.above_line_since is None:
        file.above_line_since = today
    return IncomeAssessment.objects.create(
        file=file, union_id=file.union_id, assessed_on=today, source=source,
        household_size=size, monthly_income=income, per_capita_income=pc,
        line=standard.monthly_line, upper_line=upper, above_exit_line=above,
        evidence=evidence, actor=actor_user(actor),
    )


def document_add(*, file: HardshipFile, actor: Actor, kind: str, upload: UploadedFile,
                 description: str = "") -> FileDocument:
    require_write(actor, file)
    if kind not in DocumentKind.values:
        raise ApplicationError(_("材料类型不正确。"), code="bad_document_kind")
    if file.status in (FileStatus.REJECTED, FileStatus.CLOSED):
        raise ApplicationError(_("已结束的档案不能上传材料。"), code="file_ended")
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ApplicationError(_("文件不能超过 10 MB。"), code="too_large",
                               extra={"field": "content"})
    head = upload.read(16)
    upload.seek(0)
    content_type = next((t for magic, t in _DOCUMENT_TYPES if head.startswith(magic)), None)
    if content_type is None:
        raise ApplicationError(_("只接受 PDF、PNG 或 JPEG 文件。"), code="bad_type",
                               extra={"field": "content"})
    with transaction.atomic():
        doc = FileDocument(file=file, union_id=file.union_id, kind=kind,
                           original_name=(upload.name or "file")[:255],
                           content_type=content_type, size=size,
                           description=description[:255],
                           uploaded_by=actor_user(actor))
        doc.content.save("upload", upload, save=False)
        doc.save()
        activity(file, ActivityKind.DOCUMENT, actor=actor,
                 data={"document": doc.pk, "kind": kind, "name": doc.original_name})
        audit(actor, "aid.document.add", file, after={"document": doc.pk, "kind": kind})
    return doc


def household_ids_reveal(*, file: HardshipFile, actor: Actor, purpose: str
                         ) -> list[tuple[HouseholdMember, str]]:
    """The unmasked ID numbers of the household, for a role holding aid.reveal, through the one
    reveal service: capability, purpose and the logged read (who, whose, when, why) come
    before anything is returned."""
    members = list(file.household.all())
    numbers = reveal(actor=actor, cap=Capability.AID_REVEAL, org=file.union, subject=file,
                     field="household.id_number", purpose=purpose, org_path=file.union_path,
                     count=len(members), value=lambda: "\n".join(m.id_number for m in members))
    return list(zip(members, numbers.split("\n") if members else [], strict=True))
