"""Global search providers: one box in the navigation finds members, unions, employers and the
case numbers of every module, grouped by kind.

Each app that has something to find writes a provider in `gonghui/<app>/search.py` and registers
it at import; `providers()` imports every such module once (`autodiscover_modules("search")`),
like the to-do registry (`gonghui/core/todo.py`). A provider answers through its app's own
selectors with `viewer=user`, so a hit is listed exactly when the user could open it, and shows
personal data only masked (an ID number is revealed on the member's page, through the logged
reveal, never in a hit).

    class MembersSearch(QuerySearch):
        name = "members"
        label = _l("会员")
        order = 10
        references = False               # "#12" is not a member number

        def listing(self, user, q):      # None: this user cannot search this kind
            if not has_capability(user, Capability.MEMBER_READ):
                return None
            return selectors.member_list(viewer=user, q=q)

        def hit(self, m):
            return SearchHit(kind=self.name, title=m.person.name, url=...)

    register(MembersSearch())

`search(user, q)` asks every provider for `limit + 1` hits and returns the non-empty groups in
the providers' order; a group with more than `limit` hits says so (`more`), and the page links
to the module's own list for the rest.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from gonghui.core import idnumber

log = logging.getLogger("gonghui.search")

MAX_QUERY = 100


@dataclass(frozen=True)
class SearchHit:
    kind: str  # the provider's name
    title: str
    url: str
    subtitle: str = ""
    org_path: str = ""


@dataclass
class SearchGroup:
    name: str
    label: str | Promise
    hits: list[SearchHit] = field(default_factory=list)
    more: bool = False


@runtime_checkable
class SearchProvider(Protocol):
    name: str
    order: int

    @property
    def label(self) -> str | Promise:
        """What the results page calls this kind (a lazy translation is fine)."""
        ...

    def search(self, user: Any, q: str, *, limit: int) -> list[SearchHit] | None:
        """Up to `limit + 1` hits for `q` inside the user's subtrees; None when the user may
        not read this kind at all."""
        ...


class QuerySearch(ABC):
    """A provider over one app's scoped list selector, as `core.todo.QueryTodo` is for to-dos:
    subclasses give `name`, `label`, `order`, `listing(user, q)` (the selector with
    `viewer=user` filtered by `q`, or None when the user may not read this kind) and `hit(row)`.

    With `references` on, a query that reads as a case number ("#12", "12", or with
    `reference_prefix` "MA12") finds that row of the unfiltered listing instead."""

    name: str = ""
    label: str | Promise = ""
    order: int = 100
    references: bool = True
    reference_prefix: str = ""

    @abstractmethod
    def listing(self, user: Any, q: str) -> Any: ...

    @abstractmethod
    def hit(self, row: Any) -> SearchHit: ...

    def search(self, user: Any, q: str, *, limit: int) -> list[SearchHit] | None:
        ref = reference(q, self.reference_prefix) if self.references else None
        rows = self.listing(user, "" if ref is not None else q)
        if rows is None:
            return None
        if ref is not None:
            rows = rows.filter(pk=ref)
        return [self.hit(row) for row in rows[: limit + 1]]


_PROVIDERS: dict[str, SearchProvider] = {}
_discovered = False


def register(provider: SearchProvider) -> SearchProvider:
    """Add (or replace, by name) a provider. Returns it."""
    if not isinstance(provider, SearchProvider):
        raise TypeError(f"{provider!r} is not a SearchProvider")
    _PROVIDERS[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    _PROVIDERS.pop(name, None)


def discover() -> None:
    """Import every installed app's `search` module once (each registers its providers)."""
    global _discovered
    if _discovered:
        return
    autodiscover_modules("search")
    _discovered = True


def providers() -> list[SearchProvider]:
    discover()
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.name))


def normalize(q: str) -> str:
    return " ".join((q or "").split())[:MAX_QUERY]


def reference(q: str, prefix: str = "") -> int | None:
    """The row id a query names as a case number when the module has no numbering of its own:
    "#12", "12" or, with `prefix`, "MA12" (any case). None when `q` is not such a number."""
    q = q.strip().upper().lstrip("#")
    if prefix and q.startswith(prefix.upper()):
        q = q[len(prefix):]
    return int(q) if q.isdigit() and len(q) <= 12 else None


def is_id_number(q: str) -> bool:
    """A valid resident ID number (checksum included): only providers that set
    `id_numbers = True` are asked for it — a name, code or case-number search of every other
    module would scan its table for a string that is none of those (the < 20 ms budget of the
    ID search at 10 M members)."""
    try:
        idnumber.parse(q)
    except idnumber.IDNumberError:
        return False
    return True


def search(user: Any, q: str, *, limit: int = 10, kind: str = "") -> list[SearchGroup]:
    """The hits of every provider (or of the one named `kind`), grouped, empty groups left out."""
    q = normalize(q)
    if not q:
        return []
    id_query = is_id_number(q)
    groups: list[SearchGroup] = []
    for provider in providers():
        if kind and provider.name != kind:
            continue
        if id_query and not getattr(provider, "id_numbers", False):
            continue
        hits = provider.search(user, q, limit=limit)
        if not hits:
            continue
        groups.append(SearchGroup(provider.name, provider.label, hits[:limit], len(hits) > limit))
    return groups
