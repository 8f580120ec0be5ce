"""Pages of the seasonal programmes: list, create, beneficiary list, approve, pay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import can
from gonghui.aid import nextstep, selectors
from gonghui.aid.forms import ProgrammeForm
from gonghui.aid.models import BeneficiaryStatus, Programme, ProgrammeKind, ProgrammeStatus
from gonghui.aid.permissions import access_aid_org, access_beneficiary, access_programme
from gonghui.aid.services import programmes as svc
from gonghui.audit.labels import decorate
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year", "kind", "status")}
    queryset = selectors.programme_list(viewer=request.user, **params)
    return render(request, "aid/programme_list.html", {
        "page": paginate(request, queryset), "params": params, "kinds": ProgrammeKind.choices,
        "statuses": ProgrammeStatus.choices, "qs": querystring_without_page(request),
        "can_create": has_capability(request.user, Capability.AID_WRITE), "tab": "programmes",
    })


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_WRITE)
    owners = selectors.writable_orgs(request.user)
    form = ProgrammeForm(posted(request), initial={"year": clock.today().year})
    org_code = request.POST.get("org", owners[0].code if owners else "")
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.programme_create(
            org=access_aid_org(request.user, org_code), actor=request.user, **form.cleaned_data),
            form=form, success=_("已创建项目，请生成帮扶名单。"))
        if outcome.ok and outcome.value is not None:
            return redirect("aid:programme", outcome.value.pk)
    return render(request, "aid/programme_form.html", {
        "form": form, "owners": owners, "org_code": org_code, "title": _("新建帮扶项目"),
        "tab": "programmes"}, status=form_status(form, outcome))


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    initial = {name: getattr(programme, name) for name in svc.FIELDS}
    form = ProgrammeForm(posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.programme_update(
            programme=programme, actor=request.user, **form.cleaned_data), form=form,
            success=_("已保存。"))
        if outcome.ok:
            return redirect("aid:programme", programme.pk)
    return render(request, "aid/programme_form.html", {
        "form": form, "programme": programme, "title": _("编辑帮扶项目"), "tab": "programmes"},
        status=form_status(form, outcome))


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme_page(request, access_programme(request.user, pk))


def _programme_page(request: HttpRequest, programme: Programme, *, status: int = 200
                    ) -> HttpResponse:
    """The programme page; a refused button action shows it again with the refusal's status
    (400, or 409 for a conflict) and its message."""
    state = request.GET.get("status", "").strip()
    can_write = has_capability(request.user, Capability.AID_WRITE, programme.org)
    history = list(selectors.programme_record(programme))
    decorate(history)
    rows = (selectors.programme_rows_for(programme, request.user).select_related("file", "union")
            .order_by("union_path", "id"))
    if state:
        rows = rows.filter(status=state)
    return render(request, "aid/programme_detail.html", {
        "programme": programme, "page": paginate(request, rows, per_page=50),
        "qs": querystring_without_page(request), "status": state,
        "statuses": BeneficiaryStatus.choices, "totals": selectors.programme_totals(programme),
        "committed": svc.committed(programme),
        "can_write": can_write,
        # a union below the programme's sees its own households and pays them
        "can_pay": can_write or has_capability(request.user, Capability.AID_WRITE),
        "from_above": not can(request.user, programme.org, Capability.AID_READ),
        "next_step": nextstep.programme_next(request.user, programme)
        if programme.status == "draft" else None,
        "history": history, "tab": "programmes",
    }, status=status)


def _after(request: HttpRequest, programme: Programme, outcome: Outcome[Any]) -> HttpResponse:
    if outcome.ok:
        return redirect("aid:programme", programme.pk)
    fresh = access_programme(request.user, programme.pk)
    return _programme_page(request, fresh, status=outcome.status)


def _act(request: HttpRequest, pk: int, action: Callable[[Programme], Any],
         done: Callable[[Any], str]) -> HttpResponse:
    """A button on the programme page: run the service, flash what it did or why not."""
    programme = access_programme(request.user, pk, write=True)
    outcome = run_service(request, lambda: action(programme))
    if outcome.ok:
        messages.success(request, done(outcome.value))
    return _after(request, programme, outcome)


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.beneficiaries_generate(programme=p, actor=request.user),
                lambda n: _("已按条件加入 {n} 户。").format(n=n))


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    number = request.POST.get("number", "").strip().upper()
    return _act(request, pk, lambda p: svc.beneficiary_add_by_number(
        programme=p, number=number, actor=request.user),
        lambda _row: _("已加入 {n}。").format(n=number))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.programme_approve(
        programme=p, actor=request.user, note=request.POST.get("note", "")[:500]),
        lambda _p: _("项目名单已审批，可以发放。"))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.programme_close(programme=p, actor=request.user),
                lambda _p: _("项目已结束。"))


@login_required
@require_POST
def pay_all(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    outcome = run_service(request, lambda: svc.programme_pay_all(programme=programme,
                                                                 actor=request.user))
    if outcome.ok and outcome.value is not None:
        paid, problems = outcome.value
        messages.success(request, _("已发放 {n} 户。").format(n=paid))
        for problem in problems[:20]:
            messages.error(request, problem)
        if len(problems) > 20:  # the page says how many more, never drops them silently
            messages.error(request, _("另有 {n} 户未能发放，请在名单中查看。").format(
                n=len(problems) - 20))
    return _after(request, programme, outcome)


@login_required
@require_POST
def pay(request: HttpRequest, pk: int, bid: int) -> HttpResponse:
    programme = access_programme(request.user, pk)  # the service: the programme's or the row's union
    row = access_beneficiary(request.user, programme, bid)
    outcome = run_service(request, lambda: svc.beneficiary_pay(beneficiary=row,
                                                               actor=request.user),
                          success=_("已向 {name} 户发放。").format(name=row.file.applicant_name))
    return _after(request, programme, outcome)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, bid: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    row = access_beneficiary(request.user, programme, bid)
    outcome = run_service(request, lambda: svc.beneficiary_remove(
        beneficiary=row, actor=request.user, reason=request.POST.get("reason", "")),
        success=_("已移出名单。"))
    return _after(request, programme, outcome)
