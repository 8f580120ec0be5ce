"""Reads of democracy, scoped to the viewer's subtrees (democracy.read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core import clock
from gonghui.core.colocated import same_union
from gonghui.democracy.models import (
    Congress,
    ContactRecord,
    Cosigner,
    Credential,
    Election,
    ElectionStatus,
    Proposal,
    ProposalDepartment,
    ProposalStatus,
    Representative,
    RoundStatus,
    Satisfaction,
    Term,
    Voter,
    VotingRound,
)

# A body's re-election is "due" from this many days before its term ends (换届提醒).
DUE_WINDOW_DAYS = 180


def election_list(*, viewer: Any, q: str = "", status: str = "", body: str = ""
                  ) -> QuerySet[Election]:
    rows = scope(Election.objects.select_related("org"), viewer, Capability.DEMOCRACY_READ,
                 path_field="org_path")
    if q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(org__name__icontains=q.strip())
                           | Q(org__code__iexact=q.strip()))
    if status:
        rows = rows.filter(status=status)
    if body:
        rows = rows.filter(body=body)
    return rows.order_by("-meeting_on", "-id")


def terms_due(*, viewer: Any, today: dt.date | None = None, overdue_only: bool = False
              ) -> QuerySet[Term]:
    """Terms ending within the window (due) or already ended (overdue), soonest first."""
    today = today or clock.today()
    rows = scope(Term.objects.select_related("org"), viewer, Capability.DEMOCRACY_READ,
                 path_field="org_path")
    limit = today if overdue_only else today + dt.timedelta(days=DUE_WINDOW_DAYS)
    return rows.filter(ends_on__lte=limit).order_by("ends_on", "id")


def term_list(*, viewer: Any, q: str = "") -> QuerySet[Term]:
    rows = scope(Term.objects.select_related("org"), viewer, Capability.DEMOCRACY_READ,
                 path_field="org_path")
    if q.strip():
        rows = rows.filter(Q(org__name__icontains=q.strip()) | Q(org__code__iexact=q.strip()))
    return rows.order_by("ends_on", "id")


def voter_open_rounds(user: Any) -> QuerySet[VotingRound]:
    """The open electronic rounds the user holds an unused credential for (no scoping: their
    own credentials only)."""
    if not getattr(user, "pk", None):
        return VotingRound.objects.none()
    # credential and voter joined on their union too (on Citus: on the shard)
    used = Credential.objects.filter(same_union("voter", "org"), voter__user=user,
                                     used=True).values("round")
    return (VotingRound.objects.select_related("election", "election__org")
            .filter(status=RoundStatus.OPEN, credentials__voter__user=user,
                    credentials__voter__org=F("credentials__org"))
            .exclude(pk__in=used).order_by("id"))


def voter_published(user: Any) -> QuerySet[Election]:
    if not getattr(user, "pk", None):
        return Election.objects.none()
    return (Election.objects.select_related("org")
            .filter(status=ElectionStatus.CLOSED,
                    pk__in=Voter.objects.filter(user=user).values("election"))
            .order_by("-meeting_on"))


def has_voted(user: Any, voting: VotingRound) -> bool:
    return Credential.objects.filter(same_union("voter", "org"), round=voting,
                                     voter__user=user, used=True).exists()


def dashboard(*, viewer: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or clock.today()
    elections = election_list(viewer=viewer)
    by_status = dict(elections.values_list("status").annotate(n=Count("id")).order_by())
    terms = scope(Term.objects.all(), viewer, Capability.DEMOCRACY_READ, path_field="org_path")
    rounds = (scope(VotingRound.objects.all(), viewer, Capability.DEMOCRACY_READ,
                    path_field="election__org_path").filter(status=RoundStatus.CLOSED))
    entitled = present = 0
    for e_, p_ in rounds.values_list("entitled", "present"):
        entitled += e_
        present += p_
    return {
        "by_status": [(label, by_status.get(value, 0))
                      for value, label in ElectionStatus.choices],
        "terms_overdue": terms.filter(ends_on__lt=today).count(),
        "terms_due": terms.filter(ends_on__gte=today,
                                  ends_on__lte=today + dt.timedelta(days=DUE_WINDOW_DAYS)).count(),
        "rounds_closed": rounds.count(),
        "turnout": (round(100 * present / entitled, 1) if entitled else None),
    }


# --- congress and proposals ---------------------------------------------------------------------

def congress_list(*, viewer: Any, q: str = "") -> QuerySet[Congress]:
    rows = scope(Congress.objects.select_related("org"), viewer, Capability.DEMOCRACY_READ,
                 path_field="org_path")
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(org__name__icontains=q.strip()))
    return rows.order_by("-started_on", "-id")


def proposal_list(*, viewer: Any, q: str = "", status: str = "", year: str = "",
                  congress: Any = None) -> QuerySet[Proposal]:
    # the proposer joined on the union too (on Citus: on the proposal's shard)
    rows = scope(Proposal.objects.select_related("proposer", "congress")
                 .filter(same_union("proposer", "org")), viewer,
                 Capability.DEMOCRACY_READ, path_field="org_path")
    if congress is not None:
        rows = rows.filter(congress=congress)
    if q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(proposer__name=q.strip()))
    if status:
        rows = rows.filter(status=status)
    if str(year).isdigit():
        rows = rows.filter(year=int(year))
    return rows.order_by("-year", "-id")


def my_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals the user proposed, co-signed, or may co-sign (drafts of their congress)."""
    if not getattr(user, "pk", None):
        return Proposal.objects.none()
    congresses = Representative.objects.filter(user=user, active=True).values("congress")
    # "co-signed by the user" as a subquery (an outer join to the co-signers on the proposal id
    # alone is refused by Citus); the proposer joined on the union
    cosigned = Cosigner.objects.filter(same_union("representative", "org"),
                                       representative__user=user).values("proposal")
    return (Proposal.objects.select_related("proposer", "congress")
            .filter(same_union("proposer", "org"))
            .filter(Q(proposer__user=user) | Q(pk__in=cosigned)
                    | Q(congress__in=congresses, status=ProposalStatus.DRAFT))
            .order_by("-year", "-id"))


