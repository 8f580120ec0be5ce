"""To-do providers: what is waiting for a user, gathered from every app for the inbox.

Each app that has work waiting for people writes a provider in `gonghui/<app>/todo.py` and
registers it at import; core's AppConfig.ready() imports every such module
(`autodiscover_modules("todo")`). A provider answers through its app's own selectors with
`viewer=user`, so an item is listed exactly when the user could open it — never a private
scoping.

    class ApplicationsTodo(QueryTodo):
        name = "members.applications"
        label = _("入会申请待审批")

        def rows(self, user):          # None: nothing for this user (no capability)
            if not has_capability(user, Capability.MEMBER_WRITE):
                return None
            return selectors.application_list(viewer=user, status=ApplicationStatus.SUBMITTED)

        def item(self, a):
            return TodoItem(app="members", kind=self.name, title=..., url=...,
                            org_path=a.union.path, due=None, created_at=a.created_at)

    register(ApplicationsTodo())

A provider that is not one queryset (work plan: milestones and sub-tasks) implements
`items()` and `count()` itself (the `TodoProvider` protocol).

`collect(user, limit=…)` merges every provider's items: overdue first, then by due date,
then newest; items without a due date after those with one.
"""

from __future__ import annotations

import datetime as dt
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils.functional import Promise

from gonghui.core import clock

log = logging.getLogger("gonghui.todo")

PRIORITY_NORMAL = 0
PRIORITY_HIGH = 1


@dataclass(frozen=True)
class TodoItem:
    app: str
    kind: str  # the provider's name
    title: str
    url: str
    org_path: str
    due: dt.date | None
    created_at: dt.datetime
    priority: int = PRIORITY_NORMAL

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.due is not None and self.due < (today or clock.today())


@runtime_checkable
class TodoProvider(Protocol):
    name: str

    @property
    def label(self) -> str | Promise:
        """What the inbox calls this kind of work (a lazy translation is fine)."""
        ...

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        """The provider's `limit` most urgent items (its selectors' order)."""
        ...

    def count(self, user: Any) -> int: ...


class QueryTodo(ABC):
    """A provider over one scoped queryset: subclasses give `name`, `label`, `rows(user)` (the
    app's selector with `viewer=user`, already in urgency order, or None when the user has
    nothing to do here) and `item(row)`."""

    name: str = ""
    label: str | Promise = ""

    @abstractmethod
    def rows(self, user: Any) -> Any: ...

    @abstractmethod
    def item(self, row: Any) -> TodoItem: ...

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        rows = self.rows(user)
        return [] if rows is None else [self.item(row) for row in rows[:limit]]

    def count(self, user: Any) -> int:
        rows = self.rows(user)
        return 0 if rows is None else int(rows.count())


_PROVIDERS: dict[str, TodoProvider] = {}


def register(provider: TodoProvider) -> TodoProvider:
    """Add (or replace, by name) a provider. Returns it, so it can decorate an instance."""
    if not isinstance(provider, TodoProvider):
        raise TypeError(f"{provider!r} is not a TodoProvider")
    _PROVIDERS[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> list[TodoProvider]:
    return [_PROVIDERS[name] for name in sorted(_PROVIDERS)]


def sort_key(item: TodoItem, today: dt.date) -> tuple[Any, ...]:
    """Overdue first, then higher priority, then by due date (none last), then newest."""
    overdue = item.due is not None and item.due < today
    return (
        0 if overdue else 1,
        -item.priority,
        item.due is None,
        item.due or dt.date.max,
        -item.created_at.timestamp(),
    )


def collect(user: Any, *, limit: int = 50, today: dt.date | None = None) -> list[TodoItem]:
    """Up to `limit` items from every provider, most urgent first."""
    today = today or clock.today()
    gathered: list[TodoItem] = []
    for provider in providers():
        gathered.extend(provider.items(user, limit=limit))
    gathered.sort(key=lambda item: sort_key(item, today))
    return gathered[:limit]


def counts(user: Any) -> dict[str, int]:
    """Each provider's count for `user` (the inbox's tabs and badges).

    The providers that count one queryset (`QueryTodo` without a `count` of its own) are counted
    together in one statement (`SELECT … COUNT(*) … UNION ALL …`): the home page has some twenty
    kinds, and one round trip for all of them instead of twenty was the larger part of its
    database time under load (docs/scale.md). Each part is exactly the provider's own
    `rows(user)` query, so the numbers are those of `provider.count(user)`."""
    result: dict[str, int] = {}
    together: list[tuple[str, QuerySet[Any]]] = []
    for provider in providers():
        if isinstance(provider, QueryTodo) and type(provider).count is QueryTodo.count:
            rows = provider.rows(user)
            if rows is None:
                result[provider.name] = 0
                continue
            if isinstance(rows, QuerySet) and rows.db == DEFAULT_DB_ALIAS:
                together.append((provider.name, rows))
                continue
        result[provider.name] = provider.count(user)
    result.update(_count_together(together))
    return {provider.name: result[provider.name] for provider in providers()}


def _count_together(parts: list[tuple[str, QuerySet[Any]]]) -> dict[str, int]:
    """COUNT(*) of each queryset, all in one statement. A queryset already known to be empty
    (`.none()`) counts 0 without SQL."""
    selects: list[str] = []
    params: list[Any] = []
    numbers: dict[str, int] = {}
    for index, (name, rows) in enumerate(parts):
        query = rows.order_by().query
        if not query.group_by and not query.annotations and not query.distinct:
            query = rows.order_by().values("pk").query
        try:
            sql, part_params = query.sql_with_params()
        except EmptyResultSet:
            numbers[name] = 0
            continue
        # the ORM's own compiled SQL with its parameters kept apart; the index is an int
        selects.append(f"SELECT {index} AS k, COUNT(*) AS n FROM ({sql}) AS t{index}")  # noqa: S608
        params.extend(part_params)
    if selects:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for index, number in cursor.fetchall():
                numbers[parts[index][0]] = int(number)
    return numbers
