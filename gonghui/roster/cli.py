"""The command line side of `gonghui import-members`: find an interrupted job of the same file
to resume, or register a new one; run it with a tqdm progress bar on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.utils.translation import gettext as _
from tqdm import tqdm

from gonghui.core.errors import ApplicationError, NotFound
from gonghui.orgs.models import Org
from gonghui.roster import importer, services
from gonghui.roster.models import ImportJob, ImportStatus


def job_for_file(*, path: Path, org: Org, actor: Any, dry_run: bool,
                 restart: bool = False) -> tuple[ImportJob, bool]:
    """(job, resumed): the interrupted job of this very file (same content, same union) if
    there is one, else a new job. A job still held by a live process is refused."""
    if actor is not None:
        from gonghui.accounts.scoping import can

        if not can(actor, org, "member.read"):
            raise NotFound()
    if not dry_run and not restart:
        digest = services.sha256_of(path)
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
    job = services.import_job_create(org=org, actor=actor, name=path.name, path=path,
                                     origin="cli", dry_run=dry_run)
    return job, False


def run_with_progress(job: ImportJob, *, actor: Any, report: Path | None, stream: TextIO,
                      chunk_rows: int | None = None, workers: int | None = None) -> ImportJob:
    bar = tqdm(total=job.total or None, initial=job.processed, unit="行", file=stream, mininterval=0.5, dynamic_ncols=True, desc=job.source_name[:30])
    last = [job.processed]

    def progress(current: ImportJob) -> None:
        if current.total and bar.total != current.total:
            bar.total = current.total
        bar.update(current.processed - last[0])
        last[0] = current.processed

    try:
        job = services.import_job_run(job=job, actor=actor, on_progress=progress,
                                      report_path=report, chunk_rows=chunk_rows,
                                      workers=workers)
    finally:
        bar.close()
    if report is None and job.rejected:
        # not asked for a place: the data folder (the operator's, like the database)
        path = Path(settings.MEDIA_ROOT) / "roster" / "reports" / f"import-{job.pk}-errors.xlsx"
        services.write_report(job, path)
        ImportJob.objects.filter(pk=job.pk).update(report_path=str(path))
        job.report_path = str(path)
    return job
