"""公示 and the working-day calendar over JSON. Same services and access functions as the pages:
the public list for every signed-in user, management 404 outside the subtree / 403 read-only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import workdays as calendar
from gonghui.core.bounds import Day, Days, Year
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.models import WorkdayOverride
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.notices import selectors, services
from gonghui.notices import workdays as workday_services
from gonghui.notices.models import Notice, NoticeItem, Objection
from gonghui.notices.permissions import (
    access_notice,
    access_notice_manage,
    access_objection,
    can_manage,
)
from gonghui.orgs.permissions import access_org

router = Router()
workdays_router = Router()

GENERAL_KIND = "notices.general"


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    org: str
    org_name: str
    status: str
    working_days: int
    start_date: dt.date
    end_date: dt.date
    open_for_objections: bool


class ItemOut(Schema):
    id: int
    position: int
    text: str


class ManagedItemOut(ItemOut):
    """Managers also see the owning app's reference and the objection mark (else null)."""

    source_type: str | None = None
    source_id: str | None = None
    objection_upheld: bool | None = None


class ObjectionOut(Schema):
    id: int
    item_id: int | None
    text: str
    status: str
    created_at: dt.datetime
    decision_reason: str


class ManagedObjectionOut(ObjectionOut):
    author: str
    contact: str
    decided_by: str
    decided_at: dt.datetime | None


class PublishIn(Schema):
    org: str
    title: str
    body: str = ""
    working_days: Days
    start_date: Day | None = None
    items: list[str]


class ObjectionIn(Schema):
    text: str
    contact: str = ""
    item_id: int | None = None


class DecideIn(Schema):
    upheld: bool
    reason: str


class WithdrawIn(Schema):
    reason: str


def _notice(n: Notice) -> dict:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "org": n.org.code,
            "org_name": n.org.name, "status": n.status, "working_days": n.working_days,
            "start_date": n.start_date, "end_date": n.end_date,
            "open_for_objections": services.is_open_for_objections(n)}


def _item(i: NoticeItem) -> dict:
    return {"id": i.pk, "position": i.position, "text": i.text}


def _managed_item(i: NoticeItem) -> dict:
    return {**_item(i), "source_type": i.source_type, "source_id": i.source_id,
            "objection_upheld": i.objection_upheld}


def _objection(o: Objection) -> dict:
    return {"id": o.pk, "item_id": o.item_id, "text": o.text, "status": o.status,
            "created_at": o.created_at, "decision_reason": o.decision_reason}


def _managed_objection(o: Objection) -> dict:
    return {**_objection(o), "author": o.author_name, "contact": o.contact,
            "decided_by": o.decided_by_name, "decided_at": o.decided_at}


@router.get("", response=Page[NoticeOut])
def list_public(request: HttpRequest, paging: Query[PageParams], state: str = "current",
                q: str = ""):
    state = state if state in selectors.PUBLIC_STATES else "current"
    return paginate(request, selectors.public_notices(state=state, q=q), paging, item=_notice)


@router.get("/manage", response=Page[NoticeOut])
def list_managed(request: HttpRequest, paging: Query[PageParams], q: str = "",
                 status: str = "", kind: str = ""):
    rows = selectors.managed_notices(viewer=request.user, q=q, status=status, kind=kind)
    if not rows.exists():
        require_capability(request.user, Capability.ORG_WRITE)
    return paginate(request, rows, paging, item=_notice)


@router.post("", response={201: NoticeOut}, openapi_extra=body_schema(PublishIn))
def publish(request: HttpRequest):
    require_capability(request.user, Capability.ORG_WRITE)
    payload = parse_body(request, PublishIn)
    org = access_org(request.user, payload.org)
    notice = services.notice_publish(
        kind=GENERAL_KIND, title=payload.title, org=org, body=payload.body,
        items=services.items_from_lines(payload.items), working_days=payload.working_days,
        start_date=payload.start_date, actor=request.user)
    return Status(201, _notice(notice))


@router.get("/{notice_id}", response=NoticeOut)
def get_notice(request: HttpRequest, notice_id: int):
    return _notice(access_notice(request.user, notice_id))


@router.get("/{notice_id}/items", response=Page[ManagedItemOut])
def list_items(request: HttpRequest, notice_id: int, paging: Query[PageParams], q: str = ""):
    notice = access_notice(request.user, notice_id)
    shape = _managed_item if can_manage(request.user, notice) else _item
    return paginate(request, selectors.notice_items(notice, q=q), paging, item=shape)


@router.get("/{notice_id}/objections/mine", response=Page[ObjectionOut])
def my_objections(request: HttpRequest, notice_id: int, paging: Query[PageParams]):
    notice = access_notice(request.user, notice_id)
    return paginate(request, selectors.my_objections(notice, request.user), paging,
                    item=_objection)


