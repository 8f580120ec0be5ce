"""Every capability a role can grant, as one enum. Code names capabilities only through it.

A capability is held at an org and reaches that org's subtree (`accounts.roles`). Its *read*
partner (`Capability.read_of`) decides visibility for the one status policy of
`accounts.gates.require_capability`: an object outside every subtree where the user holds the
read capability answers 404, a visible object the user may not change answers 403.
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    ORG_READ = "org.read"
    ORG_WRITE = "org.write"
    ROLE_ASSIGN = "role.assign"
    POLICY_WRITE = "policy.write"
    AUDIT_READ = "audit.read"
    STATS_READ = "stats.read"
    MEMBER_READ = "member.read"
    MEMBER_WRITE = "member.write"
    MEMBER_REVEAL = "member.reveal"
    FUNDS_READ = "funds.read"
    FUNDS_WRITE = "funds.write"
    FUNDS_AUDIT = "funds.audit"
    AID_READ = "aid.read"
    AID_WRITE = "aid.write"
    AID_REVEAL = "aid.reveal"
    MUTUALAID_READ = "mutualaid.read"
    MUTUALAID_WRITE = "mutualaid.write"
    MUTUALAID_REVEAL = "mutualaid.reveal"
    WORKPLAN_READ = "workplan.read"
    WORKPLAN_WRITE = "workplan.write"
    FUNDS_REOPEN = "funds.reopen"
    RIGHTS_READ = "rights.read"
    RIGHTS_WRITE = "rights.write"
    RIGHTS_REVEAL = "rights.reveal"
    AWARDS_READ = "awards.read"
    AWARDS_WRITE = "awards.write"
    DEMOCRACY_READ = "democracy.read"
    DEMOCRACY_WRITE = "democracy.write"
    EVALUATION_READ = "evaluation.read"
    EVALUATION_WRITE = "evaluation.write"
    OUTREACH_READ = "outreach.read"
    OUTREACH_WRITE = "outreach.write"
    EMPLOYER_WRITE = "employer.write"

    @property
    def read_of(self) -> Capability:
        """The capability that makes an object of this kind visible at all."""
        return _READ_OF.get(self, self)


_READ_OF: dict[Capability, Capability] = {
    Capability.ORG_WRITE: Capability.ORG_READ,
    Capability.ROLE_ASSIGN: Capability.ORG_READ,
    Capability.POLICY_WRITE: Capability.ORG_READ,
    Capability.MEMBER_WRITE: Capability.MEMBER_READ,
    Capability.MEMBER_REVEAL: Capability.MEMBER_READ,
    Capability.FUNDS_WRITE: Capability.FUNDS_READ,
    Capability.FUNDS_AUDIT: Capability.FUNDS_READ,
    Capability.AID_WRITE: Capability.AID_READ,
    Capability.AID_REVEAL: Capability.AID_READ,
    Capability.MUTUALAID_WRITE: Capability.MUTUALAID_READ,
    Capability.MUTUALAID_REVEAL: Capability.MUTUALAID_READ,
    Capability.WORKPLAN_WRITE: Capability.WORKPLAN_READ,
    Capability.FUNDS_REOPEN: Capability.FUNDS_READ,
    Capability.RIGHTS_WRITE: Capability.RIGHTS_READ,
    Capability.RIGHTS_REVEAL: Capability.RIGHTS_READ,
    Capability.AWARDS_WRITE: Capability.AWARDS_READ,
    Capability.DEMOCRACY_WRITE: Capability.DEMOCRACY_READ,
    Capability.EVALUATION_WRITE: Capability.EVALUATION_READ,
    Capability.OUTREACH_WRITE: Capability.OUTREACH_READ,
    Capability.EMPLOYER_WRITE: Capability.ORG_READ,
}
