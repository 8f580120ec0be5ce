"""Background work of the roster module (Django Tasks, database backend). The services enqueue
these; each task calls back into the services."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.errors import ApplicationError
from gonghui.roster.models import ExportJob, ImportJob


@task()
def run_import(job_id: int) -> dict[str, int]:
    """Run or resume an import job; the job row carries the progress and the outcome."""
    # tasks import the services that enqueue them: at call time, to break the cycle
    from gonghui.roster import services

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        job = services.import_job_run(job=job, actor=None)
    except ApplicationError:
        # the job row says what went wrong (status FAILED, error); nothing to retry
        job.refresh_from_db()
    return job.counts()


@task()
def run_export(job_id: int) -> int:
    # tasks import the services that enqueue them: at call time, to break the cycle
    from gonghui.roster import services

    job = ExportJob.objects.select_related("created_by", "org").get(pk=job_id)
    return services.export_job_run(job=job).processed
