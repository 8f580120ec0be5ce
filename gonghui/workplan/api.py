"""Work plans over JSON: plans, items, milestones, progress reports, reminders. Same services
as the pages: they decide who may write (404 outside the subtree, 403 when read-only, 400 when
a rule refuses). A write loads its object through the same `access_*` gate first and reads its
payload after (`core.payload`), so a caller who may not use the route gets 404/403 whatever it
sends. Lists are pages (`core.paging`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Day, Days, Year
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_patch
from gonghui.orgs.permissions import access_org
from gonghui.workplan import selectors
from gonghui.workplan.models import Department, Item, Milestone, Notification, Plan, ProgressReport
from gonghui.workplan.parsing import (
    ParsedHeading,
    ParsedItem,
    ParsedNotice,
    ParsedPlan,
    int_to_cn,
    parse_plan,
)
from gonghui.workplan.permissions import (
    access_item,
    access_milestone,
    access_notification,
    access_plan,
    require_issuer_page,
    require_workplan_page,
)
from gonghui.workplan.services import breakdown, plans, progress, reminders
from gonghui.workplan.supervision import ItemRow, open_subtask_dues, plan_supervision, verdict_for

router = Router()


# ---------------------------------------------------------------------------------------------
# schemas


class PlanOut(Schema):
    id: int
    org: str
    org_name: str
    year: int
    title: str
    doc_number: str
    issuing_office: str
    issued_on: dt.date | None
    at_risk_days: int
    stale_days: int
    item_count: int


class PlanFilter(Schema):
    q: str = ""
    year: Year | None = None
    org: str = ""


class DepartmentOut(Schema):
    id: int
    name: str
    role: str


class ItemOut(Schema):
    id: int
    number: int
    label: str
    heading: int | None
    heading_text: str
    title: str
    text: str
    departments: list[DepartmentOut]
    health: str
    reasons: list[str]


class HeadingOut(Schema):
    number: int
    label: str
    text: str


class PlanDetail(PlanOut):
    header: str
    notice_title: str
    notice_recipients: str
    notice_body: str
    preamble: str
    headings: list[HeadingOut]
    items: list[ItemOut]


class NoticeIn(Schema):
    header: str = ""
    doc_number: str = ""
    title: str = ""
    recipients: str = ""
    body: str = ""
    office: str = ""
    issued_on: Day | None = None


class HeadingIn(Schema):
    text: str


class ItemIn(Schema):
    heading: int | None = None  # index into headings
    label: str = ""
    title: str = ""
    text: str
    departments: list[str]  # lead first


class PlanIn(Schema):
    org: str
    title: str
    year: Year
    notice: NoticeIn = NoticeIn()
    preamble: str = ""
    headings: list[HeadingIn] = []
    items: list[ItemIn]
    source_name: str = ""


class ParseIn(Schema):
    text: str


class PlanPatch(Schema):
    title: str | None = None
    year: Year | None = None
    doc_number: str | None = None
    issuing_office: str | None = None
    issued_on: Day | None = None
    preamble: str | None = None
    at_risk_days: Days | None = None
    stale_days: Days | None = None


class SupervisionCountsOut(Schema):
    overdue: int
    at_risk: int
    on_track: int
    done: int
    unplanned: int


class GroupCounts(Schema):
    name: str
    counts: SupervisionCountsOut
    co_items: int = 0


class SupervisionOut(Schema):
    plan: int
    today: dt.date
    counts: SupervisionCountsOut
    milestone_counts: SupervisionCountsOut
    by_heading: list[GroupCounts]
    by_department: list[GroupCounts]
    items: list[ItemOut]


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str


class ProgressReportOut(Schema):
    id: int
    reported_on: dt.date
    percent: int
    text: str
    department: str
    author: str
    attachments: list[AttachmentOut]


class MilestoneOut(Schema):
    id: int
    item: int
    title: str
    department: str
    starts_on: dt.date
    due_date: dt.date
    status: str
    percent: int
    last_report_on: dt.date | None
    completed_on: dt.date | None
    health: str | None
    reasons: list[str]


class MilestoneIn(Schema):
    title: str
    due_date: Day
    starts_on: Day | None = None
    department: str = ""  # name; the lead department when empty


class TransitionIn(Schema):
    action: str  # complete | reopen | cancel
    reason: str = ""


class ReportIn(Schema):
    percent: int
    text: str


class DepartmentsIn(Schema):
    departments: list[str]  # names of the org's departments, lead first


class WorkplanNotificationOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    created_at: dt.datetime
    read: bool


class RemindOut(Schema):
    sent: int
    already: int
    overdue: int
    stale: int
    subtasks: int
    no_recipient: int


# ---------------------------------------------------------------------------------------------
# helpers


def _plan_out(plan: Plan, item_count: int | None = None) -> dict[str, Any]:
    return {
        "id": plan.pk, "org": plan.org.code, "org_name": plan.org.name, "year": plan.year,
        "title": plan.title, "doc_number": plan.doc_number, "issuing_office": plan.issuing_office,
        "issued_on": plan.issued_on, "at_risk_days": plan.at_risk_days,
        "stale_days": plan.stale_days,
        "item_count": item_count if item_count is not None else plan.items.count(),
    }


def _item_out(row: ItemRow) -> dict[str, Any]:
    departments = ([{"id": row.lead.pk, "name": row.lead.name, "role": "lead"}] if row.lead else [])
    departments += [{"id": d.pk, "name": d.name, "role": "co"} for d in row.co]
    return {
        "id": row.item.pk, "number": row.item.number, "label": row.item.label,
        "heading": row.heading.number if row.heading else None,
        "heading_text": row.heading.text if row.heading else "", "title": row.item.title,
        "text": row.item.text, "departments": departments, "health": str(row.health),
        "reasons": row.reasons,
    }


def _milestone_out(milestone: Milestone) -> dict[str, Any]:
    item = milestone.item
    dues = open_subtask_dues({"milestone": milestone})
    verdict = verdict_for(milestone, item.plan, clock.today(), dues.get(milestone.pk, ()))
    return {
        "id": milestone.pk, "item": item.pk, "title": milestone.title,
        "department": milestone.department.name, "starts_on": milestone.starts_on,
        "due_date": milestone.due_date, "status": milestone.status, "percent": milestone.percent,
        "last_report_on": milestone.last_report_on, "completed_on": milestone.completed_on,
        "health": str(verdict.health) if verdict else None,
        "reasons": list(verdict.reasons) if verdict else [],
    }


def _departments_by_name(plan: Plan, names: list[str]) -> list[Department]:
    found = {d.name: d for d in Department.objects.filter(org_id=plan.org_id, name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ApplicationError(f"本单位没有这些部门：{'、'.join(missing)}", code="department_unknown")
    return [found[n] for n in names]


# ---------------------------------------------------------------------------------------------
# plans


@router.get("/plans", response=Page[PlanOut])
def list_plans(request: HttpRequest, filters: Query[PlanFilter], paging: Query[PageParams]):
    """Plans of the caller's subtrees (their org's and those below)."""
    require_workplan_page(request.user)
    queryset = selectors.plan_list(viewer=request.user, q=filters.q, year=filters.year,
                                   org_code=filters.org)
    return paginate(request, queryset, paging,
                    item=lambda p: _plan_out(p, getattr(p, "item_count", None)))


@router.post("/plans/parse", response=dict, openapi_extra=body_schema(ParseIn))
def parse(request: HttpRequest) -> dict[str, Any]:
    """Recognise a plan's text without saving anything (what the import preview shows); for
    those who may import, as the import page."""
    require_issuer_page(request.user)
    payload = parse_body(request, ParseIn)
    return parse_plan(payload.text).to_dict()


@router.post("/plans", response={201: PlanDetail}, openapi_extra=body_schema(PlanIn))
def create_plan(request: HttpRequest):
    """Create a plan; `plan_create` decides (workplan.write over the org, and an active
    federation from street level up — the same rule as the import page and the CLI). The
    gate before the payload: who holds workplan.write nowhere gets 404/403 whatever is sent."""
    require_capability(request.user, Capability.WORKPLAN_WRITE)
    payload = parse_body(request, PlanIn)
    org = access_org(request.user, payload.org)
    parsed = ParsedPlan(
        title=payload.title, year=payload.year, preamble=payload.preamble,
        notice=ParsedNotice(**payload.notice.dict()),
        headings=[ParsedHeading(number=i + 1, label="", text=h.text)
                  for i, h in enumerate(payload.headings)],
        items=[ParsedItem(number=i + 1, label=it.label or str(i + 1), heading=it.heading,
                          title=it.title, text=it.text, departments=it.departments)
               for i, it in enumerate(payload.items)],
    )
    for heading in parsed.headings:
        heading.label = int_to_cn(heading.number)
    plan = plans.plan_create(org=org, parsed=parsed, actor=request.user,
                             source_name=payload.source_name or "API")
    return Status(201, _plan_detail(plan))


def _plan_detail(plan: Plan) -> dict[str, Any]:
    sup = plan_supervision(plan, today=clock.today())
    return {
        **_plan_out(plan, len(sup.rows)), "header": plan.header, "notice_title": plan.notice_title,
        "notice_recipients": plan.notice_recipients, "notice_body": plan.notice_body,
        "preamble": plan.preamble,
        "headings": [{"number": h.number, "label": h.label, "text": h.text}
                     for h in plan.headings.order_by("number")],
        "items": [_item_out(r) for r in sup.rows],
    }


@router.get("/plans/{plan_id}", response=PlanDetail)
def get_plan(request: HttpRequest, plan_id: int):
    return _plan_detail(access_plan(request.user, plan_id))


@router.patch("/plans/{plan_id}", response=PlanOut, openapi_extra=body_schema(PlanPatch))
def update_plan(request: HttpRequest, plan_id: int):
    plan = access_plan(request.user, plan_id, write=True)
    _payload, changes = parse_patch(request, PlanPatch)
    return _plan_out(plans.plan_update(plan=plan, actor=request.user, **changes))


@router.get("/plans/{plan_id}/supervision", response=SupervisionOut)
def supervision(request: HttpRequest, plan_id: int, department: int | None = None):
    """督查: every item's verdict today, counts by heading and by lead department."""
    plan = access_plan(request.user, plan_id)
    dept = None
    if department is not None:
        dept = Department.objects.filter(pk=department, org_id=plan.org_id).first()
        if dept is None:
            raise NotFound()
    sup = plan_supervision(plan, today=clock.today(), department=dept)
    return {
        "plan": plan.pk, "today": sup.today, "counts": sup.counts,
        "milestone_counts": sup.milestone_counts,
        "by_heading": [{"name": f"{h.label}、{h.text}" if h else "", "counts": c}
                       for h, c in sup.by_heading],
        "by_department": [{"name": d.name, "counts": c, "co_items": co}
                          for d, c, co in sup.by_department],
        "items": [_item_out(r) for r in sup.rows],
    }


