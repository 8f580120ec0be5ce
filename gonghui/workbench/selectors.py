"""Reads of the workbench: the to-do inbox (core.todo's providers), the messages
(notifications), the global search (core.search's providers) and the key figures of the
viewer's subtree (members' and orgs' selectors). Nothing here reads another app's tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.roles import Role
from gonghui.accounts.scoping import capabilities_anywhere, is_global, prefixes
from gonghui.core import clock, search, todo
from gonghui.funds import reports as funds
from gonghui.members import selectors as members
from gonghui.notifications import selectors as notifications
from gonghui.orgs import selectors as orgs
from gonghui.orgs.models import Org, OrgStatus

INBOX_LIMIT = 200
MINE_LIMIT = 30  # the portal inbox: a phone screen's worth, most urgent first


@dataclass(frozen=True)
class InboxRow:
    item: todo.TodoItem
    label: str | Promise
    age_days: int
    overdue: bool
    overdue_days: int


@dataclass(frozen=True)
class InboxKind:
    name: str
    label: str | Promise
    count: int


def inbox_kinds(user: Any) -> list[InboxKind]:
    """Each provider's count for the user (every provider, empty ones included: the page shows
    only those with work, the API all)."""
    numbers = todo.counts(user)
    return [InboxKind(p.name, p.label, numbers[p.name]) for p in todo.providers()]


def inbox(user: Any, *, kind: str = "", limit: int = 50, today: dt.date | None = None,
          overdue_only: bool = False, kinds: list[InboxKind] | None = None) -> list[InboxRow]:
    """The user's to-do items, most urgent first (core.todo's order), with their age and
    overdue marks; `kind` keeps one provider's items. Only providers with a count above zero
    are asked for items: pass the `kinds` already counted (`inbox_kinds`) to spare counting
    twice — on a city administrator's home most providers are empty, and each empty one then
    costs one cheap COUNT instead of a COUNT and a SELECT."""
    today = today or clock.today()
    counted = {k.name: k.count for k in (kinds if kinds is not None else inbox_kinds(user))}
    chosen = [p for p in todo.providers()
              if counted.get(p.name) and (not kind or p.name == kind)]
    labels = {p.name: p.label for p in chosen}
    items = [i for p in chosen for i in p.items(user, limit=limit)]
    items.sort(key=lambda i: todo.sort_key(i, today))
    rows = []
    for item in items[:limit]:
        overdue = item.is_overdue(today)
        if overdue_only and not overdue:
            continue
        rows.append(InboxRow(
            item=item, label=labels.get(item.kind, item.kind),
            age_days=max(0, (today - timezone.localdate(item.created_at)).days),
            overdue=overdue, overdue_days=(today - item.due).days if overdue and item.due else 0))
    return rows


def latest_messages(user: Any, *, limit: int = 5) -> list[Any]:
    return list(notifications.inbox(viewer=user).order_by("-id")[:limit])


def unread_messages(user: Any) -> int:
    return notifications.unread_count(user)


def search_groups(user: Any, q: str, *, kind: str = "", limit: int = 10) -> list[Any]:
    return search.search(user, q, kind=kind, limit=limit)


# --- home ------------------------------------------------------------------------------------

def home_kind(user: Any) -> str:
    """Which home page the user gets: "cadre" (inbox + figures), "auditor" (funds overview),
    "worker" (the member portal) or "none"."""
    if is_global(user):
        return "cadre"
    roles = set(RoleAssignment.objects.filter(user=user, org__status=OrgStatus.ACTIVE)
                .values_list("role", flat=True))
    if roles and roles <= {Role.AUDITOR}:
        return "auditor"
    if roles:
        return "cadre"
    if members.held_membership(members.portal_person(user)) is not None:
        return "worker"
    return "none"


def figure_roots(user: Any) -> list[Org]:
    """The tops of the user's stats.read subtrees (the orgs whose figures the home shows)."""
    if is_global(user):
        return list(Org.objects.filter(depth=1).order_by("path"))
    paths = prefixes(user, Capability.STATS_READ)
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []


@dataclass(frozen=True)
class KeyFigures:
    org: Org
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


def key_figures(org: Org, *, today: dt.date | None = None) -> KeyFigures:
    """The headline figures of `org`'s subtree (the caller checked stats.read over it): counter
    sums, never a scan of member rows."""
    today = today or clock.today()
    ms = members.member_stats(org=org, today=today)
    levels = orgs.subtree_counts(org)
    cover = orgs.employer_coverage(org)
    employees = int(cover["employees"] or 0)
    return KeyFigures(
        org=org, active=ms.active, retired=ms.retired, new_employment=ms.new_employment,
        joins=ms.joins, exits=ms.exits, unions=sum(levels.values()),
        employers=int(cover["employers"] or 0), covered=int(cover["covered"] or 0),
        employees=employees,
        coverage_rate=cover["rate"],  # type: ignore[arg-type]
        membership_rate=round(100 * ms.active / employees, 1) if employees else None)


def can_see_stats(user: Any) -> bool:
    return Capability.STATS_READ in capabilities_anywhere(user)


def funds_overview(user: Any, org: Org, *, year: int) -> dict[str, Any]:
    """The auditor's home: the year's income and expense of `org`'s subtree (the funds
    module's 收入支出表 rolled up), by first-level account."""
    statement = funds.income_statement(viewer=user, org=org, year=year, rollup=True)
    return {"org": org, "year": year, "columns": statement.columns,
            "rows": [r for r in statement.rows if r.level == 0]}
