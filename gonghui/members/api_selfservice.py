"""JSON API of member self-service requests (会员自助, issue 20) — the same services as the
portal page and the union's queue (`members.services.selfservice`).

Member (their own, no member.read needed):
    GET  /api/v1/members/me/requests            own requests, newest first, paged
    POST /api/v1/members/me/requests            {"kind": "education" | "skill_level",
                                                 "value": "<choice>"} or
                                                {"kind": "withdraw", "reason": "..."} → 201
Union (member.read to list, member.write to decide):
    GET  /api/v1/members/selfservice            ?status=pending (default) | confirmed |
                                                 rejected | cancelled | all, ?kind=…; paged
    POST /api/v1/members/selfservice/{id}/confirm   {"reason": ""}   → the request
    POST /api/v1/members/selfservice/{id}/decline   {"reason": "..."} (required, the member
                                                    sees it) → the request
A request of a union outside the caller's subtrees is 404; a reader there gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.members.models import SelfServiceKind, SelfServiceRequest, SelfServiceStatus
from gonghui.members.permissions import access_self_request
from gonghui.members.services import selfservice

router = Router()


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    value: str
    before: str
    reason: str
    status: str
    status_label: str
    decision_reason: str
    union: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class CadreRequestOut(RequestOut):
    name: str
    membership: int


class OwnRequestIn(Schema):
    kind: Literal["education", "skill_level", "withdraw"]
    value: str = ""
    reason: str = ""


class DecideIn(Schema):
    reason: str = ""


def _own(r: SelfServiceRequest) -> dict[str, Any]:
    return {"id": r.pk, "kind": r.kind, "kind_label": str(r.get_kind_display()),
            "value": r.value, "before": r.before, "reason": r.reason, "status": r.status,
            "status_label": str(r.get_status_display()), "decision_reason": r.decision_reason,
            "union": r.union.code, "created_at": r.created_at, "decided_at": r.decided_at}


def _cadre(r: SelfServiceRequest) -> dict[str, Any]:
    return {**_own(r), "name": r.person.name, "membership": r.membership_id}


def _authenticated(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise Forbidden()


@router.get("/members/me/requests", response=Page[RequestOut], tags=["members"])
def own_requests(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    _authenticated(request)
    return paginate(request, selfservice.own_requests(actor=request.user), paging, item=_own)


@router.post("/members/me/requests", response={201: RequestOut}, tags=["members"],
             openapi_extra=body_schema(OwnRequestIn))
def own_request_create(request: HttpRequest) -> Any:
    """A request the union confirms; 403 without 会籍, 409 `request_pending` while one of the
    same kind waits."""
    _authenticated(request)
    payload = parse_body(request, OwnRequestIn)
    row = selfservice.self_request(actor=request.user, kind=payload.kind, value=payload.value,
                                   reason=payload.reason)
    return Status(201, _own(row))


@router.get("/members/selfservice", response=Page[CadreRequestOut], tags=["members"])
def requests(request: HttpRequest, paging: Query[PageParams],
             status: str = SelfServiceStatus.PENDING, kind: str = "") -> dict[str, Any]:
    require_capability(request.user, Capability.MEMBER_READ)
    if status not in SelfServiceStatus.values and status != "all":
        raise ApplicationError(_("未知的状态：{status}").format(status=status),
                               code="bad_status")
    if kind and kind not in SelfServiceKind.values:
        raise ApplicationError(_("未知的申请事项。"), code="kind_unknown")
    rows = selfservice.requests_for(viewer=request.user, kind=kind,
                                    status="" if status == "all" else status)
    return paginate(request, rows, paging, item=_cadre)


def _decide(request: HttpRequest, request_id: int, *, confirm: bool) -> dict[str, Any]:
    row = access_self_request(request.user, request_id, write=True)
    payload = parse_body(request, DecideIn)
    decided = selfservice.self_request_decide(request=row, actor=request.user, confirm=confirm,
                                              reason=payload.reason)
    decided.person, decided.union = row.person, row.union
    return _cadre(decided)


@router.post("/members/selfservice/{request_id}/confirm", response=CadreRequestOut,
             tags=["members"], openapi_extra=body_schema(DecideIn))
def confirm(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Confirm: the change goes through `member_update` (education, skill level) or
    `membership_set_status` (withdrawn)."""
    return _decide(request, request_id, confirm=True)


@router.post("/members/selfservice/{request_id}/decline", response=CadreRequestOut,
             tags=["members"], openapi_extra=body_schema(DecideIn))
def decline(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return _decide(request, request_id, confirm=False)
