"""Medical-insurance settlement files and their records: the queue of automatic payout.

A record is inserted once per settlement number and once per content fingerprint (the same
stay resubmitted under a new number is a duplicate): the two keys are claim rows
(`SettlementNumber`, `SettlementStay`, primary key = the key) written in the record's
transaction, so they hold on one node and on Citus, where the record is distributed by its
person's queue lane and a unique key on the record could not span the lanes (core/citus.py).
Records wait in status `queued`; workers claim them (SELECT … FOR UPDATE SKIP LOCKED on
PostgreSQL; on Citus lane by lane, each claim on one shard), create the payouts and set the
outcome in the same transaction, so a worker killed half-way leaves its batch queued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.money import MoneyField
from gonghui.mutualaid.rules import Category


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# A job row (no history of its own: the audit trail and its counters tell the story). Running
# an import again resumes it (what was inserted is recognised), from any end state.
IMPORT_TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.QUEUED: {ImportStatus.RUNNING},
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: {ImportStatus.RUNNING},
    ImportStatus.FAILED: {ImportStatus.RUNNING},
}


class SettlementImport(models.Model):
    """One settlement file loaded by an operator (CLI or upload), with its progress."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("导入单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    # Uploaded copy under MEDIA_ROOT (empty for the CLI, which reads the operator's file).
    stored_file = models.CharField(max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    inserted = models.PositiveIntegerField(_("新增记录"), default=0)
    already_imported = models.PositiveIntegerField(_("已导入过"), default=0)
    duplicates = models.PositiveIntegerField(_("重复结算"), default=0)
    invalid = models.PositiveIntegerField(_("无效行"), default=0)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_by_name = models.CharField(_("导入人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("结算数据导入")
        verbose_name_plural = _("结算数据导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        # A finished import is 100 %: the file's line count (`total_rows`) includes blank and
        # trailing lines the reader skips, so a done import never said 已完成 at 71 % again
        # (issue 12 item 6).
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class SettlementIssue(models.Model):
    """A row of a file that was not taken, and why (invalid, duplicate, conflicting)."""

    source = models.ForeignKey(SettlementImport, on_delete=models.CASCADE, related_name="issues")
    row_no = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=32, blank=True)
    code = models.CharField(max_length=32)
    message = models.CharField(_("原因"), max_length=500)
    settlement_no = models.CharField(_("结算单号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")
        ordering = ["source", "row_no", "id"]

    def __str__(self) -> str:
        return f"{self.row_no}: {self.message}"


class RecordStatus(models.TextChoices):
    QUEUED = "queued", _("待处理")
    MATCHED = "matched", _("已核算")
    NOT_MEMBER = "not_member", _("未找到会员")
    NOT_ENROLLED = "not_enrolled", _("未参保或不在保障期内")
    NOT_COVERED = "not_covered", _("不属于所参加计划的保障范围")


# A queued record gets its outcome once, in the transaction that creates its payouts.
# A person's records share a queue lane (a function of the id hash): on Citus the lane is the
# records' distribution column, so a worker claims a batch of one lane on one shard.
LANES = 64


def lane_of(id_hash: str) -> int:
    """The queue lane of a person's records: the first 32 bits of the id hash (hex), mod LANES."""
    return int(id_hash[:8], 16) % LANES


RECORD_TRANSITIONS: dict[str, set[str]] = {
    RecordStatus.QUEUED: {RecordStatus.MATCHED, RecordStatus.NOT_MEMBER,
                          RecordStatus.NOT_ENROLLED, RecordStatus.NOT_COVERED},
}


class SettlementRecord(models.Model):
    """One hospital settlement (医保结算) of one person. Insert-only except for the outcome."""

    # unique through SettlementNumber (its primary key); indexed for the search by number
    settlement_no = models.CharField(_("结算单号"), max_length=64, db_index=True)
    # sha256 of the stay (person, hospital, dates, amounts), first 32 hex chars: a stay
    # resubmitted under another number is caught by SettlementStay (its primary key).
    fingerprint = models.CharField(max_length=32)
    # lane_of(id_hash): the Citus distribution column (core/citus.py DISTRIBUTED_BY_KEY)
    lane = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(SettlementImport, on_delete=models.PROTECT,
                               related_name="records", verbose_name=_("导入批次"),
                               db_index=False)  # (source, status) index serves it
    id_number = EncryptedTextField(_("身份证号码"))
    id_hash = models.CharField(max_length=64)
    id_masked = models.CharField(_("身份证号码"), max_length=18)
    patient_name = models.CharField(_("姓名"), max_length=64, blank=True)
    hospital = models.CharField(_("医疗机构"), max_length=200)
    admitted_on = models.DateField(_("入院日期"))
    discharged_on = models.DateField(_("出院日期"))
    total = MoneyField(_("医疗总费用"))
    insurance_paid = MoneyField(_("医保统筹支付"))
    self_paid = MoneyField(_("个人自付"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices,
                                default=Category.ILLNESS)
    status = models.CharField(_("处理结果"), max_length=16, choices=RecordStatus.choices,
                              default=RecordStatus.QUEUED)
    payouts_count = models.PositiveSmallIntegerField(_("给付笔数"), default=0)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结算记录")
        verbose_name_plural = _("结算记录")
        constraints = [
            models.CheckConstraint(condition=Q(discharged_on__gte=F("admitted_on")),
                                   name="ma_record_dates_order"),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(insurance_paid__gte=0) & Q(self_paid__gte=0),
                name="ma_record_amounts_not_negative",
            ),
        ]
        indexes = [
            # the queue: only queued rows are in it, so claiming stays cheap at any size
            models.Index(fields=["id"], condition=Q(status="queued"), name="ma_record_queue"),
            models.Index(fields=["source", "status"], name="ma_record_source_status"),
        ]

    def __str__(self) -> str:
        return self.settlement_no


class SettlementNumber(models.Model):
    """The claim of a settlement number: inserted with its record, in the same transaction, so a
    number is taken once cluster-wide (the primary key; on Citus the distribution column)."""

    settlement_no = models.CharField(max_length=64, primary_key=True)
    fingerprint = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("结算单号")
        verbose_name_plural = _("结算单号")

    def __str__(self) -> str:
        return self.settlement_no


class SettlementStay(models.Model):
    """The claim of a stay's fingerprint (a stay resubmitted under another number is refused),
    inserted with its record like SettlementNumber; names the number that took it."""

    fingerprint = models.CharField(max_length=32, primary_key=True)
    settlement_no = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("住院指纹")
        verbose_name_plural = _("住院指纹")

    def __str__(self) -> str:
        return self.fingerprint
