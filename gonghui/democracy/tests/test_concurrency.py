"""One credential used twice at the same moment counts once (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gonghui.core.errors import Conflict
from gonghui.democracy import services
from gonghui.democracy.models import Ballot, Credential, RoundMode
from gonghui.democracy.tests.conftest import prepared_election

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls: list[Any]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i: int, call: Any) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # the refusal is the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_one_credential_twice_at_once_counts_once(tree: Any, district_cadre: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    election = prepared_election(tree["SH-A-1-1"], district_cadre, voters=3, seats=1,
                                 candidates=("甲", "乙"), prefix="c")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    token = tokens[0][1]
    results = _run([lambda: services.ballot_cast(token=token, choices=["甲"]),
                    lambda: services.ballot_cast(token=token, choices=["乙"]),
                    lambda: services.ballot_cast(token=token, choices=["甲"]),
                    lambda: services.ballot_cast(token=token, choices=["乙"])])
    assert results.count(None) == 1
    refusals = [r for r in results if r is not None]
    assert len(refusals) == 3
    assert all(isinstance(r, Conflict) for r in refusals)
    assert Ballot.objects.filter(round=voting).count() == 1
    assert Credential.objects.filter(round=voting, used=True).count() == 1


def test_many_voters_at_once_none_lost(tree: Any, district_cadre: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    election = prepared_election(tree["SH-A-1-1"], district_cadre, voters=8, seats=1,
                                 candidates=("甲", "乙"), prefix="m")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    results = _run([lambda t=t: services.ballot_cast(token=t, choices=["甲"])
                    for _v, t in tokens])
    assert results == [None] * 8
    services.round_close_electronic(voting=voting, actor=district_cadre)
    voting.refresh_from_db()
    assert voting.result["tally"] == {"甲": 8, "乙": 0}
    assert voting.result["elected"] == ["甲"]


def test_ballots_racing_the_close_are_counted_or_refused(tree: Any, district_cadre: Any
                                                          ) -> None:
    """A ballot cast while the round closes is either in the count or rolled back: the stored
    ballots always recount to the published result."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    election = prepared_election(tree["SH-A-1-1"], district_cadre, voters=6, seats=1,
                                 candidates=("甲", "乙"), prefix="r")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    services.ballot_cast(token=tokens[0][1], choices=["甲"])
    results = _run([lambda: services.round_close_electronic(voting=voting, actor=district_cadre),
                    *[lambda t=t: services.ballot_cast(token=t, choices=["乙"])
                      for _v, t in tokens[1:]]])
    voting.refresh_from_db()
    cast = [r for r in results[1:] if r is None]
    refused = [r for r in results[1:] if isinstance(r, Conflict)]
    assert len(cast) + len(refused) == 5
    assert Ballot.objects.filter(round=voting).count() == 1 + len(cast) == voting.returned
    recount, digest = services.round_count_electronic(voting)
    assert recount.as_dict() == voting.result
    assert digest == voting.tally_hash
    # a refused voter's credential stays unused: the rollback undid the claim
    assert Credential.objects.filter(round=voting, used=True).count() == 1 + len(cast)
