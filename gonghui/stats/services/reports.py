"""The yearly report as a background job: `report_start` registers it (and enqueues the task
after commit), `report_run` writes the workbook with progress on the job row."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.core.workflow import transition
from gonghui.orgs.models import Org
from gonghui.stats import report
from gonghui.stats.models import REPORT_TRANSITIONS, ReportJob, ReportStatus

log = logging.getLogger("gonghui.stats")


def check_year(year: int) -> int:
    today = clock.today()
    if not 2000 <= year <= today.year:
        raise ApplicationError(_("年度应在 2000 年到 {y} 年之间。").format(y=today.year),
                               extra={"field": "year"})
    return year


def report_start(*, org: Org, year: int, actor: Actor, enqueue: bool = True) -> ReportJob:
    """Register a report of `org`'s subtree for `year` (stats.read over `org`)."""
    require_capability(actor, Capability.STATS_READ, org)
    check_year(year)
    with transaction.atomic():
        job = ReportJob.objects.create(
            org=org, org_path=org.path, year=year, created_by=actor_user(actor),
            created_by_name=actor_name(actor), created_at=clock.now(), total=report.SHEETS)
        audit_record(actor=actor, action="stats.report_start", obj=job, org_path=org.path,
                     after={"org": org.code, "year": year})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # why: the task module imports this one (it calls report_run): imported at call time.
    from gonghui.stats.tasks import run_report

    run_report.enqueue(job_id)


def report_path(job: ReportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "stats" / "reports" / f"report-{job.pk}-{job.year}.xlsx"


def report_run(*, job: ReportJob, out: Path | None = None) -> ReportJob:
    """Compute the figures and write the workbook; the job row carries the progress, the
    outcome of the totals check and, on failure, the error."""
    with transaction.atomic():
        job = transition(job, ReportStatus.RUNNING, transitions=REPORT_TRANSITIONS,
                         history=False)
    viewer = job.created_by
    path = out or report_path(job)
    try:
        data = report.figures(org=job.org, year=job.year, viewer=viewer, today=clock.today())

        def progress(n: int) -> None:
            ReportJob.objects.filter(pk=job.pk).update(processed=n)

        passed = report.write_workbook(data, path, progress=progress)
    except Exception as exc:  # the job says what went wrong; the worker goes on
        log.exception("report %s failed", job.pk)
        with transaction.atomic():
            return transition(job, ReportStatus.FAILED, transitions=REPORT_TRANSITIONS,
                              history=False, extra_fields={"error": str(exc)[:2000],
                                                           "finished_at": clock.now()})
    with transaction.atomic():
        return transition(job, ReportStatus.DONE, transitions=REPORT_TRANSITIONS, history=False,
                          extra_fields={"file_path": str(path), "checks_passed": passed,
                                        "processed": report.SHEETS,
                                        "finished_at": clock.now()})
