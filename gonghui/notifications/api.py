"""The inbox over JSON: list (paged), unread count, mark one / all read. Recipient only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gonghui.core.paging import Page, PageParams, paginate
from gonghui.notifications import channels, selectors, services
from gonghui.notifications.models import Notification
from gonghui.notifications.permissions import access_notification

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    sender: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int


class ReadAllIn(Schema):
    kind: str = ""


class ReadAllOut(Schema):
    marked: int


def _out(n: Notification) -> dict:
    return {"id": n.pk, "kind": n.kind, "kind_label": channels.kind_label(n.kind), "title": n.title, "body": n.body, "url": n.url,
            "sender": n.sender_name, "created_at": n.created_at, "read_at": n.read_at}


@router.get("", response=Page[NotificationOut])
def list_notifications(request: HttpRequest, paging: Query[PageParams], unread: bool | None = None,
                       kind: str = "", q: str = ""):
    rows = selectors.inbox(viewer=request.user, unread=unread, kind=kind, q=q)
    return paginate(request, rows, paging, item=_out)


@router.get("/unread-count", response=UnreadOut)
def unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/read-all", response=ReadAllOut)
def read_all(request: HttpRequest, payload: ReadAllIn):
    return {"marked": services.notification_mark_all_read(actor=request.user, kind=payload.kind)}


@router.post("/{notification_id}/read", response=NotificationOut)
def read_one(request: HttpRequest, notification_id: int):
    notification = access_notification(request.user, notification_id)
    return _out(services.notification_mark_read(notification=notification, actor=request.user))
