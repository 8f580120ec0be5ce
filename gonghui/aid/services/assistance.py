"""Assistance records (帮扶记录): help given to an active household. Money kinds post to the
paying union's ledger through the funds posting service, in the same database transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid.models import (
    BENEFICIARY_TRANSITIONS,
    MONEY_KINDS,
    NO_AMOUNT_KINDS,
    ActivityKind,
    Assistance,
    AssistanceKind,
    Beneficiary,
    BeneficiaryStatus,
    FileStatus,
    HardshipFile,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from gonghui.aid.services.common import activity, audit, require_write
from gonghui.audit.services import snapshot
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.citus import shard_key
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.money import to_money
from gonghui.core.workflow import transition
from gonghui.funds.services import post_expense

# 工会会计制度: help to hardship workers is 维权支出; 送温暖 has its own detail account.
ACCOUNT_HARDSHIP = "530104"
ACCOUNT_WINTER = "530105"


def _key(value: str) -> str:
    key = (value or "").strip()
    if not key or len(key) > 64:
        raise ApplicationError(_("请求标识（幂等键）必须是 1 到 64 个字符。"), code="bad_key")
    return key


def _earlier(file: HardshipFile, key: str, kind: str, amount: Decimal) -> Assistance | None:
    """The record already made with this key (a retry), or None; another event's key refused."""
    earlier = Assistance.objects.filter(union_id=file.union_id, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.file_id != file.pk or earlier.kind != kind or earlier.amount != amount:
        raise Conflict(_("该请求标识已用于另一条帮扶记录。"), code="idempotency_mismatch")
    earlier.was_created = False
    return earlier


def assistance_record(
    *,
    file: HardshipFile,
    actor: Actor,
    kind: str,
    amount: Decimal | int | str = 0,
    idempotency_key: str,
    given_on: dt.date | None = None,
    description: str = "",
    beneficiary: Beneficiary | None = None,
) -> Assistance:
    """Record help given (once per idempotency key: a retry returns the first record, with
    `was_created` False). With a
    `beneficiary`, this is the payout of a programme: it locks the programme, checks the
    beneficiary is listed and unpaid and the budget holds, and links the record to it (the
    one-to-one link is the database's guarantee of "paid once")."""
    require_write(actor, file)
    key = _key(idempotency_key)
    if kind not in AssistanceKind.values:
        raise ApplicationError(_("帮扶方式不正确。"), code="bad_kind")
    value = to_money(amount or 0)
    if kind in MONEY_KINDS and value <= 0:
        raise ApplicationError(_("请填写大于 0 的金额。"), code="amount_required")
    if kind in NO_AMOUNT_KINDS and value != 0:
        raise ApplicationError(_("就业推荐和法律援助不填写金额。"), code="no_amount")
    if value < 0:
        raise ApplicationError(_("金额不能为负数。"), code="negative")
    given_on = given_on or clock.today()
    if given_on > clock.today():
        raise ApplicationError(_("帮扶日期不能晚于今天。"), code="future_date")
    earlier = _earlier(file, key, kind, value)
    if earlier is not None:
        return earlier
    with transaction.atomic():
        file = (HardshipFile.objects.select_for_update().select_related("union")
                .filter(**shard_key(file)).get(pk=file.pk))
        # a concurrent retry that held the file's lock before us has committed by now
        earlier = _earlier(file, key, kind, value)
        if earlier is not None:
            return earlier
        if file.status != FileStatus.ACTIVE:
            raise ApplicationError(_("只能为在档帮扶的家庭登记帮扶。"), code="not_active")
        programme = None
        if beneficiary is not None:
            programme, beneficiary = _lock_for_payout(beneficiary, file, value)
        record = Assistance(
            file=file, union_id=file.union_id, union_path=file.union_path, kind=kind,
            amount=value, description=description[:255], given_on=given_on,
            programme=programme, beneficiary=beneficiary,
            paying_org=programme.org if programme else file.union, idempotency_key=key,
            recorded_by=actor_user(actor),
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as exc:
            # a concurrent request with the same key, or a second payout of the beneficiary
            raise Conflict(_("该帮扶已登记（重复提交或已发放）。"), code="duplicate") from exc
        if kind in MONEY_KINDS:
            record.ledger_transaction_id = _post(record, file, programme, actor)
            record.save(update_fields=["ledger_transaction_id"])
        if beneficiary is not None:
            # a list row: the payout's history is the assistance record and the file's timeline
            transition(beneficiary, BeneficiaryStatus.PAID, transitions=BENEFICIARY_TRANSITIONS,
                       history=False, extra_fields={"paid_at": clock.now()})
        activity(file, ActivityKind.ASSISTANCE, actor=actor, reason=description,
                 data={"assistance": record.pk, "kind": kind, "amount": str(value),
                       "programme": programme.name if programme else ""})
        audit(actor, "aid.assistance.record", file, after=snapshot(record))
    record.was_created = True
    return record


def _lock_for_payout(beneficiary: Beneficiary, file: HardshipFile, value: Decimal
                     ) -> tuple[Programme, Beneficiary]:
    # Lock order everywhere: file, then programme, then beneficiary.
    programme = Programme.objects.select_for_update().select_related("org").get(
        pk=beneficiary.programme_id)
    # the beneficiary row lives in its file's union (a single-shard lock on Citus)
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk,
                                                              union_id=file.union_id)
    if beneficiary.file_id != file.pk:
        raise ApplicationError(_("帮扶对象与档案不一致。"), code="beneficiary_mismatch")
    if programme.status != ProgrammeStatus.APPROVED:
        raise ApplicationError(_("项目“{name}”尚未审批或已结束，不能发放。").format(
            name=programme.name), code="programme_not_approved")
    if beneficiary.status == BeneficiaryStatus.PAID:
        raise Conflict(_("该户已在项目“{name}”中发放过，一个项目内每户只发放一次。").format(
            name=programme.name), code="already_paid")
    if beneficiary.status != BeneficiaryStatus.LISTED:
        raise ApplicationError(_("该户已被移出项目名单。"), code="removed")
    if value != beneficiary.amount:
        raise ApplicationError(_("发放金额应为名单金额 {amount} 元。").format(
            amount=beneficiary.amount), code="amount_mismatch")
    paid = Assistance.objects.filter(programme=programme).aggregate(s=Sum("amount"))["s"] or 0
    if paid + value > programme.budget:
        raise ApplicationError(
            _("项目预算 {budget} 元，已发放 {paid} 元，本次 {amount} 元将超出预算。").format(
                budget=programme.budget, paid=to_money(paid), amount=value),
            code="over_budget",
        )
    return programme, beneficiary


def _post(record: Assistance, file: HardshipFile, programme: Programme | None,
          actor: Actor) -> int:
    """Post the money to the paying union's ledger; the ledger transaction's id."""
    account = (ACCOUNT_WINTER if programme is not None and programme.kind == ProgrammeKind.WINTER
               else ACCOUNT_HARDSHIP)
    memo = _("{what}：困难职工档案 {number}").format(
        what=programme.name if programme else record.get_kind_display(), number=file.number)
    # the voucher links back to the file it pays (issue 12 item 12)
    return post_expense(union=record.paying_org, date=record.given_on, account_code=account,
                        amount=record.amount, memo=memo,
                        idempotency_key=f"aid.assistance:{record.pk}", actor=actor,
                        source="aid.assistance",
                        source_label=_("困难职工档案 {number}").format(number=file.number),
                        source_url=reverse("aid:file", args=[file.pk])).pk


def require_programme_write(actor: Actor, programme: Programme) -> None:
    """aid.write over the programme's org: 404 outside the actor's subtrees, 403 read-only."""
    require_capability(actor, Capability.AID_WRITE, programme.org)
