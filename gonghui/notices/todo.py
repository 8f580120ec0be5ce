"""公示's to-do provider: objections waiting for a decision on the notices the user manages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.core.todo import PRIORITY_HIGH, QueryTodo, TodoItem, register
from gonghui.notices import selectors


class PendingObjectionsTodo(QueryTodo):
    name = "notices.objections"
    label = _l("公示异议待处理")

    def rows(self, user: Any) -> Any:
        return selectors.pending_objections(viewer=user).order_by("created_at", "id")

    def item(self, o: Any) -> TodoItem:
        return TodoItem(
            app="notices", kind=self.name,
            title=_("公示异议：{title}").format(title=o.notice.title),
            url=reverse("notices:manage_detail", args=[o.notice_id]),
            org_path=o.notice.org_path, due=o.notice.end_date, created_at=o.created_at,
            priority=PRIORITY_HIGH)


register(PendingObjectionsTodo())
