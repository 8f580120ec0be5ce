"""Entry point of an import worker process (multiprocessing "spawn": a fresh interpreter that
sets Django up itself and opens its own database connection)."""

from __future__ import annotations

from typing import Any


def stripe_main(job_id: int, token: str, index: int, count: int, actor_id: int | None,
                parent_pid: int, result: Any, feed: Any = None) -> None:
    import django

    django.setup()
    from django.db import connection

    from gonghui.accounts.models import User
    from gonghui.core.errors import ApplicationError
    from gonghui.roster.importer import JobTakenOver, Stripe
    from gonghui.roster.models import ImportJob, ImportStatus

    job = ImportJob.objects.get(pk=job_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        rows = Stripe(job, token=token, actor=actor, index=index, count=count,
                      parent_pid=parent_pid, feed=feed).run()
    except JobTakenOver:
        raise SystemExit(4) from None
    except Exception as exc:
        message = exc.message if isinstance(exc, ApplicationError) else \
            f"{type(exc).__name__}: {exc}"[:1000]
        ImportJob.objects.filter(pk=job_id, run_token=token).update(
            status=ImportStatus.FAILED, error=message)
        raise SystemExit(1) from None
    finally:
        connection.close()
    result.put(rows)
