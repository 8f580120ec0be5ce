"""Entry point of an import worker process (multiprocessing "spawn": a fresh interpreter that
sets Django up itself and opens its own database connection)."""

from __future__ import annotations

import gc
from typing import Any


def stripe_main(job_id: int, token: str, index: int, count: int, actor_id: int | None,
                parent_pid: int, result: Any, feed: Any = None, actor_label: str = "") -> None:
    # a subprocess entry point: a fresh interpreter sets Django up before any model import
    import django

    django.setup()
    # subprocess entry point: the imports below need the app registry set up above
    from django.db import connection  # after django.setup()

    from gonghui.accounts.models import User  # after django.setup()
    from gonghui.core.actor import system_actor  # after django.setup()
    from gonghui.core.errors import ApplicationError  # after django.setup()
    from gonghui.core.workflow import transition_many  # after django.setup()
    from gonghui.roster.models import (  # after django.setup()
        IMPORT_TRANSITIONS,
        ImportJob,
        ImportStatus,
    )
    from gonghui.roster.stripes import JobTakenOver, Stripe  # after django.setup()

    # Django and the libraries set up above live as long as the process: out of the
    # collector's sight (the stripe raises its thresholds itself, see Stripe.run)
    gc.freeze()
    job = ImportJob.objects.get(pk=job_id)
    user = User.objects.filter(pk=actor_id).first() if actor_id else None
    actor = user or system_actor(actor_label or "cli")
    try:
        rows = Stripe(job, token=token, actor=actor, index=index, count=count,
                      parent_pid=parent_pid, feed=feed).run()
    except JobTakenOver:
        raise SystemExit(4) from None
    except Exception as exc:
        message = exc.message if isinstance(exc, ApplicationError) else \
            f"{type(exc).__name__}: {exc}"[:1000]
        transition_many(ImportJob.objects.filter(pk=job_id, run_token=token),
                        ImportStatus.FAILED, transitions=IMPORT_TRANSITIONS,
                        extra_fields={"error": message})
        raise SystemExit(1) from None
    finally:
        connection.close()
    result.put(rows)
