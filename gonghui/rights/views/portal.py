"""The workers' portal (phone first): ask for help, follow the case, add photos, rate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import clock
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded
from gonghui.members.models import HELD_STATUSES, Membership
from gonghui.orgs.models import Org, OrgStatus
from gonghui.rights import clocks, deadlines, forms, selectors
from gonghui.rights.models import CaseStatus
from gonghui.rights.permissions import access_own_case
from gonghui.rights.services import cases as svc


def _unions(user: Any) -> list[tuple[str, str]]:
    """The worker's own union first (members), then every street and district union."""
    own = (Membership.objects.filter(person__user=user, status__in=HELD_STATUSES)
           .select_related("union").first())
    choices = [(own.union.code, own.union.name)] if own else []
    for org in Org.objects.filter(status=OrgStatus.ACTIVE, level__in=("street", "district")
                                  ).order_by("path")[:500]:
        if not own or org.code != own.union.code:
            choices.append((org.code, org.name))
    return choices


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    rows = selectors.own_cases(user=request.user)
    return render(request, "rights/portal/home.html", {"cases": rows})


@login_required
def portal_new(request: HttpRequest) -> HttpResponse:
    form = forms.PortalCaseForm(posted(request), uploaded(request), unions=_unions(request.user))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        union = Org.objects.get(code=data.pop("union"))
        upload = data.pop("file")

        def submit():
            case = svc.case_submit(union=union, actor=request.user, **data)
            if upload is not None:
                svc.document_add(case=case, name=upload.name,
                                 content_type=upload.content_type or "", data=upload.read(),
                                 actor=request.user)
            return case

        outcome = run_service(request, submit, form=form,
                              success=_("已提交，工会将尽快与您联系。"))
        if outcome.ok and outcome.value is not None:
            return redirect("rights:portal_case", outcome.value.pk)
    limitation = clocks.limitation_end(clock.today())
    return render(request, "rights/portal/new.html", {"form": form, "limitation": limitation},
                  status=form_status(form, outcome))


@login_required
def portal_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_own_case(request.user, pk)
    today = clock.today()
    return render(request, "rights/portal/case.html", {
        "case": case, "history": case.history.all(),
        "clocks": [(c, c.days_left(today)) for c in deadlines.case_clocks(case)],
        "documents": case.documents.defer("data"), "rate_form": forms.RateForm(),
        "document_form": forms.DocumentForm(),
        "can_rate": case.status == CaseStatus.CLOSED and case.rating is None,
        "can_withdraw": case.status in (CaseStatus.SUBMITTED, CaseStatus.OPEN)})


def _again(request: HttpRequest, case_pk: int, form: forms.Styled,
           outcome: Outcome | None) -> HttpResponse:
    case = access_own_case(request.user, case_pk)
    today = clock.today()
    return render(request, "rights/portal/case.html", {
        "case": case, "history": case.history.all(),
        "clocks": [(c, c.days_left(today)) for c in deadlines.case_clocks(case)],
        "documents": case.documents.defer("data"),
        "rate_form": form if isinstance(form, forms.RateForm) else forms.RateForm(),
        "document_form": form if isinstance(form, forms.DocumentForm) else forms.DocumentForm(),
        "can_rate": case.status == CaseStatus.CLOSED and case.rating is None,
        "can_withdraw": case.status in (CaseStatus.SUBMITTED, CaseStatus.OPEN)},
        status=form_status(form, outcome))


@login_required
@require_POST
def portal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_own_case(request.user, pk)
    form = forms.RateForm(request.POST)
    outcome: Outcome | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.case_rate(
            case=case, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"],
            actor=request.user), form=form, success=_("感谢您的评价。"))
        if outcome.ok:
            return redirect("rights:portal_case", case.pk)
    return _again(request, case.pk, form, outcome)


@login_required
@require_POST
def portal_document(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_own_case(request.user, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    outcome: Outcome | None = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = run_service(request, lambda: svc.document_add(
            case=case, name=upload.name, content_type=upload.content_type or "",
            data=upload.read(), actor=request.user), form=form, success=_("已上传。"))
        if outcome.ok:
            return redirect("rights:portal_case", case.pk)
    return _again(request, case.pk, form, outcome)


@login_required
@require_POST
def portal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_own_case(request.user, pk)
    form = forms.ReasonForm(request.POST)
    outcome: Outcome | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.case_withdraw(
            case=case, reason=form.cleaned_data["reason"], actor=request.user), form=form,
            success=_("已撤回。"))
        if outcome.ok:
            return redirect("rights:portal_case", case.pk)
    return _again(request, case.pk, form, outcome)
