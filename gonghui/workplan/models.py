"""Work plans and their supervision (任务分解、责任落实、跟踪督查).

A federation's yearly plan (`Plan`, under its org) has headings and numbered items; each item has
its responsible departments (`ItemDepartment`, one lead and co-departments), the federation's own
internal units (`Department`, a reusable list per org). Items break into milestones with due dates
(`Milestone`, a workflow), the lead department delegates sub-tasks (`SubTask`), departments file
progress reports (`ProgressReport`, with attachments), and the supervisor's reminders arrive as
in-app notifications (`Notification`). Whether a milestone is on track, at risk or overdue is
computed (`rules.py`), never stored: it depends on today's date.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class Department(TimeStampedModel):
    """An internal unit of a federation (办公室, 组织部, 基层工作部…) or a unit it directs
    (市工人文化宫): what a plan names as 责任单位."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="workplan_departments",
                            verbose_name=_("所属工会"))
    name = models.CharField(_("部门名称"), max_length=64)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("责任部门")
        verbose_name_plural = _("责任部门")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="workplan_department_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="workplan_department_named"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workplan:department", args=[self.pk])


class DepartmentMembership(models.Model):
    """A user works in a department: their department's tasks are "my tasks", and reminders for
    the department reach them."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="workplan_memberships")
    is_head = models.BooleanField(_("部门负责人"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门成员")
        verbose_name_plural = _("部门成员")
        constraints = [
            models.UniqueConstraint(fields=["department", "user"],
                                    name="workplan_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class Plan(TimeStampedModel):
    """A yearly work plan (工作要点) of one org, with the notice that issued it."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="workplans",
                            verbose_name=_("制定单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    header = models.CharField(_("文件头"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号"), max_length=64, blank=True)
    notice_title = models.CharField(_("印发通知标题"), max_length=255, blank=True)
    notice_recipients = models.CharField(_("主送单位"), max_length=500, blank=True)
    notice_body = models.TextField(_("通知正文"), blank=True)
    issuing_office = models.CharField(_("发文单位"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    preamble = models.TextField(_("总体要求"), blank=True)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    # Supervision settings (rules.py): "临近截止" window and "长期未报送" threshold, in days.
    at_risk_days = models.PositiveSmallIntegerField(_("临近截止预警天数"), default=14)
    stale_days = models.PositiveSmallIntegerField(_("未报送进度预警天数"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    class Meta:
        verbose_name = _("工作要点")
        verbose_name_plural = _("工作要点")
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "title"], name="workplan_plan_unique"),
            models.UniqueConstraint(fields=["org", "doc_number"], condition=~Q(doc_number=""),
                                    name="workplan_plan_doc_number_unique"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100),
                                   name="workplan_plan_year_range"),
            models.CheckConstraint(condition=Q(at_risk_days__gte=1) & Q(at_risk_days__lte=90),
                                   name="workplan_plan_at_risk_days_range"),
            models.CheckConstraint(condition=Q(stale_days__gte=1) & Q(stale_days__lte=365),
                                   name="workplan_plan_stale_days_range"),
        ]
        indexes = [models.Index(fields=["year", "org"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workplan:plan", args=[self.pk])


class Heading(models.Model):
    """A part of the plan (一、二、…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="headings")
    number = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("编号"), max_length=8)
    text = models.CharField(_("标题"), max_length=255)

    class Meta:
        verbose_name = _("部分")
        verbose_name_plural = _("部分")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="workplan_heading_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label}、{self.text}"


class Item(TimeStampedModel):
    """A numbered task of the plan with its responsible departments."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    heading = models.ForeignKey(Heading, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="items", verbose_name=_("所属部分"))
    number = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("原编号"), max_length=16, blank=True)
    title = models.CharField(_("任务"), max_length=200)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="workplan_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workplan:item", args=[self.pk])


class DepartmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    CO = "co", _("配合")


class ItemDepartment(models.Model):
    """A department responsible for an item, in the order the plan names them (lead first)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("职责"), max_length=8, choices=DepartmentRole.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "department"],
                                    name="workplan_item_department_unique"),
            models.UniqueConstraint(fields=["item", "position"],
                                    name="workplan_item_department_position_unique"),
            # one lead per item (责任落实: exactly one department answers for it)
            models.UniqueConstraint(fields=["item"], condition=Q(role="lead"),
                                    name="workplan_item_one_lead"),
            models.CheckConstraint(condition=Q(role="lead", position=0) | (~Q(role="lead") & Q(position__gt=0)),
                                   name="workplan_item_lead_first"),
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_role_display()})"


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# Completed by a 100% report of the responsible department (or the supervisor); the supervisor
# sends a completed milestone back (退回) or cancels one that is no longer wanted.
MILESTONE_TRANSITIONS: dict[str, set[str]] = {
    MilestoneStatus.OPEN: {MilestoneStatus.COMPLETED, MilestoneStatus.CANCELLED},
    MilestoneStatus.COMPLETED: {MilestoneStatus.OPEN},
    MilestoneStatus.CANCELLED: {MilestoneStatus.OPEN},
}


class Milestone(TimeStampedModel):
    """A dated step of an item (节点), owned by one department (the lead unless delegated)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    due_date = models.DateField(_("截止日期"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="milestones",
                                   verbose_name=_("责任部门"))
    status = models.CharField(_("状态"), max_length=16, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.OPEN)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    # The latest report, kept on the row so the supervision view reads one table.
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    last_report_on = models.DateField(_("最近报送"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    history_model = "workplan.MilestoneHistory"

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="workplan_milestone_percent"),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("starts_on")),
                                   name="workplan_milestone_dates"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="workplan_milestone_completed_dated",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workplan:milestone", args=[self.pk])


class MilestoneHistory(HistoryBase):
    """Who moved a milestone from which status to which, when and why (written by transition())."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="history")

    history_subject_field = "milestone"

    class Meta(HistoryBase.Meta):
        verbose_name = _("节点状态记录")
        verbose_name_plural = _("节点状态记录")

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.from_status} → {self.to_status}"


class SubTaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


SUBTASK_TRANSITIONS: dict[str, set[str]] = {
    SubTaskStatus.OPEN: {SubTaskStatus.DONE},
    SubTaskStatus.DONE: {SubTaskStatus.OPEN},
}


class SubTask(TimeStampedModel):
    """Part of a milestone the lead department delegates to another department (分解任务)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="subtasks")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="subtasks",
                                   verbose_name=_("承办部门"))
    title = models.CharField(_("分解任务"), max_length=200)
    due_date = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=SubTaskStatus.choices,
                              default=SubTaskStatus.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    history_model = "workplan.SubTaskHistory"

    class Meta:
        verbose_name = _("分解任务")
        verbose_name_plural = _("分解任务")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False),
                                   name="workplan_subtask_done_dated"),
        ]

    def __str__(self) -> str:
        return self.title


