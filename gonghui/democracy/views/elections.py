"""Cadres' pages: dashboard, elections and their workflow steps, terms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service
from gonghui.democracy import selectors, services
from gonghui.democracy.forms import (
    ApprovalForm,
    AttendanceForm,
    CandidateForm,
    ElectionForm,
    GrantForm,
    ReasonForm,
    RoundOpenForm,
    TermForm,
    VotersForm,
)
from gonghui.democracy.models import Body, Election, ElectionStatus
from gonghui.democracy.permissions import access_candidate, access_election, access_org


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The cadre's dashboard when they hold democracy.read; for every user their own open
    votes and the published results of elections they are on the roll of."""
    cadre = has_capability(request.user, Capability.DEMOCRACY_READ)
    context: dict[str, Any] = {
        "open_rounds": selectors.voter_open_rounds(request.user),
        "published": [(e, e.candidates.filter(elected_in_round__isnull=False))
                      for e in selectors.voter_published(request.user)[:20]],
        "cadre": cadre,
        "today": clock.today(),
    }
    if cadre:
        context.update({
            "stats": selectors.dashboard(viewer=request.user),
            "due": selectors.terms_due(viewer=request.user)[:10],
            "recent": selectors.election_list(viewer=request.user)[:10],
            "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE),
        })
    return render(request, "democracy/home.html", context)


@login_required
def election_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "body")}
    rows = selectors.election_list(viewer=request.user, **params)
    return render(request, "democracy/election_list.html", {
        "page": paginate(request, rows), "params": params, "qs": querystring_without_page(request),
        "statuses": ElectionStatus.choices, "bodies": Body.choices,
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE)})


@login_required
def election_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_WRITE)
    form = ElectionForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(request, lambda: services.election_create(
            org=access_org(request.user, data.pop("org"), write=True), actor=request.user,
            **data), form=form, success=_("选举已创建，请报上级工会批复选举方案。"))
        if outcome.ok and outcome.value is not None:
            return redirect("democracy:election", outcome.value.pk)
    return render(request, "democracy/form.html", {"form": form, "title": _("新建换届选举")},
                  status=form_status(form, outcome))


def _election_page(request: HttpRequest, election: Election, *, forms: dict[str, Any] | None = None,
                   status: int = 200) -> HttpResponse:
    voters = list(election.voters.all())
    forms = forms or {}
    return render(request, "democracy/election_detail.html", {
        "election": election,
        "candidates": election.candidates.all(),
        "voters": voters,
        "entitled": len(voters),
        "rounds": election.rounds.all(),
        "history": election.history.all(),
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE, election.org),
        "approval_form": forms.get("approval", ApprovalForm()),
        "candidate_form": forms.get("candidate", CandidateForm()),
        "voters_form": forms.get("voters", VotersForm()),
        "attendance_form": forms.get("attendance", AttendanceForm(voters=voters)),
        "round_form": forms.get("round", RoundOpenForm()),
        "cancel_form": forms.get("cancel", ReasonForm()),
        "S": ElectionStatus,
    }, status=status)


@login_required
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _election_page(request, access_election(request.user, pk))


def _step(request: HttpRequest, pk: int, key: str, form: Any,
          call: Callable[[Election, dict[str, Any]], Any], success: str) -> HttpResponse:
    """One workflow step posted from the election page: run it or show the page again."""
    election = access_election(request.user, pk, write=True)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: call(election, form.cleaned_data), form=form,
                              success=success)
        if outcome.ok:
            return redirect("democracy:election", election.pk)
    election.refresh_from_db()
    return _election_page(request, election, forms={key: form},
                          status=form_status(form, outcome))


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "approval", ApprovalForm(request.POST),
                 lambda e, d: services.plan_approve(election=e, approval=d["approval"],
                                                    consultation=d["consultation"],
                                                    actor=request.user),
                 _("已记录上级工会对选举方案的批复。"))


@login_required
@require_POST
def candidates_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "approval", ApprovalForm(request.POST),
                 lambda e, d: services.candidates_approve(election=e, approval=d["approval"],
                                                          actor=request.user),
                 _("已记录上级工会对候选人名单的批复。"))


@login_required
@require_POST
def result_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "approval", ApprovalForm(request.POST),
                 lambda e, d: services.result_approve(election=e, approval=d["approval"],
                                                      actor=request.user),
                 _("选举结果已批复，新一届任期已登记。"))


@login_required
@require_POST
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "candidate", CandidateForm(request.POST),
                 lambda e, d: services.candidate_add(election=e, actor=request.user, **d),
                 _("已添加候选人。"))


@login_required
@require_POST
def voters_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "voters", VotersForm(request.POST),
                 lambda e, d: services.voters_add(election=e, lines=d["lines"].splitlines(),
                                                  actor=request.user),
                 _("已添加选举人。"))


@login_required
@require_POST
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    election = access_election(request.user, pk, write=True)
    form = AttendanceForm(request.POST, voters=election.voters.all())
    return _step(request, pk, "attendance", form,
                 lambda e, d: services.meeting_open(election=e, present_ids=d["present"],
                                                    actor=request.user),
                 _("已登记到会人数，选举大会开始。"))


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    election = access_election(request.user, pk, write=True)
    form = RoundOpenForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.round_open(
            election=election, mode=form.cleaned_data["mode"], actor=request.user), form=form,
            success=_("已开始投票。"))
        if outcome.ok and outcome.value is not None:
            voting, tokens = outcome.value
            if tokens:
                # the tokens exist only in this response: printed as slips for the hall
                return render(request, "democracy/slips.html",
                              {"voting": voting, "tokens": tokens})
            return redirect("democracy:round", voting.pk)
    return _election_page(request, election, forms={"round": form},
                          status=form_status(form, outcome))


@login_required
@require_POST
def election_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "cancel", ReasonForm(request.POST),
                 lambda e, d: services.election_cancel(election=e, reason=d["reason"],
                                                       actor=request.user),
                 _("选举已撤销。"))


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    form = GrantForm(request.POST)
    return _step(request, pk, "grant", form,
                 lambda e, d: services.elected_roles_grant(
                     election=e, candidate=access_candidate(request.user, e, d["candidate"]),
                     role=d["role"], actor=request.user),
                 _("已授予当选人系统角色。"))


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_READ)
    form = TermForm(posted(request))
    outcome = None
    if request.method == "POST":
        require_capability(request.user, Capability.DEMOCRACY_WRITE)
        if form.is_valid():
            data = dict(form.cleaned_data)
            outcome = run_service(request, lambda: services.term_set(
                org=access_org(request.user, data.pop("org"), write=True), actor=request.user,
                **data), form=form, success=_("任期已登记。"))
            if outcome.ok:
                return redirect("democracy:terms")
    q = request.GET.get("q", "").strip()
    due_only = request.GET.get("due") == "1"
    rows = (selectors.terms_due(viewer=request.user) if due_only
            else selectors.term_list(viewer=request.user, q=q))
    return render(request, "democracy/terms.html", {
        "page": paginate(request, rows), "form": form, "q": q, "due_only": due_only,
        "qs": querystring_without_page(request),
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE),
    }, status=form_status(form, outcome))
