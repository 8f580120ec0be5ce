"""Cadres' pages of the two letters, collective contracts and workers' congresses."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, posted, run_service
from gonghui.orgs.models import Employer
from gonghui.rights import clocks, deadlines, forms, selectors
from gonghui.rights.actions import CONGRESS_ACTIONS, CONTRACT_ACTIONS, LETTER_ACTIONS
from gonghui.rights.exports import letter_pdf
from gonghui.rights.models import (
    ContractKind,
    ContractStatus,
    LetterKind,
    LetterStatus,
)
from gonghui.rights.permissions import (
    access_congress,
    access_contract,
    access_employer,
    access_letter,
    access_rights_org,
)
from gonghui.rights.services import congress as congress_svc
from gonghui.rights.services import contracts as contract_svc
from gonghui.rights.services import letters as letter_svc
from gonghui.rights.views.common import action_page, form_page

W = Capability.RIGHTS_WRITE


# --- letters ---------------------------------------------------------------------------------

@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status")}
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.letter_list(viewer=request.user, overdue=overdue, **params)
    return render(request, "rights/letter_list.html", {
        "page": paginate(request, rows), "params": params, "overdue": overdue,
        "kinds": LetterKind.choices, "statuses": LetterStatus.choices, "today": clock.today(),
        "qs": querystring_without_page(request), "can_write": has_capability(request.user, W),
        "tab": "letters"})


@login_required
def letter_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, W)
    form = forms.OpinionForm(posted(request), initial={"issued_on": clock.today()})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = access_rights_org(request.user, data.pop("org"), write=True)
        employer = access_employer(request.user, data.pop("employer"))
        outcome = run_service(request, lambda: letter_svc.opinion_issue(
            org=org, employer=employer, actor=request.user, **data), form=form,
            success=_("意见书已发出。"))
        if outcome.ok and outcome.value is not None:
            return redirect("rights:letter", outcome.value.pk)
    return form_page(request, form, title=_("发出劳动法律监督意见书"),
                     back=reverse("rights:letters"), outcome=outcome)


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = access_letter(request.user, pk)
    can_write = has_capability(request.user, W, letter.org)
    names = {LetterStatus.ISSUED: ["reply", "escalate", "close"],
             LetterStatus.REFUSED: ["escalate"]}.get(LetterStatus(letter.status), [])
    if letter.kind != LetterKind.OPINION:
        names = ["close"] if letter.status == LetterStatus.ISSUED else []
    today = clock.today()
    return render(request, "rights/letter_detail.html", {
        "letter": letter, "history": letter.history.all(), "today": today,
        "clocks": [(c, c.days_left(today)) for c in deadlines.letter_clocks(letter)],
        "actions": [(n, LETTER_ACTIONS[n].label) for n in names] if can_write else [],
        "recommendations": letter.recommendations.all(), "tab": "letters"})


@login_required
def letter_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    letter = access_letter(request.user, pk, write=True)
    return action_page(request, letter, action, reverse("rights:letter", args=[letter.pk]))


@login_required
def letter_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = access_letter(request.user, pk)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE, read=Capability.RIGHTS_READ)
    form = forms.PolicyForm(posted(request), initial={"reply_days": clocks.DEFAULT_REPLY_DAYS})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = access_rights_org(request.user, data.pop("org"))
        outcome = run_service(request, lambda: letter_svc.policy_set(
            org=org, actor=request.user, **data), form=form, success=_("设置已保存。"))
        if outcome.ok:
            return redirect("rights:letters")
    return form_page(request, form, title=_("意见书答复期限设置"), back=reverse("rights:letters"),
                     outcome=outcome,
                     intro=_("默认15日（自然日）；可按本工会及下级工会设置天数，或改为按工作日计算（含调休）。"))


# --- contracts -------------------------------------------------------------------------------

@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status")}
    renewal = request.GET.get("renewal") == "1"
    rows = selectors.contract_list(viewer=request.user, renewal=renewal, **params)
    return render(request, "rights/contract_list.html", {
        "page": paginate(request, rows), "params": params, "renewal": renewal,
        "kinds": ContractKind.choices, "statuses": ContractStatus.choices,
        "coverage": selectors.coverage(viewer=request.user),
        "qs": querystring_without_page(request), "can_write": has_capability(request.user, W),
        "tab": "contracts"})


@login_required
def contract_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, W)
    form = forms.ContractForm(posted(request), initial={"requested_on": clock.today()})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = access_rights_org(request.user, data.pop("org"), write=True)
        employers = [access_employer(request.user, pk) for pk in data.pop("employers")]
        outcome = run_service(request, lambda: contract_svc.contract_start(
            org=org, employers=employers, actor=request.user, **data), form=form,
            success=_("已登记协商要求。"))
        if outcome.ok and outcome.value is not None:
            return redirect("rights:contract", outcome.value.pk)
    return form_page(request, form, title=_("发起集体协商"), back=reverse("rights:contracts"),
                     outcome=outcome)


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = access_contract(request.user, pk)
    can_write = has_capability(request.user, W, contract.org)
    names = {ContractStatus.NEGOTIATING: ["answer", "representative", "adopt", "abandon"],
             ContractStatus.ADOPTED: ["sign", "abandon"], ContractStatus.SIGNED: ["file"],
             ContractStatus.FILED: ["objection"],
             ContractStatus.OBJECTED: ["renegotiate"]}.get(ContractStatus(contract.status), [])
    today = clock.today()
    return render(request, "rights/contract_detail.html", {
        "contract": contract, "history": contract.history.all(), "today": today,
        "clocks": [(c, c.days_left(today)) for c in deadlines.contract_clocks(contract, today)],
        "representatives": contract.representatives.all(),
        "representatives_problem": contract_svc.representatives_problem(contract),
        "employers": Employer.objects.filter(pk__in=contract.coverage.values("employer_id")),
        "in_force": (contract.status == ContractStatus.FILED and contract.effective_on
                     and contract.term_end and contract.effective_on <= today
                     <= contract.term_end),
        "actions": [(n, CONTRACT_ACTIONS[n].label) for n in names] if can_write else [],
        "tab": "contracts"})


@login_required
def contract_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    contract = access_contract(request.user, pk, write=True)
    return action_page(request, contract, action,
                       reverse("rights:contract", args=[contract.pk]))


# --- congresses ------------------------------------------------------------------------------

@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    q = request.GET.get("q", "").strip()
    lapsed = request.GET.get("lapsed") == "1"
    rows = selectors.congress_list(viewer=request.user, q=q, lapsed=lapsed)
    return render(request, "rights/congress_list.html", {
        "page": paginate(request, rows), "q": q, "lapsed": lapsed,
        "since": clocks.add_months(clock.today(), -clocks.CONGRESS_SESSION_MONTHS),
        "qs": querystring_without_page(request), "can_write": has_capability(request.user, W),
        "tab": "congresses"})


@login_required
def congress_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, W)
    form = forms.CongressForm(posted(request))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = access_rights_org(request.user, data.pop("org"), write=True)
        employer = access_employer(request.user, data.pop("employer"))
        outcome = run_service(request, lambda: congress_svc.congress_create(
            org=org, employer=employer, actor=request.user, **data), form=form,
            success=_("已登记职代会。"))
        if outcome.ok and outcome.value is not None:
            return redirect("rights:congress", outcome.value.pk)
    return form_page(request, form, title=_("登记职工代表大会"),
                     back=reverse("rights:congresses"), outcome=outcome)


@login_required
def congress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    congress = access_congress(request.user, pk)
    can_write = has_capability(request.user, W, congress.org)
    sessions = list(congress.sessions.prefetch_related("resolutions"))
    return render(request, "rights/congress_detail.html", {
        "congress": congress, "delegates": congress.delegates.filter(active=True),
        "warnings": congress_svc.roster_warnings(congress), "sessions": sessions,
        "open_affairs": congress.open_affairs.all(),
        "lapsed": (congress.last_session_on is None or congress.last_session_on
                   < clocks.add_months(clock.today(), -clocks.CONGRESS_SESSION_MONTHS)),
        "actions": ([(n, a.label) for n, a in CONGRESS_ACTIONS.items()] if can_write else []),
        "tab": "congresses"})


@login_required
def congress_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    congress = access_congress(request.user, pk, write=True)
    return action_page(request, congress, action,
                       reverse("rights:congress", args=[congress.pk]))
