"""Every write of the roster module: import jobs (create, correct the mapping, start, run,
cancel) and exports. Pages, the command line and tasks all come through here; each function
checks its own permission (`require_capability`, one status policy) and the eligibility rules
(a merged or dissolved union takes no members), whoever calls it."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts import second_factor
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user, as_actor, system_actor
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.core.workflow import can_transition, transition, transition_many
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
from gonghui.roster.exporter import export_members
from gonghui.roster.models import (
    EXPORT_TRANSITIONS,
    IMPORT_TRANSITIONS,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportStatus,
)
from gonghui.roster.readers import SUFFIXES, RosterSource, UnreadableFile
from gonghui.roster.report import write_error_report
from gonghui.roster.reveal import reveal_rows
from gonghui.roster.tasks import run_export, run_import

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 200


def _require_org_can_take(org: Org, mapping: Mapping | None) -> None:
    """Eligibility: only an active union takes a roster; a single-union roster only a
    member-holding one (a federation takes the bulk form, with a union code per row)."""
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
    *, org: Org, actor: Actor, name: str, upload: BinaryIO | None = None,
    path: Path | None = None, origin: str = "web", dry_run: bool = False,
) -> ImportJob:
    """Register a roster file for import into `org` (or, with a union-code column, into the
    unions of its subtree). Web uploads are copied under MEDIA_ROOT; the CLI's file is read
    where it is. The header row and column mapping are detected now, so a file that cannot
    be read at all is refused here, before any job exists."""
    require_capability(actor, Capability.MEMBER_WRITE, org)
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
            org=org, org_path=org.path, created_by=actor_user(actor),
            created_by_name=actor_name(actor), origin=origin, source_name=name[:255],
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


def import_job_set_mapping(*, job: ImportJob, actor: Actor,
                           columns: dict[int, str]) -> ImportJob:
    """The cadre's correction of the detected mapping (preview page)."""
    require_capability(actor, Capability.MEMBER_WRITE, job.org)
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
    """A job's status through the transition table (job rows keep no history of their own: the
    audit rows and the job's counters are its record). Inside transaction.atomic."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can_transition(IMPORT_TRANSITIONS, locked.status, target):
        raise ApplicationError(_("导入任务当前状态为“{status}”，不能执行此操作。").format(
            status=locked.get_status_display()), code="invalid_transition")
    return transition(locked, target, transitions=IMPORT_TRANSITIONS, history=False)


def import_job_start(*, job: ImportJob, actor: Actor, dry_run: bool | None = None) -> ImportJob:
    """Queue the job for the background worker (a failed/interrupted job resumes at its
    checkpoint)."""
    require_capability(actor, Capability.MEMBER_WRITE, job.org)
    with transaction.atomic():
        if job.status == ImportStatus.RUNNING and importer.claimable(job):
            # its runner died: it failed, and is queued again (resumes after the checkpoint)
            job = _move(job, ImportStatus.FAILED)
        if dry_run is not None and job.status == ImportStatus.UPLOADED:
            ImportJob.objects.filter(pk=job.pk).update(dry_run=dry_run)
        locked = _move(job, ImportStatus.QUEUED)
        transaction.on_commit(lambda: _enqueue_import(locked.pk))
    return locked


def _enqueue_import(job_id: int) -> None:
    result = run_import.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def import_job_cancel(*, job: ImportJob, actor: Actor) -> ImportJob:
    """Give up a job that has not started (or was interrupted); its uploaded file is deleted.
    Chunks an interrupted job already committed stay imported."""
    require_capability(actor, Capability.MEMBER_WRITE, job.org)
    with transaction.atomic():
        job = _move(job, ImportStatus.CANCELLED)
    if not Path(job.source_path).is_absolute():
        importer.source_path(job).unlink(missing_ok=True)
    return job


def import_job_for_file(*, path: Path, org: Org, actor: Actor, dry_run: bool,
                        restart: bool = False) -> tuple[ImportJob, bool]:
    """The command line's job for a file: (job, resumed). The interrupted job of this very file
    (same content, same union) if there is one, else a new job. A job still held by a live
    process is refused."""
    require_capability(actor, Capability.MEMBER_WRITE, org)
    if not dry_run and not restart:
        digest = sha256_of(path)
        previous = ImportJob.objects.filter(
            org=org, source_sha256=digest, dry_run=False, origin="cli",
            status__in=[ImportStatus.RUNNING, ImportStatus.FAILED, ImportStatus.QUEUED],
        ).order_by("-id").first()
        if previous is not None:
            if not importer.claimable(previous):
                raise ApplicationError(_("该文件正由导入任务 #{id} 处理中（{runner}），请稍后再试。").format(
                    id=previous.pk, runner=previous.runner), code="job_busy")
            ImportJob.objects.filter(pk=previous.pk).update(source_path=str(path.resolve()))
            previous.refresh_from_db()
            return previous, True
    job = import_job_create(org=org, actor=actor, name=path.name, path=path, origin="cli",
                            dry_run=dry_run)
    return job, False


def import_job_run(*, job: ImportJob, actor: Actor | None,
                   on_progress: Callable[[ImportJob], None] | None = None,
                   report_path: Path | None = None, chunk_rows: int | None = None,
                   workers: int | None = None, keep_report: bool = False) -> ImportJob:
    """Run (or resume) a job to the end. Called by the worker task and by
    `gonghui import-members`, which also asks for the error report at `report_path` (the
    operator's file), or with `keep_report` in the data folder when rejected rows need one
    (pages build the report when it is downloaded). An uploaded file is deleted once its job is
    done: the rows now live in the registry, the rejected ones (encrypted) with the job.
    `actor` None: the job's own (its creator, or the command line that registered it)."""
    actor = actor or job.created_by or system_actor(job.created_by_name or "cli")
    require_capability(actor, Capability.MEMBER_WRITE, job.org)
    kwargs = {"chunk_rows": chunk_rows} if chunk_rows else {}
    job = importer.ImportRun(job, actor=actor, on_progress=on_progress, workers=workers,
                             **kwargs).run()
    if report_path is None and keep_report and job.rejected:
        report_path = Path(settings.MEDIA_ROOT) / "roster" / "reports" / (
            f"import-{job.pk}-errors.xlsx")
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


def import_report_open(*, job: ImportJob, actor: Actor, purpose: str = "") -> BinaryIO:
    """The error report as an open file that leaves nothing on disk (its rows carry ID numbers
    as uploaded). The uploader takes their own rows back; anyone else needs member.reveal and
    the read goes through the reveal service with its purpose."""
    if job.status != ImportStatus.DONE:
        raise ApplicationError(_("导入完成后才能下载错误报告。"), code="job_not_done")
    if job.created_by_id != getattr(actor, "pk", None):
        require_capability(actor, Capability.MEMBER_REVEAL, job.org, message=_(
            "错误报告含完整身份证号码，只有上传人或有权查看身份证号码的人员可以下载。"))
        reveal_rows(actor=actor, org=job.org, subject=job, count=job.rejected,
                    purpose=purpose.strip() or _("下载名册导入错误报告"))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — returned open
    write_report(job, Path(handle.name))
    handle.seek(0)
    return handle  # type: ignore[return-value]


# --- exports -------------------------------------------------------------------------------


def export_job_create(*, org: Org, actor: Actor, file_format: str = "xlsx", reveal: bool = False,
                      include_ended: bool = False, purpose: str = "",
                      enqueue: bool = True) -> ExportJob:
    """Register an export of `org`'s subtree (queued for the worker, or with `enqueue=False`
    for the caller to run: the command line). Revealing ID numbers needs `member.reveal` there
    and a named user (the read is logged with its purpose: a system actor may export masked
    numbers only)."""
    require_capability(actor, Capability.MEMBER_READ, org)
    if reveal:
        require_capability(actor, Capability.MEMBER_REVEAL, org,
                           message=_("您无权导出完整身份证号码。"))
        if actor_user(actor) is None:
            raise Forbidden(_("导出完整身份证号码须以具名用户身份进行。"), code="reveal_needs_user")
        # the worker reveals as the job's creator, who has no session there: the second factor
        # is asked here, of the request that starts it (docs/security.md)
        second_factor.check_reveal(actor_user(actor))
        if not purpose.strip():
            raise ApplicationError(_("导出完整身份证号码须填写查看用途。"),
                                   code="purpose_required", extra={"field": "purpose"})
    if file_format not in ("xlsx", "csv"):
        raise ApplicationError(_("导出格式只能是 xlsx 或 csv。"), code="bad_format")
    with transaction.atomic():
        job = ExportJob.objects.create(
            org=org, org_path=org.path, created_by=actor_user(actor),
            created_by_name=actor_name(actor), file_format=file_format, reveal=reveal,
            include_ended=include_ended, purpose=purpose.strip()[:200])
        if enqueue:
            transaction.on_commit(lambda: _enqueue_export(job.pk))
    return job


def _enqueue_export(job_id: int) -> None:
    result = run_export.enqueue(job_id)
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def export_job_run(*, job: ExportJob, actor: Actor | None = None, out: Path | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> ExportJob:
    """Write a queued export: into the data folder for download (the worker), or to the
    operator's file `out` (the command line; such a job is never downloadable from the site).
    `actor` None: the job's creator."""
    actor = actor or job.created_by or as_actor(job.created_by_name or "cli")
    moved = transition_many(ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED),
                            ExportStatus.RUNNING, transitions=EXPORT_TRANSITIONS)
    if not moved:
        return job
    path = Path(out) if out is not None else Path(settings.MEDIA_ROOT) / "roster" / "exports" / (
        f"export-{job.pk}-{uuid.uuid4().hex[:8]}.{job.file_format}")
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed=done, total=total)
        if on_progress is not None:
            on_progress(done, total)

    this = ExportJob.objects.filter(pk=job.pk)
    try:
        count = export_members(org=job.org, actor=actor, out=path, reveal=job.reveal,
                               include_ended=job.include_ended, purpose=job.purpose,
                               subject=job, on_progress=progress)
    except Exception as exc:
        transition_many(this, ExportStatus.FAILED, transitions=EXPORT_TRANSITIONS, extra_fields={
            "error": f"{type(exc).__name__}: {exc}"[:1000], "finished_at": clock.now()})
        raise
    transition_many(this, ExportStatus.DONE, transitions=EXPORT_TRANSITIONS, extra_fields={
        "file_path": "" if out is not None else str(path), "processed": count, "total": count,
        "finished_at": clock.now()})
    job.refresh_from_db()
    return job


def export_open(*, job: ExportJob, actor: Actor) -> BinaryIO:
    """The export file, open for download. A revealed export (full ID numbers) can be taken
    once: the file is deleted as it is handed over, so the logged read is the only copy."""
    if job.created_by_id is None or job.created_by_id != getattr(actor, "pk", None):
        raise NotFound()  # an export file is its creator's alone
    require_capability(actor, Capability.MEMBER_REVEAL if job.reveal else Capability.MEMBER_READ,
                       job.org)
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
