"""One page shape for every JSON list endpoint: no endpoint cuts a list silently.

Request: `page` (≤ 50,000) + `page_size` (1–200, default 50), or `limit` + `offset` (≤ 10^7;
offset wins when given). Response: `items`, `count` (the total, or null where counting is not cheap — then
`next` still says whether there is more), `page`, `page_size`, `offset`, `next` (the URL of the
next page, or null on the last one).

    @router.get("/plans", response=Page[PlanOut])
    def list_plans(request, paging: Query[PageParams], q: str = ""):
        queryset = selectors.plan_list(viewer=request.user, q=q)
        return paginate(request, queryset, paging, item=_plan_out)

`item` turns each row into the schema's dict (or pass rows through when they already fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.http import HttpRequest
from ninja import Field, Schema

from gonghui.core.pagination import keyed_slice

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# A page or offset beyond these is no list anyone reads (10 million rows at the largest page
# size); without a bound, 10^19 reaches the database as an OFFSET it cannot hold (500).
MAX_PAGE = 50_000
MAX_OFFSET = MAX_PAGE * MAX_PAGE_SIZE

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    limit: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
    offset: int | None = Field(None, ge=0, le=MAX_OFFSET)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int | None
    page: int
    page_size: int
    offset: int
    next: str | None


def _next_url(request: HttpRequest, offset: int, size: int) -> str:
    params = request.GET.copy()
    for key in ("page", "offset"):
        params.pop(key, None)
    params["offset"] = str(offset)
    params["limit"] = str(size)
    params.pop("page_size", None)
    return f"{request.path}?{params.urlencode()}"


def paginate(request: HttpRequest, rows: Any, params: PageParams, *,
             item: Callable[[Any], Any] | None = None, count: bool = True,
             keyed: bool = False) -> dict[str, Any]:
    """Slice `rows` (a queryset or a sequence) by `params`; one extra row tells whether a next
    page exists, so `count=False` (a costly total) still pages correctly. `keyed`: the
    queryset's slice is read keys first (`core.pagination.keyed_slice`)."""
    size = params.limit or params.page_size
    offset = params.offset if params.offset is not None else (params.page - 1) * size
    window = (keyed_slice(rows, offset, offset + size + 1) if keyed
              else list(rows[offset: offset + size + 1]))
    more = len(window) > size
    window = window[:size]
    total: int | None = None
    if count:
        total = len(rows) if isinstance(rows, Sequence) else rows.count()
    return {
        "items": [item(row) for row in window] if item else window,
        "count": total,
        "page": offset // size + 1,
        "page_size": size,
        "offset": offset,
        "next": _next_url(request, offset + size, size) if more else None,
    }
