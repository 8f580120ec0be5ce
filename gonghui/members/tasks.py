"""Background work of the member registry (Django Tasks, database backend)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from gonghui.core.actor import system_actor
from gonghui.members import services


@task()
def lapse_check_task(today: str | None = None) -> int:
    """Flag members with no dues and no activity for 6 months (they are NOT lapsed: a cadre
    contacts them and confirms). Run nightly: `gonghui members lapse-check --enqueue` from cron,
    or synchronously without --enqueue."""
    day = dt.date.fromisoformat(today) if today else None
    return services.lapse_check(today=day, actor=system_actor("task:lapse-check"))


@task()
def run_bulk_decision(job_id: int) -> dict[str, int]:
    """Decide the rows of a bulk decision job; the job row carries progress and failures."""
    # tasks import the services that enqueue them: at call time, to break the cycle
    from gonghui.members.models import BulkDecisionJob
    from gonghui.members.services.bulk import bulk_job_run

    job = bulk_job_run(job=BulkDecisionJob.objects.select_related("created_by").get(pk=job_id))
    return {"succeeded": job.succeeded, "failed": job.failed}
