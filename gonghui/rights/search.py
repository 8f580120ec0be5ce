"""Rights cases in the global search: by case number (案件编号), worker's name or employer,
inside the viewer's rights.read subtrees (the case list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.rights import selectors


class CasesSearch(QuerySearch):
    name = "rights"
    label = _l("维权案件")
    order = 60

    references = False  # a case number is 案件编号, found by the list's own search

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.RIGHTS_READ):
            return None
        return selectors.case_list(viewer=user, q=q)

    def hit(self, c: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"{c.number or c.pk} {c.worker_name}",
                         subtitle=" · ".join(x for x in (c.employer_name, c.union.name,
                                                         c.get_status_display()) if x),
                         url=reverse("rights:case", args=[c.pk]), org_path=c.union_path)


register(CasesSearch())
