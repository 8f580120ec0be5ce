"""JSON API of roster sync (名册同步, issue 20): the same services and access function as the
pages (`roster.sync`, `roster.permissions.access_import_job`).

    POST /api/v1/roster/imports/{id}/sync             compare the finished import's file with
                                                       the registry: {"missing": n, "open": n}
    GET  /api/v1/roster/imports/{id}/sync/candidates   the missing members, paged;
                                                       ?status=open (default) | kept | retired |
                                                       withdrawn | deceased | transfer | all
    POST /api/v1/roster/imports/{id}/sync/decide       {"ids": [...], "decision": ...,
                                                        "reason": "...", "to_union": "CODE"}

Decisions: kept (确认在册), retired (办理退休), withdrawn (办理退会), deceased (已故), transfer
(办理转出, needs `to_union`). Each candidate goes through `sync_decide` in its own transaction;
the answer lists what was done and every failure with its code. An import job outside the
caller's subtrees is 404; a reader there (an auditor) gets 403 on the writes.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gonghui.core.errors import ApplicationError
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.members import selectors as members
from gonghui.members.models import SyncCandidate, SyncDecision
from gonghui.roster import permissions, sync

router = Router()

DECISIONS = [v for v in SyncDecision.values if v != SyncDecision.OPEN]


class DetectOut(Schema):
    import_job: int
    missing: int
    open: int


class CandidateOut(Schema):
    id: int
    membership: int
    name: str
    id_number_masked: str
    union: str
    union_name: str
    status: str
    status_label: str
    reason: str


class DecideIn(Schema):
    ids: list[int]
    decision: Literal["kept", "retired", "withdrawn", "deceased", "transfer"]
    reason: str
    to_union: str = ""


class SyncFailureOut(Schema):
    id: int
    code: str
    message: str


class DecideOut(Schema):
    done: int
    failed: int
    failures: list[SyncFailureOut]


def _candidate(c: SyncCandidate) -> dict[str, Any]:
    person = c.membership.person
    return {"id": c.pk, "membership": c.membership_id, "name": person.name,
            "id_number_masked": person.masked_id, "union": c.union.code,
            "union_name": c.union.name, "status": c.status,
            "status_label": str(c.get_status_display()), "reason": c.reason}


@router.post("/imports/{job_id}/sync", response=DetectOut, tags=["roster"])
def detect(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Compare a finished (not dry-run) import with the registry; running it again adds nothing
    twice. 409-free: a job not done is a 400 with code `sync_not_done`."""
    job = permissions.access_import_job(request.user, job_id, write=True)
    missing = sync.sync_detect(job=job, actor=request.user)
    open_count = sync.sync_candidates(viewer=request.user, job_id=job.pk).count()
    return {"import_job": job.pk, "missing": missing, "open": open_count}


@router.get("/imports/{job_id}/sync/candidates", response=Page[CandidateOut], tags=["roster"])
def candidates(request: HttpRequest, job_id: int, paging: Query[PageParams],
               status: str = SyncDecision.OPEN) -> dict[str, Any]:
    job = permissions.access_import_job(request.user, job_id)
    if status not in SyncDecision.values and status != "all":
        raise ApplicationError(_("未知的处理结果：{status}").format(status=status),
                               code="bad_status")
    rows = sync.sync_candidates(viewer=request.user, job_id=job.pk,
                                status="" if status == "all" else status)
    return paginate(request, rows, paging, item=_candidate)


@router.post("/imports/{job_id}/sync/decide", response=DecideOut, tags=["roster"],
             openapi_extra=body_schema(DecideIn))
def decide(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """The same decision, with one reason, for the listed candidates of this job."""
    job = permissions.access_import_job(request.user, job_id, write=True)
    payload = parse_body(request, DecideIn)
    if not payload.ids:
        raise ApplicationError(_("请至少选择一项。"), code="bulk_empty")
    to_union = None
    if payload.to_union:
        # the receiving union may lie in another district (like the transfer API)
        to_union = members.member_unions().filter(code=payload.to_union.upper()).first()
        if to_union is None:
            raise ApplicationError(_("找不到转入工会：{code}").format(code=payload.to_union),
                                   code="to_union_unknown")
    done, failures = sync.sync_decide_many(ids=payload.ids, decision=payload.decision,
                                           actor=request.user, reason=payload.reason,
                                           job_id=job.pk, to_union=to_union)
    return {"done": done, "failed": len(failures), "failures": failures}
