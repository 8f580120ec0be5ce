"""Democracy's to-do providers: re-elections due or overdue and results awaiting the higher
union's approval (cadres, democracy.write), and open ballots (every voter)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.core.todo import PRIORITY_HIGH, PRIORITY_NORMAL, QueryTodo, TodoItem, register
from gonghui.democracy import selectors
from gonghui.democracy.models import ElectionStatus


class TermsDueTodo(QueryTodo):
    name = "democracy.terms_due"
    label = _l("工会换届到期")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.DEMOCRACY_WRITE):
            return None
        return selectors.terms_due(viewer=user)

    def item(self, t: Any) -> TodoItem:
        overdue = t.ends_on < clock.today()
        return TodoItem(
            app="democracy", kind=self.name,
            title=(_("换届已逾期：{org}{body}") if overdue else _("即将换届：{org}{body}")).format(
                org=t.org.name, body=t.get_body_display()),
            url=reverse("democracy:terms") + "?due=1", org_path=t.org_path, due=t.ends_on,
            created_at=t.created_at, priority=PRIORITY_HIGH if overdue else PRIORITY_NORMAL)


class ResultsToApproveTodo(QueryTodo):
    name = "democracy.results_to_approve"
    label = _l("选举结果待批复")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.DEMOCRACY_WRITE):
            return None
        return selectors.election_list(viewer=user, status=ElectionStatus.COUNTED)

    def item(self, e: Any) -> TodoItem:
        return TodoItem(app="democracy", kind=self.name,
                        title=_("选举结果待批复：{title}").format(title=e.title),
                        url=reverse("democracy:election", args=[e.pk]), org_path=e.org_path,
                        due=e.meeting_on, created_at=e.created_at)


class BallotTodo(QueryTodo):
    name = "democracy.ballot"
    label = _l("待投票")

    def rows(self, user: Any) -> Any:
        return selectors.voter_open_rounds(user)

    def item(self, r: Any) -> TodoItem:
        return TodoItem(app="democracy", kind=self.name,
                        title=_("请投票：{title}").format(title=r.election.title),
                        url=reverse("democracy:vote", args=[r.pk]),
                        org_path=r.election.org_path, due=r.opened_on,
                        created_at=r.election.created_at, priority=PRIORITY_HIGH)


class ProposalsToAnswerTodo(QueryTodo):
    name = "democracy.proposals"
    label = _l("提案待审查或答复")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.DEMOCRACY_WRITE):
            return None
        return selectors.proposals_to_answer(viewer=user)

    def item(self, p: Any) -> TodoItem:
        overdue = p.deadline is not None and p.deadline < clock.today()
        return TodoItem(app="democracy", kind=self.name,
                        title=(_("提案待审查：{title}") if p.status == "submitted"
                               else _("提案待答复：{title}")).format(title=p.title),
                        url=reverse("democracy:proposal", args=[p.pk]), org_path=p.org_path,
                        due=p.deadline, created_at=p.created_at,
                        priority=PRIORITY_HIGH if overdue else PRIORITY_NORMAL)


register(TermsDueTodo())
register(ProposalsToAnswerTodo())
register(ResultsToApproveTodo())
register(BallotTodo())
