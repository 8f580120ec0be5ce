"""The election workflow end to end through the services; paper and electronic rounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import RoleAssignment, User
from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.democracy import permissions, selectors, services
from gonghui.democracy.counting import RoundError, ballots_digest
from gonghui.democracy.models import (
    Ballot,
    Body,
    Credential,
    ElectionStatus,
    RoundMode,
    RoundStatus,
    Term,
)
from gonghui.democracy.tests.conftest import prepared_election

pytestmark = pytest.mark.django_db


def test_paper_election_runs_to_the_higher_unions_approval(a11: Any, district_cadre: Any
                                                           ) -> None:
    election = prepared_election(a11, district_cadre, accounts=False, voters=9, present=7)
    assert election.status == ElectionStatus.MEETING
    assert election.present == 7
    first, tokens = services.round_open(election=election, mode=RoundMode.PAPER,
                                        actor=district_cadre)
    assert tokens == []
    # 甲 5 of 9 entitled: elected (more than 4.5); 乙 4: not; one seat left
    services.round_close_paper(voting=first, issued=7, returned=7,
                               tally={"甲": 5, "乙": 4, "丙": 3}, actor=district_cadre)
    first.refresh_from_db()
    assert first.status == RoundStatus.CLOSED
    assert first.result["elected"] == ["甲"]
    assert first.result["seats_left"] == 1
    election.refresh_from_db()
    assert election.status == ElectionStatus.MEETING
    second, _ = services.round_open(election=election, mode=RoundMode.PAPER,
                                    actor=district_cadre)
    assert second.number == 2
    assert second.seats == 1
    assert second.candidates == ["乙", "丙"]
    services.round_close_paper(voting=second, issued=7, returned=7,
                               ballots=[["乙"]] * 5 + [["丙"], ["乙", "丙"]],
                               actor=district_cadre)
    second.refresh_from_db()
    assert second.result["elected"] == ["乙"]
    assert second.result["void_ballots"] == 1
    assert second.tally_hash == ballots_digest([["乙"]] * 5 + [["丙"], ["乙", "丙"]])
    election.refresh_from_db()
    assert election.status == ElectionStatus.COUNTED
    assert list(election.candidates.filter(elected_in_round__isnull=False)
                .values_list("name", "elected_in_round", "votes")) == [("甲", 1, 5), ("乙", 2, 5)]
    services.result_approve(election=election, approval="沪A工〔2026〕9号", actor=district_cadre)
    election.refresh_from_db()
    assert election.status == ElectionStatus.CLOSED
    term = Term.objects.get(org=a11, body=Body.COMMITTEE)
    assert (term.started_on, term.ends_on) == (dt.date(2026, 12, 1), dt.date(2031, 12, 1))
    assert list(election.history.values_list("to_status", flat=True)) == [
        "plan_approved", "candidates_approved", "meeting", "counted", "closed"]


def test_too_few_candidates_are_refused(a11: Any, district_cadre: Any) -> None:
    election = services.election_create(org=a11, title="换届", body=Body.COMMITTEE, seats=2,
                                         meeting_on=dt.date(2026, 12, 1), actor=district_cadre)
    services.plan_approve(election=election, approval="批复", actor=district_cadre)
    services.candidate_add(election=election, name="甲", actor=district_cadre)
    services.candidate_add(election=election, name="乙", actor=district_cadre)
    with pytest.raises(ApplicationError) as exc:
        services.candidates_approve(election=election, approval="批复", actor=district_cadre)
    assert exc.value.message == "应选 2 名，候选人至少需要 3 名（差额率不低于 5%），目前只有 2 名。"
    election.refresh_from_db()
    assert election.status == ElectionStatus.PLAN_APPROVED


def test_meeting_without_quorum_is_refused(a11: Any, district_cadre: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        prepared_election(a11, district_cadre, accounts=False, voters=9, present=5)
    assert exc.value.message == "应到会 9 人，实到 5 人，不足三分之二，不能进行选举。"


def test_bad_paper_input_changes_nothing(a11: Any, district_cadre: Any) -> None:
    election = prepared_election(a11, district_cadre, accounts=False)
    voting, _ = services.round_open(election=election, mode=RoundMode.PAPER,
                                    actor=district_cadre)
    before = AuditEvent.objects.count()
    with pytest.raises(RoundError) as exc:
        services.round_close_paper(voting=voting, issued=9, returned=9, tally={"丁": 5},
                                   actor=district_cadre)
    assert exc.value.message == "“丁”不在候选人名单中。"
    with pytest.raises(RoundError):
        services.round_close_paper(voting=voting, issued=10, returned=9, tally={"甲": 5},
                                   actor=district_cadre)
    voting.refresh_from_db()
    assert (voting.status, voting.result, voting.issued) == (RoundStatus.OPEN, None, None)
    assert AuditEvent.objects.count() == before


def test_returned_over_issued_voids_the_round_and_it_is_voted_again(a11: Any,
                                                                      district_cadre: Any) -> None:
    election = prepared_election(a11, district_cadre, accounts=False)
    voting, _ = services.round_open(election=election, mode=RoundMode.PAPER,
                                    actor=district_cadre)
    services.round_close_paper(voting=voting, issued=8, returned=9, tally={"甲": 9},
                               actor=district_cadre)
    voting.refresh_from_db()
    assert voting.result["round_valid"] is False
    assert election.candidates.filter(elected_in_round__isnull=False).count() == 0
    again, _ = services.round_open(election=election, mode=RoundMode.PAPER,
                                   actor=district_cadre)
    assert (again.number, again.seats, again.candidates) == (2, 2, ["甲", "乙", "丙"])


def test_electronic_round_one_ballot_per_credential(a11: Any, district_cadre: Any) -> None:
    election = prepared_election(a11, district_cadre, voters=9, prefix="e")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    assert len(tokens) == 9
    assert Credential.objects.filter(round=voting).count() == 9
    assert not Credential.objects.filter(token_hash__in=[t for _, t in tokens]).exists()
    choices = [["甲", "乙"]] * 6 + [["甲"], ["乙", "丙"], ["甲", "乙", "丙"]]
    for (_voter, token), chosen in zip(tokens, choices, strict=True):
        services.ballot_cast(token=token, choices=chosen)
    with pytest.raises(Conflict) as exc:
        services.ballot_cast(token=tokens[0][1], choices=["丙"])
    assert exc.value.message == "该投票凭证已经使用过，每人只能投一票。"
    with pytest.raises(NotFound):
        services.ballot_cast(token="NOPE", choices=["丙"])
    assert Ballot.objects.filter(round=voting).count() == 9
    services.round_close_electronic(voting=voting, actor=district_cadre)
    voting.refresh_from_db()
    assert voting.result == {"may_start": True, "candidates_ok": True, "min_candidates": 3,
                             "round_valid": True, "void_ballots": 1,
                             "tally": {"甲": 7, "乙": 7, "丙": 1}, "elected": ["甲", "乙"],
                             "runoff": [], "seats_left": 0}
    assert (voting.issued, voting.returned) == (9, 9)
    assert voting.tally_hash == ballots_digest(choices)
    with pytest.raises(Conflict):
        services.ballot_cast(token=tokens[0][1], choices=["丙"])


def test_voter_casts_through_own_credential_only(a11: Any, district_cadre: Any) -> None:
    election = prepared_election(a11, district_cadre, voters=3, seats=1,
                                 candidates=("甲", "乙"), prefix="w")
    voting, _ = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                    actor=district_cadre)
    voter = User.objects.get(username="w0")
    assert list(selectors.voter_open_rounds(voter)) == [voting]
    assert permissions.access_vote(voter, voting.pk) == voting
    services.ballot_cast_as_voter(voting=voting, user=voter, choices=["甲"])
    assert list(selectors.voter_open_rounds(voter)) == []
    assert selectors.has_voted(voter, voting) is True
    outsider = User.objects.create(username="outsider")
    with pytest.raises(NotFound):
        permissions.access_vote(outsider, voting.pk)
    with pytest.raises(ApplicationError) as exc:
        services.ballot_cast_as_voter(voting=voting, user=User.objects.get(username="w1"),
                                      choices=["丁"])
    assert exc.value.message == "“丁”不是本轮候选人。"
    assert Ballot.objects.filter(round=voting).count() == 1


def test_a_stored_ballot_cannot_be_tied_to_its_voter(a11: Any, district_cadre: Any) -> None:
    """The ballot table holds the round, the election's union (the distribution column on
    Citus: the same for every ballot of the round) and the names, nothing else: no voter, no
    credential, no time; its key is random, so neither the key nor any column orders ballots by
    arrival."""
    fields = {f.name for f in Ballot._meta.get_fields()}
    assert fields == {"id", "org", "round", "choices"}
    assert not [f for f in Ballot._meta.get_fields()
                if f.get_internal_type() in ("DateTimeField", "DateField", "TimeField",
                                             "AutoField", "BigAutoField")]
    election = prepared_election(a11, district_cadre, voters=3, seats=1,
                                 candidates=("甲", "乙"), prefix="u")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    for (_v, token), name in zip(tokens, ["甲", "乙", "甲"], strict=True):
        services.ballot_cast(token=token, choices=[name])
    rows = list(Ballot.objects.filter(round=voting).values())
    assert sorted(r["choices"][0] for r in rows) == ["乙", "甲", "甲"]
    assert {k for r in rows for k in r} == {"id", "org_id", "round_id", "choices"}
    assert {r["org_id"] for r in rows} == {election.org_id}
    assert all(r["id"].version == 4 for r in rows)
    # every credential is just "used": which one voted for whom is not recorded
    assert list(Credential.objects.filter(round=voting).values_list("used", flat=True)) == [
        True, True, True]
    assert not AuditEvent.objects.filter(action__startswith="democracy.ballot").exists()


def test_ballots_are_insert_only(a11: Any, district_cadre: Any) -> None:
    election = prepared_election(a11, district_cadre, voters=3, seats=1,
                                 candidates=("甲", "乙"), prefix="i")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    services.ballot_cast(token=tokens[0][1], choices=["甲"])
    ballot = Ballot.objects.get(round=voting)
    ballot.choices = ["乙"]
    with pytest.raises(Exception, match="insert-only"):
        ballot.save()
    with pytest.raises(Exception, match="insert-only"):
        ballot.delete()
    assert Ballot.objects.get(round=voting).choices == ["甲"]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(["甲", "乙", "丙"]), max_size=3, unique=True),
                min_size=1, max_size=8))
def test_recount_of_stored_ballots_equals_the_published_tally(
        a11: Any, district_cadre: Any, choices: list[list[str]]) -> None:
    from gonghui.democracy.models import Election  # why: fresh election per hypothesis example

    n = len(choices)
    prefix = f"h{Election.objects.count()}_"
    election = prepared_election(a11, district_cadre, voters=n, seats=1, prefix=prefix)
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    for (_v, token), chosen in zip(tokens, choices, strict=True):
        services.ballot_cast(token=token, choices=chosen)
    services.round_close_electronic(voting=voting, actor=district_cadre)
    voting.refresh_from_db()
    recount, digest = services.round_count_electronic(voting)
    assert recount.as_dict() == voting.result
    assert digest == voting.tally_hash


def test_scoping_and_denials_change_nothing(a11: Any, district_cadre: Any,
                                           other_district_cadre: Any, member_user: Any,
                                           tree: Any) -> None:
    from conftest import make_user  # why: cadres of a sibling union and of the union itself

    sibling = make_user("sibling", org=tree["SH-A-1-2"], role="cadre")
    local = make_user("local", org=a11, role="cadre")
    election = prepared_election(a11, district_cadre, accounts=False)
    with pytest.raises(NotFound):
        permissions.access_election(other_district_cadre, election.pk)
    with pytest.raises(NotFound):
        permissions.access_election(member_user, election.pk)
    with pytest.raises(NotFound):
        permissions.access_election(sibling, election.pk)
    assert permissions.access_election(local, election.pk, write=True) == election
    assert list(selectors.election_list(viewer=other_district_cadre)) == []
    assert list(selectors.election_list(viewer=district_cadre)) == [election]
    with pytest.raises(NotFound):
        services.round_open(election=election, mode=RoundMode.PAPER, actor=other_district_cadre)
    with pytest.raises(NotFound):
        services.round_open(election=election, mode=RoundMode.PAPER, actor=sibling)
    assert election.rounds.count() == 0
    with pytest.raises(NotFound):
        permissions.access_published(member_user, election.pk)


def test_grassroots_union_cannot_approve_its_own_plan(tree: Any, district_cadre: Any) -> None:
    from conftest import make_user  # why: a cadre of the grassroots union itself

    local = make_user("local_cadre", org=tree["SH-A-1-1"], role="cadre")
    election = services.election_create(org=tree["SH-A-1-1"], title="换届", body=Body.WOMEN,
                                         seats=3, meeting_on=dt.date(2026, 12, 1), actor=local)
    with pytest.raises(Forbidden) as exc:
        services.plan_approve(election=election, approval="自批", actor=local)
    assert exc.value.message == "选举方案、候选人和选举结果须由上级工会批复。"
    election.refresh_from_db()
    assert election.status == ElectionStatus.DRAFT


def test_terms_due_and_overdue(tree: Any, district_cadre: Any, other_district_cadre: Any
                               ) -> None:
    services.term_set(org=tree["SH-A-1-1"], body=Body.COMMITTEE,
                      started_on=dt.date(2021, 6, 1), years=5, actor=district_cadre)
    services.term_set(org=tree["SH-A-1-2"], body=Body.AUDIT,
                      started_on=dt.date(2023, 12, 1), years=3, actor=district_cadre)
    services.term_set(org=tree["SH-A-1-2"], body=Body.WOMEN,
                      started_on=dt.date(2024, 1, 1), years=5, actor=district_cadre)
    today = dt.date(2026, 9, 1)
    assert [(t.org.code, t.body) for t in selectors.terms_due(viewer=district_cadre,
                                                               today=today)] == [
        ("SH-A-1-1", "committee"), ("SH-A-1-2", "audit")]
    assert [t.org.code for t in selectors.terms_due(viewer=district_cadre, today=today,
                                                     overdue_only=True)] == ["SH-A-1-1"]
    assert list(selectors.terms_due(viewer=other_district_cadre, today=today)) == []
    with pytest.raises(ApplicationError):
        services.term_set(org=tree["SH-A-1-1"], body=Body.COMMITTEE,
                          started_on=dt.date(2021, 6, 1), years=4, actor=district_cadre)


def test_elected_member_becomes_role_holder(a11: Any, district_cadre: Any) -> None:
    from conftest import make_user  # why: the elected member's own account

    winner = make_user("winner")
    election = services.election_create(org=a11, title="换届", body=Body.CHAIR, seats=1,
                                         meeting_on=dt.date(2026, 12, 1), actor=district_cadre)
    services.plan_approve(election=election, approval="批复", actor=district_cadre)
    candidate = services.candidate_add(election=election, name="王主席", username="winner",
                                       actor=district_cadre)
    services.voters_add(election=election, lines=["甲", "乙", "丙"], actor=district_cadre)
    services.candidates_approve(election=election, approval="批复", actor=district_cadre)
    services.meeting_open(election=election, present_ids=list(
        election.voters.values_list("pk", flat=True)), actor=district_cadre)
    voting, _ = services.round_open(election=election, mode=RoundMode.PAPER,
                                    actor=district_cadre)
    services.round_close_paper(voting=voting, issued=3, returned=3, tally={"王主席": 3},
                               actor=district_cadre)
    election.refresh_from_db()
    services.result_approve(election=election, approval="批复", actor=district_cadre)
    candidate.refresh_from_db()
    services.elected_roles_grant(election=election, candidate=candidate, role="cadre",
                                 actor=district_cadre)
    assert RoleAssignment.objects.filter(user=winner, org=a11, role="cadre").count() == 1
