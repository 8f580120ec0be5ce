"""Mutual aid's to-do provider: payouts the bank could not pay, waiting for a cadre to correct
the payee's account and pay again. For holders of mutualaid.write, through the selectors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.todo import PRIORITY_HIGH, QueryTodo, TodoItem, register
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import PayoutStatus


class FailedPayoutsTodo(QueryTodo):
    name = "mutualaid.failed_payouts"
    label = _l("支付失败待更正")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MUTUALAID_WRITE):
            return None
        return selectors.payout_list(viewer=user, status=PayoutStatus.FAILED)

    def item(self, p: Any) -> TodoItem:
        return TodoItem(
            app="mutualaid", kind=self.name,
            title=_("支付失败：{name}（{union}）").format(name=p.person.name, union=p.union.name),
            url=reverse("mutualaid:payout", args=[p.pk]), org_path=p.union_path, due=None,
            created_at=p.created_at, priority=PRIORITY_HIGH)


register(FailedPayoutsTodo())
