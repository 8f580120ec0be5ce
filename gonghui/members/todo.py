"""Members' to-do providers: join applications awaiting approval, transfers awaiting
acceptance. Only for holders of member.write (who can act on them), through the selectors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.todo import QueryTodo, TodoItem, register
from gonghui.members import selectors
from gonghui.members.models import ApplicationStatus, TransferStatus


class ApplicationsTodo(QueryTodo):
    name = "members.applications"
    label = _l("入会申请待审批")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_WRITE):
            return None
        return selectors.application_list(
            viewer=user, status=ApplicationStatus.SUBMITTED).order_by("created_at", "id")

    def item(self, a: Any) -> TodoItem:
        return TodoItem(
            app="members", kind=self.name,
            title=_("入会申请：{name}（{union}）").format(name=a.person.name, union=a.union.name),
            url=reverse("members:application", args=[a.pk]), org_path=a.union.path, due=None,
            created_at=a.created_at)


class TransfersTodo(QueryTodo):
    name = "members.transfers"
    label = _l("转会待接收")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_WRITE):
            return None
        return selectors.transfer_list(viewer=user, direction="in", status=TransferStatus.PENDING)

    def item(self, t: Any) -> TodoItem:
        return TodoItem(
            app="members", kind=self.name,
            title=_("转会待接收：{name}（{source} → {target}）").format(
                name=t.person.name, source=t.from_union.name, target=t.to_union.name),
            url=reverse("members:transfers"), org_path=t.to_union.path, due=None,
            created_at=t.created_at)


register(ApplicationsTodo())
register(TransfersTodo())