@router.post("/plans/{plan_id}/remind", response=RemindOut)
def remind(request: HttpRequest, plan_id: int):
    plan = access_plan(request.user, plan_id)
    result = reminders.reminders_send(actor=request.user, plans=[plan])
    return result.__dict__


# ---------------------------------------------------------------------------------------------
# items and milestones


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: int):
    item = access_item(request.user, item_id)
    sup = plan_supervision(item.plan, today=clock.today())
    return _item_out(next(r for r in sup.rows if r.item.pk == item.pk))


@router.put("/items/{item_id}/departments", response=ItemOut,
            openapi_extra=body_schema(DepartmentsIn))
def set_departments(request: HttpRequest, item_id: int):
    item = access_item(request.user, item_id, supervise=True)
    payload = parse_body(request, DepartmentsIn)
    breakdown.item_departments_set(item=item, actor=request.user,
                                   departments=_departments_by_name(item.plan, payload.departments))
    return get_item(request, item_id)


@router.get("/items/{item_id}/milestones", response=Page[MilestoneOut])
def list_milestones(request: HttpRequest, item_id: int, paging: Query[PageParams]):
    item: Item = access_item(request.user, item_id)
    rows = selectors.item_milestones(item).select_related("item__plan")
    return paginate(request, rows, paging, item=_milestone_out)