@router.post("/{notice_id}/objections", response={201: ObjectionOut},
             openapi_extra=body_schema(ObjectionIn))
def submit_objection(request: HttpRequest, notice_id: int):
    notice = access_notice(request.user, notice_id)
    payload = parse_body(request, ObjectionIn)
    item = None
    if payload.item_id is not None:
        item = selectors.notice_items(notice).filter(pk=payload.item_id).first()
        if item is None:
            raise NotFound()
    objection = services.objection_submit(notice=notice, item=item, text=payload.text,
                                          contact=payload.contact, actor=request.user)
    return Status(201, _objection(objection))


@router.get("/{notice_id}/objections", response=Page[ManagedObjectionOut])
def list_objections(request: HttpRequest, notice_id: int, paging: Query[PageParams],
                    status: str = ""):
    notice = access_notice_manage(request.user, notice_id)
    return paginate(request, selectors.notice_objections(notice, status=status), paging,
                    item=_managed_objection)


@router.post("/{notice_id}/objections/{objection_id}/decide", response=ManagedObjectionOut,
             openapi_extra=body_schema(DecideIn))
def decide(request: HttpRequest, notice_id: int, objection_id: int):
    notice = access_notice_manage(request.user, notice_id, write=True)
    objection = access_objection(request.user, notice, objection_id)
    payload = parse_body(request, DecideIn)
    return _managed_objection(services.objection_decide(
        objection=objection, upheld=payload.upheld, reason=payload.reason, actor=request.user))


@router.post("/{notice_id}/close", response=NoticeOut)
def close(request: HttpRequest, notice_id: int):
    notice = access_notice_manage(request.user, notice_id, write=True)
    return _notice(services.notice_close(notice=notice, actor=request.user))


@router.post("/{notice_id}/withdraw", response=NoticeOut, openapi_extra=body_schema(WithdrawIn))
def withdraw(request: HttpRequest, notice_id: int):
    notice = access_notice_manage(request.user, notice_id, write=True)
    payload = parse_body(request, WithdrawIn)
    return _notice(services.notice_withdraw(notice=notice, reason=payload.reason,
                                            actor=request.user))


# --- the working-day calendar ------------------------------------------------------------------

class DayOut(Schema):
    date: dt.date
    working: bool
    source: str


class YearOut(Schema):
    year: int
    days: list[DayOut]


class CountIn(Schema):
    start: Day
    working_days: Days


class WorkdayCountOut(Schema):
    start: dt.date
    working_days: int
    end: dt.date


class OverrideIn(Schema):
    date: Day
    kind: str
    note: str = ""


class OverrideOut(Schema):
    date: dt.date
    kind: str
    note: str
    created_by: str


def _override(o: WorkdayOverride) -> dict:
    return {"date": o.date, "kind": o.kind, "note": o.note, "created_by": o.created_by_name}


@workdays_router.get("/period-end", response=WorkdayCountOut)
def period_end(request: HttpRequest, start: Day, working_days: Days):
    """The last day of a period of `working_days` working days starting on `start` (any
    signed-in user: the same answer every page shows)."""
    if working_days < 1:
        raise ApplicationError("working_days ≥ 1", code="working_days_range")
    return {"start": start, "working_days": working_days,
            "end": calendar.period_end(start, working_days)}


@workdays_router.get("/overrides", response=Page[OverrideOut])
def list_overrides(request: HttpRequest, paging: Query[PageParams], year: Year | None = None,
                   kind: str = "", q: str = ""):
    require_capability(request.user, Capability.POLICY_WRITE)
    return paginate(request, selectors.workday_overrides(year=year, kind=kind, q=q), paging,
                    item=_override)


@workdays_router.post("/overrides", response={201: OverrideOut},
                      openapi_extra=body_schema(OverrideIn))
def set_override(request: HttpRequest):
    workday_services.require_calendar_admin(request.user)
    payload = parse_body(request, OverrideIn)
    row = workday_services.workday_override_set(day=payload.date, kind=payload.kind,
                                                note=payload.note, actor=request.user)
    return Status(201, _override(row))


@workdays_router.delete("/overrides/{day}", response={204: None})
def delete_override(request: HttpRequest, day: Day):
    workday_services.workday_override_delete(day=day, actor=request.user)
    return Status(204, None)


@workdays_router.get("/{year}", response=YearOut)
def year_days(request: HttpRequest, year: Year):
    """The year's holidays and adjusted working days (any signed-in user)."""
    return {"year": year, "days": [{"date": d, "working": w, "source": s}
                                   for d, w, s in calendar.year_days(year)]}
