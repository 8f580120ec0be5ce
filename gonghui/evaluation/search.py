"""Ratings (星级评定) in the global search: by reference (#12), the rated union's name or code,
inside the viewer's evaluation.read subtrees (the rating list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import SearchHit, reference, register
from gonghui.evaluation import selectors


class RatingsSearch:
    name = "evaluation"
    label = _l("星级评定")
    order = 100

    def search(self, user: Any, q: str, *, limit: int) -> list[SearchHit] | None:
        if not has_capability(user, Capability.EVALUATION_READ):
            return None
        ref = reference(q)
        rows = (selectors.rating_list(viewer=user).filter(pk=ref) if ref is not None
                else selectors.rating_list(viewer=user, q=q))[: limit + 1]
        return [
            SearchHit(kind=self.name, title=f"#{r.pk} {r.org.name} {r.year}",
                      subtitle=f"{r.scheme} · {r.get_status_display()}",
                      url=reverse("evaluation:rating", args=[r.pk]), org_path=r.org_path)
            for r in rows
        ]


register(RatingsSearch())
