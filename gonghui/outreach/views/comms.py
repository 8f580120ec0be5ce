"""Cadre pages of announcements: list, publish, detail with read rates per union, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.outreach import selectors
from gonghui.outreach.forms import AnnouncementForm, ReasonForm
from gonghui.outreach.models import Announcement, AnnouncementStatus
from gonghui.outreach.permissions import access_announcement, access_org, writable_orgs
from gonghui.outreach.services import announcements as svc

READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


@login_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    return render(request, "outreach/announcement_list.html", {
        "page": paginate(request, selectors.announcement_list(viewer=request.user, **params)),
        "params": params, "statuses": AnnouncementStatus.choices,
        "qs": querystring_without_page(request), "tab": "announcements",
        "can_write": has_capability(request.user, WRITE)})


@login_required
def announcement_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user)
    form = AnnouncementForm(posted(request), uploaded(request),
                            initial={"org": orgs[0].code if orgs else ""})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org_code = data.pop("org")
        outcome = run_service(request, lambda: svc.announcement_publish(
            org=access_org(request.user, org_code), actor=request.user, **data), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已发布，送达 {n} 人。").format(n=outcome.value.recipients))
            return redirect("outreach:announcement", outcome.value.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("发布通知"), "tab": "announcements", "multipart": True,
        "back": "outreach:announcements"}, status=form_status(form, outcome))


def _detail(request: HttpRequest, a: Announcement, *, status: int = 200,
            form: ReasonForm | None = None) -> HttpResponse:
    rates = selectors.read_rates(a)
    read = sum(r["read"] for r in rates)
    return render(request, "outreach/announcement_detail.html", {
        "a": a, "rates": rates, "read": read, "history": a.history.all(),
        "can_write": has_capability(request.user, WRITE, a.org), "form": form or ReasonForm(),
        "tab": "announcements"}, status=status)


@login_required
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_announcement(request.user, pk))


@login_required
@require_POST
def announcement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    a = access_announcement(request.user, pk, write=True)
    form = ReasonForm(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.announcement_withdraw(
            announcement=a, actor=request.user, reason=form.cleaned_data["reason"]), form=form,
            success=_("已撤回。"))
        if outcome.ok:
            return redirect("outreach:announcement", a.pk)
    return _detail(request, a, status=form_status(form, outcome), form=form)
