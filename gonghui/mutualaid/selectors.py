"""Reads of mutual aid, each scoped to the viewer's subtrees (accounts.scoping.scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.core.citus import on_citus
from gonghui.core.money import ZERO, to_money
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.mutualaid.models import (
    Enrolment,
    EnrolmentRun,
    EnrolmentStatus,
    PayeeAccount,
    Payout,
    PayoutBatch,
    PayoutBatchEvent,
    PayoutEvent,
    PayoutStatus,
    Plan,
    PlanVersion,
    RecordStatus,
    SettlementImport,
    SettlementRecord,
)
from gonghui.orgs.models import Org


def plan_list(*, viewer: Any) -> QuerySet[Plan]:
    """Plans offered to the viewer's unions: run by one of their orgs' ancestors (the city's
    plan is offered to every union of the city) or by an org inside their subtrees."""
    queryset = Plan.objects.all()
    if is_global(viewer):
        return queryset.order_by("code")
    roots = prefixes(viewer, Capability.MUTUALAID_READ)
    if not roots:
        return queryset.none()
    condition = Q()
    for root in roots:
        ancestors = [root[:n] for n in range(Org.steplen, len(root) + 1, Org.steplen)]
        condition |= Q(org_path__startswith=root) | Q(org_path__in=ancestors)
    return queryset.filter(condition).order_by("code")


def orgs_with(*, viewer: Any, cap: Capability, limit: int = 200) -> list[Org]:
    """Active orgs of the viewer's subtrees for `cap` (the choices of an org field)."""
    queryset = scope(Org.objects.filter(status="active"), viewer, cap)
    return list(queryset.order_by("path")[:limit])


def payer_orgs(*, viewer: Any) -> list[Org]:
    """Orgs that run plans (and pay their benefits) where the viewer may make batches."""
    paying = Plan.objects.values_list("org_id", flat=True)
    return list(scope(Org.objects.filter(pk__in=paying), viewer, Capability.MUTUALAID_WRITE)
                .order_by("path"))


def enrol_orgs(*, viewer: Any, plan: Plan, limit: int = 300) -> list[Org]:
    """Member-holding unions under the plan's org where the viewer may enrol."""
    queryset = scope(Org.objects.filter(path__startswith=plan.org_path, status="active",
                                        level__in=["grassroots", "street", "branch"]),
                     viewer, Capability.MUTUALAID_WRITE)
    return list(queryset.order_by("path")[:limit])


def default_org(*, viewer: Any) -> Org | None:
    """The org the dashboard opens on: the root for a global viewer, else the viewer's first
    subtree."""
    if is_global(viewer):
        return Org.objects.filter(depth=1).order_by("path").first()
    roots = prefixes(viewer, Capability.MUTUALAID_READ)
    return Org.objects.filter(path=roots[0]).first() if roots else None


def union_members(*, union: Org, q: str = "") -> QuerySet[Membership]:
    """Internal: the caller reached `union` through access_union. Active members, by name."""
    queryset = (Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE)
                .select_related("person").order_by("person__name", "id"))
    if q:
        queryset = queryset.filter(person__name__contains=q)
    return queryset


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.order_by("-plan_year", "-effective_on", "-number")


def payout_list(*, viewer: Any, q: str = "", status: str = "", plan: str = "",
                year: int | None = None, within: Org | None = None,
                no_account: bool = False) -> QuerySet[Payout]:
    queryset = scope(Payout.objects.all(), viewer, Capability.MUTUALAID_READ, path_field="union_path")
    if no_account:
        queryset = without_account(queryset)
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    if status:
        queryset = queryset.filter(status=status)
    if plan:
        queryset = queryset.filter(plan__code=plan)
    if year:
        queryset = queryset.filter(plan_year=year)
    q = q.strip()
    if q:
        # the record by its number in a subquery, not a join: on Citus the records are
        # distributed by their lane, not co-located with the payouts (core/citus.py)
        condition = (Q(settlement_id__in=SettlementRecord.objects.filter(settlement_no=q)
                       .values("id")) | Q(person__name=q))
        reference = q.upper().removeprefix("MA")
        if reference.isdigit():
            condition |= Q(pk=int(reference))
        queryset = queryset.filter(condition)
    return (queryset.select_related("plan", "person", "union").prefetch_related("settlement")
            .order_by("-id"))


