"""Bulk decisions (批量审批): many join applications or incoming transfers approved or declined
in one action.

There is no second code path: `bulk_job_run` calls the one service of each row
(`application_approve` / `application_reject` / `transfer_accept` / `transfer_decline`), each in
its own savepoint with its own history and audit row (rows are committed in slices, see
`_decide_rows`). A row that fails (not visible, already
decided, already a member elsewhere, …) is reported with its reason and the others go on. Small
selections run at once; larger ones are queued (`members.tasks.run_bulk_decision`) and the job
row carries the progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.workflow import transition
from gonghui.members.models import (
    BULK_TRANSITIONS,
    Application,
    BulkAction,
    BulkDecisionJob,
    BulkKind,
    BulkStatus,
    Transfer,
)
from gonghui.members.services import _common
from gonghui.members.services.applications import application_approve, application_reject
from gonghui.members.services.transfers import transfer_accept, transfer_decline

log = logging.getLogger("gonghui.members")

# Up to this many rows the page waits for the answer; more go to the worker with progress.
INLINE_LIMIT = 50
MAX_ROWS = 20000
PROGRESS_EVERY = 50


def bulk_decision_start(
    *, kind: str, action: str, ids: Iterable[int], actor: Actor, reason: str = "",
    enqueue: bool = True,
) -> BulkDecisionJob:
    """Register a bulk decision over `ids`. A decline needs the reason the applicants see.
    Each row is checked when it is decided (visibility, state, rules), not here."""
    require_capability(actor, Capability.MEMBER_WRITE)
    if kind not in BulkKind.values or action not in BulkAction.values:
        raise ApplicationError(_("未知的批量操作。"), code="bulk_unknown")
    reason = (reason or "").strip()
    if action == BulkAction.DECLINE and not reason:
        raise ApplicationError(_("请填写不予批准的原因，申请人会看到它。"), code="reason_required")
    chosen = list(dict.fromkeys(int(i) for i in ids))
    if not chosen:
        raise ApplicationError(_("请至少选择一项。"), code="bulk_empty")
    if len(chosen) > MAX_ROWS:
        raise ApplicationError(_("一次最多批量处理 {n} 项，请缩小筛选范围。").format(n=MAX_ROWS),
                               code="bulk_too_many")
    with transaction.atomic():
        job = BulkDecisionJob.objects.create(
            kind=kind, action=action, reason=reason[:500], ids=chosen,
            created_by=actor_user(actor), created_by_name=actor_name(actor), total=len(chosen))
        audit_record(actor=actor, action="members.bulk_start", obj=job,
                     after={"kind": kind, "action": action, "total": len(chosen)}, note=reason)
        if enqueue and len(chosen) > INLINE_LIMIT:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # why: the task module imports this one (it calls bulk_job_run): imported at call time
    from gonghui.members.tasks import run_bulk_decision

    run_bulk_decision.enqueue(job_id)


def _decider(job: BulkDecisionJob, actor: Actor) -> tuple[Any, Callable[[Any], Any]]:
    """The model of the job's rows and the one service deciding a row."""
    reason = job.reason
    if job.kind == BulkKind.APPLICATION:
        if job.action == BulkAction.APPROVE:
            return Application, lambda a: application_approve(application=a, actor=actor,
                                                              reason=reason)
        return Application, lambda a: application_reject(application=a, actor=actor,
                                                         reason=reason)
    if job.action == BulkAction.APPROVE:
        return Transfer, lambda t: transfer_accept(transfer=t, actor=actor, note=reason)
    return Transfer, lambda t: transfer_decline(transfer=t, actor=actor, reason=reason)


def _load(model: Any, ids: list[int]) -> dict[int, Any]:
    related = ("person", "union") if model is Application else (
        "person", "from_union", "to_union", "membership")
    return {row.pk: row for row in model.objects.select_related(*related).filter(pk__in=ids)}


