"""The only way to reach workplan objects. 404 outside the viewer's subtrees (workplan.read over
the plan's org), 403 when visible but the action is not theirs.

Who may do what:
- **supervise** (督查, the office): workplan.write over the plan's org — import and edit plans,
  set responsible departments, break items down, confirm / send back / cancel milestones,
  remind, manage departments and their members;
- **manage** an item: the office, or a member of the item's lead department (分解、交办);
- **report** on a milestone: the office, or a member of any department responsible for the item;
- **finish** a sub-task: the office, a member of the lead department, or of the sub-task's
  department.
"""

from __future__ import annotations

from typing import Any, Literal

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    DepartmentRole,
    Item,
    Milestone,
    Notification,
    Plan,
    PlanDraft,
    ProgressAttachment,
    SubTask,
)

READ, WRITE = "workplan.read", "workplan.write"


def department_ids(user: Any) -> frozenset[int]:
    """The departments `user` works in (cached on the user object for the request)."""
    cached = getattr(user, "_gh_workplan_departments", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            return frozenset()
        cached = frozenset(DepartmentMembership.objects.filter(user=user)
                           .values_list("department_id", flat=True))
        user._gh_workplan_departments = cached
    return cached


def can_supervise(user: Any, plan: Plan) -> bool:
    return can(user, plan.org, WRITE)


def can_manage_item(user: Any, item: Item) -> bool:
    if can_supervise(user, item.plan):
        return True
    mine = department_ids(user)
    return any(a.department_id in mine and a.role == DepartmentRole.LEAD
               for a in item.assignments.all())


def can_report(user: Any, milestone: Milestone) -> bool:
    item = milestone.item
    if can_supervise(user, item.plan):
        return True
    mine = department_ids(user)
    return milestone.department_id in mine or any(a.department_id in mine
                                                  for a in item.assignments.all())


def access_plan(user: Any, plan_id: int | str, *, write: bool = False) -> Plan:
    plan = (scope(Plan.objects.select_related("org"), user, READ, path_field="org__path")
            .filter(pk=_pk(plan_id)).first())
    if plan is None:
        raise NotFound()
    if write and not can_supervise(user, plan):
        raise Forbidden()
    return plan


def access_item(user: Any, item_id: int | str, *, manage: bool = False,
                supervise: bool = False) -> Item:
    item = (scope(Item.objects.select_related("plan__org", "heading"), user, READ,
                  path_field="plan__org__path")
            .prefetch_related("assignments__department").filter(pk=_pk(item_id)).first())
    if item is None:
        raise NotFound()
    if supervise and not can_supervise(user, item.plan):
        raise Forbidden()
    if manage and not can_manage_item(user, item):
        raise Forbidden()
    return item


MilestoneAction = Literal["read", "report", "manage", "supervise"]


def access_milestone(user: Any, milestone_id: int | str, *,
                     action: MilestoneAction = "read") -> Milestone:
    milestone = (scope(Milestone.objects.select_related("item__plan__org", "item__heading",
                                                        "department"),
                       user, READ, path_field="item__plan__org__path")
                 .prefetch_related("item__assignments__department")
                 .filter(pk=_pk(milestone_id)).first())
    if milestone is None:
        raise NotFound()
    allowed = {
        "read": lambda: True,
        "report": lambda: can_report(user, milestone),
        "manage": lambda: can_manage_item(user, milestone.item),
        "supervise": lambda: can_supervise(user, milestone.item.plan),
    }[action]()
    if not allowed:
        raise Forbidden()
    return milestone


def access_subtask(user: Any, subtask_id: int | str, *, write: bool = False) -> SubTask:
    subtask = (scope(SubTask.objects.select_related("milestone__item__plan__org", "department"),
                     user, READ, path_field="milestone__item__plan__org__path")
               .filter(pk=_pk(subtask_id)).first())
    if subtask is None:
        raise NotFound()
    if write and not (subtask.department_id in department_ids(user)
                      or can_manage_item(user, subtask.milestone.item)):
        raise Forbidden()
    return subtask


def access_attachment(user: Any, attachment_id: int | str) -> ProgressAttachment:
    attachment = (scope(ProgressAttachment.objects.select_related("report__milestone__item__plan"),
                        user, READ, path_field="report__milestone__item__plan__org__path")
                  .filter(pk=_pk(attachment_id)).first())
    if attachment is None:
        raise NotFound()
    return attachment


def access_department(user: Any, department_id: int | str, *, write: bool = False) -> Department:
    department = (scope(Department.objects.select_related("org"), user, READ,
                        path_field="org__path").filter(pk=_pk(department_id)).first())
    if department is None:
        raise NotFound()
    if write and not can(user, department.org, WRITE):
        raise Forbidden()
    return department


def access_draft(user: Any, draft_id: int | str) -> PlanDraft:
    """Drafts belong to whoever uploaded them; others (even supervisors) do not see them."""
    draft = (scope(PlanDraft.objects.select_related("org"), user, WRITE, path_field="org__path")
             .filter(pk=_pk(draft_id), created_by_id=getattr(user, "pk", None)).first())
    if draft is None:
        raise NotFound()
    return draft


def access_notification(user: Any, notification_id: int | str) -> Notification:
    notification = Notification.objects.filter(pk=_pk(notification_id),
                                               recipient_id=getattr(user, "pk", None)).first()
    if notification is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    return notification


def writable_orgs(user: Any) -> Any:
    """Federations (city, district, street level) where `user` may import plans and manage
    departments (workplan.write). Grassroots unions do not issue 工作要点 here."""
    from gonghui.orgs.models import Level, Org

    queryset = Org.objects.filter(status="active", level__in=[
        Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET])
    return scope(queryset, user, WRITE).order_by("path")


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
