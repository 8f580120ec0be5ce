"""Progress reports (进度报送) on milestones, with attachments."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.workplan.models import (
    Department,
    Milestone,
    MilestoneStatus,
    ProgressAttachment,
    ProgressReport,
)
from gonghui.workplan.permissions import require_report
from gonghui.workplan.services.breakdown import milestone_move

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
ALLOWED_SUFFIXES = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "jpeg",
                    "png", "gif", "zip", "ofd", "wps"}  # fmt: skip
TEXT_MAX = 5000


def _check_files(files: list[UploadedFile]) -> None:
    if len(files) > MAX_FILES:
        raise ApplicationError(_("附件最多 {n} 个。").format(n=MAX_FILES), code="too_many_files")
    for upload in files:
        name = upload.name or ""
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in ALLOWED_SUFFIXES:
            raise ApplicationError(
                _("附件“{name}”的类型不允许（可上传 PDF、Office 文档、图片、压缩包）。").format(name=name),
                code="file_type")
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise ApplicationError(_("附件“{name}”超过 10 MB。").format(name=name), code="file_size")


def progress_report_create(*, milestone: Milestone, percent: int, text: str, actor: Actor,
                           department: Department | None = None,
                           files: list[UploadedFile] | None = None) -> ProgressReport:
    """File a report; the milestone keeps the latest percentage and date, and a 100 % report
    completes it (the supervisor can send it back)."""
    require_report(actor, milestone)
    files = list(files or [])
    text = text.strip()
    if not text:
        raise ApplicationError(_("请填写进展情况。"), code="text_empty")
    if len(text) > TEXT_MAX:
        raise ApplicationError(_("进展情况过长（最多 {n} 字）。").format(n=TEXT_MAX), code="text_long")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ApplicationError(_("完成进度应为 0—100 之间的整数。"), code="percent_range")
    _check_files(files)
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
            if locked.status != MilestoneStatus.OPEN:
                raise Conflict(_("该节点{status}，不能再报送进度。").format(
                    status=locked.get_status_display()), code="milestone_closed")
            today = clock.today()
            report = ProgressReport.objects.create(
                milestone=locked, department=department or locked.department,
                author=actor_user(actor), reported_on=today,
                created_at=clock.now(), percent=percent, text=text,
            )
            for upload in files:
                attachment = ProgressAttachment(report=report, name=(upload.name or "")[:255],
                                                size=upload.size or 0,
                                                content_type=(upload.content_type or "")[:100])
                attachment.file.save(upload.name or "file", upload, save=False)
                saved.append(attachment.file.name)
                attachment.save()
            locked.percent, locked.last_report_on = percent, today
            locked.save(update_fields=["percent", "last_report_on", "updated_at"])
            audit_record(actor=actor, action="workplan.report_create", obj=report,
                         org_path=locked.item.plan.org.path,
                         after={"milestone": locked.pk, "percent": percent,
                                "attachments": [f.name for f in files]})
            if percent == 100:
                milestone_move(locked, MilestoneStatus.COMPLETED, actor=actor,
                                reason=_("报送进度 100%"), action="workplan.milestone_complete")
    except BaseException:
        for name in saved:  # the rows are gone with the rollback; so must the files be
            default_storage.delete(name)
        raise
    return report
