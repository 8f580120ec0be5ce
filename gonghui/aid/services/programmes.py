"""Seasonal programmes (送温暖, 金秋助学, 夏送清凉, 春送岗位, custom): define, generate the
beneficiary list from the files, approve, pay. Budget and "paid once" are held by the
programme's row lock and the database constraints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.aid import rules
from gonghui.aid.models import (
    BENEFICIARY_TRANSITIONS,
    PROGRAMME_TRANSITIONS,
    Assistance,
    AssistanceKind,
    Beneficiary,
    BeneficiaryClaim,
    BeneficiaryStatus,
    EligibilityRule,
    FileStatus,
    HardshipFile,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from gonghui.aid.selectors import eligible_files, visible_files
from gonghui.aid.services.assistance import assistance_record, require_programme_write
from gonghui.aid.services.common import require_active_org
from gonghui.audit.services import audit_record, diff, snapshot
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.citus import one_connection_per_node, shard_key
from gonghui.core.claims import take_claims
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.money import to_money
from gonghui.core.workflow import transition
from gonghui.orgs.models import Org

FIELDS = ("name", "kind", "year", "budget", "amount_per_household", "assistance_kind", "rule",
          "categories", "note")


def _validate(p: Programme) -> None:
    if not p.name.strip():
        raise ApplicationError(_("请填写项目名称。"), code="name_required")
    if p.kind not in ProgrammeKind.values:
        raise ApplicationError(_("项目类型不正确。"), code="bad_kind")
    if p.rule not in EligibilityRule.values:
        raise ApplicationError(_("对象条件不正确。"), code="bad_rule")
    if p.assistance_kind not in AssistanceKind.values:
        raise ApplicationError(_("帮扶方式不正确。"), code="bad_assistance_kind")
    if not set(p.categories) <= set(rules.Category.values):
        raise ApplicationError(_("困难类别不正确。"), code="bad_category")
    if p.rule == EligibilityRule.CATEGORIES and not p.categories:
        raise ApplicationError(_("请至少选择一个困难类别。"), code="category_required")
    if not 2000 <= int(p.year) <= 2100:
        raise ApplicationError(_("年度应在 2000 到 2100 之间。"), code="year_range")
    p.budget, p.amount_per_household = to_money(p.budget), to_money(p.amount_per_household)
    if p.budget < 0 or p.amount_per_household < 0:
        raise ApplicationError(_("预算和每户标准不能为负数。"), code="negative")
    if p.assistance_kind in (AssistanceKind.CASH, AssistanceKind.SCHOOL_GRANT,
                             AssistanceKind.MEDICAL) and p.amount_per_household <= 0:
        raise ApplicationError(_("现金类项目的每户标准必须大于 0。"), code="amount_required")


def programme_create(*, org: Org, actor: Actor, **values: Any) -> Programme:
    require_capability(actor, Capability.AID_WRITE, org)
    require_active_org(org)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    programme = Programme(org=org, org_path=org.path, created_by=actor_user(actor), **values)
    programme.categories = sorted(set(programme.categories or []))
    _validate(programme)
    with transaction.atomic():
        programme.save()
        audit_record(actor=actor, action="aid.programme.create", obj=programme,
                     org_path=org.path, after=snapshot(programme))
    return programme


def programme_update(*, programme: Programme, actor: Actor, **values: Any) -> Programme:
    require_programme_write(actor, programme)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if programme.status != ProgrammeStatus.DRAFT:
            raise ApplicationError(_("已审批的项目不能修改。"), code="not_draft")
        before = snapshot(programme)
        for name, value in values.items():
            setattr(programme, name, value)
        programme.categories = sorted(set(programme.categories or []))
        _validate(programme)
        _require_within_budget(programme, Decimal(0))
        if "amount_per_household" in values:
            programme.beneficiaries.filter(status=BeneficiaryStatus.LISTED).update(
                amount=programme.amount_per_household)
            _require_within_budget(programme, Decimal(0))
        programme.save()
        old, new = diff(before, snapshot(programme))
        if new:
            audit_record(actor=actor, action="aid.programme.update", obj=programme,
                         org_path=programme.org_path, before=old, after=new)
    return programme


def committed(programme: Programme) -> Decimal:
    """Listed plus paid amounts (removed households release their share)."""
    total = (programme.beneficiaries.exclude(status=BeneficiaryStatus.REMOVED)
             .aggregate(s=Sum("amount"))["s"])
    return to_money(total or 0)


def _require_within_budget(programme: Programme, extra: Decimal) -> None:
    used = committed(programme)
    if used + extra > programme.budget:
        raise ApplicationError(
            _("项目预算 {budget} 元，名单已占用 {used} 元，再增加 {extra} 元将超出预算 {over} 元。").format(
                budget=programme.budget, used=used, extra=to_money(extra),
                over=to_money(used + extra - programme.budget)),
            code="over_budget",
        )


def _lock(programme: Programme, actor: Actor, *, draft: bool = True) -> Programme:
    require_programme_write(actor, programme)
    # the transaction reads the list over every shard, then writes the programme
    one_connection_per_node()
    locked = Programme.objects.select_for_update().select_related("org").get(pk=programme.pk)
    if draft and locked.status != ProgrammeStatus.DRAFT:
        raise ApplicationError(_("项目已审批，名单不能再增加。"), code="not_draft")
    return locked


def _claim_applicants(programme: Programme, applicant_hashes: list[str]) -> set[str]:
    """Insert the claims (programme, applicant) that are free, in hash order; returns the
    applicants this transaction took (BeneficiaryClaim)."""
    return take_claims(BeneficiaryClaim, ("programme_id", "applicant_hash"),
                       [(programme.pk, h) for h in sorted(set(applicant_hashes))],
                       returning="applicant_hash")


def beneficiaries_generate(*, programme: Programme, actor: Actor) -> int:
    """Add every eligible household not yet on the list, all or nothing within the budget."""
    with transaction.atomic():
        programme = _lock(programme, actor)
        listed = set(programme.beneficiaries.values_list("file_id", flat=True))
        hashes = set(programme.beneficiaries.values_list("applicant_hash", flat=True))
        rows: dict[str, Beneficiary] = {}  # one per applicant: its first file in list order
        for f in eligible_files(programme).only("id", "union_id", "union_path",
                                                "applicant_hash"):
            if f.pk not in listed and f.applicant_hash not in hashes:
                rows.setdefault(f.applicant_hash, Beneficiary(
                    programme=programme, file_id=f.pk, union_id=f.union_id,
                    union_path=f.union_path, applicant_hash=f.applicant_hash,
                    amount=programme.amount_per_household))
        if not rows:
            return 0
        _require_within_budget(programme, programme.amount_per_household * len(rows))
        refused = set(rows) - _claim_applicants(programme, list(rows))
        if refused:
            # listed already (the list read above missed it): the unique key's answer
            raise Conflict(_("该户已在本项目名单中，一个项目内每户只能列入一次。"),
                           code="already_listed")
        Beneficiary.objects.bulk_create(list(rows.values()), batch_size=500)
        audit_record(actor=actor, action="aid.programme.generate", obj=programme,
                     org_path=programme.org_path, after={"added": len(rows)})
    return len(rows)


def beneficiary_add(*, programme: Programme, file: HardshipFile, actor: Actor,
                    amount: Decimal | None = None) -> Beneficiary:
    """Add one household by hand (it must lie in the programme's subtree and be active)."""
    with transaction.atomic():
        programme = _lock(programme, actor)
        if not file.union_path.startswith(programme.org_path):
            raise ApplicationError(_("该档案不在本项目的范围内。"), code="outside_programme")
        if file.status != FileStatus.ACTIVE:
            raise ApplicationError(_("只能把在档帮扶的家庭列入名单。"), code="not_active")
        value = to_money(amount if amount is not None else programme.amount_per_household)
        if value < 0:
            raise ApplicationError(_("金额不能为负数。"), code="negative")
        _require_within_budget(programme, value)
        try:
            with transaction.atomic():
                # the claim decides a household listed through a file of another union
                # (BeneficiaryClaim; on Citus the list's own key cannot span unions), the
                # unique key (programme, file, union) the same file twice
                if not _claim_applicants(programme, [file.applicant_hash]):
                    raise IntegrityError("aid_beneficiary_claim_once")
                row = Beneficiary.objects.create(
                    programme=programme, file=file, union_id=file.union_id,
                    union_path=file.union_path, applicant_hash=file.applicant_hash, amount=value)
        except IntegrityError as exc:
            raise Conflict(_("该户已在本项目名单中，一个项目内每户只能列入一次。"),
                           code="already_listed") from exc
        audit_record(actor=actor, action="aid.programme.add", obj=programme,
                     org_path=programme.org_path, after={"file": file.number, "amount": value})
    return row


def beneficiary_add_by_number(*, programme: Programme, number: str, actor: Actor
                              ) -> Beneficiary:
    """The page's "add by file number": a file the actor can see, then `beneficiary_add`."""
    number = (number or "").strip().upper()
    file = visible_files(actor).filter(number=number).first() if number else None
    if file is None:
        raise ApplicationError(_("没有找到档案编号“{n}”。").format(n=number), code="file_not_found")
    return beneficiary_add(programme=programme, file=file, actor=actor)


def beneficiary_remove(*, beneficiary: Beneficiary, actor: Actor, reason: str) -> Beneficiary:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写移出原因。"), code="reason_required",
                               extra={"field": "reason"})
    with transaction.atomic():
        programme = _lock(beneficiary.programme, actor, draft=False)
        if programme.status == ProgrammeStatus.CLOSED:
            raise ApplicationError(_("项目已结束。"), code="closed")
        row = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk,
                                                          **shard_key(beneficiary))
        if row.status != BeneficiaryStatus.LISTED:
            raise ApplicationError(_("已发放或已移出的对象不能移出。"), code="not_listed")
        # a list row: its history is the programme's audit trail (who removed whom, why)
        row = transition(row, BeneficiaryStatus.REMOVED, transitions=BENEFICIARY_TRANSITIONS,
                         history=False, extra_fields={"removed_reason": reason[:255]})
        audit_record(actor=actor, action="aid.programme.remove", obj=programme,
                     org_path=programme.org_path, after={"file": row.file_id}, note=reason)
    return row


