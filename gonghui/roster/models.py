"""Roster import and export jobs. An import job is the unit of progress, resumption and audit:
every chunk of rows commits together with the job's counters and checkpoint, so a job killed
half-way resumes at the first uncommitted row and nothing is imported twice."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("待确认")  # preview: the cadre checks the column mapping
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")  # the file could not be read, or the job was interrupted
    CANCELLED = "cancelled", _("已取消")


IMPORT_TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.UPLOADED: {ImportStatus.QUEUED, ImportStatus.CANCELLED},
    ImportStatus.QUEUED: {ImportStatus.RUNNING, ImportStatus.FAILED, ImportStatus.CANCELLED},
    # RUNNING → RUNNING: a new runner claims a job whose runner died (importer.claimable)
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.RUNNING},
    # an interrupted job is queued again and resumes at its checkpoint; the command line runs
    # it again at once (`gonghui import-members` of the same file)
    ImportStatus.FAILED: {ImportStatus.QUEUED, ImportStatus.CANCELLED, ImportStatus.RUNNING},
}
IMPORT_INITIAL = (ImportStatus.UPLOADED, ImportStatus.QUEUED)

ACTIVE_IMPORT_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportJob(TimeStampedModel):
    """One roster file imported into one union (or, in the bulk form, into the unions of a
    subtree named per row)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("导入到"))
    # Copy of org.path: jobs are scoped like members (the org.path_changed hook keeps it right).
    org_path = models.CharField(max_length=255, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_by_name = models.CharField(_("操作人"), max_length=150)
    origin = models.CharField(max_length=8, default="web")  # web | cli
    source_name = models.CharField(_("文件名"), max_length=255)
    # Where the file is kept: relative to MEDIA_ROOT for uploads, absolute for the CLI.
    source_path = models.CharField(max_length=500)
    source_sha256 = models.CharField(max_length=64, db_index=True)
    source_size = models.BigIntegerField(default=0)
    mapping = models.JSONField(_("列对应关系"), null=True, blank=True)
    dry_run = models.BooleanField(_("试运行"), default=False)
    # The day the rules are applied as of (age, dates not in the future): fixed at creation so
    # that a resumed job judges every row alike.
    as_of = models.DateField()
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    total = models.PositiveIntegerField(_("总行数（估计）"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    imported = models.PositiveIntegerField(_("导入"), default=0)
    updated = models.PositiveIntegerField(_("其中更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("未导入"), default=0)
    skipped = models.PositiveIntegerField(_("跳过"), default=0)
    # Rows per chunk, fixed by the first run so that a resumed run cuts the file alike.
    chunk_rows = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # Who is running it now (host:pid) and their claim: a chunk commits only while the claim
    # holds, so two runners can never both write one job.
    runner = models.CharField(max_length=100, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed=models.F("imported") + models.F("unchanged")
                            + models.F("rejected") + models.F("skipped")),
                name="importjob_counts_add_up",
            ),
            models.CheckConstraint(condition=Q(updated__lte=models.F("imported")),
                                   name="importjob_updated_within_imported"),
        ]
        indexes = [models.Index(fields=["org_path", "created_at"], name="importjob_path_created")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_IMPORT_STATUSES

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    def counts(self) -> dict[str, int]:
        return {"imported": self.imported, "unchanged": self.unchanged,
                "rejected": self.rejected, "skipped": self.skipped}


class ImportChunk(models.Model):
    """A committed chunk of a job: written in the chunk's own transaction, so its presence is
    the proof that its rows are done (the resume checkpoint; chunks may commit out of order
    when several processes share the work)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="importchunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.index}"


class ImportRejection(models.Model):
    """A row that was not imported, with the original cells, for the error report. Written in
    the same transaction as its chunk."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("行号"))
    columns = models.CharField(_("出错列"), max_length=255)
    reason = models.TextField(_("错误原因"))
    # The original cells (JSON list) — they hold ID numbers, so encrypted at rest (SPEC §5).
    cells_json = EncryptedTextField()

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="importrejection_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"

    @property
    def cells(self) -> list[str]:
        return json.loads(self.cells_json or "[]")


class RowFingerprint(models.Model):
    """A cache for re-runs (`roster.fingerprints`): a row digest and the person and membership
    row versions (`xmin`) it was last seen to match. No foreign keys on purpose: a deleted or
    changed person or membership simply makes the fingerprint stale."""

    digest = models.BinaryField(primary_key=True, max_length=16)
    person_id = models.BigIntegerField()
    membership_id = models.BigIntegerField()
    person_stamp = models.BigIntegerField()
    membership_stamp = models.BigIntegerField()
    as_of = models.DateField()

    def __str__(self) -> str:
        return bytes(self.digest).hex()


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


EXPORT_TRANSITIONS: dict[str, set[str]] = {
    ExportStatus.QUEUED: {ExportStatus.RUNNING, ExportStatus.FAILED},
    ExportStatus.RUNNING: {ExportStatus.DONE, ExportStatus.FAILED},
}


class ExportJob(TimeStampedModel):
    """A roster export of a subtree, written in the background; downloadable by its creator."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("导出范围"))
    org_path = models.CharField(max_length=255, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_by_name = models.CharField(_("操作人"), max_length=150)
    file_format = models.CharField(_("格式"), max_length=8, default="xlsx")  # xlsx | csv
    reveal = models.BooleanField(_("显示完整身份证号码"), default=False)
    # Why the full numbers are needed: logged with the read (audit.services.reveal).
    purpose = models.CharField(_("查看用途"), max_length=200, blank=True)
    include_ended = models.BooleanField(_("包含已退会等非在册会员"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=ExportStatus.choices,
                              default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名册导出")
        verbose_name_plural = _("名册导出")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.org_id}"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    @property
    def download_name(self) -> str:
        return f"会员名册-{self.pk}.{self.file_format}"
