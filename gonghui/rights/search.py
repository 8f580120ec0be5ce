"""Rights cases in the global search: by case number (案件编号), worker's name or employer,
inside the viewer's rights.read subtrees (the case list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import SearchHit, register
from gonghui.rights import selectors


class CasesSearch:
    name = "rights"
    label = _l("维权案件")
    order = 60

    def search(self, user: Any, q: str, *, limit: int) -> list[SearchHit] | None:
        if not has_capability(user, Capability.RIGHTS_READ):
            return None
        rows = selectors.case_list(viewer=user, q=q)[: limit + 1]
        return [
            SearchHit(kind=self.name, title=f"{c.number or c.pk} {c.worker_name}",
                      subtitle=" · ".join(x for x in (c.employer_name, c.union.name,
                                                      c.get_status_display()) if x),
                      url=reverse("rights:case", args=[c.pk]), org_path=c.union_path)
            for c in rows
        ]


register(CasesSearch())
