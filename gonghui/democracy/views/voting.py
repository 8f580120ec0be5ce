"""Round pages: the count committee's round page and close, the result report PDF, and the
voter's phone page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.errors import Conflict
from gonghui.core.views import form_status, posted, run_service
from gonghui.democracy import reports, selectors, services
from gonghui.democracy.forms import PaperCountForm, VoteForm
from gonghui.democracy.models import RoundMode, VotingRound
from gonghui.democracy.permissions import access_election, access_round, access_vote


def _round_page(request: HttpRequest, voting: VotingRound, *, form: PaperCountForm | None = None,
                status: int = 200) -> HttpResponse:
    recount = None
    if not voting.is_open and voting.mode == RoundMode.ELECTRONIC:
        result, digest = services.round_count_electronic(voting)
        recount = {"same": result.as_dict() == voting.result and digest == voting.tally_hash}
    return render(request, "democracy/round_detail.html", {
        "voting": voting, "election": voting.election,
        "form": form or PaperCountForm(candidates=voting.candidates),
        "cast": voting.ballots.count() if voting.mode == RoundMode.ELECTRONIC else None,
        "credentials": voting.credentials.count(),
        "recount": recount, "history": voting.history.all(),
        "can_write": has_capability(request.user, Capability.DEMOCRACY_WRITE,
                                    voting.election.org),
    }, status=status)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, access_round(request.user, pk))


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    voting = access_round(request.user, pk, write=True)
    if voting.mode == RoundMode.ELECTRONIC:
        closed = run_service(request, lambda: services.round_close_electronic(
            voting=voting, actor=request.user), success=_("已计票。"))
        if closed.ok:
            return redirect("democracy:round", voting.pk)
        return _round_page(request, voting, status=closed.status)
    form = PaperCountForm(request.POST, candidates=voting.candidates)
    outcome = None
    if form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: services.round_close_paper(
            voting=voting, issued=d["issued"], returned=d["returned"], tally=form.tally(),
            void=d["void"], actor=request.user), form=form, success=_("已计票。"))
        if outcome.ok:
            return redirect("democracy:round", voting.pk)
    return _round_page(request, voting, form=form, status=form_status(form, outcome))


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    election = access_election(request.user, pk)
    if not election.rounds.filter(status="closed").exists():
        raise Conflict(_("尚未计票，没有选举结果报告。"))
    response = HttpResponse(reports.result_pdf(election), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="election-{election.pk}.pdf"'
    return response


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The voter's ballot on their phone: their own credential, once."""
    voting = access_vote(request.user, pk)
    voted = selectors.has_voted(request.user, voting)
    form = VoteForm(posted(request), candidates=voting.candidates)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.ballot_cast_as_voter(
            voting=voting, user=request.user, choices=form.cleaned_data["choices"]), form=form,
            success=_("您的选票已投出。选票不记名，任何人都无法知道您的选择。"))
        if outcome.ok:
            return redirect("democracy:home")
    return render(request, "democracy/vote.html", {"voting": voting, "form": form,
                                                   "voted": voted},
                  status=form_status(form, outcome))
