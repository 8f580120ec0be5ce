"""The inbox page: list (filter by read state, kind, text), open one, mark one / all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import run_service
from gonghui.notifications import channels, selectors, services
from gonghui.notifications.permissions import access_notification

STATES = {"unread": True, "read": False}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("state", "kind", "q")}
    queryset = selectors.inbox(viewer=request.user, unread=STATES.get(params["state"]),
                               kind=params["kind"], q=params["q"])
    page = paginate(request, queryset)
    for row in page:
        row.kind_label = channels.kind_label(row.kind)  # type: ignore[attr-defined]
    return render(request, "notifications/inbox.html", {
        "page": page, "params": params,
        "kinds": [(k, channels.kind_label(k)) for k in selectors.inbox_kinds(request.user)],
        "qs": querystring_without_page(request),
    })


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow its link (a local link only)."""
    notification = access_notification(request.user, pk)
    run_service(request, lambda: services.notification_mark_read(
        notification=notification, actor=request.user))
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access_notification(request.user, pk)
    run_service(request, lambda: services.notification_mark_read(
        notification=notification, actor=request.user))
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    run_service(request, lambda: services.notification_mark_all_read(
        actor=request.user, kind=request.POST.get("kind", "").strip()),
        success=_("已全部标为已读。"))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:inbox"
