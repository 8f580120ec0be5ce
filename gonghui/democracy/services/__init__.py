"""Every write of democracy. Elections (elections.py) are re-exported here; the congress and
its proposals live in congress.py."""

from gonghui.democracy.services.elections import (
    add_years,
    ballot_cast,
    ballot_cast_as_voter,
    candidate_add,
    candidate_remove,
    candidates_approve,
    elected_roles_grant,
    election_cancel,
    election_create,
    meeting_open,
    plan_approve,
    result_approve,
    round_close_electronic,
    round_close_paper,
    round_count_electronic,
    round_open,
    stored_ballots,
    term_set,
    voters_add,
)

__all__ = [
    "add_years", "ballot_cast", "ballot_cast_as_voter", "candidate_add", "candidate_remove",
    "candidates_approve", "elected_roles_grant", "election_cancel", "election_create",
    "meeting_open", "plan_approve", "result_approve", "round_close_electronic",
    "round_close_paper", "round_count_electronic", "round_open", "stored_ballots", "term_set",
    "voters_add",
]
