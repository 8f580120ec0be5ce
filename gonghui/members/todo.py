"""Members' to-do providers: join applications awaiting approval, transfers awaiting
acceptance. Only for holders of member.write (who can act on them), through the selectors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.todo import TodoItem, register
from gonghui.members import selectors
from gonghui.members.models import ApplicationStatus, TransferStatus


class ApplicationsTodo:
    name = "members.applications"
    label = _l("入会申请待审批")

    def _rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_WRITE):
            return None
        return selectors.application_list(viewer=user, status=ApplicationStatus.SUBMITTED)

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        rows = self._rows(user)
        if rows is None:
            return []
        return [TodoItem(
            app="members", kind=self.name,
            title=_("入会申请：{name}（{union}）").format(name=a.person.name, union=a.union.name),
            url=reverse("members:application", args=[a.pk]), org_path=a.union.path, due=None,
            created_at=a.created_at) for a in rows.order_by("created_at", "id")[:limit]]

    def count(self, user: Any) -> int:
        rows = self._rows(user)
        return 0 if rows is None else rows.count()


class TransfersTodo:
    name = "members.transfers"
    label = _l("转会待接收")

    def _rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_WRITE):
            return None
        return selectors.transfer_list(viewer=user, direction="in", status=TransferStatus.PENDING)

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        rows = self._rows(user)
        if rows is None:
            return []
        return [TodoItem(
            app="members", kind=self.name,
            title=_("转会待接收：{name}（{source} → {target}）").format(
                name=t.person.name, source=t.from_union.name, target=t.to_union.name),
            url=reverse("members:transfers"), org_path=t.to_union.path, due=None,
            created_at=t.created_at) for t in rows[:limit]]

    def count(self, user: Any) -> int:
        rows = self._rows(user)
        return 0 if rows is None else rows.count()


register(ApplicationsTodo())
register(TransfersTodo())
