"""Background tasks (Django Tasks, database backend; `gonghui worker` runs them)."""

from __future__ import annotations

from django.db.models import F
from django_tasks import task

from gonghui.core.errors import ApplicationError


@task()
def run_settlement_import(import_id: int) -> dict:
    from gonghui.mutualaid.models import SettlementImport
    from gonghui.mutualaid.services import settlement_import_run
    from gonghui.mutualaid.services.jobs import media_path

    source = SettlementImport.objects.get(pk=import_id)
    with media_path(source.stored_file).open("rb") as binary:
        try:
            source = settlement_import_run(source=source, binary=binary)
        except ApplicationError as exc:
            return {"error": exc.message}
    process_settlement_queue.enqueue()
    return {"inserted": source.inserted}


@task()
def process_settlement_queue() -> dict:
    """Pay what is queued. Any number may run at once (the queue is claimed with SKIP LOCKED);
    `gonghui process-settlements` does the same from the command line."""
    from gonghui.mutualaid.services import process_queue

    return process_queue().as_json()


@task()
def apply_bank_results(batch_id: int, actor_id: int) -> dict:
    from gonghui.accounts.models import User
    from gonghui.mutualaid.models import PayoutBatch
    from gonghui.mutualaid.parsing import count_rows
    from gonghui.mutualaid.services import batch_apply_results
    from gonghui.mutualaid.services.jobs import media_path

    batch = PayoutBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    queryset = PayoutBatch.objects.filter(pk=batch_id)
    with media_path(batch.result_file).open("rb") as binary:
        queryset.update(result_total=max(0, count_rows(binary) - 1))
        def progress(n: int) -> None:
            queryset.update(result_done=F("result_done") + n)

        try:
            summary = batch_apply_results(batch=batch, binary=binary, actor=actor,
                                          progress=progress)
        except ApplicationError as exc:
            queryset.update(result_state="failed", result_summary={"error": exc.message})
            return {"error": exc.message}
    queryset.update(result_state="done", result_summary=summary.as_json())
    return summary.as_json()
