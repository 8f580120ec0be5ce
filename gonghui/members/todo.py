"""Members' to-do providers: join applications awaiting approval, transfers awaiting
acceptance (for holders of member.write, who can act on them), each with its deadline; and, for
the level above, the applications and transfers of the unions below that are past their deadline
(督办: the watching union holds member.read over them). All through the selectors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.todo import QueryTodo, TodoItem, register
from gonghui.members import decision_selectors, selectors
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
            url=reverse("members:application", args=[a.pk]), org_path=a.union.path,
            due=a.due_on, created_at=a.created_at)


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
            url=reverse("members:transfers"), org_path=t.to_union.path, due=t.due_on,
            created_at=t.created_at)


class OverdueApplicationsTodo(QueryTodo):
    name = "members.overdue_applications"
    label = _l("下级工会逾期未办的入会申请")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_READ):
            return None
        return decision_selectors.overdue_applications(viewer=user)

    def item(self, a: Any) -> TodoItem:
        return TodoItem(
            app="members", kind=self.name,
            title=_("督办：{union}的入会申请（{name}）已逾期").format(
                union=a.union.name, name=a.person.name),
            url=reverse("members:overdue"), org_path=a.union.path, due=a.due_on,
            created_at=a.created_at)


class OverdueTransfersTodo(QueryTodo):
    name = "members.overdue_transfers"
    label = _l("下级工会逾期未接收的转会")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.MEMBER_READ):
            return None
        return decision_selectors.overdue_transfers(viewer=user)

    def item(self, t: Any) -> TodoItem:
        return TodoItem(
            app="members", kind=self.name,
            title=_("督办：{union}的转会接收（{name}）已逾期").format(
                union=t.to_union.name, name=t.person.name),
            url=reverse("members:overdue"), org_path=t.to_union.path, due=t.due_on,
            created_at=t.created_at)


register(ApplicationsTodo())
register(TransfersTodo())
register(OverdueApplicationsTodo())
register(OverdueTransfersTodo())
