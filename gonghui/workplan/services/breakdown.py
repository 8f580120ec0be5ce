"""Breaking an item down (任务分解、责任落实): its responsible departments, its dated milestones
(a workflow), and the sub-tasks the lead department delegates."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record, snapshot
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import append_history, transition
from gonghui.workplan.models import (
    MILESTONE_TRANSITIONS,
    SUBTASK_TRANSITIONS,
    Department,
    DepartmentRole,
    Heading,
    Item,
    ItemDepartment,
    Milestone,
    MilestoneStatus,
    NotificationKind,
    SubTask,
    SubTaskStatus,
)
from gonghui.workplan.permissions import (
    require_finish_subtask,
    require_manage_item,
    require_supervise,
)
from gonghui.workplan.services.reminders import notify_department

TITLE_MAX = 200


def _path(item: Item) -> str:
    return item.plan.org.path


def _require_active_org(item: Item) -> None:
    """A merged or dissolved union's plan receives no new milestones or sub-tasks."""
    org = item.plan.org
    if not org.is_active:
        raise ApplicationError(_("{org}{status}，其工作要点不能再添加节点或分解任务。").format(
            org=org.name, status=org.get_status_display()), code="org_inactive")


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(_("请填写名称。"), code="title_empty")
    if len(title) > TITLE_MAX:
        raise ApplicationError(_("名称过长（最多 {n} 个字）。").format(n=TITLE_MAX), code="title_long")
    return title


def item_update(*, item: Item, actor: Actor, title: str, text: str,
                heading: Heading | None) -> Item:
    require_supervise(actor, item.plan)
    if heading is not None and heading.plan_id != item.plan_id:
        raise ApplicationError(_("所选部分不属于这份工作要点。"), code="heading_foreign")
    if not text.strip():
        raise ApplicationError(_("任务内容不能为空。"), code="text_empty")
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        before = snapshot(locked, ["title", "text", "heading"])
        locked.title = _title(title)
        locked.text = text.strip()
        locked.heading = heading
        locked.save(update_fields=["title", "text", "heading", "updated_at"])
        audit_record(actor=actor, action="workplan.item_update", obj=locked, org_path=_path(item),
                     before=before, after=snapshot(locked, ["title", "text", "heading"]))
    return locked


def item_departments_set(*, item: Item, departments: list[Department], actor: Actor) -> Item:
    """Replace the item's responsible departments: the first is the lead, the others co-operate."""
    require_supervise(actor, item.plan)
    if not departments:
        raise ApplicationError(_("至少需要一个牵头部门。"), code="departments_empty")
    if len({d.pk for d in departments}) != len(departments):
        raise ApplicationError(_("责任单位有重复。"), code="departments_duplicate")
    if any(d.org_id != item.plan.org_id for d in departments):
        raise ApplicationError(_("责任单位必须是本单位的部门。"), code="department_foreign")
    with transaction.atomic():
        Item.objects.select_for_update().get(pk=item.pk)
        before = list(item.assignments.order_by("position").values_list("department__name", flat=True))
        item.assignments.all().delete()
        ItemDepartment.objects.bulk_create([
            ItemDepartment(item=item, department=d, position=i,
                           role=DepartmentRole.LEAD if i == 0 else DepartmentRole.CO)
            for i, d in enumerate(departments)
        ])
        audit_record(actor=actor, action="workplan.item_departments", obj=item,
                     org_path=_path(item), before={"departments": before},
                     after={"departments": [d.name for d in departments]})
    return item


def _check_dates(starts_on: dt.date, due_date: dt.date) -> None:
    if due_date < starts_on:
        raise ApplicationError(_("截止日期不能早于开始日期。"), code="dates_order")


def _item_department(item: Item, department: Department) -> None:
    if not item.assignments.filter(department=department).exists():
        raise ApplicationError(_("节点的责任部门必须是该任务的牵头或配合部门。"),
                               code="department_not_responsible")


def milestone_create(*, item: Item, title: str, due_date: dt.date, actor: Actor,
                     department: Department | None = None,
                     starts_on: dt.date | None = None) -> Milestone:
    """A dated step of an item; owned by the lead department unless another responsible
    department is named."""
    require_manage_item(actor, item)
    _require_active_org(item)
    starts_on = starts_on or clock.today()
    if department is None:
        lead = item.assignments.filter(role=DepartmentRole.LEAD).select_related("department").first()
        if lead is None:
            raise ApplicationError(_("该任务还没有牵头部门。"), code="no_lead")
        department = lead.department
    _item_department(item, department)
    _check_dates(starts_on, due_date)
    with transaction.atomic():
        milestone = Milestone.objects.create(
            item=item, title=_title(title), starts_on=starts_on, due_date=due_date,
            department=department, created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="workplan.milestone_create", obj=milestone,
                     org_path=_path(item), after=snapshot(milestone, [
                         "item", "title", "starts_on", "due_date", "department"]))
    return milestone


