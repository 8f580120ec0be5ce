"""The one org picker (issue 12 item 10): every form that names an org — move, merge, role
grant, import target, export scope, list filters — offers a search-as-you-type field instead of a
typed code. A *purpose* says which orgs the action accepts; the candidates are the viewer's
subtrees for the purpose's capability, filtered by that rule.

`org_pick()` feeds the htmx endpoint (`orgs:picker`), `resolve_org()` turns what was submitted
(a code picked from the list, or a name / short name / code typed without JavaScript) into one
org or a Chinese sentence saying what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.orgs.models import LEVEL_RANK, MEMBER_HOLDING_TYPES, Level, Org, OrgStatus


@dataclass(frozen=True)
class Purpose:
    cap: Capability
    active_only: bool = True
    member_holding: bool = False      # only orgs that take members directly
    above: bool = False               # only orgs above `relative_to` (a new parent)
    hint: Any = ""


PURPOSES: dict[str, Purpose] = {
    # any org the viewer reads, closed ones included (filters of read-only lists)
    "read": Purpose(Capability.ORG_READ, active_only=False),
    # member lists, lapse watch, exports: the orgs whose members the viewer reads
    "members": Purpose(Capability.MEMBER_READ, active_only=False),
    # hardship-aid and mutual-aid dashboards and lists
    "aid": Purpose(Capability.AID_READ, active_only=False),
    "mutualaid": Purpose(Capability.MUTUALAID_READ, active_only=False),
    # a new member, an import target: active unions that take members directly
    "member_write": Purpose(Capability.MEMBER_WRITE, member_holding=True,
                            hint=_l("只列出可直接发展会员的基层工会（含联合工会、街道/园区工会）。")),
    # a role grant: active orgs where the viewer may grant roles
    "grant": Purpose(Capability.ROLE_ASSIGN, hint=_l("角色覆盖所选组织及其全部下级组织。")),
    # the new parent of a moved org: active, above the moved org's level, not inside it
    "move": Purpose(Capability.ORG_READ, above=True,
                    hint=_l("只列出层级高于本组织、状态正常的组织。")),
    # the union another one merges into: active, not inside it
    "merge": Purpose(Capability.ORG_READ, hint=_l("只列出状态正常的组织。")),
}


def purpose_of(name: str) -> Purpose:
    return PURPOSES.get(name) or PURPOSES["read"]


def candidates(*, viewer: Any, purpose: str, relative_to: Org | None = None) -> QuerySet[Org]:
    rule = purpose_of(purpose)
    queryset = scope(Org.objects.all(), viewer, rule.cap)
    if rule.active_only:
        queryset = queryset.filter(status=OrgStatus.ACTIVE)
    if rule.member_holding:
        queryset = queryset.filter(org_type__in=[str(t) for t in MEMBER_HOLDING_TYPES])
    if relative_to is not None:
        queryset = queryset.exclude(path__startswith=relative_to.path)
        if rule.above:
            rank = LEVEL_RANK.get(relative_to.level, len(Level.values))
            queryset = queryset.filter(
                level__in=[lv for lv, r in LEVEL_RANK.items() if r < rank])
    return queryset


def _matching(queryset: QuerySet[Org], q: str) -> QuerySet[Org]:
    return queryset.filter(Q(name__icontains=q) | Q(short_name__icontains=q)
                           | Q(code__istartswith=q))


def org_pick(*, viewer: Any, q: str, purpose: str, relative_to: Org | None = None,
             limit: int = 10) -> list[Org]:
    """Up to `limit` candidates matching `q` (name, short name, or the start of the code):
    the exact code first, then names that start with `q`, then tree order."""
    q = q.strip()
    if not q:
        return []
    queryset = _matching(candidates(viewer=viewer, purpose=purpose, relative_to=relative_to), q)
    rows = list(queryset.order_by("path")[:200])
    rows.sort(key=lambda o: (o.code.upper() != q.upper(), not o.name.startswith(q), o.path))
    return rows[:limit]


class PickError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def resolve_org(*, viewer: Any, text: str, purpose: str,
                relative_to: Org | None = None) -> Org:
    """The one org `text` names among the purpose's candidates: an exact code, else a unique
    exact name or short name, else a unique partial match. Raises PickError with a sentence."""
    text = (text or "").strip()
    if not text:
        raise PickError(_("请选择组织。"))
    pool = candidates(viewer=viewer, purpose=purpose, relative_to=relative_to)
    org = pool.filter(code=text.upper()).first()
    if org is not None:
        return org
    exact = list(pool.filter(Q(name=text) | Q(short_name=text))[:2])
    if len(exact) == 1:
        return exact[0]
    partial = list(_matching(pool, text).order_by("path")[:2])
    if len(partial) == 1 and not exact:
        return partial[0]
    if exact or partial:
        raise PickError(_("“{text}”对应多个组织，请在下拉列表中选择一个。").format(text=text))
    raise PickError(_("找不到可用于此操作的组织“{text}”：请输入名称、简称或组织代码后从列表中选择。")
                    .format(text=text))


def filter_org(*, viewer: Any, text: str, purpose: str,
               access: Callable[[str], Org]) -> tuple[Org | None, str]:
    """The org of a list's `?org=` filter: a pk or an existing code goes through the app's
    `access` (its 404 / 403 policy); a name is resolved among the purpose's candidates. Returns
    (org, "") or (None, the sentence to show) — a typed name is never a 404 page."""
    text = (text or "").strip()
    if not text:
        return None, ""
    if text.isdigit() or Org.objects.filter(code=text.upper()).exists():
        return access(text.upper()), ""
    try:
        return resolve_org(viewer=viewer, text=text, purpose=purpose), ""
    except PickError as exc:
        return None, exc.message
