"""Ratings (星级评定) in the global search: by reference (#12), the rated union's name or code,
inside the viewer's evaluation.read subtrees (the rating list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.evaluation import selectors


class RatingsSearch(QuerySearch):
    name = "evaluation"
    label = _l("星级评定")
    order = 100

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.EVALUATION_READ):
            return None
        return selectors.rating_list(viewer=user, q=q)

    def hit(self, r: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"#{r.pk} {r.org.name} {r.year}",
                         subtitle=f"{r.scheme} · {r.get_status_display()}",
                         url=reverse("evaluation:rating", args=[r.pk]), org_path=r.org_path)


register(RatingsSearch())
