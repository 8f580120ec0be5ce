"""The cadre's queue of join applications: approve, or reject with a reason the applicant sees."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.members import selectors, services
from gonghui.members.choices import NewEmploymentGroup
from gonghui.members.forms import ReasonForm
from gonghui.members.models import ApplicationStatus
from gonghui.members.permissions import access_application
from gonghui.members.views.cadre import _require_cap, _within


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    _require_cap(request, "member.read")
    within = _within(request)
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    q = request.GET.get("q", "").strip()
    queryset = selectors.application_list(viewer=request.user, status=status, q=q, within=within)
    return render(request, "members/applications.html", {
        "page": paginate(request, queryset), "status": status, "q": q, "within": within,
        "statuses": ApplicationStatus.choices, "qs": querystring_without_page(request),
    })


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    groups = dict(NewEmploymentGroup.choices)
    return render(request, "members/application.html", {
        "a": application, "data": application.data,
        "group": groups.get(application.data.get("new_employment_group", ""), ""),
        "events": application.events.order_by("at", "id"),
        "can_write": can(request.user, application.union, "member.write"),
        "form": ReasonForm(),
    })


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject"):
        raise NotFound()
    application = access_application(request.user, pk, write=True)
    reason = request.POST.get("reason", "")[:500]
    try:
        if action == "approve":
            membership = services.application_approve(application=application,
                                                      actor=request.user, reason=reason)
            messages.success(request, _("已批准入会，会员证号 {card}。").format(
                card=membership.card_number))
        else:
            services.application_reject(application=application, actor=request.user,
                                        reason=reason)
            messages.success(request, _("已不予批准，申请人可以看到原因。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("members:application", pk)
    return redirect("members:applications")
