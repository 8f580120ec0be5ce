"""Reads of the aid module. Every selector taking `viewer` scopes through accounts.scoping;
the ones without (eligible_files) are internal and say so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import can, is_global, prefixes, scope
from gonghui.aid.models import (
    ActivityKind,
    AidPolicy,
    Assistance,
    Beneficiary,
    EligibilityRule,
    FileActivity,
    FileCause,
    FileStatus,
    HardshipFile,
    HouseholdMember,
    LocalStandard,
    Programme,
)
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.crypto import blind_index
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org, OrgStatus

DUE_SOON_DAYS = 30


def files_of_person(person: Any) -> QuerySet[HardshipFile]:
    """Internal (no viewer: the worker's own 我的数据, members.mydata): the hardship files of
    which `person` is the applicant, with their household."""
    return (HardshipFile.objects.filter(applicant=person).select_related("union")
            .prefetch_related("household").order_by("id"))


def visible_files(viewer: Actor) -> QuerySet[HardshipFile]:
    return scope(HardshipFile.objects.all(), viewer, Capability.AID_READ, path_field="union_path")


def file_list(
    *,
    viewer: Actor,
    q: str = "",
    status: str = "",
    category: str = "",
    cause: str = "",
    within: Org | None = None,
    flagged: bool = False,
) -> QuerySet[HardshipFile]:
    queryset = visible_files(viewer).select_related("union")
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    if q:
        queryset = queryset.filter(Q(applicant_name__icontains=q) | Q(number__iexact=q.upper()))
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if cause:
        queryset = queryset.filter(
            # the union too: on Citus a correlated subquery joins on the distribution column
            Exists(FileCause.objects.filter(file=OuterRef("pk"), union=OuterRef("union"),
                                            cause=cause)))
    if flagged:
        queryset = queryset.filter(needs_review=True)
    return queryset.order_by("-id")


def review_due(*, viewer: Actor, within: Org | None = None, today: dt.date | None = None
               ) -> QuerySet[HardshipFile]:
    """Active files whose yearly review is due within 30 days or overdue, or that were flagged."""
    today = today or clock.today()
    queryset = visible_files(viewer).filter(status=FileStatus.ACTIVE).filter(
        Q(next_review_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS)) | Q(needs_review=True))
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    return queryset.select_related("union").order_by("next_review_due", "id")


def followup_due(*, viewer: Actor, within: Org | None = None, today: dt.date | None = None
                 ) -> QuerySet[HardshipFile]:
    """Exited households whose relapse follow-up is due within 30 days or overdue, and those
    whose last follow-up found a relapse (waiting for the one-click reopening)."""
    today = today or clock.today()
    queryset = visible_files(viewer).filter(status=FileStatus.EXITED).filter(
        Q(next_followup_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        | Q(relapse_found=True))
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    return queryset.select_related("union").order_by("-relapse_found", "next_followup_due", "id")


def eligible_files(programme: Programme) -> QuerySet[HardshipFile]:
    """Internal (the caller checked access to the programme): the active files of the
    programme's subtree that its rule admits."""
    queryset = HardshipFile.objects.filter(status=FileStatus.ACTIVE,
                                           union_path__startswith=programme.org_path)
    if programme.categories:
        queryset = queryset.filter(category__in=programme.categories)
    if programme.rule == EligibilityRule.UNIVERSITY_ENTRANTS:
        # the union too: on Citus a correlated subquery joins on the distribution column
        queryset = queryset.filter(Exists(HouseholdMember.objects.filter(
            file=OuterRef("pk"), union=OuterRef("union"),
            university_entry_year=programme.year)))
    return queryset.order_by("union_path", "id")


def programmes_visible(queryset: QuerySet[Programme], viewer: Actor) -> QuerySet[Programme]:
    """Programmes of the viewer's subtrees, and those of the unions above them: a district's
    programme is carried out by its streets and grassroots unions, who see it (and, on its page,
    only the households of their own subtree)."""
    if is_global(viewer):
        return queryset
    roots = prefixes(viewer, Capability.AID_READ)
    above = {root[:n] for root in roots for n in range(Org.steplen, len(root), Org.steplen)}
    within = Q()
    for root in roots:
        within |= Q(org_path__startswith=root)
    return queryset.filter(within | Q(org_path__in=above)) if roots else queryset.none()


def programme_rows_for(programme: Programme, viewer: Actor) -> QuerySet[Beneficiary]:
    """The programme's list as the viewer may see it: whole over the programme's org, otherwise
    the rows of the viewer's own subtrees."""
    rows = programme.beneficiaries.all()
    if can(viewer, programme.org, Capability.AID_READ):
        return rows
    return scope(rows, viewer, Capability.AID_READ, path_field="union_path")


def programme_list(*, viewer: Actor, q: str = "", year: str = "", kind: str = "",
                   status: str = "") -> QuerySet[Programme]:
    queryset = programmes_visible(Programme.objects.all(), viewer)
    if q:
        queryset = queryset.filter(name__icontains=q)
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("org").order_by("-year", "-id")


def programme_record(programme: Programme) -> QuerySet[AuditEvent]:
    """What was done to a programme (created, list generated, approved, paid…), oldest first;
    the caller reached the programme through access_programme."""
    return AuditEvent.objects.filter(object_type="aid.programme",
                                     object_id=str(programme.pk)).order_by("at", "id")


def programme_totals(programme: Programme) -> dict[str, Any]:
    rows = programme.beneficiaries.values("status").annotate(n=Count("id"), s=Sum("amount"))
    out: dict[str, Any] = {"listed": (0, 0), "paid": (0, 0), "removed": (0, 0)}
    for row in rows:
        out[row["status"]] = (row["n"], row["s"] or 0)
    return out


def standard_list(*, viewer: Actor, year: str = "", q: str = "") -> QuerySet[LocalStandard]:
    """低保 standards are published government figures: everyone who reads aid anywhere sees
    them all (a cadre must see the city's standard that applies to their union)."""
    if not (is_global(viewer) or prefixes(viewer, Capability.AID_READ)):
        return LocalStandard.objects.none()
    queryset = LocalStandard.objects.select_related("org")
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    if q:
        queryset = queryset.filter(Q(org__name__icontains=q) | Q(org__code__iexact=q.upper())
                                   | Q(org__short_name__icontains=q))
    return queryset.order_by("-year", "org_path")


def aid_roots(viewer: Actor) -> QuerySet[Org]:
    """The top orgs whose aid data the viewer sees (the dashboard's default scopes)."""
    if is_global(viewer):
        return Org.objects.filter(depth=1).order_by("path")
    return Org.objects.filter(path__in=prefixes(viewer, Capability.AID_READ)).order_by("path")


def dashboard(*, org: Org, viewer: Actor, year: int) -> dict[str, Any]:
    """Figures of one subtree (the caller checked access to `org`): a handful of grouped
    queries on indexed columns, whatever the subtree's size."""
    files = visible_files(viewer).filter(union_path__startswith=org.path)
    by_status: dict[str, int] = {}
    by_category: dict[str, int] = {}
    flagged = 0
    # one pass over the subtree's index entries: (status, category, flag) → count
    for status, category, needs_review, n in (
            files.values_list("status", "category", "needs_review").annotate(n=Count("id"))
            .order_by()):
        by_status[status] = by_status.get(status, 0) + n
        if status == FileStatus.ACTIVE:
            by_category[category] = by_category.get(category, 0) + n
            flagged += n if needs_review else 0
    active = files.filter(status=FileStatus.ACTIVE)
    causes = (scope(FileCause.objects.all(), viewer, Capability.AID_READ,
                    path_field="file__union_path")
              .filter(file__union_path__startswith=org.path, file__status=FileStatus.ACTIVE)
              .values_list("cause").annotate(n=Count("id")).order_by("-n"))
    activities = FileActivity.objects.filter(
        file__in=files.values("pk"), at__year=year,
        kind__in=[ActivityKind.EXIT, ActivityKind.REOPEN])
    moves = dict(activities.values_list("kind").annotate(n=Count("id")).order_by())
    money = (scope(Assistance.objects.all(), viewer, Capability.AID_READ, path_field="union_path")
             .filter(union_path__startswith=org.path, given_on__year=year)
             .values_list("programme__name").annotate(s=Sum("amount"), n=Count("id"))
             .order_by("-s"))
    today = clock.today()
    return {
        "by_status": by_status,
        "by_category": by_category,
        "by_cause": list(causes),
        "exits": moves.get(ActivityKind.EXIT, 0),
        "relapses": moves.get(ActivityKind.REOPEN, 0),
        "money": [(name, total, n) for name, total, n in money],
        "overdue_reviews": active.filter(next_review_due__lt=today).count(),
        "flagged": flagged,
        "overdue_followups": files.filter(status=FileStatus.EXITED,
                                          next_followup_due__lt=today).count(),
        "active": sum(by_category.values()),
    }


def applicant_lookup(*, viewer: Actor, number: str) -> Membership | None:
    """The member with this ID number whose active membership lies where the viewer may open
    files (aid.write), or None: a member elsewhere is indistinguishable from no member."""
    return (scope(Membership.objects.select_related("person", "union"), viewer,
                  Capability.AID_WRITE, path_field="union_path")
            .filter(person__id_hash=blind_index(number), status=MembershipStatus.ACTIVE)
            .first())


def writable_orgs(viewer: Actor) -> list[Org]:
    """The active orgs where the viewer may run a programme (aid.write; for the whole
    federation, the roots and the districts)."""
    active = Org.objects.filter(status=OrgStatus.ACTIVE)
    if is_global(viewer):
        return list(active.filter(depth__lte=2).order_by("path"))
    return list(active.filter(path__in=prefixes(viewer, Capability.AID_WRITE)).order_by("path"))


def policy_list(*, viewer: Actor) -> QuerySet[AidPolicy]:
    return scope(AidPolicy.objects.select_related("org"), viewer, Capability.AID_READ,
                 path_field="org_path").order_by("org_path")


def mark_editable_standards(rows: Any, *, viewer: Actor) -> None:
    """Set `can_edit` on each standard of a page: policy.write over the standard's region."""
    writable = prefixes(viewer, Capability.POLICY_WRITE)
    everywhere = is_global(viewer)
    for row in rows:
        row.can_edit = everywhere or any(row.org_path.startswith(p) for p in writable)


def file_parts(file: HardshipFile, *, limit: int | None = 200) -> dict[str, Any]:
    """Everything a file page shows, in a fixed number of queries. The page shows the latest
    `limit` timeline entries and assistance records (and a quarter as many assessments); the
    API asks for all (`limit=None`)."""
    household = list(file.household.all())
    # each income's household member from the list above, not by a join on the member's id
    # alone (an outer join Citus will not plan between shards); an income's member is always
    # one of its file's
    by_id = {person.pk: person for person in household}
    incomes = list(file.incomes.all())
    for income in incomes:
        if income.member_id in by_id:
            income.member = by_id[income.member_id]
    per_member: dict[int, Any] = {}
    for income in incomes:
        if income.member_id:
            per_member[income.member_id] = per_member.get(income.member_id, 0) + \
                income.monthly_amount
    for person in household:
        person.income_total = per_member.get(person.pk, 0)  # type: ignore[attr-defined]
    activities = file.activities.all()
    assistance = file.assistance.select_related("programme")
    assessments = file.assessments.all()
    if limit is not None:
        activities, assistance = activities[:limit], assistance[:limit]
        assessments = assessments[:max(limit // 4, 1)]
    return {
        "household": household,
        "incomes": incomes,
        "causes": [c.get_cause_display() for c in file.causes.all()],
        "documents": list(file.documents.select_related("uploaded_by")),
        "activities": list(activities),
        "assistance": list(assistance),
        "assessments": list(assessments),
    }