@router.post("/items/{item_id}/milestones", response={201: MilestoneOut},
             openapi_extra=body_schema(MilestoneIn))
def create_milestone(request: HttpRequest, item_id: int):
    item = access_item(request.user, item_id, manage=True)
    payload = parse_body(request, MilestoneIn)
    department = (_departments_by_name(item.plan, [payload.department])[0]
                  if payload.department else None)
    milestone = breakdown.milestone_create(item=item, title=payload.title,
                                           due_date=payload.due_date, starts_on=payload.starts_on,
                                           department=department, actor=request.user)
    return Status(201, _milestone_out(milestone))


@router.get("/milestones/{milestone_id}", response=MilestoneOut)
def get_milestone(request: HttpRequest, milestone_id: int):
    return _milestone_out(access_milestone(request.user, milestone_id))


@router.post("/milestones/{milestone_id}/transition", response=MilestoneOut,
             openapi_extra=body_schema(TransitionIn))
def milestone_transition(request: HttpRequest, milestone_id: int):
    milestone = access_milestone(request.user, milestone_id, action="supervise")
    payload = parse_body(request, TransitionIn)
    services = {"complete": breakdown.milestone_complete, "reopen": breakdown.milestone_reopen,
                "cancel": breakdown.milestone_cancel}
    if payload.action not in services:
        raise ApplicationError("action 应为 complete、reopen 或 cancel。", code="action_unknown")
    services[payload.action](milestone=milestone, actor=request.user, reason=payload.reason)
    return _milestone_out(access_milestone(request.user, milestone_id))


