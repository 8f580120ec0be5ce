"""`GET /api/v1/todo`: the items waiting for the signed-in user from every to-do provider,
most urgent first (paged); `GET /api/v1/todo/counts`: each provider's count."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gonghui.core import todo
from gonghui.core.paging import Page, PageParams, paginate

router = Router()


class TodoOut(Schema):
    app: str
    kind: str
    title: str
    url: str
    due: dt.date | None
    overdue: bool
    created_at: dt.datetime
    priority: int


class ProviderCount(Schema):
    name: str
    label: str
    count: int


class CountsOut(Schema):
    total: int
    providers: list[ProviderCount]


@router.get("", response=Page[TodoOut])
def list_todo(request: HttpRequest, paging: Query[PageParams]):
    size = paging.limit or paging.page_size
    offset = paging.offset if paging.offset is not None else (paging.page - 1) * size
    # Each provider yields its most urgent rows; the merged order needs that many from each.
    rows = todo.collect(request.user, limit=offset + size + 1)
    page = paginate(request, rows, paging, count=False, item=lambda i: {
        "app": i.app, "kind": i.kind, "title": i.title, "url": i.url, "due": i.due,
        "overdue": i.is_overdue(), "created_at": i.created_at, "priority": i.priority})
    page["count"] = sum(todo.counts(request.user).values())
    return page


@router.get("/counts", response=CountsOut)
def todo_counts(request: HttpRequest):
    numbers = todo.counts(request.user)
    rows = [{"name": p.name, "label": str(p.label), "count": numbers[p.name]}
            for p in todo.providers()]
    return {"total": sum(numbers.values()), "providers": rows}
