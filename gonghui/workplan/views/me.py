"""My department's tasks and my reminders (我的提醒)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.workplan import selectors
from gonghui.workplan.models import NotificationKind
from gonghui.workplan.permissions import access_notification, require_workplan_page
from gonghui.workplan.rules import HEALTH_BADGES, Health
from gonghui.workplan.services import reminders
from gonghui.workplan.supervision import open_subtask_dues, verdict_for


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    require_workplan_page(request.user)
    today = clock.today()
    params = {k: request.GET.get(k, "").strip() for k in ("q", "health", "closed")}
    milestones = selectors.my_milestones(viewer=request.user, include_closed=params["closed"] == "1")
    if params["q"]:
        milestones = milestones.filter(Q(title__icontains=params["q"])
                                       | Q(item__title__icontains=params["q"]))
    listed = list(milestones[:500])
    dues = open_subtask_dues({"milestone__in": [m.pk for m in listed]})
    rows = [(m, verdict_for(m, m.item.plan, today, dues.get(m.pk, ()))) for m in listed]
    if params["health"]:
        rows = [(m, v) for m, v in rows if v and v.health == params["health"]]
    page = paginate(request, rows)
    return render(request, "workplan/my_tasks.html", {
        "departments": selectors.my_departments(viewer=request.user), "page": page,
        "subtasks": selectors.my_subtasks(viewer=request.user)[:50], "params": params,
        "qs": querystring_without_page(request), "badges": HEALTH_BADGES, "today": today,
        "healths": [(h, Health(h).label) for h in (Health.OVERDUE, Health.AT_RISK, Health.ON_TRACK,
                                                   Health.DONE)],
    })


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    require_workplan_page(request.user)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "unread")}
    queryset = selectors.notifications_for(request.user, unread_only=params["unread"] == "1",
                                           q=params["q"], kind=params["kind"])
    return render(request, "workplan/notifications.html", {
        "page": paginate(request, queryset), "params": params, "kinds": NotificationKind.choices,
        "qs": querystring_without_page(request), "unread": selectors.unread_count(request.user),
    })


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access_notification(request.user, pk)
    reminders.notification_mark_read(notification=notification, actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("workplan:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = reminders.notifications_mark_all_read(user=request.user, actor=request.user)
    messages.success(request, _("已将 {n} 条提醒标为已读。").format(n=count))
    return redirect("workplan:notifications")
