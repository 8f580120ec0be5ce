"""Background work of funds (Django Tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.actor import system_actor
from gonghui.funds.models import YearCloseRun


@task()
def run_year_close(run_id: int) -> str:
    """Close a year over a subtree; the run row carries the progress and the failures."""
    # yearend imports this module at its top (to queue the run): import it here, at run time
    from gonghui.funds.services.yearend import year_close_run_execute

    run = YearCloseRun.objects.select_related("org", "created_by").get(pk=run_id)
    actor = run.created_by or system_actor("task:year-close")
    return year_close_run_execute(run, actor).status
