"""Hardship files in the global search: by file number or applicant name, inside the viewer's
aid.read subtrees (aid's own file list)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.aid import selectors
from gonghui.core.search import QuerySearch, SearchHit, register


class FilesSearch(QuerySearch):
    name = "aid"
    label = _l("困难职工档案")
    order = 40
    references = False

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.AID_READ):
            return None
        return selectors.file_list(viewer=user, q=q)

    def hit(self, f: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"{f.number or f.pk} {f.applicant_name}",
                         subtitle=f"{f.union.name} · {f.get_status_display()}",
                         url=reverse("aid:file", args=[f.pk]), org_path=f.union_path)


register(FilesSearch())
