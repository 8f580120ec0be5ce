"""督查: the supervision view of one plan, the roll-up of the plans below, reminders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.workplan import selectors
from gonghui.workplan.permissions import (
    access_milestone,
    access_plan,
    can_supervise,
    require_workplan_page,
)
from gonghui.workplan.rules import HEALTH_BADGES, HEALTH_COLOURS, HEALTH_ORDER, Health
from gonghui.workplan.services import reminders
from gonghui.workplan.supervision import plan_supervision


def _series(rows: list[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    """ECharts data for a stacked bar: categories and one series per verdict."""
    return {
        "categories": [label for label, _counts in rows],
        "series": [{"name": str(Health(h).label), "key": str(h), "color": HEALTH_COLOURS[h],
                    "data": [counts[h] for _label, counts in rows]} for h in HEALTH_ORDER],
    }


@login_required
def supervision(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    sup = plan_supervision(plan, today=clock.today())
    params = {k: request.GET.get(k, "").strip() for k in ("q", "health", "heading", "department")}
    rows = sup.rows
    if params["health"]:
        rows = [r for r in rows if r.health == params["health"]]
    if params["heading"].isdigit():
        rows = [r for r in rows if r.heading and r.heading.pk == int(params["heading"])]
    if params["department"].isdigit():
        dept = int(params["department"])
        rows = [r for r in rows if (r.lead and r.lead.pk == dept) or any(c.pk == dept for c in r.co)]
    if params["q"]:
        rows = [r for r in rows if params["q"] in r.item.title or params["q"] in r.item.text]
    leading = [(d.name, c) for d, c, _co in sup.by_department if sum(c.values())]
    charts = {
        "overall": [{"name": str(Health(h).label), "value": sup.counts[h],
                     "itemStyle": {"color": HEALTH_COLOURS[h]}} for h in HEALTH_ORDER],
        "headings": _series([(f"{h.label}、{h.text[:6]}…" if h else _("未分部分"), c)
                             for h, c in sup.by_heading]),
        # departments that lead something; those only co-operating are in the table below
        "departments": _series(leading),
    }
    return render(request, "workplan/supervision.html", {
        "plan": plan, "sup": sup, "page": paginate(request, rows, per_page=25),
        "params": params, "qs": querystring_without_page(request), "charts": charts,
        "badges": HEALTH_BADGES, "order": HEALTH_ORDER, "healths": [(h, Health(h).label) for h in HEALTH_ORDER],
        "can_supervise": can_supervise(request.user, plan),
        "dept_chart_height": max(260, 28 * len(leading) + 60),
    })


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    result = reminders.reminders_send(actor=request.user, plans=[plan])
    messages.success(request, _(
        "已发送 {sent} 条提醒（逾期节点 {o} 个，长期未报送 {s} 个，逾期分解任务 {t} 项；今天已发过的 {a} 条未重复发送）。"
    ).format(sent=result.sent, o=result.overdue, s=result.stale, t=result.subtasks,
             a=result.already))
    if result.no_recipient:
        messages.warning(request, _("{n} 个节点的责任部门还没有成员，也没有可通知的办公室人员。").format(
            n=result.no_recipient))
    return redirect("workplan:supervision", plan.pk)


@login_required
@require_POST
def remind_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access_milestone(request.user, pk)
    sent = reminders.reminder_send_manual(milestone=milestone, actor=request.user,
                                          note=request.POST.get("note", ""))
    if sent:
        messages.success(request, _("已向 {n} 人发送督办提醒。").format(n=sent))
    else:
        messages.info(request, _("今天已就该节点发送过督办提醒，或责任部门没有成员。"))
    return redirect("workplan:milestone", milestone.pk)


@login_required
def rollup(request: HttpRequest) -> HttpResponse:
    require_workplan_page(request.user)
    today = clock.today()
    years = selectors.plan_years(viewer=request.user)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else (today.year if today.year in years
                                                       else (years[0] if years else today.year))
    summaries = selectors.rollup(viewer=request.user, year=year, today=today)
    q = request.GET.get("q", "").strip()
    if q:
        summaries = [s for s in summaries if q in s.plan.org.name or q in s.plan.title]
    totals = {str(h): sum(s.counts[h] for s in summaries) for h in HEALTH_ORDER}
    charts = _series([(s.plan.org.short_name or s.plan.org.name, s.counts) for s in summaries])
    return render(request, "workplan/rollup.html", {
        "page": paginate(request, summaries), "summaries": summaries, "year": year,
        "years": years, "totals": totals, "charts": charts, "params": {"q": q},
        "qs": querystring_without_page(request), "today": today,
        "healths": [(h, Health(h).label) for h in HEALTH_ORDER],
        "chart_height": max(200, 30 * len(summaries) + 60),
    })
