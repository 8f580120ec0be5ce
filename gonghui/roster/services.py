"""Every write of the roster module: import jobs (create, correct the mapping, start, run,
cancel) and exports. Pages, CLI and tasks all come through here."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can
from gonghui.audit.services import audit_record, sensitive_read_record
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.workflow import can_transition
from gonghui.orgs.models import Org
from gonghui.roster import importer
from gonghui.roster.columns import (
    FIELD_LABELS,
    HEADER_SCAN_ROWS,
    HeaderNotFound,
    Mapping,
    cell_display,
    detect_header,
    validate_mapping,
)
from gonghui.roster.models import (
    IMPORT_TRANSITIONS,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportStatus,
)
from gonghui.roster.readers import SUFFIXES, RosterSource, UnreadableFile
from gonghui.roster.report import write_error_report

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 200


def _actor_name(actor: Any) -> str:
    return (actor.get_username() if getattr(actor, "pk", None) else str(actor or "cli"))[:150]


def _require(actor: Any, org: Org, cap: str) -> None:
    if actor is not None and not can(actor, org, cap):
        raise Forbidden()


def _require_org_can_take(org: Org, mapping: Mapping | None) -> None:
    if not org.is_active:
        raise ApplicationError(_("“{name}”已合并或撤销，不能导入会员。").format(name=org.name),
                               code="union_closed")
    if mapping is not None and not mapping.bulk and not org.holds_members:
        raise ApplicationError(_(
            "“{name}”是{type}，不直接发展会员：请导入到基层工会，或在名册中增加“工会代码”列，"
            "写明每一行所属的工会（批量导入）。").format(name=org.name,
                                                type=org.get_org_type_display()),
            code="union_not_member_holding")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(_("不支持的文件类型“{suffix}”：请上传 .xlsx、.xls 或 .csv 文件。").format(
            suffix=suffix or _("无扩展名")))
    return suffix


def _detect(path: Path, name: str) -> Mapping:
    source = RosterSource(path, name=name)
    try:
        return detect_header(itertools.islice(iter(source), HEADER_SCAN_ROWS))
    except HeaderNotFound as exc:
        raise UnreadableFile(str(exc)) from exc


def import_job_create(
    *, org: Org, actor: Any, name: str, upload: BinaryIO | None = None,
    path: Path | None = None, origin: str = "web", dry_run: bool = False,
) -> ImportJob:
    """Register a roster file for import into `org` (or, with a union-code column, into the
    unions of its subtree). Web uploads are copied under MEDIA_ROOT; the CLI's file is read
    where it is. The header row and column mapping are detected now, so a file that cannot
    be read at all is refused here, before any job exists."""
    _require(actor, org, "member.write")
    suffix = _check_name(name)
    if upload is not None:
        relative = Path("roster") / "imports" / f"{clock.today():%Y%m}" / f"{uuid.uuid4().hex}{suffix}"
        stored = Path(settings.MEDIA_ROOT) / relative
        stored.parent.mkdir(parents=True, exist_ok=True)
        with stored.open("wb") as out:
            shutil.copyfileobj(upload, out, 1 << 20)
        size = stored.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            stored.unlink()
            raise ApplicationError(_("文件超过 200 MB，请拆分后上传，或由管理员用命令行导入。"),
                                   code="too_large")
        source_path, absolute = str(relative), stored
    elif path is not None:
        absolute = Path(path).resolve()
        source_path = str(absolute)
    else:
        raise ValueError("upload or path")
    try:
        mapping = _detect(absolute, name)
        _require_org_can_take(org, mapping)
    except ApplicationError:
        if upload is not None:
            absolute.unlink(missing_ok=True)
        raise
    total = max(0, RosterSource(absolute, name=name).estimate_rows() - mapping.header_row)
    with transaction.atomic():
        return ImportJob.objects.create(
            org=org, org_path=org.path, created_by=actor if getattr(actor, "pk", None) else None,
            created_by_name=_actor_name(actor), origin=origin, source_name=name[:255],
            source_path=source_path, source_sha256=sha256_of(absolute),
            source_size=absolute.stat().st_size, mapping=mapping.as_json(), dry_run=dry_run,
            as_of=clock.today(), total=total,
            status=ImportStatus.UPLOADED if origin == "web" else ImportStatus.QUEUED,
        )


@dataclass
class Preview:
    mapping: Mapping
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def import_preview(job: ImportJob, *, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows as the importer will read them, and the problems validation finds in
    them (no database lookups: conflicts show up in the dry run or the import itself)."""
    mapping = Mapping.from_json(job.mapping) if job.mapping else _detect(
        importer.source_path(job), job.source_name)
    source = RosterSource(importer.source_path(job), name=job.source_name)
    data = [(n, c) for n, c in itertools.islice(
        ((n, c) for n, c in source if n > mapping.header_row), limit)]
    prepared = importer.prepare_rows(data, mapping, as_of=job.as_of, with_cipher=False)
    preview = Preview(mapping=mapping, checked=len(prepared))
    width = len(mapping.headers)
    preview.rows = [(n, [cell_display(v) for v in (c + [None] * width)[:width]])
                    for n, c in data[:10]]
    counts = dict.fromkeys(("ok", "rejected", "skipped"), 0)
    for row in prepared:
        if row.kind == importer.REJECT:
            counts["rejected"] += 1
            if len(preview.problems) < 20:
                preview.problems.append((row.row_number, row.columns, row.reason))
        elif row.kind == importer.SKIP:
            counts["skipped"] += 1
        else:
            counts["ok"] += 1
    preview.counts = counts
    return preview