def proposals_to_answer(*, viewer: Any) -> QuerySet[Proposal]:
    """Proposals waiting for the committee (submitted) or a reply (assigned), oldest first."""
    return proposal_list(viewer=viewer).filter(
        status__in=[ProposalStatus.SUBMITTED, ProposalStatus.ASSIGNED]).order_by(
        "deadline", "id")


def proposal_stats(*, viewer: Any, year: int) -> dict[str, Any]:
    rows = proposal_list(viewer=viewer, year=str(year))
    by_status = dict.fromkeys(ProposalStatus.values, 0)
    for status, n in rows.values_list("status").annotate(n=Count("id")).order_by():
        by_status[status] = n
    departments = (ProposalDepartment.objects.filter(proposal__in=rows)
                   .values_list("department__name").annotate(n=Count("id"))
                   .order_by("-n", "department__name"))
    satisfaction = dict.fromkeys(Satisfaction.values, 0)
    for value, n in (rows.exclude(satisfaction="").values_list("satisfaction")
                     .annotate(n=Count("id")).order_by()):
        satisfaction[value] = n
    replied = [(r - a).days for a, r in rows.filter(replied_on__isnull=False,
                                                      assigned_on__isnull=False)
               .values_list("assigned_on", "replied_on") if a is not None and r is not None]
    return {
        "by_status": by_status,
        "by_department": [(name, n) for name, n in departments],
        "satisfaction": satisfaction,
        "reply_days": round(sum(replied) / len(replied), 1) if replied else None,
    }


def contacts(congress: Congress) -> QuerySet[ContactRecord]:
    """Internal: the contact records of a congress already reached through access_congress."""
    return (ContactRecord.objects.filter(same_union("representative", "org"),
                                         representative__congress=congress,
                                         org_id=congress.org_id)
            .select_related("representative").order_by("-on", "-id"))
