"""Models of democracy: elections (elections.py), the congress and its proposals
(congress.py)."""

from gonghui.democracy.models.congress import (
    PROPOSAL_TRANSITIONS,
    Attendance,
    Congress,
    ContactKind,
    ContactRecord,
    Cosigner,
    Proposal,
    ProposalDepartment,
    ProposalHistory,
    ProposalStatus,
    Representative,
    Satisfaction,
    Session,
    SessionVote,
)
from gonghui.democracy.models.elections import (
    ELECTION_TRANSITIONS,
    ROUND_TRANSITIONS,
    Ballot,
    Body,
    Candidate,
    Credential,
    CredentialToken,
    Election,
    ElectionHistory,
    ElectionStatus,
    InsertOnly,
    RoundHistory,
    RoundMode,
    RoundStatus,
    Term,
    Voter,
    VotingRound,
)

__all__ = [
    "ELECTION_TRANSITIONS", "PROPOSAL_TRANSITIONS", "ROUND_TRANSITIONS", "Attendance", "Ballot",
    "Body", "Candidate", "Congress", "ContactKind", "ContactRecord", "Cosigner", "Credential",
    "CredentialToken", "Election", "ElectionHistory", "ElectionStatus", "InsertOnly", "Proposal",
    "ProposalDepartment", "ProposalHistory", "ProposalStatus", "Representative", "RoundHistory",
    "RoundMode", "RoundStatus", "Satisfaction", "Session", "SessionVote", "Term", "Voter",
    "VotingRound",
]