def _move(programme: Programme, target: str, *, actor: Actor, note: str,
          extra_fields: dict[str, Any] | None = None) -> Programme:
    """The status move with its history row (ProgrammeHistory) and audit row."""
    old = programme.status
    programme = transition(programme, target, transitions=PROGRAMME_TRANSITIONS, actor=actor,
                           reason=note, extra_fields=extra_fields)
    audit_record(actor=actor, action=f"aid.programme.{target}", obj=programme,
                 org_path=programme.org_path, before={"status": old}, after={"status": target},
                 note=note)
    return programme


def programme_approve(*, programme: Programme, actor: Actor, note: str = "") -> Programme:
    """审批: someone other than the author approves a list within the budget."""
    with transaction.atomic():
        programme = _lock(programme, actor)
        if programme.created_by_id is not None and programme.created_by_id == getattr(
                actor_user(actor), "pk", None):
            raise Forbidden(_("项目须由创建人以外的人员审批。"), code="self_approve")
        if not programme.beneficiaries.filter(status=BeneficiaryStatus.LISTED).exists():
            raise ApplicationError(_("名单为空，不能审批。"), code="empty")
        _require_within_budget(programme, Decimal(0))
        return _move(programme, ProgrammeStatus.APPROVED, actor=actor, note=note,
                     extra_fields={"approved_by": actor_user(actor), "approved_at": clock.now()})


