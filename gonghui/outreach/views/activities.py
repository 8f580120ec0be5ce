"""Cadre pages of activities: list, new, detail (sign-ups, attendance), cancel, the rotating
check-in code, e-card check-in."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service
from gonghui.outreach import selectors
from gonghui.outreach.forms import ActivityForm, CardForm, ReasonForm
from gonghui.outreach.models import Activity, ActivityKind, ActivityStatus, SignupStatus
from gonghui.outreach.permissions import access_activity, access_org, writable_orgs
from gonghui.outreach.services import activities as svc

READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "when")}
    queryset = selectors.activity_list(viewer=request.user, **params)
    return render(request, "outreach/activity_list.html", {
        "page": paginate(request, queryset), "params": params, "kinds": ActivityKind.choices,
        "statuses": ActivityStatus.choices, "qs": querystring_without_page(request),
        "tab": "activities", "can_write": has_capability(request.user, WRITE)})


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user)
    form = ActivityForm(posted(request), initial={"org": orgs[0].code if orgs else ""})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org_code = data.pop("org")
        outcome = run_service(request, lambda: svc.activity_create(
            org=access_org(request.user, org_code), actor=request.user, **data), form=form,
            success=_("活动已发布。"))
        if outcome.ok and outcome.value is not None:
            return redirect("outreach:activity", outcome.value.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("发布活动"), "tab": "activities",
        "back": "outreach:activities"}, status=form_status(form, outcome))


def _detail(request: HttpRequest, activity: Activity, *, status: int = 200,
            cancel_form: ReasonForm | None = None, card_form: CardForm | None = None
            ) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    return render(request, "outreach/activity_detail.html", {
        "activity": activity, "stats": selectors.attendance(activity),
        "page": paginate(request, selectors.signup_list(activity, **params), per_page=50),
        "params": params, "statuses": SignupStatus.choices,
        "qs": querystring_without_page(request), "history": activity.history.all(),
        "can_write": has_capability(request.user, WRITE, activity.org),
        "cancel_form": cancel_form or ReasonForm(), "card_form": card_form or CardForm(),
        "tab": "activities"}, status=status)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_activity(request.user, pk))


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk, write=True)
    form = ReasonForm(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.activity_cancel(
            activity=activity, actor=request.user, reason=form.cleaned_data["reason"]),
            form=form, success=_("活动已取消，已通知报名会员。"))
        if outcome.ok:
            return redirect("outreach:activity", activity.pk)
    return _detail(request, activity, status=form_status(form, outcome), cancel_form=form)


@login_required
@require_POST
def activity_checkin_card(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk, write=True)
    form = CardForm(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.check_in_by_card(
            activity=activity, actor=request.user, **form.cleaned_data), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("{name} 已签到。").format(name=outcome.value.name))
            return redirect("outreach:activity", activity.pk)
    return _detail(request, activity, status=form_status(form, outcome), card_form=form)


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's screen: the check-in code, renewed every window (htmx / JSON poll)."""
    activity = access_activity(request.user, pk, write=True)
    token = svc.qr_token(activity)
    url = request.build_absolute_uri(reverse("outreach:checkin", args=[activity.pk])) + \
        f"?t={token}"
    if request.GET.get("format") == "json":
        return JsonResponse({"token": token, "url": url, "seconds": svc.QR_WINDOW_SECONDS})
    return render(request, "outreach/activity_qr.html", {
        "activity": activity, "token": token, "url": url, "seconds": svc.QR_WINDOW_SECONDS,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=6),
        "stats": selectors.attendance(activity), "tab": "activities"})