def import_job_set_mapping(*, job: ImportJob, actor: Any, columns: dict[int, str]) -> ImportJob:
    """The cadre's correction of the detected mapping (preview page)."""
    _require(actor, job.org, "member.write")
    if job.status != ImportStatus.UPLOADED:
        raise ApplicationError(_("导入已开始，不能再修改列对应关系。"), code="job_started")
    mapping = Mapping.from_json(job.mapping) if job.mapping else _detect(
        importer.source_path(job), job.source_name)
    mapping.columns = {i: f for i, f in columns.items() if f and 0 <= i < len(mapping.headers)}
    problems = validate_mapping(mapping)
    if sum(1 for f in mapping.columns.values() if f == "union_code") > 1:
        problems.append(_("“{label}”只能对应一列。").format(label=FIELD_LABELS["union_code"]))
    if problems:
        raise ApplicationError("".join(problems), code="bad_mapping")
    _require_org_can_take(job.org, mapping)
    job.mapping = mapping.as_json()
    job.save(update_fields=["mapping", "updated_at"])
    return job


def _move(job: ImportJob, target: str) -> ImportJob:
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can_transition(IMPORT_TRANSITIONS, locked.status, target):
        raise ApplicationError(_("导入任务当前状态为“{status}”，不能执行此操作。").format(
            status=locked.get_status_display()), code="invalid_transition")
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    return locked


def import_job_start(*, job: ImportJob, actor: Any, dry_run: bool | None = None) -> ImportJob:
    """Queue the job for the background worker (a failed/interrupted job resumes at its
    checkpoint)."""
    from gonghui.roster.tasks import run_import

    _require(actor, job.org, "member.write")
    if job.status == ImportStatus.RUNNING and importer.claimable(job):
        # its runner died: let it be queued again (resumes after the checkpoint)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
        job.status = ImportStatus.FAILED
    with transaction.atomic():
        if dry_run is not None and job.status == ImportStatus.UPLOADED:
            ImportJob.objects.filter(pk=job.pk).update(dry_run=dry_run)
        locked = _move(job, ImportStatus.QUEUED)
        transaction.on_commit(lambda: _enqueue_import(locked.pk, run_import))
    return locked


def _enqueue_import(job_id: int, task: Any) -> None:
    result = task.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def import_job_cancel(*, job: ImportJob, actor: Any) -> ImportJob:
    """Give up a job that has not started (or was interrupted); its uploaded file is deleted.
    Chunks an interrupted job already committed stay imported."""
    _require(actor, job.org, "member.write")
    with transaction.atomic():
        job = _move(job, ImportStatus.CANCELLED)
    if not Path(job.source_path).is_absolute():
        importer.source_path(job).unlink(missing_ok=True)
    return job


def import_job_run(*, job: ImportJob, actor: Any,
                   on_progress: Callable[[ImportJob], None] | None = None,
                   report_path: Path | None = None, chunk_rows: int | None = None,
                   workers: int | None = None) -> ImportJob:
    """Run (or resume) a job to the end. Called by the worker task and by
    `gonghui import-members`, which also asks for the error report at `report_path` (the
    operator's file; pages build the report when it is downloaded). An uploaded file is
    deleted once its job is done: the rows now live in the registry, the rejected ones
    (encrypted) with the job."""
    kwargs = {"chunk_rows": chunk_rows} if chunk_rows else {}
    job = importer.ImportRun(job, actor=actor, on_progress=on_progress, workers=workers,
                             **kwargs).run()
    if report_path is not None:
        path = write_report(job, report_path)
        ImportJob.objects.filter(pk=job.pk).update(report_path=str(path))
        job.report_path = str(path)
    if not Path(job.source_path).is_absolute():  # an uploaded copy, not the operator's file
        importer.source_path(job).unlink(missing_ok=True)
    return job


