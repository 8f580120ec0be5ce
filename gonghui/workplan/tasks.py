"""Background work: the daily reminders (scheduled by the operator's cron, or enqueued)."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.actor import system_actor
from gonghui.workplan.services.reminders import reminders_send


@task()
def send_reminders(stale_days: int | None = None) -> dict[str, int]:
    """`gonghui workplan remind --enqueue` puts this on the queue; `gonghui worker` runs it."""
    return reminders_send(actor=system_actor("task:workplan-reminders"), stale_days=stale_days).__dict__
