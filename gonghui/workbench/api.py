"""The JSON API of workbench (mounted at /api/v1/workbench): the home's summary (inbox counts,
unread messages, key figures of the caller's subtrees) and the global search. The inbox items
themselves are core's `/api/v1/todo`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.search import MAX_QUERY, normalize
from gonghui.workbench import selectors

router = Router()


class KindOut(Schema):
    name: str
    label: str
    count: int


class FiguresOut(Schema):
    org: str
    name: str
    active: int
    retired: int
    new_employment: int
    joins: int
    exits: int
    unions: int
    employers: int
    covered: int
    employees: int
    coverage_rate: float | None
    membership_rate: float | None


class SummaryOut(Schema):
    home: str
    todo_total: int
    todo: list[KindOut]
    unread_messages: int
    figures: list[FiguresOut]


class HitOut(Schema):
    title: str
    subtitle: str
    url: str


class GroupOut(Schema):
    kind: str
    label: str
    more: bool
    hits: list[HitOut]


@router.get("/summary", response=SummaryOut)
def summary(request: HttpRequest):
    """What the home page shows: which home the caller gets, to-do counts per kind, unread
    messages and the key figures of each of the caller's subtrees."""
    user = request.user
    kinds = [k for k in selectors.inbox_kinds(user) if k.count]
    figures = [selectors.key_figures(org) for org in selectors.figure_roots(user)[:20]]
    return {
        "home": selectors.home_kind(user),
        "todo_total": sum(k.count for k in kinds),
        "todo": [{"name": k.name, "label": str(k.label), "count": k.count} for k in kinds],
        "unread_messages": selectors.unread_messages(user),
        "figures": [{**{k: getattr(f, k) for k in FiguresOut.model_fields if k not in
                        ("org", "name")}, "org": f.org.code, "name": f.org.name}
                    for f in figures],
    }


@router.get("/search", response=list[GroupOut])
def search(request: HttpRequest, q: str = "", kind: str = ""):
    """Hits grouped by kind inside the caller's subtrees (ID numbers masked); `kind` asks one
    provider for up to 50 hits."""
    q = normalize(q)[:MAX_QUERY]
    groups = selectors.search_groups(request.user, q, kind=kind, limit=50 if kind else 10)
    return [{"kind": g.name, "label": str(g.label), "more": g.more,
             "hits": [{"title": h.title, "subtitle": h.subtitle, "url": h.url} for h in g.hits]}
            for g in groups]
