"""The JSON API of democracy (mounted at /api/v1/democracy)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Year
from gonghui.core.errors import ApplicationError
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.democracy import selectors, services
from gonghui.democracy.counting import count_round, round_from_data
from gonghui.democracy.models import Election, Proposal, RoundMode, VotingRound
from gonghui.democracy.permissions import access_election, access_proposal, access_round

router = Router()


class ElectionOut(Schema):
    id: int
    org: str
    title: str
    body: str
    seats: int
    meeting_on: str
    status: str


class RoundOut(Schema):
    id: int
    number: int
    mode: str
    status: str
    seats: int
    candidates: list[str]
    entitled: int
    present: int
    issued: int | None
    returned: int | None
    result: dict[str, Any] | None
    tally_hash: str


class ElectionDetail(ElectionOut):
    candidates: list[dict[str, Any]]
    entitled: int
    rounds: list[RoundOut]


class RoundData(RoundOut):
    ballots: list[list[str]] | None


class BallotIn(Schema):
    token: str
    choices: list[str]


class PaperIn(Schema):
    issued: int
    returned: int
    tally: dict[str, int] | None = None
    ballots: list[list[str]] | None = None
    void: int | None = None


def _election(e: Election) -> dict[str, Any]:
    return {"id": e.pk, "org": e.org.code, "title": e.title, "body": e.body, "seats": e.seats,
            "meeting_on": e.meeting_on.isoformat(), "status": e.status}


def _round(r: VotingRound) -> dict[str, Any]:
    out = {name: getattr(r, name) for name in RoundOut.model_fields}
    out["result"] = r.ordered_result
    return out


@router.get("/elections", response=Page[ElectionOut])
def list_elections(request: HttpRequest, paging: Query[PageParams], q: str = "",
                   status: str = "", body: str = ""):
    require_capability(request.user, Capability.DEMOCRACY_READ)
    rows = selectors.election_list(viewer=request.user, q=q, status=status, body=body)
    return paginate(request, rows, paging, item=_election)


@router.get("/elections/{election_id}", response=ElectionDetail)
def get_election(request: HttpRequest, election_id: int):
    e = access_election(request.user, election_id)
    return {**_election(e), "entitled": e.voters.count(),
            "candidates": [{"name": c.name, "elected_in_round": c.elected_in_round,
                            "votes": c.votes} for c in e.candidates.all()],
            "rounds": [_round(r) for r in e.rounds.all()]}


@router.get("/rounds/{round_id}", response=RoundData)
def get_round(request: HttpRequest, round_id: int):
    """A round with its stored electronic ballots (random order, no voter): anyone who may
    read it recounts it with `gonghui elections count` and checks `tally_hash`."""
    r = access_round(request.user, round_id)
    ballots = (services.stored_ballots(r)
               if r.mode == RoundMode.ELECTRONIC and not r.is_open else None)
    return {**_round(r), "ballots": ballots}


@router.post("/rounds/{round_id}/close", response=RoundOut, openapi_extra=body_schema(PaperIn))
def close_round(request: HttpRequest, round_id: int):
    r = access_round(request.user, round_id, write=True)
    if r.mode == RoundMode.ELECTRONIC:
        return _round(services.round_close_electronic(voting=r, actor=request.user))
    data = parse_body(request, PaperIn)
    return _round(services.round_close_paper(voting=r, actor=request.user, **data.dict()))


@router.post("/count")
def count(request: HttpRequest):
    """The counting rules on a round described as for `gonghui elections count` (no DB)."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError("请求内容不是有效的 JSON。") from exc
    return count_round(round_from_data(data)).as_dict()


@router.post("/ballots", auth=None, response={201: dict[str, bool]},
             openapi_extra=body_schema(BallotIn))
def cast_ballot(request: HttpRequest):
    """Cast one secret ballot: the one-time credential is the authorisation (a phone in the
    hall, no account needed)."""
    data = parse_body(request, BallotIn)
    services.ballot_cast(token=data.token, choices=data.choices)
    return 201, {"ok": True}


class ProposalOut(Schema):
    id: int
    congress: str
    year: int
    title: str
    proposer: str
    status: str
    deadline: str | None
    replied_on: str | None
    satisfaction: str
    reopened: bool


def _proposal(p: Proposal) -> dict[str, Any]:
    return {"id": p.pk, "congress": p.congress.name, "year": p.year, "title": p.title,
            "proposer": p.proposer.name, "status": p.status,
            "deadline": p.deadline.isoformat() if p.deadline else None,
            "replied_on": p.replied_on.isoformat() if p.replied_on else None,
            "satisfaction": p.satisfaction, "reopened": p.reopened}


@router.get("/proposals", response=Page[ProposalOut])
def list_proposals(request: HttpRequest, paging: Query[PageParams], q: str = "",
                   status: str = "", year: str = ""):
    require_capability(request.user, Capability.DEMOCRACY_READ)
    rows = selectors.proposal_list(viewer=request.user, q=q, status=status, year=year)
    return paginate(request, rows, paging, item=_proposal)


@router.get("/proposals/{proposal_id}", response=ProposalOut)
def get_proposal(request: HttpRequest, proposal_id: int):
    return _proposal(access_proposal(request.user, proposal_id))


@router.get("/dashboard")
def dashboard(request: HttpRequest, year: Year | None = None):
    """Elections due/overdue, turnout, proposals by state and department, reply times,
    satisfaction — for the viewer's subtrees."""
    require_capability(request.user, Capability.DEMOCRACY_READ)
    stats = selectors.dashboard(viewer=request.user)
    return {"elections": {str(label): n for label, n in stats["by_status"]},
            "terms_overdue": stats["terms_overdue"], "terms_due": stats["terms_due"],
            "turnout_percent": stats["turnout"],
            "proposals": selectors.proposal_stats(viewer=request.user,
                                                  year=year or clock.today().year)}
