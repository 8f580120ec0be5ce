"""A member's own to-do from evaluation, for the portal inbox: the open surveys they are invited
to and have not answered yet (through `selectors.my_surveys`, their own invitations only)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.core import clock
from gonghui.core.todo import TodoItem, register
from gonghui.evaluation import selectors
from gonghui.evaluation.models import SurveyStatus
from gonghui.members.selectors import portal_person


class SurveyToAnswerTodo:
    name = "evaluation.survey"
    label = _l("问卷待填写")

    def _open(self, user: Any) -> list[Any]:
        if not getattr(user, "pk", None):
            return []
        today = clock.today()
        return [s["survey"] for s in selectors.my_surveys(portal_person(user))
                if not s["answered"] and s["survey"].status == SurveyStatus.OPEN
                and s["survey"].closes_on >= today]

    def items(self, user: Any, *, limit: int) -> list[TodoItem]:
        surveys = sorted(self._open(user), key=lambda s: (s.closes_on, s.pk))[:limit]
        return [TodoItem(app="evaluation", kind=self.name,
                         title=_("请填写问卷：{title}").format(title=s.title),
                         url=reverse("evaluation:portal_answer", args=[s.pk]),
                         org_path=s.org_path, due=s.closes_on, created_at=s.created_at)
                for s in surveys]

    def count(self, user: Any) -> int:
        return len(self._open(user))


register(SurveyToAnswerTodo())
