"""To-do providers of rights work for the cadres' inbox (autodiscovered by core)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.core.todo import QueryTodo, TodoItem, register
from gonghui.rights import clocks, selectors
from gonghui.rights.models import AlertStatus, CaseStatus, Level, RiskAlert


class RequestsTodo(QueryTodo):
    """Workers' requests waiting to be screened."""

    name = "rights.requests"
    label = _l("维权求助待甄别")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.RIGHTS_WRITE):
            return None
        return selectors.case_list(viewer=user, status=CaseStatus.SUBMITTED).order_by("id")

    def item(self, row: Any) -> TodoItem:
        return TodoItem(app="rights", kind=self.name,
                        title=_("维权求助：{name}（{kind}）").format(
                            name=row.worker_name, kind=row.get_dispute_type_display()),
                        url=reverse("rights:case", args=[row.pk]), org_path=row.union_path,
                        due=row.applied_on, created_at=row.created_at)


class MediationOverdueTodo(QueryTodo):
    """Mediations past 15 days (劳动争议调解仲裁法 Art. 14): tell the worker about arbitration."""

    name = "rights.mediation_overdue"
    label = _l("调解超过15日")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.RIGHTS_WRITE):
            return None
        return (selectors.case_list(viewer=user)
                .filter(selectors.mediation_overdue_q(clock.today())).order_by("applied_on"))

    def item(self, row: Any) -> TodoItem:
        return TodoItem(app="rights", kind=self.name,
                        title=_("调解超过15日：{number} {name}").format(number=row.number,
                                                                   name=row.worker_name),
                        url=reverse("rights:case", args=[row.pk]), org_path=row.union_path,
                        due=clocks.mediation_deadline(row.applied_on), created_at=row.created_at)


class RiskAlertTodo(QueryTodo):
    """Open and handled risk alerts over the user's subtree."""

    name = "rights.risk_alerts"
    label = _l("劳动关系风险预警")

    def rows(self, user: Any) -> Any:
        if not has_capability(user, Capability.RIGHTS_WRITE):
            return None
        return selectors.alert_list(viewer=user, open_only=True).order_by("-level", "id")

    def item(self, row: RiskAlert) -> TodoItem:
        return TodoItem(app="rights", kind=self.name,
                        title=_("风险预警：{name}（{level}）").format(
                            name=row.employer.name, level=Level(row.level).label),
                        url=reverse("rights:alert", args=[row.pk]), org_path=row.area_path,
                        due=None, created_at=row.created_at,
                        priority=1 if row.status == AlertStatus.OPEN else 0)


register(RequestsTodo())
register(MediationOverdueTodo())
register(RiskAlertTodo())