def without_account(queryset: QuerySet[Payout]) -> QuerySet[Payout]:
    """Payouts waiting to be paid (待支付) whose member has no current bank account: a batch
    cannot take them until someone registers one (issue 12 item 13)."""
    waiting = queryset.filter(status=PayoutStatus.APPROVED)
    if on_citus():
        # the account may sit in another union's shard: Citus refuses a correlated subquery
        # between shards, so the waiting payouts' people with a current account are read
        # first (uncorrelated subqueries, each planned on its own)
        return waiting.exclude(person_id__in=PayeeAccount.objects.filter(
            is_current=True, person_id__in=waiting.values("person_id")).values("person_id"))
    current = PayeeAccount.objects.filter(person=OuterRef("person"), is_current=True)
    return waiting.exclude(Exists(current))


def waiting_for_account(*, viewer: Any) -> int:
    """How many payouts in the viewer's subtrees wait for a bank account."""
    return without_account(scope(Payout.objects.all(), viewer, Capability.MUTUALAID_READ,
                                 path_field="union_path")).count()


def payout_history(payout: Payout) -> QuerySet[PayoutEvent]:
    return payout.events.order_by("at", "id")


def batch_history(batch: PayoutBatch) -> QuerySet[PayoutBatchEvent]:
    return batch.events.order_by("at", "id")


def batch_list(*, viewer: Any, status: str = "") -> QuerySet[PayoutBatch]:
    queryset = scope(PayoutBatch.objects.all(), viewer, Capability.MUTUALAID_READ, path_field="org_path")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("org").order_by("-id")


def import_list(*, viewer: Any, status: str = "") -> QuerySet[SettlementImport]:
    queryset = scope(SettlementImport.objects.all(), viewer, Capability.MUTUALAID_READ,
                     path_field="org_path")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def import_records(source: SettlementImport, *, status: str = "",
                   q: str = "") -> QuerySet[SettlementRecord]:
    """Internal: the caller reached `source` through access_import."""
    queryset = source.records.all()
    if status:
        queryset = queryset.filter(status=status)
    if q.strip():
        queryset = queryset.filter(settlement_no=q.strip())
    return queryset.defer("id_number").order_by("id")


def import_outcome(source: SettlementImport) -> dict[str, Any]:
    """What became of one file's records: outcomes, and payouts by status with amounts."""
    records = dict(source.records.values_list("status").annotate(n=Count("id")).order_by())
    payouts = {
        row["status"]: {"count": row["n"], "amount": to_money(row["amount"] or ZERO)}
        for row in Payout.objects.filter(settlement_id__in=source.records.values("id"))
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount")).order_by()
    }
    return {
        "records": {status: records.get(status, 0) for status in RecordStatus.values},
        "record_rows": [{"code": code, "label": label, "n": records.get(code, 0)}
                        for code, label in RecordStatus.choices],
        "payouts": payouts,
        "payout_count": sum(p["count"] for p in payouts.values()),
        "payout_amount": sum((p["amount"] for p in payouts.values()), ZERO),
    }


def enrolment_runs(*, viewer: Any, within: Org | None = None) -> QuerySet[EnrolmentRun]:
    queryset = scope(EnrolmentRun.objects.all(), viewer, Capability.MUTUALAID_READ,
                     path_field="union_path")
    if within is not None:
        queryset = queryset.filter(union_path__startswith=within.path)
    return queryset.select_related("plan", "union").order_by("-id")


def enrolled_person_ids(*, plan: Plan, plan_year: int, union: Org) -> set[int]:
    return set(Enrolment.objects.filter(plan=plan, plan_year=plan_year, union=union,
                                        status=EnrolmentStatus.ACTIVE)
               .values_list("person_id", flat=True))


