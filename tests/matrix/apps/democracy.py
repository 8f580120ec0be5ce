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
    return {"worker": Obj(voting.pk, UNION["A"], owner="worker")}


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
}

API = {
    "GET /democracy/elections": op(R),
    "GET /democracy/elections/{election_id}": op(R, "dm_election", kw=pk_as("election_id")),
    "GET /democracy/rounds/{round_id}": op(R, "dm_round", kw=pk_as("round_id")),
    "POST /democracy/rounds/{round_id}/close": op(W, "dm_round", kw=pk_as("round_id")),
    "POST /democracy/count": op(access="login"),
    "POST /democracy/ballots": op(access="public"),
}