def write_report(job: ImportJob, path: Path) -> Path:
    """Write the job's error report (rows in file order) to `path`."""
    mapping = job.mapping or {"headers": []}
    rows = (
        (r.row_number, r.columns, r.reason, r.cells)
        for r in job.rejections.order_by("row_number").iterator(chunk_size=2000)
    )
    return write_error_report(path, headers=mapping["headers"], rejections=rows,
                              total=job.rejected)


def import_report_open(*, job: ImportJob, actor: Any) -> BinaryIO:
    """The error report as an open file that leaves nothing on disk (its rows carry ID numbers
    as uploaded). The uploader takes their own rows back; anyone else needs member.reveal and
    the read is logged."""
    if job.status != ImportStatus.DONE:
        raise ApplicationError(_("导入完成后才能下载错误报告。"), code="job_not_done")
    if job.created_by_id != getattr(actor, "pk", None):
        if not can(actor, job.org, "member.reveal"):
            raise Forbidden(_("错误报告含完整身份证号码，只有上传人或有权查看身份证号码的人员可以下载。"))
        sensitive_read_record(actor=actor, subject=job, field="id_number",
                              purpose=_("下载名册导入错误报告"), org_path=job.org_path,
                              count=job.rejected)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — returned open
    write_report(job, Path(handle.name))
    handle.seek(0)
    return handle  # type: ignore[return-value]


# --- exports -------------------------------------------------------------------------------


def export_job_create(*, org: Org, actor: Any, file_format: str = "xlsx", reveal: bool = False,
                      include_ended: bool = False) -> ExportJob:
    """Queue an export of `org`'s subtree. Revealing ID numbers needs `member.reveal` there."""
    from gonghui.roster.tasks import run_export

    _require(actor, org, "member.read")
    if reveal and not can(actor, org, "member.reveal"):
        raise Forbidden(_("您无权导出完整的身份证号码。"))
    if file_format not in ("xlsx", "csv"):
        raise ApplicationError(_("导出格式只能是 xlsx 或 csv。"), code="bad_format")
    with transaction.atomic():
        job = ExportJob.objects.create(
            org=org, org_path=org.path, created_by=actor, created_by_name=_actor_name(actor),
            file_format=file_format, reveal=reveal, include_ended=include_ended)
        transaction.on_commit(lambda: _enqueue_export(job.pk, run_export))
    return job


def _enqueue_export(job_id: int, task: Any) -> None:
    result = task.enqueue(job_id)
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def export_job_run(*, job: ExportJob) -> ExportJob:
    from gonghui.roster.exporter import export_members

    if job.status != ExportStatus.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    path = Path(settings.MEDIA_ROOT) / "roster" / "exports" / (
        f"export-{job.pk}-{uuid.uuid4().hex[:8]}.{job.file_format}")
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        count = export_members(org=job.org, actor=job.created_by, out=path,
                               reveal=job.reveal, include_ended=job.include_ended,
                               on_progress=progress)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000],
            finished_at=clock.now())
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, file_path=str(path), processed=count, total=count,
        finished_at=clock.now())
    job.refresh_from_db()
    return job


def record_export(*, org: Org, actor: Any, count: int, reveal: bool, file_name: str) -> None:
    """The audit row of an export (who took which subtree's roster, how many rows)."""
    with transaction.atomic():
        audit_record(actor=actor, action="roster.export", object_type="orgs.org",
                     object_id=str(org.pk), object_repr=org.name, org_path=org.path,
                     after={"rows": count, "reveal": reveal, "file": file_name})


def export_open(*, job: ExportJob, actor: Any) -> BinaryIO:
    """The export file, open for download. A revealed export (full ID numbers) can be taken
    once: the file is deleted as it is handed over, so the logged read is the only copy."""
    if job.status != ExportStatus.DONE:
        raise ApplicationError(_("导出尚未完成。"), code="export_not_done")
    path = Path(job.file_path) if job.file_path else None
    if path is None or not path.exists():
        raise ApplicationError(_("导出文件已下载并删除（含完整身份证号码的文件只能下载一次），请重新导出。"),
                               code="export_gone")
    handle = path.open("rb")
    if job.reveal:
        path.unlink()
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
    return handle
