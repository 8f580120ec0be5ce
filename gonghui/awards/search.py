"""Honour nominations in the global search: by reference (#12), nominee or unit name, inside the
viewer's awards.read subtrees (the nomination list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.awards import selectors
from gonghui.core.search import QuerySearch, SearchHit, register


class NominationsSearch(QuerySearch):
    name = "awards"
    label = _l("评先推荐")
    order = 70

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.AWARDS_READ):
            return None
        return selectors.nomination_list(viewer=user, q=q)

    def hit(self, n: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"#{n.pk} {n.name}",
                         subtitle=f"{n.unit_name} · {n.scheme} · {n.get_status_display()}",
                         url=reverse("awards:nomination", args=[n.pk]), org_path=n.union_path)


register(NominationsSearch())
