"""The cadre's side of 公示: the notices they manage, publishing, deciding, closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.notices import selectors, services
from gonghui.notices.forms import DecideForm, PublishForm, WithdrawForm
from gonghui.notices.models import Notice, Objection
from gonghui.notices.permissions import access_notice_manage, access_objection

GENERAL_KIND = "notices.general"


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "kind")}
    queryset = selectors.managed_notices(viewer=request.user, q=params["q"],
                                         status=params["status"], kind=params["kind"])
    if not queryset.exists():
        # Nothing to manage: the page is for holders of the publishing capability (404/403).
        require_capability(request.user, Capability.ORG_WRITE)
    return render(request, "notices/manage_list.html", {
        "page": paginate(request, queryset), "params": params,
        "statuses": Notice.Status.choices, "qs": querystring_without_page(request),
        "can_publish": selectors.publishable_orgs(viewer=request.user).exists(),
    })


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.ORG_WRITE)
    form = PublishForm(request.POST if request.method == "POST" else None,
                       orgs=selectors.publishable_orgs(viewer=request.user))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.notice_publish(
            kind=GENERAL_KIND, title=data["title"], org=data["org"], body=data["body"],
            items=services.items_from_lines(data["items"].splitlines()),
            working_days=data["working_days"], start_date=data["start_date"],
            actor=request.user), form=form, success=_("公示已发布。"))
        if outcome.ok and outcome.value is not None:
            return redirect("notices:manage_detail", outcome.value.pk)
    return render(request, "notices/publish.html", {"form": form},
                  status=form_status(form, outcome))


@login_required
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice_manage(request.user, pk)
    status = request.GET.get("status", "").strip()
    objections = selectors.notice_objections(notice, status=status)
    return render(request, "notices/manage_detail.html", {
        "notice": notice, "page": paginate(request, objections), "status": status,
        "statuses": Objection.Status.choices, "qs": querystring_without_page(request),
        "items": selectors.notice_items(notice),
        "upheld_items": selectors.notice_items(notice, upheld=True).count(),
        "history": notice.history.all(), "decide_form": DecideForm(),
        "withdraw_form": WithdrawForm(), "today_open": services.is_open_for_objections(notice),
    })


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    notice = access_notice_manage(request.user, pk, write=True)
    objection = access_objection(request.user, notice, objection_id)
    form = DecideForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.objection_decide(
            objection=objection, upheld=form.cleaned_data["decision"] == "upheld",
            reason=form.cleaned_data["reason"], actor=request.user),
            form=form, success=_("异议已处理。"))
        if outcome.ok:
            return redirect("notices:manage_detail", notice.pk)
    return render(request, "notices/decide.html", {
        "notice": notice, "objection": objection, "form": form,
    }, status=form_status(form, outcome))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice_manage(request.user, pk, write=True)
    outcome = run_service(request, lambda: services.notice_close(notice=notice,
                                                                   actor=request.user),
                          success=_("公示已结束。"))
    if outcome.ok:
        return redirect("notices:manage_detail", notice.pk)
    return manage_detail_with_status(request, notice.pk, outcome.status)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice_manage(request.user, pk, write=True)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回原因。"))
        return manage_detail_with_status(request, notice.pk, 400)
    outcome = run_service(request, lambda: services.notice_withdraw(
        notice=notice, reason=form.cleaned_data["reason"], actor=request.user),
        success=_("公示已撤回。"))
    if outcome.ok:
        return redirect("notices:manage_detail", notice.pk)
    return manage_detail_with_status(request, notice.pk, outcome.status)


def manage_detail_with_status(request: HttpRequest, pk: int, status: int) -> HttpResponse:
    """The management page again after a refusal (its message is flashed), with its status."""
    response = manage_detail(request, pk)
    response.status_code = status
    return response