def programme_close(*, programme: Programme, actor: Actor, note: str = "") -> Programme:
    with transaction.atomic():
        programme = _lock(programme, actor, draft=False)
        return _move(programme, ProgrammeStatus.CLOSED, actor=actor, note=note)


def beneficiary_pay(*, beneficiary: Beneficiary, actor: Actor, idempotency_key: str = "",
                    given_on: dt.date | None = None) -> Assistance:
    """Pay one listed household: an assistance record linked to the beneficiary (paid once)."""
    programme = beneficiary.programme
    if not has_capability(actor, Capability.AID_WRITE, beneficiary.union):
        # the programme's own union pays every row; a union below pays its own households
        require_programme_write(actor, programme)
    return assistance_record(
        file=beneficiary.file, actor=actor, kind=programme.assistance_kind,
        amount=beneficiary.amount,
        idempotency_key=idempotency_key or f"programme:{programme.pk}:{beneficiary.pk}",
        given_on=given_on, description=programme.name, beneficiary=beneficiary,
    )


def programme_pay_all(*, programme: Programme, actor: Actor) -> tuple[int, list[str]]:
    """Pay every listed household; each payout is its own transaction, so one household that
    cannot be paid (e.g. its file has exited meanwhile) is reported, not a reason to stop."""
    require_programme_write(actor, programme)
    paid, problems = 0, []
    rows = list(programme.beneficiaries.filter(status=BeneficiaryStatus.LISTED)
                .select_related("programme"))
    # the files in a second query, not joined on the file id alone: on Citus that join is a
    # repartition join, refused beside the programme (a reference table)
    files = HardshipFile.objects.select_related("union").in_bulk([row.file_id for row in rows])
    for row in rows:
        row.file = files[row.file_id]
    for row in rows:
        try:
            record = beneficiary_pay(beneficiary=row, actor=actor)
        except ApplicationError as exc:
            problems.append(f"{row.file.number} {row.file.applicant_name}：{exc.message}")
        else:
            paid += int(record.was_created)  # a concurrent run may have paid it just before
    return paid, problems
