"""The only way to reach workplan objects, and the one answer to "may this actor do that".

404 outside the viewer's subtrees (workplan.read over the plan's org), 403 when visible but the
action is not theirs — the policy of `accounts.gates.require_capability`. The `access_*`
functions load an object for a page or endpoint; the `require_*` functions check an object
already loaded and are what every write service calls first, so pages, API, CLI and tasks get
the same answer.

Who may do what:
- **supervise** (督查, the office): workplan.write over the plan's org — import and edit plans,
  set responsible departments, confirm / send back / cancel milestones, remind, manage
  departments and their members;
- **manage** an item: the office, or a member of the item's lead department (分解、交办);
- **report** on a milestone: the office, or a member of any department responsible for the item;
- **finish** a sub-task: the office, a member of the lead department, or of the sub-task's
  department.

Eligibility (not a permission, a rule about the org): only active federations from street level
up issue 工作要点 and keep a list of departments (`can_issue`); grassroots unions do not.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Level, Org, OrgStatus
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

READ, WRITE = Capability.WORKPLAN_READ, Capability.WORKPLAN_WRITE

# Federations that issue a yearly plan (工作要点) and keep departments: street level and up.
ISSUING_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET)


def can_issue(org: Org) -> bool:
    """May `org` issue plans and keep departments (active, street level or higher)?"""
    return org.status == OrgStatus.ACTIVE and org.level in ISSUING_LEVELS


def department_ids(user: Any) -> frozenset[int]:
    """The departments `user` works in (cached on the user object for the request)."""
    cached = getattr(user, "_gh_workplan_departments", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
            return frozenset()
        cached = frozenset(DepartmentMembership.objects.filter(user=user)
                           .values_list("department_id", flat=True))
        user._gh_workplan_departments = cached
    return cached


def has_write(user: Any, org: Org) -> bool:
    return has_capability(user, WRITE, org)


def can_supervise(user: Any, plan: Plan) -> bool:
    return has_capability(user, WRITE, plan.org)


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


def can_finish_subtask(user: Any, subtask: SubTask) -> bool:
    return (subtask.department_id in department_ids(user)
            or can_manage_item(user, subtask.milestone.item))


# --- checks on a loaded object (services call these) ---------------------------------------

def _refuse(user: Any, org: Org) -> None:
    """404 when `org` is outside the user's workplan.read subtrees, else 403."""
    if not has_capability(user, READ, org):
        raise NotFound()
    raise Forbidden()


def require_write(user: Any, org: Org) -> None:
    """workplan.write over `org` (plans, departments, memberships of that org)."""
    require_capability(user, WRITE, org)


def require_supervise(user: Any, plan: Plan) -> None:
    require_capability(user, WRITE, plan.org)


def require_manage_item(user: Any, item: Item) -> None:
    if not can_manage_item(user, item):
        _refuse(user, item.plan.org)


def require_report(user: Any, milestone: Milestone) -> None:
    if not can_report(user, milestone):
        _refuse(user, milestone.item.plan.org)


def require_finish_subtask(user: Any, subtask: SubTask) -> None:
    if not can_finish_subtask(user, subtask):
        _refuse(user, subtask.milestone.item.plan.org)


def require_own_draft(user: Any, draft: PlanDraft) -> None:
    """Drafts belong to whoever uploaded them (a system actor may act on any)."""
    require_capability(user, WRITE, draft.org)
    if getattr(user, "pk", None) is not None and draft.created_by_id != user.pk:
        raise NotFound()


def require_recipient(user: Any, notification: Notification) -> None:
    if getattr(user, "pk", None) is None or notification.recipient_id != user.pk:
        raise NotFound()


# --- loading for pages and endpoints -------------------------------------------------------

def access_plan(user: Any, plan_id: int | str, *, write: bool = False) -> Plan:
    plan = (scope(Plan.objects.select_related("org"), user, READ, path_field="org__path")
            .filter(pk=_pk(plan_id)).first())
    if plan is None:
        raise NotFound()
    if write:
        require_supervise(user, plan)
    return plan


def access_item(user: Any, item_id: int | str, *, manage: bool = False,
                supervise: bool = False) -> Item:
    item = (scope(Item.objects.select_related("plan__org", "heading"), user, READ,
                  path_field="plan__org__path")
            .prefetch_related("assignments__department").filter(pk=_pk(item_id)).first())
    if item is None:
        raise NotFound()
    if supervise:
        require_supervise(user, item.plan)
    if manage:
        require_manage_item(user, item)
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
    if action == "report":
        require_report(user, milestone)
    elif action == "manage":
        require_manage_item(user, milestone.item)
    elif action == "supervise":
        require_supervise(user, milestone.item.plan)
    return milestone


def access_subtask(user: Any, subtask_id: int | str, *, write: bool = False) -> SubTask:
    subtask = (scope(SubTask.objects.select_related("milestone__item__plan__org", "department"),
                     user, READ, path_field="milestone__item__plan__org__path")
               .filter(pk=_pk(subtask_id)).first())
    if subtask is None:
        raise NotFound()
    if write:
        require_finish_subtask(user, subtask)
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
    if write:
        require_write(user, department.org)
    return department


def access_draft(user: Any, draft_id: int | str) -> PlanDraft:
    """A draft is the import of one office: 404 outside the viewer's subtrees, 403 for a viewer
    without workplan.write over its org, and 404 for any other writer (drafts belong to whoever
    uploaded them: other supervisors do not see them)."""
    draft = (scope(PlanDraft.objects.select_related("org"), user, READ, path_field="org__path")
             .filter(pk=_pk(draft_id)).first())
    if draft is None:
        raise NotFound()
    require_own_draft(user, draft)
    return draft


def access_notification(user: Any, notification_id: int | str) -> Notification:
    notification = Notification.objects.filter(pk=_pk(notification_id),
                                               recipient_id=getattr(user, "pk", None)).first()
    if notification is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    return notification


def writable_orgs(user: Any) -> QuerySet[Org]:
    """The federations where `user` may import plans and manage departments: workplan.write
    there, and the org may issue plans (`can_issue`)."""
    queryset = Org.objects.filter(status=OrgStatus.ACTIVE, level__in=ISSUING_LEVELS)
    return scope(queryset, user, WRITE).order_by("path")


def require_workplan_page(user: Any) -> None:
    """The workplan home and "my" pages: workplan.read anywhere, or a department to work in."""
    if has_capability(user, READ) or department_ids(user):
        return
    raise Forbidden()  # a page the user's roles do not open: 403 (issue 13 item 14)


def require_issuer_page(user: Any) -> QuerySet[Org]:
    """The import page and the department form: the orgs the user may issue for; with none,
    403 when the user holds workplan.write somewhere (a grassroots cadre), else the gate's
    answer for workplan.write."""
    orgs = writable_orgs(user)
    if orgs.exists():
        return orgs
    require_capability(user, WRITE)
    raise Forbidden(_("只有街道及以上的工会可以制定工作要点、管理责任部门。"))


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
