"""Reminders as in-app notifications (我的提醒).

`reminders_send` is what `gonghui workplan remind` and the daily task run: for every open
milestone that is overdue, or has had no progress report for more than the plan's `stale_days`
(or the number of days given), and every delegated sub-task open past its due date, it tells the
members of the responsible department — or, when the department has no members yet, the office
(the users holding workplan.write at the plan's org). Idempotent per day: the notification's
`dedupe_key` carries the day, and (recipient, dedupe_key) is unique in the database, so running
it twice, or from two workers at once, sends each reminder once a day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.roles import CAPABILITIES
from gonghui.accounts.scoping import scope
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import NotFound
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    Milestone,
    MilestoneStatus,
    Notification,
    NotificationKind,
    Plan,
    SubTask,
    SubTaskStatus,
)
from gonghui.workplan.permissions import require_recipient, require_supervise
from gonghui.workplan.rules import Health, milestone_health

WRITER_ROLES = [role for role, caps in CAPABILITIES.items()
                if Capability.WORKPLAN_WRITE in caps]


@dataclasses.dataclass
class ReminderResult:
    sent: int = 0  # notifications created now
    already: int = 0  # the same reminder had been sent earlier today
    overdue: int = 0  # milestones overdue
    stale: int = 0  # milestones without a report for too long (not overdue)
    subtasks: int = 0  # sub-tasks overdue
    no_recipient: int = 0  # nobody to tell (department without members, org without office)


@dataclasses.dataclass
class _Message:
    department_id: int
    org_id: int
    kind: str
    text: Callable[[], str]  # formatted only when somebody is to be told
    milestone_id: int | None
    key: str
    plan: Plan


def _milestone_text(kind: str, *, number: int, item: str, title: str, days: int,
                    due: dt.date) -> str:
    where = _("第 {n} 项“{item}”的节点“{m}”").format(n=number, item=item, m=title)
    if kind == NotificationKind.OVERDUE:
        return _("【逾期】{where}已逾期 {d} 天（截止 {due}），请尽快推进并报送进度。").format(
            where=where, d=days, due=due.isoformat())
    return _("【未报送】{where}已 {d} 天未报送进度，请及时报送。").format(where=where, d=days)


def _subtask_text(*, lead: str, title: str, days: int, due: dt.date) -> str:
    return _("【逾期】{lead}交办的“{t}”已逾期 {d} 天（截止 {due}）。").format(
        lead=lead, t=title, d=days, due=due.isoformat())


def _recipients(department_ids: set[int], org_ids: set[int]) -> tuple[dict[int, set[int]],
                                                                       dict[int, set[int]]]:
    members: dict[int, set[int]] = defaultdict(set)
    for dept_id, user_id in DepartmentMembership.objects.filter(
            department_id__in=department_ids, user__is_active=True).values_list(
            "department_id", "user_id"):
        members[dept_id].add(user_id)
    office: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in RoleAssignment.objects.filter(
            org_id__in=org_ids, role__in=WRITER_ROLES, user__is_active=True).values_list(
            "org_id", "user_id"):
        office[org_id].add(user_id)
    return members, office


def _deliver(messages: list[_Message], *, actor: Actor, today: dt.date,
             result: ReminderResult) -> None:
    """Create the notifications that do not exist yet, one audit row per plan."""
    members, office = _recipients({m.department_id for m in messages}, {m.org_id for m in messages})
    rows: list[Notification] = []
    now = clock.now()
    for message in messages:
        users = members.get(message.department_id) or office.get(message.org_id) or set()
        if not users:
            result.no_recipient += 1
            continue
        text = message.text()[:500]
        link = (reverse("workplan:milestone", args=[message.milestone_id])
                if message.milestone_id else "")
        for user_id in sorted(users):
            rows.append(Notification(recipient_id=user_id, kind=message.kind, text=text,
                                     link=link, milestone_id=message.milestone_id,
                                     created_at=now, dedupe_key=message.key))
    existing = set(Notification.objects.filter(
        dedupe_key__in={r.dedupe_key for r in rows}).values_list("recipient_id", "dedupe_key"))
    new = [r for r in rows if (r.recipient_id, r.dedupe_key) not in existing]
    result.already += len(rows) - len(new)
    plan_of_key = {m.key: m.plan for m in messages}
    with transaction.atomic():
        # ignore_conflicts: a reminder another worker created a moment ago is not sent twice
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        per_plan: dict[int, list[Notification]] = defaultdict(list)
        for row in new:
            per_plan[plan_of_key[row.dedupe_key].pk].append(row)
        plans = {m.plan.pk: m.plan for m in messages}
        for plan_id, created in per_plan.items():
            plan = plans[plan_id]
            audit_record(actor=actor, action="workplan.remind", obj=plan, org_path=plan.org.path,
                         after={"date": today.isoformat(), "notifications": len(created),
                                "kinds": sorted({r.kind for r in created})})
    result.sent += len(new)


def reminders_send(*, actor: Actor, stale_days: int | None = None,
                   plans: list[Plan] | None = None) -> ReminderResult:
    """Send today's reminders for every plan (or the given ones). See the module docstring.
    Each given plan needs workplan.write over its org; without `plans`, the plans where the
    actor holds workplan.write (all of them for the daily task and the CLI)."""
    for plan in plans or []:
        require_supervise(actor, plan)
    today = clock.today()
    result = ReminderResult()
    plan_rows = scope(Plan.objects.select_related("org"), actor, Capability.WORKPLAN_WRITE,
                      path_field="org__path")
    if plans is not None:
        plan_rows = plan_rows.filter(pk__in=[p.pk for p in plans])
    plan_by_id = {p.pk: p for p in plan_rows}
    if not plan_by_id:
        return result
    # The database picks the candidates (overdue, or silent past the threshold); the rules
    # confirm each one, so the reminder and the supervision view always agree.
    thresholds = ({stale_days} if stale_days is not None
                  else {p.stale_days for p in plan_by_id.values()})
    silent = Q(pk__in=[])
    for days in thresholds:
        condition = Q(reference__lt=today - dt.timedelta(days=days))
        if stale_days is None:
            condition &= Q(item__plan__stale_days=days)
        silent |= condition
    rows = (Milestone.objects.filter(status=MilestoneStatus.OPEN, item__plan_id__in=list(plan_by_id))
            .annotate(reference=Coalesce("last_report_on", "starts_on"))
            .filter(Q(due_date__lt=today) | silent)
            .values_list("id", "title", "starts_on", "due_date", "percent", "last_report_on",
                         "department_id", "item__number", "item__title", "item__plan_id"))
    messages: list[_Message] = []
    day = today.isoformat()
    for (pk, title, starts_on, due_date, percent, last_report_on, department_id, number,
         item_title, plan_id) in rows.iterator(chunk_size=5000):
        plan = plan_by_id[plan_id]
        verdict = milestone_health(
            status=MilestoneStatus.OPEN, starts_on=starts_on, due_date=due_date, percent=percent,
            last_report_on=last_report_on, today=today, at_risk_days=plan.at_risk_days,
            stale_days=plan.stale_days if stale_days is None else stale_days, explain=False)
        if verdict is not None and verdict.health == Health.OVERDUE:
            result.overdue += 1
            kind, days = NotificationKind.OVERDUE, verdict.overdue_days
        elif verdict is not None and verdict.stale:
            result.stale += 1
            kind, days = NotificationKind.STALE, (today - (last_report_on or starts_on)).days
        else:
            continue
        messages.append(_Message(
            department_id=department_id, org_id=plan.org_id, kind=kind,
            text=partial(_milestone_text, kind, number=number, item=item_title, title=title,
                         days=days, due=due_date),
            milestone_id=pk, key=f"milestone:{pk}:{day}", plan=plan,
        ))
    subtasks = (SubTask.objects.filter(status=SubTaskStatus.OPEN, due_date__lt=today,
                                       milestone__item__plan_id__in=list(plan_by_id))
                .values_list("id", "title", "due_date", "department_id", "milestone_id",
                             "milestone__department__name", "milestone__item__plan_id"))
    for pk, title, due_date, department_id, milestone_id, lead, plan_id in subtasks:
        plan = plan_by_id[plan_id]
        result.subtasks += 1
        messages.append(_Message(
            department_id=department_id, org_id=plan.org_id,
            kind=NotificationKind.SUBTASK_OVERDUE,
            text=partial(_subtask_text, lead=lead, title=title, days=(today - due_date).days,
                         due=due_date),
            milestone_id=milestone_id, key=f"subtask:{pk}:{day}", plan=plan,
        ))
    _deliver(messages, actor=actor, today=today, result=result)
    return result


def reminder_send_manual(*, milestone: Milestone, actor: Actor, note: str = "") -> int:
    """督办: the supervisor reminds the milestone's department now (once a day per milestone).
    Returns how many people were told (0 when today's reminder was already sent)."""
    today = clock.today()
    item = milestone.item
    plan = item.plan
    require_supervise(actor, plan)
    text = _("【督办】请抓紧推进第 {n} 项“{item}”的节点“{m}”（截止 {due}）。").format(
        n=item.number, item=item.title, m=milestone.title, due=milestone.due_date.isoformat())
    if note.strip():
        text += note.strip()[:200]
    result = ReminderResult()
    _deliver([_Message(department_id=milestone.department_id, org_id=plan.org_id,
                       kind=NotificationKind.MANUAL, text=lambda: text,
                       milestone_id=milestone.pk, key=f"manual:{milestone.pk}:{today.isoformat()}",
                       plan=plan)], actor=actor, today=today, result=result)
    return result.sent


def notify_department(*, department: Department, kind: str, text: str, dedupe_key: str,
                      milestone: Milestone | None = None) -> int:
    """Tell a department's members something now (inside the caller's transaction)."""
    users = list(DepartmentMembership.objects.filter(department=department, user__is_active=True)
                 .values_list("user_id", flat=True))
    link = reverse("workplan:milestone", args=[milestone.pk]) if milestone else ""
    now = clock.now()
    Notification.objects.bulk_create([
        Notification(recipient_id=user_id, kind=kind, text=text[:500], link=link,
                     milestone=milestone, created_at=now, dedupe_key=dedupe_key)
        for user_id in users
    ], ignore_conflicts=True)
    return len(users)


def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    require_recipient(actor, notification)
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = clock.now()
            notification.save(update_fields=["read_at"])
            audit_record(actor=actor, action="workplan.notification_read", obj=notification)
    return notification


def notifications_mark_all_read(*, user: Any, actor: Actor) -> int:
    """Mark `user`'s reminders read: only the user does this for themself."""
    if getattr(actor, "pk", None) is None or getattr(user, "pk", None) != actor.pk:
        raise NotFound()
    with transaction.atomic():
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=clock.now())
        if count:
            audit_record(actor=actor, action="workplan.notification_read_all",
                         object_type="workplan.notification", object_id=str(user.pk),
                         object_repr=str(user), after={"count": count})
    return count
