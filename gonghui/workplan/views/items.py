"""An item and its breakdown: responsible departments, milestones, sub-tasks, progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded
from gonghui.workplan import selectors
from gonghui.workplan.forms import (
    ItemDepartmentsForm,
    ItemForm,
    MilestoneForm,
    ReasonForm,
    ReportForm,
    SubTaskForm,
)
from gonghui.workplan.models import Department, DepartmentRole, Item, Milestone, MilestoneStatus
from gonghui.workplan.permissions import (
    access_attachment,
    access_item,
    access_milestone,
    access_subtask,
    can_manage_item,
    can_report,
    can_supervise,
    department_ids,
)
from gonghui.workplan.rules import HEALTH_BADGES
from gonghui.workplan.services import breakdown, progress
from gonghui.workplan.supervision import open_subtask_dues, verdict_for


def _item_departments(item: Item) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=[a.department_id for a in item.assignments.all()])


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk)
    plan = item.plan
    today = clock.today()
    milestones = list(selectors.item_milestones(item))
    dues = open_subtask_dues({"milestone__item": item})
    rows = [(m, verdict_for(m, plan, today, dues.get(m.pk, ()))) for m in milestones]
    manage = can_manage_item(request.user, item)
    supervise = can_supervise(request.user, plan)
    org_departments = Department.objects.filter(org=plan.org, is_active=True)
    assignments = list(item.assignments.all())
    lead = next((a.department for a in assignments if a.role == DepartmentRole.LEAD), None)
    return render(request, "workplan/item_detail.html", {
        "item": item, "plan": plan, "rows": rows, "badges": HEALTH_BADGES,
        "assignments": assignments, "can_manage": manage, "can_supervise": supervise,
        "departments_form": ItemDepartmentsForm(departments=org_departments, initial={
            "lead": lead, "co": [a.department for a in assignments if a.role == DepartmentRole.CO],
        }) if supervise else None,
    })


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk, supervise=True)
    form = ItemForm(posted(request), plan=item.plan,
                    initial={"title": item.title, "text": item.text, "heading": item.heading})
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: breakdown.item_update(
            item=item, actor=request.user, **form.cleaned_data), form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("workplan:item", item.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("编辑任务"), "back": item, "plan": item.plan},
        status=form_status(form, outcome))


@login_required
def item_departments(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk, supervise=True)
    departments = Department.objects.filter(org=item.plan.org, is_active=True)
    form = ItemDepartmentsForm(posted(request), departments=departments)
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        current = [a.department_id for a in item.assignments.all()]
        outcome = run_service(request, lambda: breakdown.item_departments_set(
            item=item, departments=form.ordered(current), actor=request.user),
            form=form, success=_("责任单位已更新。"))
        if outcome.ok:
            return redirect("workplan:item", item.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("设置责任单位"), "back": item, "plan": item.plan},
        status=form_status(form, outcome))


@login_required
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk, manage=True)
    form = MilestoneForm(posted(request), departments=_item_departments(item),
                         initial={"starts_on": clock.today()})
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: breakdown.milestone_create(
            item=item, actor=request.user, **form.cleaned_data), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已添加节点“{t}”。").format(t=outcome.value.title))
            return redirect("workplan:item", item.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("添加节点"), "back": item, "plan": item.plan},
        status=form_status(form, outcome))


@login_required
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_page(request, access_milestone(request.user, pk))


def _milestone_page(request: HttpRequest, milestone: Milestone, status: int = 200) -> HttpResponse:
    """The milestone's page; after a refused POST, with the refusal's status and message."""
    item = milestone.item
    plan = item.plan
    today = clock.today()
    dues = open_subtask_dues({"milestone": milestone})
    mine = department_ids(request.user)
    manage = can_manage_item(request.user, item)
    return render(request, "workplan/milestone_detail.html", {
        "milestone": milestone, "item": item, "plan": plan,
        "verdict": verdict_for(milestone, plan, today, dues.get(milestone.pk, ())),
        "badges": HEALTH_BADGES,
        "reports": milestone.reports.select_related("author", "department").prefetch_related(
            "attachments"),
        "history": milestone.history.select_related("actor"),
        "subtasks": milestone.subtasks.select_related("department"),
        "can_report": can_report(request.user, milestone) and milestone.status == MilestoneStatus.OPEN,
        "can_manage": manage, "can_supervise": can_supervise(request.user, plan),
        "mine": mine, "today": today,
        "report_form": ReportForm(initial={"percent": milestone.percent}),
        "can_delegate": manage and milestone.status == MilestoneStatus.OPEN,
        "can_edit": manage and milestone.status == MilestoneStatus.OPEN,
    }, status=status)


@login_required
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, action="manage")
    form = MilestoneForm(posted(request), departments=_item_departments(milestone.item),
                         initial={"title": milestone.title, "starts_on": milestone.starts_on,
                                  "due_date": milestone.due_date,
                                  "department": milestone.department})
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: breakdown.milestone_update(
            milestone=milestone, actor=request.user, **form.cleaned_data),
            form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("workplan:milestone", milestone.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("修改节点"), "back": milestone, "plan": milestone.item.plan},
        status=form_status(form, outcome))


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, action="report")
    form = ReportForm(posted(request), uploaded(request))
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        mine = department_ids(request.user)
        item_departments = [a.department for a in milestone.item.assignments.all()]
        reporting = (milestone.department if milestone.department_id in mine else
                     next((d for d in item_departments if d.pk in mine), milestone.department))
        outcome = run_service(request, lambda: progress.progress_report_create(
            milestone=milestone, percent=form.cleaned_data["percent"],
            text=form.cleaned_data["text"], files=form.cleaned_data["attachments"],
            department=reporting, actor=request.user), form=form, success=_("进度已报送。"))
        if outcome.ok:
            return redirect("workplan:milestone", milestone.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("报送进度"), "back": milestone, "plan": milestone.item.plan,
        "multipart": True}, status=form_status(form, outcome))


@login_required
@require_POST
def milestone_status(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, action="supervise")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    action = request.POST.get("action", "")
    services = {"complete": breakdown.milestone_complete, "reopen": breakdown.milestone_reopen,
                "cancel": breakdown.milestone_cancel}
    if action not in services:
        messages.error(request, _("请选择操作：确认完成、退回或取消。"))
        return _milestone_page(request, milestone, 400)
    outcome = run_service(request, lambda: services[action](
        milestone=milestone, actor=request.user, reason=reason),
        success={"complete": _("节点已确认完成。"), "reopen": _("节点已退回。"),
                 "cancel": _("节点已取消。")}[action])
    if not outcome.ok:
        return _milestone_page(request, milestone, outcome.status)
    return redirect("workplan:milestone", milestone.pk)


@login_required
def subtask_new(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk, action="manage")
    departments = Department.objects.filter(org=milestone.item.plan.org, is_active=True).exclude(
        pk=milestone.department_id)
    form = SubTaskForm(posted(request), departments=departments)
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: breakdown.subtask_create(
            milestone=milestone, actor=request.user, **form.cleaned_data), form=form,
            success=_("已交办给{d}。").format(d=form.cleaned_data["department"]))
        if outcome.ok:
            return redirect("workplan:milestone", milestone.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("分解交办"), "back": milestone, "plan": milestone.item.plan},
        status=form_status(form, outcome))


@login_required
@require_POST
def subtask_status(request: HttpRequest, pk: int) -> HttpResponse:
    subtask = access_subtask(request.user, pk)
    move = (breakdown.subtask_reopen if request.POST.get("action") == "reopen"
            else breakdown.subtask_complete)
    run_service(request, lambda: move(subtask=subtask, actor=request.user),
                success=_("已更新分解任务“{t}”。").format(t=subtask.title))
    return redirect("workplan:milestone", subtask.milestone_id)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments are never under a public URL: this view checks the scope, then streams."""
    item = access_attachment(request.user, pk)
    if not default_storage.exists(item.file.name):
        raise NotFound()
    return FileResponse(default_storage.open(item.file.name, "rb"), as_attachment=True,
                        filename=item.name, content_type=item.content_type or None)
