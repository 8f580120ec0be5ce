"""Congress proposals (提案) in the global search: by reference (#12), subject or proposer's
name, inside the viewer's democracy.read subtrees (the proposal list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.democracy import selectors


class ProposalsSearch(QuerySearch):
    name = "democracy"
    label = _l("职代会提案")
    order = 80

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.DEMOCRACY_READ):
            return None
        return selectors.proposal_list(viewer=user, q=q)

    def hit(self, p: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"#{p.pk} {p.title}",
                         subtitle=f"{p.congress} · {p.year} · {p.get_status_display()}",
                         url=reverse("democracy:proposal", args=[p.pk]), org_path=p.org_path)


register(ProposalsSearch())
