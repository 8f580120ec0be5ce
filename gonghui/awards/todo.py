"""Awards' to-do provider: nominations waiting at a level where the user reviews."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.awards import selectors
from gonghui.core.todo import PRIORITY_NORMAL, QueryTodo, TodoItem, register


class ReviewTodo(QueryTodo):
    name = "awards.review"
    label = _l("评选推荐待审核")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.AWARDS_WRITE):
            return None
        return selectors.review_queue(viewer=user)

    def item(self, n: Any) -> TodoItem:
        return TodoItem(
            app="awards", kind=self.name,
            title=_("{scheme}：{name}待{org}审核").format(scheme=n.scheme.title, name=n.name,
                                                      org=n.at_org.name),
            url=reverse("awards:nomination", args=[n.pk]), org_path=n.at_path, due=None,
            created_at=n.created_at, priority=PRIORITY_NORMAL)


register(ReviewTodo())
