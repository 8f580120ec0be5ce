"""JSON API of bulk decisions and deadlines: POST /api/v1/members/bulk (ids, or every row of a
filter), GET /api/v1/members/bulk/{id} (the caller's own job), GET /api/v1/members/overdue.
Same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.errors import NotFound
from gonghui.core.payload import body_schema, parse_body
from gonghui.members import decision_selectors
from gonghui.members.api_selfservice import router as selfservice_router
from gonghui.members.models import BulkDecisionJob
from gonghui.members.services import bulk

router = Router()
# the self-service requests' endpoints (members/api_selfservice.py) hang under this router
router.add_router("/", selfservice_router)


class BulkFilterIn(Schema):
    status: str = ""
    q: str = ""


class BulkIn(Schema):
    kind: Literal["application", "transfer"]
    action: Literal["approve", "decline"]
    reason: str = ""
    ids: list[int] = []
    # every row of the filtered list instead of `ids`
    filter: BulkFilterIn | None = None


class FailureOut(Schema):
    id: int
    name: str
    code: str
    message: str


class BulkJobOut(Schema):
    id: int
    kind: str
    action: str
    status: str
    total: int
    processed: int
    succeeded: int
    failed: int
    percent: int
    failures: list[FailureOut]


class OverdueOut(Schema):
    kind: str
    id: int
    name: str
    union: str
    due_on: dt.date | None


def _job(job: BulkDecisionJob) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "action": job.action, "status": job.status,
            "total": job.total, "processed": job.processed, "succeeded": job.succeeded,
            "failed": job.failed, "percent": job.percent, "failures": job.failures}


@router.post("/members/bulk", response={201: BulkJobOut}, tags=["members"],
             openapi_extra=body_schema(BulkIn))
def bulk_start(request: HttpRequest) -> Any:
    """Start a bulk decision; up to 50 rows are decided before the answer, more are queued
    (poll GET /members/bulk/{id})."""
    require_capability(request.user, Capability.MEMBER_WRITE)
    payload = parse_body(request, BulkIn)
    ids = payload.ids
    if payload.filter is not None:
        ids = decision_selectors.filtered_ids(
            viewer=request.user, kind=payload.kind,
            params={"status": payload.filter.status, "q": payload.filter.q, "within": None},
            limit=bulk.MAX_ROWS + 1)
    job = bulk.bulk_decision_start(kind=payload.kind, action=payload.action, ids=ids,
                                   actor=request.user, reason=payload.reason)
    if job.total <= bulk.INLINE_LIMIT:
        job = bulk.bulk_job_run(job=job, actor=request.user)
    return Status(201, _job(job))


@router.get("/members/bulk/{job_id}", response=BulkJobOut, tags=["members"])
def bulk_job(request: HttpRequest, job_id: int) -> Any:
    job = decision_selectors.bulk_jobs(viewer=request.user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return _job(job)


@router.get("/members/overdue", response=list[OverdueOut], tags=["members"])
def overdue(request: HttpRequest) -> Any:
    """Open applications and incoming transfers past their deadline below the caller's orgs
    (at most 500 of each, oldest deadline first)."""
    require_capability(request.user, Capability.MEMBER_READ)
    rows: list[dict[str, Any]] = [
        {"kind": "application", "id": a.pk, "name": a.person.name, "union": a.union.code,
         "due_on": a.due_on}
        for a in decision_selectors.overdue_applications(viewer=request.user)[:500]]
    rows += [{"kind": "transfer", "id": t.pk, "name": t.person.name, "union": t.to_union.code,
              "due_on": t.due_on}
             for t in decision_selectors.overdue_transfers(viewer=request.user)[:500]]
    return rows
