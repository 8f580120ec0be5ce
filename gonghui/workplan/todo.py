"""Work plan's to-do provider: my departments' open milestones and sub-tasks that are overdue
or due within a week (through the selectors' "my" lists)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.core import clock
from gonghui.core.todo import TodoItem, register
from gonghui.workplan import selectors

DUE_WITHIN_DAYS = 7


class MyDueTodo:
    name = "workplan.due"
    label = _l("工作要点节点到期")

    def _horizon(self) -> dt.date:
        return clock.today() + dt.timedelta(days=DUE_WITHIN_DAYS)

    def _milestones(self, user: Any) -> Any:
        return selectors.my_milestones(viewer=user).filter(due_date__lte=self._horizon())

    def _subtasks(self, user: Any) -> Any:
        return selectors.my_subtasks(viewer=user).filter(due_date__lte=self._horizon())

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        out = [TodoItem(
            app="workplan", kind=self.name,
            title=_("节点：{title}（{item}）").format(title=m.title, item=m.item.title),
            url=reverse("workplan:milestone", args=[m.pk]), org_path=m.item.plan.org.path,
            due=m.due_date, created_at=m.created_at) for m in self._milestones(user)[:limit]]
        out += [TodoItem(
            app="workplan", kind=self.name,
            title=_("分解任务：{title}").format(title=s.title),
            url=reverse("workplan:milestone", args=[s.milestone_id]),
            org_path=s.milestone.item.plan.org.path, due=s.due_date, created_at=s.created_at)
            for s in self._subtasks(user).select_related("milestone__item__plan__org")[:limit]]
        return sorted(out, key=lambda i: (i.due or dt.date.max, i.title))[:limit]

    def count(self, user: Any) -> int:
        return self._milestones(user).count() + self._subtasks(user).count()


register(MyDueTodo())
