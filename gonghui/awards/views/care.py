"""Pages of the model-worker register, care records and due lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.awards import selectors
from gonghui.awards.forms import CareForm, RegisterForm
from gonghui.awards.models import CareKind
from gonghui.awards.permissions import access_awards_org, access_model_worker
from gonghui.awards.services import register as svc
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service

READ, WRITE = Capability.AWARDS_READ, Capability.AWARDS_WRITE


@login_required
def register(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "due")}
    rows = selectors.model_worker_list(viewer=request.user, q=params["q"], due=params["due"])
    return render(request, "awards/register.html", {
        "page": paginate(request, rows), "params": params,
        "qs": querystring_without_page(request), "tab": "register",
        "can_create": has_capability(request.user, WRITE)})


@login_required
def register_add(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = selectors.writable_orgs(request.user)
    form = RegisterForm(posted(request), initial={"union": orgs[0].code if orgs else ""})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        union = access_awards_org(request.user, d["union"], write=True)
        person, problem = selectors.find_member(union.path, d["member"])
        if person is None:
            form.add_error("member", problem)
        else:
            outcome = run_service(request, lambda: svc.model_worker_add(
                person=person, union=union, actor=request.user, kind=d["kind"], year=d["year"],
                level=d["level"], title=d["title"], monthly_allowance=d["monthly_allowance"]),
                form=form, success=_("已录入劳模档案。"))
            if outcome.ok and outcome.value is not None:
                return redirect("awards:model_worker", outcome.value.pk)
    return render(request, "awards/form.html", {
        "form": form, "title": _("录入劳模档案"), "tab": "register", "orgs": orgs},
        status=outcome.status if outcome is not None and not outcome.ok
        else form_status(form))


@login_required
def model_worker(request: HttpRequest, pk: int) -> HttpResponse:
    worker = access_model_worker(request.user, pk)
    return render(request, "awards/model_worker.html", {
        "w": worker, "honours": worker.honours.all(),
        "care": worker.care.select_related("aid_file")[:100],
        "last": selectors.last_care(worker), "kinds": CareKind.choices,
        "form": CareForm(initial={"on": clock.today()}),
        "can_write": has_capability(request.user, WRITE, worker.union), "tab": "register"})


@login_required
@require_POST
def care_add(request: HttpRequest, pk: int) -> HttpResponse:
    worker = access_model_worker(request.user, pk, write=True)
    form = CareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写类别、日期和金额。"))
        response = model_worker(request, pk)
        response.status_code = 400
        return response
    outcome = run_service(request, lambda: svc.care_record(worker=worker, actor=request.user,
                                                           **form.cleaned_data),
                          success=_("关爱记录已登记。"))
    if not outcome.ok:
        response = model_worker(request, pk)
        response.status_code = outcome.status
        return response
    return redirect("awards:model_worker", worker.pk)


@login_required
@require_POST
def hardship(request: HttpRequest, pk: int) -> HttpResponse:
    worker = access_model_worker(request.user, pk, write=True)
    note = request.POST.get("note", "").strip()
    outcome = run_service(request, lambda: svc.hardship_help(
        worker=worker, actor=request.user, note=note), success=_("已建立/关联困难帮扶档案。"))
    if outcome.ok and outcome.value is not None and outcome.value.aid_file_id:
        return redirect("aid:file", outcome.value.aid_file_id)
    response = model_worker(request, pk)
    response.status_code = outcome.status
    return response
