"""Every write of mutual aid. Pages, API, CLI, tasks and the demo loader call these."""

from gonghui.mutualaid.services.batches import (
    batch_apply_results,
    batch_cancel,
    batch_create,
    batch_export,
)
from gonghui.mutualaid.services.enrolment import (
    enrol_members,
    payee_account_reveal,
    payee_account_set,
)
from gonghui.mutualaid.services.imports import (
    file_sha256,
    settlement_import_create,
    settlement_import_run,
)
from gonghui.mutualaid.services.payouts import (
    payout_approve,
    payout_recompute,
    payout_reject,
    payout_requeue,
)
from gonghui.mutualaid.services.plans import plan_close, plan_create, plan_version_create
from gonghui.mutualaid.services.processing import process_batch, process_queue

__all__ = [
    "batch_apply_results",
    "batch_cancel",
    "batch_create",
    "batch_export",
    "enrol_members",
    "file_sha256",
    "payee_account_reveal",
    "payee_account_set",
    "payout_approve",
    "payout_recompute",
    "payout_reject",
    "payout_requeue",
    "plan_close",
    "plan_create",
    "plan_version_create",
    "process_batch",
    "process_queue",
    "settlement_import_create",
    "settlement_import_run",
]
