"""Aid's to-do providers: hardship files due for their yearly review (or flagged), and exited
households due for a relapse follow-up. For holders of aid.write, through the selectors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.aid import selectors
from gonghui.core.todo import PRIORITY_HIGH, PRIORITY_NORMAL, QueryTodo, TodoItem, register


class ReviewDueTodo(QueryTodo):
    name = "aid.review_due"
    label = _l("困难档案待复核")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.AID_WRITE):
            return None
        return selectors.review_due(viewer=user)

    def item(self, f: Any) -> TodoItem:
        return TodoItem(
            app="aid", kind=self.name,
            title=_("困难档案待复核：{name}（{union}）").format(name=f.applicant_name,
                                                          union=f.union.name),
            url=reverse("aid:file", args=[f.pk]), org_path=f.union_path, due=f.next_review_due,
            created_at=f.created_at,
            priority=PRIORITY_HIGH if f.needs_review else PRIORITY_NORMAL)


class FollowupDueTodo(QueryTodo):
    name = "aid.followup_due"
    label = _l("脱困户待回访")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.AID_WRITE):
            return None
        return selectors.followup_due(viewer=user)

    def item(self, f: Any) -> TodoItem:
        return TodoItem(
            app="aid", kind=self.name,
            title=(_("返贫待重新建档：{name}（{union}）") if f.relapse_found
                   else _("脱困户待回访：{name}（{union}）")).format(name=f.applicant_name,
                                                              union=f.union.name),
            url=reverse("aid:file", args=[f.pk]), org_path=f.union_path,
            due=f.next_followup_due, created_at=f.created_at,
            priority=PRIORITY_HIGH if f.relapse_found else PRIORITY_NORMAL)


register(ReviewDueTodo())
register(FollowupDueTodo())
