"""Evaluation's to-do providers: ratings waiting for the viewer's review (as the superior
union), and titles whose re-rating falls due within 90 days."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.todo import PRIORITY_HIGH, QueryTodo, TodoItem, register
from gonghui.evaluation import selectors


class RatingReviewTodo(QueryTodo):
    name = "evaluation.review"
    label = _l("评家申报待审核")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.EVALUATION_WRITE):
            return None
        return selectors.ratings_to_review(viewer=user)

    def item(self, r: Any) -> TodoItem:
        return TodoItem(app="evaluation", kind=self.name,
                        title=_("评家申报待审核：{org}（{status}）").format(
                            org=r.org.name, status=r.get_status_display()),
                        url=reverse("evaluation:rating", args=[r.pk]), org_path=r.org_path,
                        due=None, created_at=r.created_at)


class ReratingDueTodo(QueryTodo):
    name = "evaluation.rerating_due"
    label = _l("职工之家待复评")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.EVALUATION_WRITE):
            return None
        return selectors.titles_due(viewer=user)

    def item(self, t: Any) -> TodoItem:
        return TodoItem(app="evaluation", kind=self.name,
                        title=_("{org}的“{grade}”称号待复评").format(
                            org=t.org.name, grade=t.get_grade_display()),
                        url=reverse("evaluation:title", args=[t.pk]), org_path=t.org_path,
                        due=t.valid_until, created_at=t.created_at, priority=PRIORITY_HIGH)


register(RatingReviewTodo())
register(ReratingDueTodo())
