"""Congress and proposals pages: the cadres' (congress, sessions, proposal committee) and the
representatives' own (draft, co-sign, submit, rate)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import prefixes
from gonghui.core import clock
from gonghui.core.colocated import same_union
from gonghui.core.errors import NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service
from gonghui.democracy import exports, selectors
from gonghui.democracy.forms import (
    AssignForm,
    CongressForm,
    ContactForm,
    CosignForm,
    DecideForm,
    ProposalDraftForm,
    RateForm,
    ReplyForm,
    RepresentativesForm,
    SessionForm,
    SessionVoteForm,
)
from gonghui.democracy.models import Congress, Proposal, ProposalStatus, Representative
from gonghui.democracy.permissions import (
    access_congress,
    access_org,
    access_own_proposal,
    access_proposal,
)
from gonghui.democracy.services import congress as svc
from gonghui.orgs.models import Org
from gonghui.workplan.models import Department


@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_READ)
    q = request.GET.get("q", "").strip()
    return render(request, "democracy/congress_list.html", {
        "page": paginate(request, selectors.congress_list(viewer=request.user, q=q)), "q": q,
        "qs": querystring_without_page(request), "tab": "congress",
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE)})


@login_required
def congress_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_WRITE)
    form = CongressForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(request, lambda: svc.congress_create(
            org=access_org(request.user, data.pop("org"), write=True), actor=request.user,
            **data), form=form, success=_("代表大会已登记。"))
        if outcome.ok and outcome.value is not None:
            return redirect("democracy:congress", outcome.value.pk)
    return render(request, "democracy/form.html", {"form": form, "title": _("登记会员代表大会")},
                  status=form_status(form, outcome))


def _congress_page(request: HttpRequest, congress: Congress, *, forms: dict[str, Any] | None = None,
                   status: int = 200) -> HttpResponse:
    forms = forms or {}
    reps = list(congress.representatives.select_related("user"))
    sessions = list(congress.sessions.prefetch_related("votes"))
    return render(request, "democracy/congress_detail.html", {
        "congress": congress, "representatives": reps, "sessions": sessions,
        "contacts": selectors.contacts(congress)[:30],
        "proposals": congress.proposals.select_related("proposer")
        .filter(same_union("proposer", "org"))[:50],
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE, congress.org),
        "reps_form": forms.get("reps", RepresentativesForm()),
        "session_form": forms.get("session", SessionForm(representatives=reps)),
        "vote_form": forms.get("vote", SessionVoteForm()),
        "contact_form": forms.get("contact", ContactForm()),
        "tab": "congress",
    }, status=status)


@login_required
def congress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _congress_page(request, access_congress(request.user, pk))


def _congress_step(request: HttpRequest, pk: int, key: str, form: Any, call: Any,
                   success: str) -> HttpResponse:
    congress = access_congress(request.user, pk, write=True)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: call(congress, form.cleaned_data), form=form,
                              success=success)
        if outcome.ok:
            return redirect("democracy:congress", congress.pk)
    return _congress_page(request, congress, forms={key: form},
                          status=form_status(form, outcome))


@login_required
@require_POST
def representatives_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _congress_step(request, pk, "reps", RepresentativesForm(request.POST),
                          lambda c, d: svc.representatives_add(
                              congress=c, lines=d["lines"].splitlines(),
                              elected_on=d["elected_on"], actor=request.user),
                          _("代表已登记。"))


@login_required
@require_POST
def session_hold(request: HttpRequest, pk: int) -> HttpResponse:
    congress = access_congress(request.user, pk, write=True)
    form = SessionForm(request.POST, representatives=congress.representatives.all())
    return _congress_step(request, pk, "session", form,
                          lambda c, d: svc.session_hold(congress=c, held_on=d["held_on"],
                                                        agenda=d["agenda"],
                                                        present_ids=d["present"],
                                                        actor=request.user),
                          _("会议已登记。"))


@login_required
@require_POST
def session_vote(request: HttpRequest, pk: int) -> HttpResponse:
    def call(c: Congress, d: dict[str, Any]) -> Any:
        session = c.sessions.filter(pk=d["session"]).first()
        if session is None:
            raise NotFound()
        return svc.session_vote(session=session, subject=d["subject"], yes=d["yes"],
                                no=d["no"], abstain=d["abstain"], actor=request.user)

    return _congress_step(request, pk, "vote", SessionVoteForm(request.POST), call,
                          _("表决结果已登记。"))


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    def call(c: Congress, d: dict[str, Any]) -> Any:
        rep = c.representatives.filter(pk=d.pop("representative")).first()
        if rep is None:
            raise NotFound()
        return svc.contact_record(representative=rep, actor=request.user, **d)

    return _congress_step(request, pk, "contact", ContactForm(request.POST), call,
                          _("联系职工记录已登记。"))


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "year")}
    year = int(params["year"]) if params["year"].isdigit() else clock.today().year
    return render(request, "democracy/proposal_list.html", {
        "page": paginate(request, selectors.proposal_list(viewer=request.user, **params)),
        "params": params, "statuses": ProposalStatus.choices, "year": year,
        "stats": selectors.proposal_stats(viewer=request.user, year=year),
        "qs": querystring_without_page(request), "tab": "proposals"})


@login_required
def proposal_report(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.DEMOCRACY_READ)
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 1949 <= int(text) <= 2100 else clock.today().year
    if request.GET.get("format") == "pdf":
        paths = prefixes(request.user, Capability.DEMOCRACY_READ)
        roots = list(Org.objects.filter(path__in=paths).order_by("path")
                     .values_list("name", flat=True))
        response = HttpResponse(exports.proposals_pdf(
            viewer=request.user, year=year, scope="、".join(roots) or _("全市")),
            content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="proposals-{year}.pdf"'
        return response
    response = HttpResponse(
        exports.proposals_xlsx(viewer=request.user, year=year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="proposals-{year}.xlsx"'
    return response


def _proposal_page(request: HttpRequest, proposal: Proposal, *,
                   forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    departments = Department.objects.filter(org=proposal.congress.org, is_active=True)
    return render(request, "democracy/proposal_detail.html", {
        "proposal": proposal, "history": proposal.history.all(),
        "cosigners": proposal.cosigners.select_related("representative")
        .filter(same_union("representative", "org")),
        "departments": proposal.departments.select_related("department"),
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE,
                                    proposal.congress.org),
        "decide_form": forms.get("decide", DecideForm()),
        "assign_form": forms.get("assign", AssignForm(departments=departments)),
        "reply_form": forms.get("reply", ReplyForm()),
        "P": ProposalStatus, "tab": "proposals",
    }, status=status)


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, access_proposal(request.user, pk))


def _proposal_step(request: HttpRequest, proposal: Proposal, key: str, form: Any, call: Any,
                   success: str) -> HttpResponse:
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: call(form.cleaned_data), form=form,
                              success=success)
        if outcome.ok:
            return redirect("democracy:proposal", proposal.pk)
    return _proposal_page(request, proposal, forms={key: form},
                          status=form_status(form, outcome))


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, write=True)
    return _proposal_step(request, proposal, "decide", DecideForm(request.POST),
                          lambda d: svc.proposal_decide(proposal=proposal, actor=request.user,
                                                        **d), _("审查结论已登记。"))


@login_required
@require_POST
def proposal_assign(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, write=True)
    departments = Department.objects.filter(org=proposal.congress.org, is_active=True)
    by_pk = {d.pk: d for d in departments}

    def call(d: dict[str, Any]) -> Any:
        if d["lead"] not in by_pk or any(pk not in by_pk for pk in d["co"]):
            raise NotFound()
        return svc.proposal_assign(proposal=proposal, lead=by_pk[d["lead"]],
                                   co_departments=[by_pk[pk] for pk in d["co"]],
                                   deadline=d["deadline"], actor=request.user)

    return _proposal_step(request, proposal, "assign",
                          AssignForm(request.POST, departments=departments), call,
                          _("提案已交办。"))


@login_required
@require_POST
def proposal_reply(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, write=True)
    return _proposal_step(request, proposal, "reply", ReplyForm(request.POST),
                          lambda d: svc.proposal_reply(proposal=proposal, reply=d["reply"],
                                                       actor=request.user),
                          _("答复已发给提案人。"))


# --- the representative's own pages --------------------------------------------------------------

@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    reps = list(Representative.objects.filter(user_id=request.user.pk or 0, active=True)
                .select_related("congress"))
    form = ProposalDraftForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rep = next((r for r in reps if r.congress_id == d["congress"]), None)
        if rep is None:
            raise NotFound()
        outcome = run_service(request, lambda: svc.proposal_draft(
            representative=rep, title=d["title"], body=d["body"], actor=request.user),
            form=form, success=_("提案草稿已保存，请邀请代表附议后提交。"))
        if outcome.ok and outcome.value is not None:
            return redirect("democracy:my_proposal", outcome.value.pk)
    return render(request, "democracy/my_proposals.html", {
        "reps": reps, "form": form, "rows": selectors.my_proposals(request.user)[:100],
        "mine": {r.pk for r in reps}}, status=form_status(form, outcome))


@login_required
@require_POST
def proposal_cosign(request: HttpRequest) -> HttpResponse:
    form = CosignForm(request.POST)
    if not form.is_valid():
        return my_proposals_invalid(request, form)
    proposal = selectors.my_proposals(request.user).filter(
        pk=form.cleaned_data["proposal"]).first()
    if proposal is None:
        raise NotFound()
    rep = Representative.objects.filter(user_id=request.user.pk or 0, congress=proposal.congress_id,
                                        active=True).first()
    if rep is None:
        raise NotFound()
    outcome = run_service(request, lambda: svc.proposal_cosign(
        proposal=proposal, representative=rep, actor=request.user), success=_("已附议。"))
    return redirect("democracy:my_proposals") if outcome.ok else my_proposals_invalid(
        request, form, status=outcome.status)


def my_proposals_invalid(request: HttpRequest, form: Any, *, status: int = 400) -> HttpResponse:
    reps = list(Representative.objects.filter(user_id=request.user.pk or 0, active=True))
    return render(request, "democracy/my_proposals.html", {
        "reps": reps, "form": ProposalDraftForm(), "cosign_form": form,
        "rows": selectors.my_proposals(request.user)[:100], "mine": {r.pk for r in reps}},
        status=status)


def _own_page(request: HttpRequest, proposal: Proposal, *, form: Any = None,
              status: int = 200) -> HttpResponse:
    return render(request, "democracy/my_proposal.html", {
        "proposal": proposal, "history": proposal.history.all(),
        "cosigners": proposal.cosigners.select_related("representative")
        .filter(same_union("representative", "org")),
        "rate_form": form or RateForm(), "P": ProposalStatus}, status=status)


@login_required
def my_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_page(request, access_own_proposal(request.user, pk))


@login_required
@require_POST
def my_proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_own_proposal(request.user, pk)
    outcome = run_service(request, lambda: svc.proposal_submit(proposal=proposal,
                                                               actor=request.user),
                          success=_("提案已提交提案委员会审查。"))
    if outcome.ok:
        return redirect("democracy:my_proposal", proposal.pk)
    return _own_page(request, proposal, status=outcome.status)


@login_required
@require_POST
def my_proposal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_own_proposal(request.user, pk)
    form = RateForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.proposal_rate(
            proposal=proposal, satisfaction=form.cleaned_data["satisfaction"],
            actor=request.user), form=form, success=_("感谢您的评价。"))
        if outcome.ok:
            return redirect("democracy:my_proposal", proposal.pk)
    return _own_page(request, proposal, form=form, status=form_status(form, outcome))
