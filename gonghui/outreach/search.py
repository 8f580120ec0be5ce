"""Activities in the global search: by reference (#12), title or place, inside the viewer's
outreach.read subtrees (the activity list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.outreach import selectors


class ActivitiesSearch(QuerySearch):
    name = "outreach"
    label = _l("活动")
    order = 90

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.OUTREACH_READ):
            return None
        return selectors.activity_list(viewer=user, q=q).order_by("-starts_at", "-id")

    def hit(self, a: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"#{a.pk} {a.title}",
                         subtitle=f"{timezone.localtime(a.starts_at):%Y-%m-%d %H:%M} · {a.place}"
                                  f" · {a.org.name}",
                         url=reverse("outreach:activity", args=[a.pk]), org_path=a.org_path)


register(ActivitiesSearch())