class SubTaskHistory(HistoryBase):
    """Who marked a sub-task done or reopened it, and when (written by transition())."""

    subtask = models.ForeignKey(SubTask, on_delete=models.CASCADE, related_name="history")

    history_subject_field = "subtask"

    class Meta(HistoryBase.Meta):
        verbose_name = _("分解任务状态记录")
        verbose_name_plural = _("分解任务状态记录")

    def __str__(self) -> str:
        return f"{self.subtask_id}: {self.from_status} → {self.to_status}"


class ProgressReport(models.Model):
    """A department's progress report on a milestone (insert-only)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="reports", verbose_name=_("报送部门"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    reported_on = models.DateField(_("报送日期"))
    created_at = models.DateTimeField()
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    text = models.TextField(_("进展情况"))

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="workplan_report_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.reported_on} {self.percent}%"


def attachment_path(instance: ProgressAttachment, filename: str) -> str:
    # The stored name is not the uploaded one: files are reached only through the scoped view.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"workplan/reports/{uuid.uuid4().hex}.{suffix}"


class ProgressAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class NotificationKind(models.TextChoices):
    OVERDUE = "overdue", _("逾期提醒")
    STALE = "stale", _("未报送提醒")
    SUBTASK_OVERDUE = "subtask_overdue", _("分解任务逾期")
    MANUAL = "manual", _("督办提醒")
    ASSIGNED = "assigned", _("任务交办")


class Notification(models.Model):
    """An in-app message to one user (我的提醒)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="workplan_notifications")
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    milestone = models.ForeignKey(Milestone, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # "<kind>:<object>:<date>" — one reminder per recipient, object and day, whoever sends it.
    dedupe_key = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="workplan_notification_once"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text[:50]


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    SAVED = "saved", _("已导入")
    DISCARDED = "discarded", _("已放弃")


# An import job's row: saved once or discarded once; no history of its own (the audit row says
# who did it).
DRAFT_TRANSITIONS: dict[str, set[str]] = {
    DraftStatus.DRAFT: {DraftStatus.SAVED, DraftStatus.DISCARDED},
}

class PlanDraft(models.Model):
    """An uploaded plan as parsed, corrected by the office in the preview before it is saved."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+",
                            verbose_name=_("制定单位"))
    source_name = models.CharField(_("来源文件"), max_length=255)
    data = models.JSONField(_("识别结果"))
    status = models.CharField(max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("导入草稿")
        verbose_name_plural = _("导入草稿")

    def __str__(self) -> str:
        return self.source_name
