"""Payouts (给付) and bank batches (银行代发批次).

Exactly once: a payout is unique per (plan, settlement record), and a payout has at most one
bank item that is pending or paid (a partial unique index), so neither a re-import, a second
worker nor a re-sent bank file can pay it twice. Every status change goes through the transition
tables below (`core.workflow.transition()` / `transition_many()`) and writes a history row
(`PayoutEvent`, `PayoutBatchEvent`: `core.workflow.HistoryBase`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase
from gonghui.mutualaid.rules import Decline


class PayoutStatus(models.TextChoices):
    DECLINED = "declined", _("不予给付")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("待支付")
    REJECTED = "rejected", _("已驳回")
    BATCHED = "batched", _("支付中")
    PAID = "paid", _("已支付")
    FAILED = "failed", _("支付失败")


PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutStatus.PENDING: {PayoutStatus.APPROVED, PayoutStatus.REJECTED},
    PayoutStatus.APPROVED: {PayoutStatus.BATCHED},
    # back to approved when its batch is cancelled before the bank paid anything
    PayoutStatus.BATCHED: {PayoutStatus.PAID, PayoutStatus.FAILED, PayoutStatus.APPROVED},
    # corrected (e.g. a new bank account) and queued for a later batch, or given up
    PayoutStatus.FAILED: {PayoutStatus.APPROVED, PayoutStatus.REJECTED},
}

# Statuses whose amount counts against the member's year cap.
RESERVING = (PayoutStatus.PENDING, PayoutStatus.APPROVED, PayoutStatus.BATCHED,
             PayoutStatus.PAID, PayoutStatus.FAILED)


class Payout(TimeStampedModel):
    # Indexes and foreign-key checks are few on purpose: each costs on every one of millions
    # of inserts. plan is in the unique constraint, person the first column of the portal
    # index, union is found through union_path; versions and enrolments are never deleted nor
    # listed by their payouts. plan, person and union are copies of the enrolment's (which the
    # database checks, and which checks them), written only by processing: no second check.
    plan = models.ForeignKey("mutualaid.Plan", on_delete=models.PROTECT, related_name="payouts",
                             verbose_name=_("计划"), db_index=False, db_constraint=False)
    version = models.ForeignKey("mutualaid.PlanVersion", on_delete=models.PROTECT,
                                related_name="payouts", verbose_name=_("计划版本"),
                                db_index=False)
    # indexed by the unique (settlement, plan) constraint, whose first column it is
    settlement = models.ForeignKey("mutualaid.SettlementRecord", on_delete=models.PROTECT,
                                   related_name="payouts", verbose_name=_("结算记录"),
                                   db_index=False)
    enrolment = models.ForeignKey("mutualaid.Enrolment", on_delete=models.PROTECT,
                                  related_name="payouts", verbose_name=_("参保记录"),
                                  db_index=False)
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT,
                               related_name="mutualaid_payouts", verbose_name=_("会员"),
                               db_index=False, db_constraint=False)
    # Distribution key and scoping (SPEC §6): the union that enrolled the member.
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("参保工会"), db_index=False, db_constraint=False)
    union_path = models.CharField(max_length=255)
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    amount = MoneyField(_("给付金额"))
    status = models.CharField(_("状态"), max_length=16, choices=PayoutStatus.choices)
    decline = models.CharField(_("不予给付原因"), max_length=24, choices=Decline.choices,
                               blank=True)
    # {"cover": {...enrolment facts and year use before this claim...}, "lines": [...]}:
    # with the settlement record and the version, enough to recompute the amount.
    computation = models.JSONField(_("计算过程"))
    batch = models.ForeignKey("mutualaid.PayoutBatch", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("当前批次"),
                              db_index=False)
    fail_reason = models.CharField(_("失败原因"), max_length=255, blank=True)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    ledger_tx_id = models.BigIntegerField(_("记账凭证"), null=True, blank=True)

    history_model = "mutualaid.PayoutEvent"

    class Meta:
        verbose_name = _("给付")
        verbose_name_plural = _("给付")
        constraints = [
            # THE rule: one payout per (plan, settlement record). The union (the enrolment's,
            # which the settlement's person and the plan year determine) is in the key because
            # Citus keys must contain the distribution column; it changes nothing on one node.
            models.UniqueConstraint(fields=["settlement", "plan", "union"],
                                    name="ma_payout_once_per_settlement"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ma_payout_not_negative"),
            models.CheckConstraint(
                condition=Q(status="declined", amount=0) | (~Q(status="declined")
                                                            & Q(amount__gt=0)),
                name="ma_payout_declined_is_zero",
            ),
        ]
        indexes = [
            models.Index(fields=["union_path", "status"], name="ma_payout_path_status"),
            models.Index(fields=["status", "plan"], name="ma_payout_status_plan"),
            models.Index(fields=["person", "plan_year"], name="ma_payout_person"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"

    @property
    def reference(self) -> str:
        return f"MA{self.pk:010d}"


class PayoutEvent(HistoryBase):
    """History of a payout: who, when, from, to, why. Insert-only."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="events")
    # scoping of the history without a join (the payout's union when the event was written)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")

    history_subject_field = "payout"

    class Meta(HistoryBase.Meta):
        verbose_name = _("给付记录")
        verbose_name_plural = _("给付记录")

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return str(PayoutStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(PayoutStatus(self.to_status).label)


class BatchStatus(models.TextChoices):
    OPEN = "open", _("待导出")
    EXPORTED = "exported", _("已报送银行")
    SETTLED = "settled", _("已回盘")
    CANCELLED = "cancelled", _("已撤销")


BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.OPEN: {BatchStatus.EXPORTED, BatchStatus.CANCELLED},
    BatchStatus.EXPORTED: {BatchStatus.SETTLED, BatchStatus.CANCELLED},
}