def dashboard(*, org: Org, plan_year: int) -> dict[str, Any]:
    """Figures of `org`'s subtree for a plan year: per plan and per child org. The caller has
    reached `org` through access_union (so the subtree is the viewer's)."""
    enrolled = dict(
        Enrolment.objects.filter(union_path__startswith=org.path, plan_year=plan_year,
                                 status=EnrolmentStatus.ACTIVE)
        .values_list("plan_id").annotate(n=Count("id")).order_by())
    rows = (Payout.objects.filter(union_path__startswith=org.path, plan_year=plan_year)
            .values("plan_id", "status").annotate(n=Count("id"), amount=Sum("amount"))
            .order_by())
    plans = {p.pk: p for p in Plan.objects.filter(pk__in=set(enrolled) | {r["plan_id"]
                                                                       for r in rows})}
    per_plan: dict[int, dict[str, Any]] = {
        pk: _empty(plans[pk].name, plans[pk].code) for pk in plans}
    for pk, n in enrolled.items():
        per_plan[pk]["enrolled"] = n
    for row in rows:
        _add(per_plan[row["plan_id"]], row["status"], row["n"], to_money(row["amount"] or ZERO))
    cut = len(org.path) + Org.steplen
    children = {c.path: c for c in Org.objects.filter(path__startswith=org.path,
                                                      depth=org.depth + 1)}
    per_child: dict[str, dict[str, Any]] = {
        path: _empty(child.name, child.code) for path, child in children.items()}
    for row in (Enrolment.objects.filter(union_path__startswith=org.path, plan_year=plan_year,
                                         status=EnrolmentStatus.ACTIVE, union_path__gt=org.path)
                .annotate(child=Substr("union_path", 1, cut)).values("child")
                .annotate(n=Count("id")).order_by()):
        if row["child"] in per_child:
            per_child[row["child"]]["enrolled"] = row["n"]
    for row in (Payout.objects.filter(union_path__startswith=org.path, plan_year=plan_year,
                                      union_path__gt=org.path)
                .annotate(child=Substr("union_path", 1, cut)).values("child", "status")
                .annotate(n=Count("id"), amount=Sum("amount")).order_by()):
        if row["child"] in per_child:
            _add(per_child[row["child"]], row["status"], row["n"],
                 to_money(row["amount"] or ZERO))
    totals = _empty("合计", "")
    for item in per_plan.values():
        for key in ("paid_count", "pending_count", "failed_count", "declined_count",
                    "payouts"):
            totals[key] += item[key]
        for key in ("paid_amount", "pending_amount", "failed_amount", "amount"):
            totals[key] += item[key]
    totals["enrolled"] = sum(enrolled.values())
    return {"plans": sorted(per_plan.values(), key=lambda r: r["code"]),
            "children": sorted(per_child.values(), key=lambda r: r["code"]),
            "totals": totals}


# statuses still waiting to be paid (under review, approved, at the bank)
OPEN_STATUSES = (PayoutStatus.PENDING, PayoutStatus.APPROVED, PayoutStatus.BATCHED)


def _empty(name: str, code: str) -> dict[str, Any]:
    return {"name": name, "code": code, "enrolled": 0, "payouts": 0, "amount": ZERO,
            "paid_count": 0, "paid_amount": ZERO, "pending_count": 0, "pending_amount": ZERO,
            "failed_count": 0, "failed_amount": ZERO, "declined_count": 0}


def _add(item: dict[str, Any], status: str, n: int, amount: Decimal) -> None:
    item["payouts"] += n
    if status == PayoutStatus.DECLINED:
        item["declined_count"] += n
        return
    if status == PayoutStatus.REJECTED:
        return
    item["amount"] += amount
    if status == PayoutStatus.PAID:
        item["paid_count"] += n
        item["paid_amount"] += amount
    elif status == PayoutStatus.FAILED:
        item["failed_count"] += n
        item["failed_amount"] += amount
    elif status in OPEN_STATUSES:
        item["pending_count"] += n
        item["pending_amount"] += amount


def portal_person(user: Any) -> Any:
    """The member's own Person (members' portal link), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def member_payouts(person: Any) -> QuerySet[Payout]:
    """Internal: the caller passes the viewer's own person (portal_person)."""
    return (Payout.objects.filter(person=person)
            .select_related("plan", "version").prefetch_related("settlement").order_by("-id"))
