"""Background work of stats (Django Tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from gonghui.stats.models import ReportJob
from gonghui.stats.services.reports import report_run


@task()
def run_report(job_id: int) -> str:
    """Write one yearly report; the job row carries the progress and the outcome."""
    job = ReportJob.objects.select_related("org", "created_by").get(pk=job_id)
    return report_run(job=job).status
