"""Background tasks (Django Tasks, database backend; `gonghui worker` runs them), and the two
upload entry points that enqueue them. This module sits above the services: it imports them,
they never import it."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django_tasks import task

from gonghui.accounts.models import User
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.core.workflow import transition_many
from gonghui.mutualaid.models import (
    RESULT_TRANSITIONS,
    PayoutBatch,
    ResultState,
    SettlementImport,
)
from gonghui.mutualaid.parsing import count_rows
from gonghui.mutualaid.services import batch_apply_results, process_queue, settlement_import_run
from gonghui.mutualaid.services.jobs import (
    batch_results_register,
    media_path,
    settlement_upload_register,
)
from gonghui.orgs.models import Org


def settlement_upload(*, org: Org, upload: UploadedFile, actor: Actor) -> SettlementImport:
    """Store an uploaded settlement file; it is imported and paid in the background."""
    with transaction.atomic():
        source = settlement_upload_register(org=org, upload=upload, actor=actor)
        transaction.on_commit(lambda: run_settlement_import.enqueue(source.pk))
    return source


def batch_results_upload(*, batch: PayoutBatch, upload: UploadedFile,
                         actor: Actor) -> PayoutBatch:
    """Store the bank's result file; it is applied in the background as `actor`."""
    with transaction.atomic():
        locked = batch_results_register(batch=batch, upload=upload, actor=actor)
        actor_id = actor_user(actor).pk  # a named user: batch_results_register checked
        transaction.on_commit(lambda: apply_bank_results.enqueue(locked.pk, actor_id))
    return locked


@task()
def run_settlement_import(import_id: int) -> dict[str, Any]:
    source = SettlementImport.objects.get(pk=import_id)
    with media_path(source.stored_file).open("rb") as binary:
        try:
            source = settlement_import_run(source=source, binary=binary)
        except ApplicationError as exc:
            return {"error": exc.message}
    process_settlement_queue.enqueue()
    return {"inserted": source.inserted}


@task()
def process_settlement_queue() -> dict[str, Any]:
    """Pay what is queued. Any number may run at once (the queue is claimed with SKIP LOCKED);
    `gonghui process-settlements` does the same from the command line."""
    return process_queue().as_json()


@task()
def apply_bank_results(batch_id: int, actor_id: int) -> dict[str, Any]:
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
            transition_many(queryset, ResultState.FAILED, transitions=RESULT_TRANSITIONS,
                            status_field="result_state",
                            extra_fields={"result_summary": {"error": exc.message}})
            return {"error": exc.message}
    transition_many(queryset, ResultState.DONE, transitions=RESULT_TRANSITIONS,
                    status_field="result_state",
                    extra_fields={"result_summary": summary.as_json()})
    return summary.as_json()
