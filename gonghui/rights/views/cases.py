"""Cadres' case pages: list, open, detail with timeline and clocks, actions, the logged ID
reveal and documents, the lawyer registry, and the list of clocks running out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.idnumber import mask
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, posted, run_service, uploaded
from gonghui.rights import deadlines, forms, selectors
from gonghui.rights.actions import CASE_ACTIONS
from gonghui.rights.models import Body, CaseKind, CaseStatus, DisputeType, Lawyer
from gonghui.rights.permissions import (
    access_case,
    access_document,
    access_employer,
    access_rights_org,
)
from gonghui.rights.services import cases as svc
from gonghui.rights.views.common import action_page, form_page
from gonghui.rights.views.files import document_response


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "kind", "dispute_type",
                                                          "body", "org")}
    overdue = request.GET.get("overdue") == "1"
    within = access_rights_org(request.user, params["org"]) if params["org"] else None
    rows = selectors.case_list(viewer=request.user, q=params["q"], status=params["status"],
                               kind=params["kind"], dispute_type=params["dispute_type"],
                               body=params["body"], within=within, overdue=overdue)
    return render(request, "rights/case_list.html", {
        "page": paginate(request, rows), "params": params, "overdue": overdue,
        "statuses": CaseStatus.choices, "kinds": CaseKind.choices, "bodies": Body.choices,
        "types": DisputeType.choices, "qs": querystring_without_page(request),
        "can_write": has_capability(request.user, Capability.RIGHTS_WRITE), "tab": "cases"})


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    form = forms.CaseOpenForm(posted(request), initial={"applied_on": clock.today()})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        union = access_rights_org(request.user, data.pop("union"), write=True)
        employer_id = data.pop("employer")
        employer = access_employer(request.user, employer_id) if employer_id else None
        kind = data.pop("kind")
        outcome = run_service(request, lambda: svc.case_open(
            union=union, kind=kind, employer=employer, actor=request.user, **data), form=form,
            success=_("案件已受理。"))
        if outcome.ok and outcome.value is not None:
            return redirect("rights:case", outcome.value.pk)
    return form_page(request, form, title=_("受理维权案件"), back=reverse("rights:cases"),
                     outcome=outcome)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    today = clock.today()
    clocks = [(c, c.days_left(today)) for c in deadlines.case_clocks(case)]
    can_write = has_capability(request.user, Capability.RIGHTS_WRITE, case.union)
    actions = []
    if can_write:
        allowed = {CaseStatus.SUBMITTED: ("accept", "reject", "withdraw"),
                   CaseStatus.OPEN: ("assign", "refer", "hearing", "close", "withdraw")}
        names = list(allowed.get(CaseStatus(case.status), ()))
        if case.status == CaseStatus.OPEN and case.body == Body.ARBITRATION \
                and not case.arbitration_extended:
            names.append("extend")
        actions = [(n, CASE_ACTIONS[n].label) for n in names]
    return render(request, "rights/case_detail.html", {
        "case": case, "clocks": clocks, "today": today, "actions": actions,
        "can_write": can_write, "history": case.history.all(),
        "referrals": case.referrals.all(), "hearings": case.hearings.all(),
        "documents": case.documents.defer("data"),
        "days_at_body": (today - case.body_since).days,
        "masked_id": mask(case.worker_id_number) if case.worker_id_number else "",
        "can_reveal": has_capability(request.user, Capability.RIGHTS_REVEAL, case.union),
        "reveal_form": forms.RevealForm(), "document_form": forms.DocumentForm(),
        "letters": case.letters.all(), "tab": "cases"})


@login_required
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = access_case(request.user, pk, write=True)
    return action_page(request, case, action, reverse("rights:case", args=[case.pk]))


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    require_capability(request.user, Capability.RIGHTS_REVEAL, case.union)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写查看完整信息的用途。"))
        return redirect_status(reverse("rights:case", args=[case.pk]), 400, request)
    number = svc.case_reveal_id(case=case, purpose=form.cleaned_data["purpose"],
                                actor=request.user)
    return render(request, "rights/revealed.html", {"case": case, "number": number})


def redirect_status(url: str, status: int, request: HttpRequest) -> HttpResponse:
    """A refused POST without a page of its own: a short page linking back, with `status`."""
    return render(request, "rights/refused.html", {"back": url}, status=status)


@login_required
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk, write=True)
    form = forms.DocumentForm(posted(request), uploaded(request))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = run_service(request, lambda: svc.document_add(
            case=case, name=upload.name, content_type=upload.content_type or "",
            data=upload.read(), actor=request.user), form=form, success=_("已上传。"))
        if outcome.ok:
            return redirect("rights:case", case.pk)
    return form_page(request, form, title=_("上传材料"), subject=str(case), multipart=True,
                     back=reverse("rights:case", args=[case.pk]), outcome=outcome)


@login_required
def document(request: HttpRequest, pk: int, did: int) -> HttpResponse:
    case = access_case(request.user, pk)
    return document_response(access_document(request.user, case, did), request.user)


@login_required
def lawyers(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    form = forms.LawyerForm(posted(request))
    status = 200
    if request.method == "POST":
        require_capability(request.user, Capability.RIGHTS_WRITE)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            org = access_rights_org(request.user, data.pop("org"), write=True)
            outcome = run_service(request, lambda: svc.lawyer_add(org=org, actor=request.user,
                                                                  **data),
                                  form=form, success=_("已登记。"))
            if outcome.ok:
                return redirect("rights:lawyers")
            status = outcome.status
    q = request.GET.get("q", "").strip()
    rows = selectors.lawyer_list(viewer=request.user, q=q)
    return render(request, "rights/lawyers.html", {
        "page": paginate(request, rows), "q": q, "form": form, "kinds": Lawyer.Kind.choices,
        "qs": querystring_without_page(request),
        "can_write": has_capability(request.user, Capability.RIGHTS_WRITE), "tab": "lawyers"},
        status=status)


@login_required
def due(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    today = clock.today()
    try:
        days = max(1, min(int(request.GET.get("days", "7")), 90))
    except ValueError:
        days = 7
    rows = [(c, c.days_left(today)) for c in deadlines.due(viewer=request.user, days=days,
                                                           today=today)]
    return render(request, "rights/due.html", {"rows": rows, "days": days, "today": today,
                                               "tab": "due"})