class ResultState(models.TextChoices):
    """The bank's result file being applied in the background (progress for the page)."""

    NONE = "", _("无")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


RESULT_TRANSITIONS: dict[str, set[str]] = {
    ResultState.NONE: {ResultState.RUNNING},
    ResultState.RUNNING: {ResultState.DONE, ResultState.FAILED},
    # a later result file (the bank answers the rest of the batch, or the same file again)
    ResultState.DONE: {ResultState.RUNNING},
    ResultState.FAILED: {ResultState.RUNNING},
}


class PayoutBatch(TimeStampedModel):
    """Approved payouts of the plans one federation pays, sent to the bank as one file."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("付款单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=BatchStatus.choices,
                              default=BatchStatus.OPEN)
    items_count = models.PositiveIntegerField(_("笔数"), default=0)
    total = MoneyField(_("总金额"), default=0)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # the bank's result file being applied in the background (progress for the page)
    result_state = models.CharField(max_length=16, blank=True, choices=ResultState.choices)
    result_file = models.CharField(max_length=255, blank=True)
    result_total = models.PositiveIntegerField(default=0)
    result_done = models.PositiveIntegerField(default=0)
    result_summary = models.JSONField(null=True, blank=True)

    history_model = "mutualaid.PayoutBatchEvent"

    # not a column: set by services.batch_create (approved payouts left out for lack of an account)
    without_account = 0

    class Meta:
        verbose_name = _("代发批次")
        verbose_name_plural = _("代发批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"PB{self.pk:06d}"

    @property
    def result_percent(self) -> int:
        if not self.result_total:
            return 100 if self.result_state == "done" else 0
        return min(100, self.result_done * 100 // self.result_total)


class PayoutBatchEvent(HistoryBase):
    """History of a bank batch. Insert-only."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="events")

    history_subject_field = "batch"

    class Meta(HistoryBase.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return str(BatchStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(BatchStatus(self.to_status).label)


class ItemResult(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("成功")
    FAILED = "failed", _("失败")
    WITHDRAWN = "withdrawn", _("已撤出")


ITEM_TRANSITIONS: dict[str, set[str]] = {
    ItemResult.PENDING: {ItemResult.PAID, ItemResult.FAILED, ItemResult.WITHDRAWN},
}


class BatchItem(models.Model):
    """One transfer of a batch. The payee's account is copied (encrypted) when the batch is
    made, so the bank file can be produced again exactly as sent."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="items")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="items")
    # the payout's union: distribution column (docs/scale.md)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    amount = MoneyField(_("金额"))
    payee_name = models.CharField(_("户名"), max_length=64)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_number = EncryptedTextField(_("银行账号"))
    account_masked = models.CharField(_("银行账号"), max_length=40)
    result = models.CharField(_("结果"), max_length=16, choices=ItemResult.choices,
                              default=ItemResult.PENDING)
    fail_reason = models.CharField(_("失败原因"), max_length=255, blank=True)
    bank_serial = models.CharField(_("银行流水号"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("代发明细")
        verbose_name_plural = _("代发明细")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "payout", "union"],
                                    name="ma_item_once_per_batch"),
            # a payout is in at most one live (pending) or paid item: never sent or paid twice
            models.UniqueConstraint(fields=["payout", "union"],
                                    condition=Q(result__in=["pending", "paid"]),
                                    name="ma_item_one_live_per_payout"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ma_item_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"B{self.batch_id}-{self.pk}"
