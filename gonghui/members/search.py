"""Members in the global search: by exact ID number (through the blind index), card number,
mobile number or the beginning of a name, inside the viewer's member.read subtrees. Hits show the
ID number and the phone masked only."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.members import selectors


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else ""


class MembersSearch(QuerySearch):
    name = "members"
    label = _l("会员")
    order = 10
    id_numbers = True  # the exact ID-number search (blind index)

    references = False

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.MEMBER_READ):
            return None
        return selectors.member_list(viewer=user, q=q, status="all")

    def hit(self, m: Any) -> SearchHit:
        return SearchHit(
            kind=self.name,
            title=m.person.name,
            subtitle=" · ".join(part for part in (
                m.person.masked_id, mask_phone(m.person.phone), m.card_number or "",
                m.union.name, str(m.get_status_display())) if part),
            url=reverse("members:detail", args=[m.pk]),
            org_path=m.union_path,
        )



register(MembersSearch())