def milestone_update(*, milestone: Milestone, actor: Actor, title: str, due_date: dt.date,
                     starts_on: dt.date, department: Department) -> Milestone:
    item = milestone.item
    require_manage_item(actor, item)
    _item_department(item, department)
    _check_dates(starts_on, due_date)
    fields = ["title", "starts_on", "due_date", "department"]
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.status != MilestoneStatus.OPEN:
            raise Conflict(_("只能修改进行中的节点。"), code="milestone_closed")
        before = snapshot(locked, fields)
        locked.title = _title(title)
        locked.starts_on, locked.due_date, locked.department = starts_on, due_date, department
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=actor, action="workplan.milestone_update", obj=locked,
                     org_path=_path(item), before=before, after=snapshot(locked, fields))
    return locked


def milestone_move(milestone: Milestone, target: str, *, actor: Actor, reason: str,
                   action: str) -> Milestone:
    """The one path for a milestone's status change (history row by transition(), audit row
    here). Internal: runs inside the caller's transaction, after the caller's checks."""
    def history(locked: Milestone, old: str, new: str) -> None:
        append_history(locked, old, new, actor=actor, reason=reason)
        audit_record(actor=actor, action=action, obj=locked, org_path=_path(milestone.item),
                     before={"status": old}, after={"status": new}, note=reason)

    extra = {"completed_on": clock.today() if target == MilestoneStatus.COMPLETED else None}
    return transition(milestone, target, transitions=MILESTONE_TRANSITIONS, actor=actor,
                      reason=reason, write_history=history, extra_fields=extra)


def milestone_complete(*, milestone: Milestone, actor: Actor, reason: str = "") -> Milestone:
    require_supervise(actor, milestone.item.plan)
    with transaction.atomic():
        return milestone_move(milestone, MilestoneStatus.COMPLETED, actor=actor,
                               reason=reason or _("确认完成"), action="workplan.milestone_complete")


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("请说明原因。"), code="reason_required")
    return reason


def milestone_reopen(*, milestone: Milestone, actor: Actor, reason: str) -> Milestone:
    """退回: the supervisor sends a completed (or cancelled) milestone back to work."""
    require_supervise(actor, milestone.item.plan)
    reason = _reason_required(reason)
    with transaction.atomic():
        return milestone_move(milestone, MilestoneStatus.OPEN, actor=actor, reason=reason,
                               action="workplan.milestone_reopen")


def milestone_cancel(*, milestone: Milestone, actor: Actor, reason: str) -> Milestone:
    require_supervise(actor, milestone.item.plan)
    reason = _reason_required(reason)
    with transaction.atomic():
        return milestone_move(milestone, MilestoneStatus.CANCELLED, actor=actor, reason=reason,
                               action="workplan.milestone_cancel")


def subtask_create(*, milestone: Milestone, department: Department, title: str,
                   due_date: dt.date, actor: Actor) -> SubTask:
    """The lead department delegates part of a milestone to another department of the org; the
    department's members are told in their reminders."""
    item = milestone.item
    require_manage_item(actor, item)
    _require_active_org(item)
    if department.org_id != item.plan.org_id:
        raise ApplicationError(_("承办部门必须是本单位的部门。"), code="department_foreign")
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(_("只能为进行中的节点分解任务。"), code="milestone_closed")
    if due_date > milestone.due_date:
        raise ApplicationError(_("分解任务的截止日期不能晚于节点的截止日期（{d}）。").format(
            d=milestone.due_date.isoformat()), code="due_after_milestone")
    with transaction.atomic():
        subtask = SubTask.objects.create(
            milestone=milestone, department=department, title=_title(title), due_date=due_date,
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="workplan.subtask_create", obj=subtask,
                     org_path=_path(item),
                     after=snapshot(subtask, ["milestone", "department", "title", "due_date"]))
        notify_department(
            department=department, kind=NotificationKind.ASSIGNED, milestone=milestone,
            text=_("{lead}交办：{title}（第 {n} 项“{item}”，{d} 前完成）").format(
                lead=milestone.department.name, title=subtask.title, n=item.number,
                item=item.title, d=due_date.isoformat()),
            dedupe_key=f"assigned:{subtask.pk}",
        )
    return subtask


def _subtask_move(subtask: SubTask, target: str, *, actor: Actor, action: str) -> SubTask:
    require_finish_subtask(actor, subtask)
    def history(locked: SubTask, old: str, new: str) -> None:
        append_history(locked, old, new, actor=actor)
        audit_record(actor=actor, action=action, obj=locked,
                     org_path=_path(subtask.milestone.item),
                     before={"status": old}, after={"status": new})

    with transaction.atomic():
        extra = {"done_on": clock.today() if target == SubTaskStatus.DONE else None}
        return transition(subtask, target, transitions=SUBTASK_TRANSITIONS, actor=actor,
                          write_history=history, extra_fields=extra)


def subtask_complete(*, subtask: SubTask, actor: Actor) -> SubTask:
    return _subtask_move(subtask, SubTaskStatus.DONE, actor=actor, action="workplan.subtask_done")


def subtask_reopen(*, subtask: SubTask, actor: Actor) -> SubTask:
    return _subtask_move(subtask, SubTaskStatus.OPEN, actor=actor, action="workplan.subtask_reopen")
