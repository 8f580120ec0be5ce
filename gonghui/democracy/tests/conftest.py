"""Fixtures of the democracy tests: an election taken through its workflow by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_user
from gonghui.democracy import services
from gonghui.democracy.models import Body, Election


def prepared_election(org: Any, cadre: Any, *, seats: int = 2,
                      candidates: tuple[str, ...] = ("甲", "乙", "丙"), voters: int = 9,
                      accounts: bool = True, body: str = Body.COMMITTEE,
                      present: int | None = None, prefix: str = "v") -> Election:
    """An election with its plan and candidates approved and the meeting open."""
    election = services.election_create(org=org, title="第二届委员会换届选举", body=body,
                                         seats=seats, meeting_on=dt.date(2026, 12, 1),
                                         actor=cadre)
    services.plan_approve(election=election, approval="沪A工〔2026〕1号", consultation="两上两下",
                          actor=cadre)
    for name in candidates:
        services.candidate_add(election=election, name=name, actor=cadre)
    lines = []
    for i in range(voters):
        if accounts:
            make_user(f"{prefix}{i}")
            lines.append(f"选举人{i},{prefix}{i}")
        else:
            lines.append(f"选举人{i}")
    services.voters_add(election=election, lines=lines, actor=cadre)
    services.candidates_approve(election=election, approval="沪A工〔2026〕2号", actor=cadre)
    ids = list(election.voters.values_list("pk", flat=True))[: voters if present is None
                                                                else present]
    services.meeting_open(election=election, present_ids=ids, actor=cadre)
    election.refresh_from_db()
    return election


@pytest.fixture
def a11(tree: dict[str, Any]) -> Any:
    return tree["SH-A-1-1"]
