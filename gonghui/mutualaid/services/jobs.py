"""Uploads that run in the background: the request stores the file and registers the work here;
`tasks.py` (above the services) enqueues the task that does it and keeps a progress row the
page polls. Services never import tasks, so there is no services ↔ tasks cycle."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.workflow import transition
from gonghui.mutualaid.models import (
    RESULT_TRANSITIONS,
    BatchStatus,
    PayoutBatch,
    ResultState,
    SettlementImport,
)
from gonghui.mutualaid.services.imports import file_sha256, settlement_import_create
from gonghui.orgs.models import Org

MAX_UPLOAD = 500 * 1024 * 1024


def _store(upload: UploadedFile, folder: str) -> str:
    if upload.size and upload.size > MAX_UPLOAD:
        raise ApplicationError(_("文件不能超过 500 MB。"), code="too_large",
                               extra={"field": "file"})
    name = Path(upload.name or "").name
    if not name.lower().endswith((".csv", ".txt")):
        raise ApplicationError(_("请上传 CSV 文件（.csv）。"), code="not_csv",
                               extra={"field": "file"})
    relative = f"mutualaid/{folder}/{uuid.uuid4().hex}.csv"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def settlement_upload_register(*, org: Org, upload: UploadedFile,
                               actor: Actor) -> SettlementImport:
    """Store an uploaded settlement file and register its import (run it with
    `tasks.settlement_upload`, which also enqueues the work)."""
    require_capability(actor, Capability.MUTUALAID_WRITE, org)
    if not org.is_active:  # checked again by settlement_import_create; before storing the file
        raise ApplicationError(_("已合并或撤销的组织不能导入结算数据。"), code="org_closed",
                               extra={"field": "org"})
    relative = _store(upload, "imports")
    with media_path(relative).open("rb") as binary:
        digest = file_sha256(binary)
    return settlement_import_create(org=org, file_name=Path(upload.name or "").name,
                                    sha256=digest, actor=actor, stored_file=relative)


def batch_results_register(*, batch: PayoutBatch, upload: UploadedFile,
                           actor: Actor) -> PayoutBatch:
    """Store the bank's result file and mark the batch's result as running (apply it with
    `tasks.batch_results_upload`, which also enqueues the work)."""
    require_capability(actor, Capability.MUTUALAID_WRITE, batch.org)
    if actor_user(actor) is None:
        # the task applies the file as the user who uploaded it
        raise Forbidden(_("回盘文件须以具名用户身份上传。"))
    relative = _store(upload, "bank-results")
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (BatchStatus.EXPORTED, BatchStatus.SETTLED):
            raise ApplicationError(_("批次尚未报送银行，不能导入回盘文件。"), code="not_exported")
        if locked.result_state == ResultState.RUNNING:
            raise ApplicationError(_("上一个回盘文件仍在处理中，请稍候。"), code="busy")
        return transition(locked, ResultState.RUNNING, transitions=RESULT_TRANSITIONS,
                          status_field="result_state", history=False,
                          extra_fields={"result_file": relative, "result_done": 0,
                                        "result_total": 0, "result_summary": None})