def _report_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.pk, "reported_on": report.reported_on, "percent": report.percent,
        "text": report.text, "department": report.department.name if report.department else "",
        "author": report.author.get_username() if report.author else "",
        "attachments": [{"id": a.pk, "name": a.name, "size": a.size,
                         "url": reverse("workplan:attachment", args=[a.pk])}
                        for a in report.attachments.all()],
    }


@router.get("/milestones/{milestone_id}/reports", response=Page[ProgressReportOut])
def list_reports(request: HttpRequest, milestone_id: int, paging: Query[PageParams]):
    milestone = access_milestone(request.user, milestone_id)
    rows = milestone.reports.select_related("department", "author").prefetch_related("attachments")
    return paginate(request, rows, paging, item=_report_out)


@router.post("/milestones/{milestone_id}/reports", response={201: ProgressReportOut},
             openapi_extra=body_schema(ReportIn))
def create_report(request: HttpRequest, milestone_id: int):
    """File a progress report (attachments go through the page's form)."""
    milestone = access_milestone(request.user, milestone_id, action="report")
    payload = parse_body(request, ReportIn)
    report = progress.progress_report_create(milestone=milestone, percent=payload.percent,
                                             text=payload.text, actor=request.user)
    return Status(201, _report_out(report))


# ---------------------------------------------------------------------------------------------
# my reminders


def _notification_out(notification: Notification) -> dict[str, Any]:
    return {"id": notification.pk, "kind": notification.kind, "text": notification.text,
            "link": notification.link, "created_at": notification.created_at,
            "read": notification.read_at is not None}


@router.get("/notifications", response=Page[WorkplanNotificationOut])
def list_notifications(request: HttpRequest, paging: Query[PageParams], unread: bool = False):
    """The caller's own reminders, newest first."""
    require_workplan_page(request.user)
    rows = selectors.notifications_for(request.user, unread_only=unread)
    return paginate(request, rows, paging, item=_notification_out)


@router.post("/notifications/{notification_id}/read", response=WorkplanNotificationOut)
def read_notification(request: HttpRequest, notification_id: int):
    notification = reminders.notification_mark_read(
        notification=access_notification(request.user, notification_id), actor=request.user)
    return _notification_out(notification)

