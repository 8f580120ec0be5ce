from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import OperationalError, connections, transaction
from django.http import HttpRequest

PER_PAGE_CHOICES = (25, 50, 100)


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = 25) -> Page:
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def keyed_slice(queryset: Any, start: int, stop: int) -> list[Any]:
    """`list(queryset[start:stop])` read in two steps (a "deferred join"): the primary keys of
    the slice first — where indexes carry the filtered and ordered columns (the member list,
    migration members/0011) an index-only read that touches no table row while it skips the
    rows the filters refuse —, then those rows by primary key, in the same order and with the
    queryset's `select_related`. A filtered page of a large subtree otherwise reads every
    skipped row from the table (the member list with three filters: the load test's slowest
    tail, docs/scale.md)."""
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    if not keys:
        return []
    rows = queryset.model._default_manager.filter(pk__in=keys)
    if queryset.query.select_related:
        rows.query.select_related = queryset.query.select_related
    by_key = {row.pk: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


def bounded_count(queryset: Any) -> int | None:
    """The exact COUNT of `queryset`, or None when PostgreSQL cannot give it within
    GONGHUI_COUNT_BUDGET_MS (a filtered list over a district's hundreds of thousands of members,
    read from disk: over a second, holding a server process while other pages wait — the
    load test's slowest tail, docs/scale.md). The statement is cancelled at the budget, inside a
    savepoint, and the connection's own timeout is restored. Other databases count exactly."""
    budget = settings.GONGHUI_COUNT_BUDGET_MS
    connection = connections[queryset.db]
    if budget <= 0 or connection.vendor != "postgresql":
        return int(queryset.count())
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{budget}ms"])
            number = int(queryset.count())
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return number
    except OperationalError as exc:  # psycopg's QueryCanceled: the budget ran out
        if getattr(exc.__cause__, "sqlstate", None) != "57014":
            raise
        return None


class BudgetPaginator(Paginator):
    """A paginator whose total is known (`known_count`, e.g. from the counters), or counted
    within the budget (`bounded_count`); when it is not, the pages still work: the count is
    taken as the rows up to this page plus one if a next page exists (`count_unknown`)."""

    def __init__(self, object_list: Any, per_page: int, *, known_count: int | None = None,
                 page_hint: str | None = None, keyed: bool = False) -> None:
        super().__init__(object_list, per_page)
        self._known = known_count
        self._hint = page_hint
        self._keyed = keyed
        self.count_unknown = False

    def page(self, number: Any) -> Page:
        """Django's page; with `keyed`, its rows are read by `keyed_slice`."""
        if not self._keyed:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(keyed_slice(self.object_list, bottom, top), number, self)

    @cached_property
    def count(self) -> int:
        if self._known is not None:
            return self._known
        number = bounded_count(self.object_list)
        if number is not None:
            return number
        self.count_unknown = True
        try:
            page = max(1, int(self._hint or 1))
        except ValueError:
            page = 1
        page = min(page, 50_000)
        offset = (page - 1) * self.per_page
        rows: Any = self.object_list  # a queryset here (bounded_count counted it)
        seen = len(rows.values_list("pk", flat=True)[offset: offset + self.per_page + 1])
        if seen == 0 and offset:  # past the end: the last page is somewhere before
            return offset
        return offset + seen
