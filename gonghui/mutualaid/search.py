"""Mutual-aid payouts in the global search: by reference (MA123), settlement number or the
member's full name, inside the viewer's mutualaid.read subtrees (the payout list's own search)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.mutualaid import selectors


class PayoutsSearch(QuerySearch):
    name = "mutualaid"
    label = _l("互助保障给付")
    order = 50
    references = False

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.MUTUALAID_READ):
            return None
        return selectors.payout_list(viewer=user, q=q)

    def hit(self, p: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=f"MA{p.pk} {p.person.name}",
                         subtitle=f"{p.plan} · {p.union.name} · {p.get_status_display()}",
                         url=reverse("mutualaid:payout", args=[p.pk]), org_path=p.union_path)


register(PayoutsSearch())
