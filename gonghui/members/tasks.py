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
