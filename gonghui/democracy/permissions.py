"""The only ways to reach democracy objects: 404 outside the viewer's subtrees (never 403),
403 when visible but the viewer may not change it. Voters reach only their own credential's
round and the published results of elections they are on the roll of."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.core.colocated import same_union
from gonghui.core.errors import NotFound
from gonghui.democracy.models import (
    Candidate,
    Election,
    ElectionStatus,
    RoundStatus,
    Voter,
    VotingRound,
)


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def _user_pk(user: Actor) -> int:
    """The signed-in user's id; a visitor or a system actor owns nothing (404)."""
    pk = getattr(user, "pk", None)
    if not pk:
        raise NotFound()
    return int(pk)


def access_election(user: Actor, election_id: Any, *, write: bool = False) -> Election:
    election = (scope(Election.objects.select_related("org"), user, Capability.DEMOCRACY_READ,
                      path_field="org_path").filter(pk=_pk(election_id)).first())
    if election is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.DEMOCRACY_WRITE, election.org)
    return election


def access_round(user: Actor, round_id: Any, *, write: bool = False) -> VotingRound:
    voting = (scope(VotingRound.objects.select_related("election", "election__org"), user,
                    Capability.DEMOCRACY_READ, path_field="election__org_path")
              .filter(pk=_pk(round_id)).first())
    if voting is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.DEMOCRACY_WRITE, voting.election.org)
    return voting


def access_candidate(user: Actor, election: Election, candidate_id: Any) -> Candidate:
    row = election.candidates.filter(pk=_pk(candidate_id)).first()
    if row is None:
        raise NotFound()
    return row


def access_vote(user: Actor, round_id: Any) -> VotingRound:
    """An open electronic round the signed-in user holds a credential for."""
    voting = (VotingRound.objects.select_related("election", "election__org")
              .filter(pk=_pk(round_id), status=RoundStatus.OPEN,
                      credentials__voter__user_id=_user_pk(user),
                      credentials__voter__org=F("credentials__org")).first()
              if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None)
    if voting is None:
        raise NotFound()
    return voting


def access_published(user: Actor, election_id: Any) -> Election:
    """A closed election's published result, for a voter on its roll."""
    if not getattr(user, "pk", None):
        raise NotFound()
    election = (Election.objects.select_related("org")
                .filter(pk=_pk(election_id), status=ElectionStatus.CLOSED,
                        pk__in=Voter.objects.filter(user_id=_user_pk(user)).values("election"))
                .first())
    if election is None:
        raise NotFound()
    return election


def access_org(user: Actor, code: Any, *, write: bool = False) -> Any:
    """A union in the user's democracy subtree, by code or pk (the "new election" form)."""
    from gonghui.orgs.models import Org  # why: orgs model only for this lookup

    text = str(code or "").strip()
    lookup = {"pk": int(text)} if text.isdigit() else {"code": text.upper()}
    org = scope(Org.objects.all(), user, Capability.DEMOCRACY_READ).filter(**lookup).first()
    if org is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.DEMOCRACY_WRITE, org)
    return org


def access_congress(user: Actor, congress_id: Any, *, write: bool = False) -> Any:
    from gonghui.democracy.models import Congress  # why: keeps the election imports above short

    congress = (scope(Congress.objects.select_related("org"), user, Capability.DEMOCRACY_READ,
                      path_field="org_path").filter(pk=_pk(congress_id)).first())
    if congress is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.DEMOCRACY_WRITE, congress.org)
    return congress


def access_proposal(user: Actor, proposal_id: Any, *, write: bool = False) -> Any:
    from gonghui.democracy.models import Proposal  # why: keeps the election imports above short

    proposal = (scope(Proposal.objects.select_related("congress", "congress__org", "proposer")
                      .filter(same_union("proposer", "org")),
                      user, Capability.DEMOCRACY_READ, path_field="org_path")
                .filter(pk=_pk(proposal_id)).first())
    if proposal is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.DEMOCRACY_WRITE, proposal.congress.org)
    return proposal


def access_own_proposal(user: Actor, proposal_id: Any) -> Any:
    """The proposer's own proposal (404 for everyone else, cadres included: they use
    access_proposal)."""
    from gonghui.democracy.models import Proposal  # why: keeps the election imports above short

    if not getattr(user, "pk", None):
        raise NotFound()
    proposal = (Proposal.objects.select_related("congress", "proposer")
                .filter(same_union("proposer", "org"), pk=_pk(proposal_id),
                        proposer__user_id=_user_pk(user)).first())
    if proposal is None:
        raise NotFound()
    return proposal
