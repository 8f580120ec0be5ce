"""Outreach's to-do provider: the yearly inspection of each service point (年度检查) that is
still to do this year, for the cadres who may record it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.core.todo import QueryTodo, TodoItem, register
from gonghui.outreach import selectors


class InspectionDueTodo(QueryTodo):
    name = "outreach.inspection_due"
    label = _l("服务站点年度检查待完成")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.OUTREACH_WRITE):
            return None
        return selectors.inspections_due(viewer=user, year=clock.today().year)

    def item(self, s: Any) -> TodoItem:
        return TodoItem(app="outreach", kind=self.name,
                        title=_("{name}（{org}）今年尚未检查").format(name=s.name, org=s.org.name),
                        url=reverse("outreach:station", args=[s.pk]), org_path=s.org_path,
                        due=dt.date(clock.today().year, 12, 31), created_at=s.created_at)


register(InspectionDueTodo())
