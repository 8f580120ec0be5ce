"""Route-table entries and world objects of democracy (民主选举).

World: in each district's grassroots union (SH-A-1-1, SH-B-1-1) an election still in draft
(`dm_election`) and one at its meeting with an open paper round (`dm_round`); in SH-A-1-1 an
open electronic round for which the worker persona holds a credential (`dm_vote`, "own").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, op, pk_as, post
from tests.matrix.world import SIDES, UNION, Obj, World, admin, builder

R, W = C.DEMOCRACY_READ, C.DEMOCRACY_WRITE


def _meeting(world: World, org: Any, *, title: str, lines: list[str], seats: int = 1) -> Any:
    from gonghui.democracy import services as svc

    actor = admin(world)
    election = svc.election_create(org=org, title=title, body="committee", seats=seats,
                                   meeting_on=dt.date(2026, 12, 1), actor=actor)
    svc.plan_approve(election=election, approval="批复", actor=actor)
    for name in ("候选甲", "候选乙"):
        svc.candidate_add(election=election, name=name, actor=actor)
    svc.voters_add(election=election, lines=lines, actor=actor)
    svc.candidates_approve(election=election, approval="批复", actor=actor)
    svc.meeting_open(election=election, actor=actor,
                     present_ids=list(election.voters.values_list("pk", flat=True)))
    return election


@builder("dm_election")
def _elections(world: World) -> dict[str, Obj]:
    from gonghui.democracy import services as svc

    out = {}
    for s in SIDES:
        election = svc.election_create(org=world.orgs[UNION[s]], title=f"{s}公司工会换届选举",
                                       body="committee", seats=5,
                                       meeting_on=dt.date(2026, 12, 1), actor=admin(world))
        out[s] = Obj(election.pk, UNION[s])
    return out


@builder("dm_round")
def _rounds(world: World) -> dict[str, Obj]:
    from gonghui.democracy import services as svc

    out = {}
    for s in SIDES:
        election = _meeting(world, world.orgs[UNION[s]], title=f"{s}女职工委员会选举",
                            lines=["选举人一", "选举人二", "选举人三"])
        voting, _tokens = svc.round_open(election=election, mode="paper", actor=admin(world))
        out[s] = Obj(voting.pk, UNION[s])
    return out


@builder("dm_vote")
def _vote(world: World) -> dict[str, Obj]:
    from gonghui.democracy import services as svc

    election = _meeting(world, world.orgs[UNION["A"]], title="经费审查委员会选举",
                        lines=["职工,worker"])
    voting, _tokens = svc.round_open(election=election, mode="electronic", actor=admin(world))
    other = _meeting(world, world.orgs[UNION["B"]], title="乙方经费审查委员会选举",
                     lines=["乙方职工"])
    voting_b, _tokens = svc.round_open(election=other, mode="electronic", actor=admin(world))
    mine = Obj(voting.pk, UNION["A"], owner="worker")
    return {"worker": mine, "A": mine, "B": Obj(voting_b.pk, UNION["B"])}


def _congress(world: World, s: str, *, with_worker: bool = False) -> Any:
    from conftest import make_user
    from gonghui.accounts.models import User
    from gonghui.democracy.services import congress as csvc

    for name in (f"dmrep{s}1", f"dmrep{s}2"):
        if not User.objects.filter(username=name).exists():
            make_user(name)
    congress = csvc.congress_create(org=world.orgs[UNION[s]], name=f"{s}公司第三次会员代表大会",
                                    started_on=dt.date(2024, 3, 1), min_cosigners=1,
                                    actor=admin(world))
    lines = [f"一车间,代表{s}1,dmrep{s}1", f"二车间,代表{s}2,dmrep{s}2"]
    if with_worker:
        lines.append("三车间,职工代表,worker")
    csvc.representatives_add(congress=congress, lines=lines, elected_on=dt.date(2024, 3, 1),
                             actor=admin(world))
    return congress


@builder("dm_congress")
def _congresses(world: World) -> dict[str, Obj]:
    return {s: Obj(_congress(world, s, with_worker=(s == "A")).pk, UNION[s]) for s in SIDES}


@builder("dm_proposal")
def _proposals(world: World) -> dict[str, Obj]:
    from gonghui.democracy.models import Congress
    from gonghui.democracy.services import congress as csvc

    out = {}
    for s in SIDES:
        congress = Congress.objects.get(pk=world.obj("dm_congress", s).pk)
        rep1, rep2 = (congress.representatives.get(user__username=f"dmrep{s}{i}")
                      for i in (1, 2))
        proposal = csvc.proposal_draft(representative=rep1, title="关于职工食堂的提案",
                                       body="建议延长供餐时间", actor=rep1.user)
        csvc.proposal_cosign(proposal=proposal, representative=rep2, actor=rep2.user)
        csvc.proposal_submit(proposal=proposal, actor=rep1.user)
        out[s] = Obj(proposal.pk, UNION[s])
    return out


@builder("dm_own_proposal")
def _own_proposal(world: World) -> dict[str, Obj]:
    """A draft of the worker's own, without co-signers: submitting it is refused (400)."""
    from gonghui.democracy.models import Congress
    from gonghui.democracy.services import congress as csvc

    congress = Congress.objects.get(pk=world.obj("dm_congress", "A").pk)
    rep = congress.representatives.get(user__username="worker")
    proposal = csvc.proposal_draft(representative=rep, title="关于夏季防暑降温的提案",
                                   body="建议增设饮水点", actor=rep.user)
    congress_b = Congress.objects.get(pk=world.obj("dm_congress", "B").pk)
    rep_b = congress_b.representatives.get(user__username="dmrepB1")
    other = csvc.proposal_draft(representative=rep_b, title="关于班车线路的提案",
                                body="建议增开夜班班车", actor=rep_b.user)
    mine = Obj(proposal.pk, UNION["A"], owner="worker")
    return {"worker": mine, "A": mine, "B": Obj(other.pk, UNION["B"], owner="dmrepB1")}