@contextmanager
def _rows_commit_without_flush() -> Iterator[None]:
    """Each slice's transaction commits without waiting for the WAL flush (PostgreSQL).

    Why it is safe: a slice is one transaction (decisions, history, memberships, counters,
    audit and the job's progress together), and commits are written to the log in order, so a
    server crash can only lose the last few slices *whole*: those applications are pending
    again and show up in the list.
    The job's final state is committed after the setting is reset, i.e. with a flush that also
    makes every earlier row durable. Outside its own connection-level transaction (a test, a
    caller's atomic block) nothing is changed."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _decide_rows(ids: list[int], model: Any, decide: Callable[[Any], Any], job_id: int,
                 failures: list[dict[str, Any]]) -> int:
    """Decide `ids` in order, one service call per row, in slices of PROGRESS_EVERY rows: a
    slice is one transaction, each row's service call a savepoint in it (a row that fails rolls
    back alone and is added to `failures`), and the job's counters move in the slice's own
    transaction. Something unexpected rolls back the slice it happened in (its rows stay
    pending) and stops the job; the slices before stay decided. Returns how many were done.

    Why slices: a row alone is ~20 statements, a third of them the transaction's own and the
    shared rows' (the union's two counter rows, the audit chain head). In a slice
    (`_common.batched`) the counters are summed and written once, the chain head is locked
    once and written back once, and the new memberships take their ids (card numbers) from the
    sequence in one statement: 11 statements a row (tests/test_bulk_queries.py)."""
    done = 0
    with _rows_commit_without_flush():
        for start in range(0, len(ids), PROGRESS_EVERY):
            chunk = ids[start:start + PROGRESS_EVERY]
            chunk_done, chunk_failures = 0, []
            with transaction.atomic(), _common.batched(ids_at_once=len(chunk)):
                rows = _load(model, chunk)
                for pk in chunk:
                    row = rows.get(pk)
                    try:
                        if row is None:
                            raise NotFound()
                        with _common.batch_row():
                            decide(row)
                    except ApplicationError as exc:
                        # never a name the cadre may not see (a 404 row stays anonymous)
                        name = "" if row is None or isinstance(exc, NotFound) \
                            else row.person.name
                        chunk_failures.append({"id": pk, "name": name, "code": exc.code,
                                               "message": str(exc.message)})
                    else:
                        chunk_done += 1
                _progress(job_id, chunk_done, len(chunk_failures))
            done += chunk_done
            failures.extend(chunk_failures)
    return done


def _progress(job_id: int, done: int, failed: int) -> None:
    if done or failed:
        BulkDecisionJob.objects.filter(pk=job_id).update(
            processed=F("processed") + done + failed, succeeded=F("succeeded") + done,
            failed=F("failed") + failed)


def bulk_job_run(*, job: BulkDecisionJob, actor: Actor | None = None) -> BulkDecisionJob:
    """Decide every row of the job through its one service; the job row carries progress and
    the failures. `actor` is the cadre who started it (a queued job acts as its creator)."""
    acting: Actor | None = actor if actor is not None else job.created_by
    if acting is None:
        raise ApplicationError(_("发起人账户已不存在，批量操作无法继续。"), code="bulk_no_actor")
    with transaction.atomic():
        job = transition(job, BulkStatus.RUNNING, transitions=BULK_TRANSITIONS, history=False)
    model, decide = _decider(job, acting)
    ids = [int(i) for i in job.ids]
    failures: list[dict[str, Any]] = []
    try:
        done = _decide_rows(ids, model, decide, job.pk, failures)
    except Exception as exc:  # the job says what went wrong; rows decided so far stay decided
        log.exception("bulk decision %s failed", job.pk)
        with transaction.atomic():
            return transition(job, BulkStatus.FAILED, transitions=BULK_TRANSITIONS,
                              history=False, extra_fields={
                                  "error": str(exc)[:2000], "failures": failures,
                                  "finished_at": clock.now()})
    with transaction.atomic():
        job = transition(job, BulkStatus.DONE, transitions=BULK_TRANSITIONS, history=False,
                         extra_fields={"failures": failures, "finished_at": clock.now()})
        audit_record(actor=acting, action="members.bulk_done", obj=job,
                     after={"succeeded": done, "failed": len(failures),
                            "failed_ids": [f["id"] for f in failures]})
    job.refresh_from_db()
    return job
