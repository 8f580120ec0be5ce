"""Congress proposals (提案) in the global search: by reference (#12), subject or proposer's
name, inside the viewer's democracy.read subtrees (the proposal list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import SearchHit, reference, register
from gonghui.democracy import selectors


class ProposalsSearch:
    name = "democracy"
    label = _l("职代会提案")
    order = 80

    def search(self, user: Any, q: str, *, limit: int) -> list[SearchHit] | None:
        if not has_capability(user, Capability.DEMOCRACY_READ):
            return None
        ref = reference(q)
        rows = (selectors.proposal_list(viewer=user).filter(pk=ref) if ref is not None
                else selectors.proposal_list(viewer=user, q=q))[: limit + 1]
        return [
            SearchHit(kind=self.name, title=f"#{p.pk} {p.title}",
                      subtitle=f"{p.congress} · {p.year} · {p.get_status_display()}",
                      url=reverse("democracy:proposal", args=[p.pk]), org_path=p.org_path)
            for p in rows
        ]


register(ProposalsSearch())