PAGES = {
    "democracy:home": get(access="login"),
    "democracy:elections": get(R),
    "democracy:election_new": form(W),
    "democracy:election": get(R, "dm_election"),
    "democracy:plan_approve": post(W, "dm_election"),
    "democracy:candidate_add": post(W, "dm_election"),
    "democracy:voters_add": post(W, "dm_election"),
    "democracy:candidates_approve": post(W, "dm_election"),
    "democracy:meeting_open": post(W, "dm_election"),
    "democracy:round_open": post(W, "dm_election"),
    "democracy:result_approve": post(W, "dm_election"),
    "democracy:cancel": post(W, "dm_election"),
    "democracy:role_grant": post(W, "dm_election"),
    # no round counted yet: no result report (409)
    "democracy:report": get(R, "dm_election", ok=409),
    "democracy:round": get(R, "dm_round"),
    "democracy:round_close": post(W, "dm_round"),
    "democracy:vote": form(access="own", obj="dm_vote"),
    "democracy:terms": form(W, read_cap=R),
    "democracy:congresses": get(R),
    "democracy:congress_new": form(W),
    "democracy:congress": get(R, "dm_congress"),
    "democracy:representatives_add": post(W, "dm_congress"),
    "democracy:session_hold": post(W, "dm_congress"),
    "democracy:session_vote": post(W, "dm_congress"),
    "democracy:contact_add": post(W, "dm_congress"),
    "democracy:proposals": get(R),
    "democracy:proposal_report": get(R),
    "democracy:proposal": get(R, "dm_proposal"),
    "democracy:proposal_decide": post(W, "dm_proposal"),
    "democracy:proposal_assign": post(W, "dm_proposal"),
    "democracy:proposal_reply": post(W, "dm_proposal"),
    # a representative's own pages: any signed-in user may open them (non-representatives are
    # told they cannot propose); an empty draft or co-sign is invalid (400)
    "democracy:my_proposals": form(access="login"),
    "democracy:proposal_cosign": post(access="login"),
    "democracy:my_proposal": get(access="own", obj="dm_own_proposal"),
    "democracy:my_proposal_submit": post(access="own", obj="dm_own_proposal"),
    "democracy:my_proposal_rate": post(access="own", obj="dm_own_proposal"),
}

API = {
    "GET /democracy/elections": op(R),
    "GET /democracy/elections/{election_id}": op(R, "dm_election", kw=pk_as("election_id")),
    "GET /democracy/rounds/{round_id}": op(R, "dm_round", kw=pk_as("round_id")),
    "POST /democracy/rounds/{round_id}/close": op(W, "dm_round", kw=pk_as("round_id")),
    "POST /democracy/count": op(access="login"),
    "POST /democracy/ballots": op(access="public"),
    "GET /democracy/proposals": op(R),
    "GET /democracy/proposals/{proposal_id}": op(R, "dm_proposal", kw=pk_as("proposal_id")),
    "GET /democracy/dashboard": op(R),
}
