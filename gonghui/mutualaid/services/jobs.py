"""Uploads that run in the background (Django Tasks): a settlement file, a bank result file.
The request stores the file and enqueues; the task does the work and keeps a progress row the
page polls."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.mutualaid.models import BatchStatus, PayoutBatch, SettlementImport
from gonghui.mutualaid.services.imports import file_sha256, settlement_import_create
from gonghui.orgs.models import Org

MAX_UPLOAD = 500 * 1024 * 1024


def _store(upload: UploadedFile, folder: str) -> str:
    if upload.size and upload.size > MAX_UPLOAD:
        raise ApplicationError(_("文件不能超过 500 MB。"), code="too_large")
    name = Path(upload.name or "").name
    if not name.lower().endswith((".csv", ".txt")):
        raise ApplicationError(_("请上传 CSV 文件（.csv）。"), code="not_csv")
    relative = f"mutualaid/{folder}/{uuid.uuid4().hex}.csv"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def settlement_upload(*, org: Org, upload: UploadedFile, actor: Any) -> SettlementImport:
    """Store an uploaded settlement file and import it in the background."""
    if not can(actor, org, "mutualaid.write"):
        raise Forbidden()
    relative = _store(upload, "imports")
    with media_path(relative).open("rb") as binary:
        digest = file_sha256(binary)
    with transaction.atomic():
        source = settlement_import_create(org=org, file_name=Path(upload.name or "").name,
                                          sha256=digest, actor=actor, stored_file=relative)
        transaction.on_commit(lambda: _enqueue_import(source.pk))
    return source


def _enqueue_import(import_id: int) -> None:
    from gonghui.mutualaid.tasks import run_settlement_import

    run_settlement_import.enqueue(import_id)


def batch_results_upload(*, batch: PayoutBatch, upload: UploadedFile, actor: Any) -> PayoutBatch:
    """Store the bank's result file and apply it in the background."""
    if not can(actor, batch.org, "mutualaid.write"):
        raise Forbidden()
    relative = _store(upload, "bank-results")
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (BatchStatus.EXPORTED, BatchStatus.SETTLED):
            raise ApplicationError(_("批次尚未报送银行，不能导入回盘文件。"), code="not_exported")
        if locked.result_state == "running":
            raise ApplicationError(_("上一个回盘文件仍在处理中，请稍候。"), code="busy")
        locked.result_state, locked.result_file = "running", relative
        locked.result_done = locked.result_total = 0
        locked.result_summary = None
        locked.save(update_fields=["result_state", "result_file", "result_done", "result_total",
                                   "result_summary", "updated_at"])
        actor_id = actor.pk
        transaction.on_commit(lambda: _enqueue_results(locked.pk, actor_id))
    return locked


def _enqueue_results(batch_id: int, actor_id: int) -> None:
    from gonghui.mutualaid.tasks import apply_bank_results

    apply_bank_results.enqueue(batch_id, actor_id)
