"""Roles held at an org, and what each lets its holder do over that org's subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.capabilities import Capability


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    CADRE = "cadre", _("工会干部")
    REGISTRAR = "registrar", _("会员专管员")
    TREASURER = "treasurer", _("财务人员")
    AUDITOR = "auditor", _("经审委员")
    VIEWER = "viewer", _("查看者")


C = Capability

_READ = {C.ORG_READ, C.MEMBER_READ, C.STATS_READ, C.WORKPLAN_READ, C.FUNDS_READ, C.AID_READ,
         C.MUTUALAID_READ}
# The wave-2 modules: cadres run them; their reads are not part of every role's _READ (rights
# cases hold workers' personal data, ballots and ratings are cadres' work).
_WAVE2_READ = {C.RIGHTS_READ, C.AWARDS_READ, C.DEMOCRACY_READ, C.EVALUATION_READ,
               C.OUTREACH_READ}
_WAVE2_WRITE = {C.RIGHTS_WRITE, C.RIGHTS_REVEAL, C.AWARDS_WRITE, C.DEMOCRACY_WRITE,
                C.EVALUATION_WRITE, C.OUTREACH_WRITE}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        _READ
        | {C.ORG_WRITE, C.ROLE_ASSIGN, C.AUDIT_READ, C.MEMBER_WRITE, C.MEMBER_REVEAL,
           C.WORKPLAN_WRITE, C.FUNDS_WRITE, C.POLICY_WRITE, C.AID_WRITE, C.AID_REVEAL,
           C.MUTUALAID_WRITE, C.MUTUALAID_REVEAL, C.FUNDS_REOPEN, C.EMPLOYER_WRITE}
        | _WAVE2_READ | _WAVE2_WRITE
    ),
    # mutualaid.reveal: a cadre who corrects a failed payout must read the payee's account.
    Role.CADRE: frozenset(_READ | {C.MEMBER_WRITE, C.WORKPLAN_WRITE, C.AID_WRITE,
                                   C.MUTUALAID_WRITE, C.MUTUALAID_REVEAL, C.EMPLOYER_WRITE}
                          | _WAVE2_READ | _WAVE2_WRITE),
    Role.REGISTRAR: frozenset(_READ | {C.MEMBER_WRITE, C.MEMBER_REVEAL}),
    Role.TREASURER: frozenset(_READ | {C.FUNDS_WRITE}),
    # 经审: reads funds and their evidence (the aid files and payouts vouchers point to), never
    # writes; not the member registry (SPEC §5: personal data only as the work needs).
    Role.AUDITOR: frozenset((_READ - {C.MEMBER_READ}) | {C.FUNDS_AUDIT, C.AUDIT_READ}),
    Role.VIEWER: frozenset({C.ORG_READ, C.STATS_READ, C.WORKPLAN_READ, C.AWARDS_READ,
                            C.OUTREACH_READ}),
}  # fmt: skip

ALL_CAPABILITIES: frozenset[Capability] = frozenset(Capability)
