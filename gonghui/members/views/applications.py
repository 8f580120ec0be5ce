"""The cadre's queue of join applications: approve, or reject with a reason the applicant sees."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, run_service
from gonghui.members import selectors, services
from gonghui.members.choices import NewEmploymentGroup
from gonghui.members.forms import ReasonForm
from gonghui.members.models import Application, ApplicationStatus
from gonghui.members.permissions import access_application
from gonghui.members.services import identity
from gonghui.members.views.cadre import within_org


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    within = within_org(request)
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    q = request.GET.get("q", "").strip()
    queryset = selectors.application_list(viewer=request.user, status=status, q=q, within=within)
    return render(request, "members/applications.html", {
        "page": paginate(request, queryset), "status": status, "q": q, "within": within,
        "statuses": ApplicationStatus.choices, "qs": querystring_without_page(request),
        "can_bulk": has_capability(request.user, Capability.MEMBER_WRITE), "today": clock.today(),
    })


def _detail(request: HttpRequest, application: Application, *, status: int = 200,
            form: ReasonForm | None = None) -> HttpResponse:
    groups = dict(NewEmploymentGroup.choices)
    return render(request, "members/application.html", {
        "a": application, "data": application.data,
        "group": groups.get(application.data.get("new_employment_group", ""), ""),
        "events": application.events.order_by("at", "id"),
        "can_write": has_capability(request.user, Capability.MEMBER_WRITE, application.union),
        "form": form or ReasonForm(),
        "review_flags": identity.review_labels(application),
        "identity_unproven": identity.ReviewFlag.IDENTITY_UNPROVEN
        in identity.review_flags(application),
    }, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_application(request.user, pk))


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject", "confirm_identity"):
        raise NotFound()
    application = access_application(request.user, pk, write=True)
    form = ReasonForm(request.POST)
    reason = request.POST.get("reason", "")[:500]
    # refusals are flashed: the page's decision forms are buttons, not fields with errors
    outcome: Outcome[Any]
    if action == "confirm_identity":
        outcome = run_service(request, lambda: identity.application_confirm_identity(
            application=application, actor=request.user),
            success=_("已核实申请人为本人，其账户已关联该会员信息。"))
    elif action == "approve":
        outcome = run_service(request, lambda: services.application_approve(
            application=application, actor=request.user, reason=reason))
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已批准入会，会员证号 {card}。").format(
                card=outcome.value.card_number))
    else:
        outcome = run_service(request, lambda: services.application_reject(
            application=application, actor=request.user, reason=reason),
            success=_("已不予批准，申请人可以看到原因。"))
    if not outcome.ok:
        application.refresh_from_db()
        return _detail(request, application, status=outcome.status, form=form)
    return redirect("members:applications")
