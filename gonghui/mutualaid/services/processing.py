"""Automatic payout (自动给付): turn queued settlement records into payouts, exactly once.

One batch is one database transaction:
1. claim up to N queued records with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL): another
   worker skips them instead of waiting, so N processes share the queue without overlap;
2. lock the enrolment rows (the members' plan-year accumulators) of those records, in id order
   (one statement, so two workers always lock in the same order and cannot deadlock);
3. compute each benefit with the version in force on the admission date (rules.compute),
   insert the payouts (unique per plan and record), add the amounts to the accumulators, set
   each record's outcome;
4. commit. A worker killed before the commit leaves nothing behind: its records are queued
   again and unlocked, and the next worker does the batch whole.
On SQLite (the embedded default) writers are serialised by the database, which gives the same
guarantees with one worker at a time.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.money import ZERO
from gonghui.mutualaid.models import (
    Enrolment,
    Payout,
    PayoutStatus,
    PlanVersion,
    RecordStatus,
    SettlementRecord,
)
from gonghui.mutualaid.models.enrolment import EnrolmentStatus
from gonghui.mutualaid.rules import Claim, Cover, Outcome, Rules, compute
from gonghui.mutualaid.services.plans import version_in_force

RECORD_FIELDS = ("id", "id_hash", "admitted_on", "discharged_on", "total", "insurance_paid",
                 "self_paid", "category", "status", "source_id")


@dataclass
class BatchResult:
    claimed: int = 0
    payouts: int = 0
    amount: Decimal = ZERO
    records: Counter = field(default_factory=Counter)
    payout_statuses: Counter = field(default_factory=Counter)

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.payouts += other.payouts
        self.amount += other.amount
        self.records.update(other.records)
        self.payout_statuses.update(other.payout_statuses)

    def as_json(self) -> dict[str, Any]:
        return {"records": self.claimed, "payouts": self.payouts, "amount": str(self.amount),
                "record_outcomes": dict(self.records),
                "payout_statuses": dict(self.payout_statuses)}


def claim_of(record: SettlementRecord) -> Claim:
    return Claim(admitted_on=record.admitted_on, discharged_on=record.discharged_on,
                 total=record.total, insurance_paid=record.insurance_paid,
                 self_paid=record.self_paid, category=record.category)


def cover_json(cover: Cover) -> dict[str, Any]:
    return {"enrolled_on": cover.enrolled_on.isoformat(),
            "year_starts_on": cover.year_starts_on.isoformat(), "renewal": cover.renewal,
            "year_used": str(cover.year_used)}


def initial_status(amount: Decimal, version: PlanVersion) -> str:
    if amount <= ZERO:
        return PayoutStatus.DECLINED
    limit = version.auto_approve_limit
    if limit is not None and amount > limit:
        return PayoutStatus.PENDING
    return PayoutStatus.APPROVED


def process_batch(*, limit: int = 500, hold: float = 0.0) -> BatchResult:
    """Process up to `limit` queued records in one transaction. `hold`: seconds to wait before
    committing (crash drills: kill the worker while it holds a batch)."""
    result = BatchResult()
    with transaction.atomic():
        records = list(
            SettlementRecord.objects.select_for_update(skip_locked=True)
            .filter(status=RecordStatus.QUEUED).order_by("id").only(*RECORD_FIELDS)[:limit]
        )
        if not records:
            return result
        result.claimed = len(records)
        ids = [r.id for r in records]
        done = set(Payout.objects.filter(settlement_id__in=ids)
                   .values_list("settlement_id", "plan_id"))
        enrolments = list(
            Enrolment.objects.select_for_update(no_key=True)
            .filter(id_hash__in=sorted({r.id_hash for r in records}),
                    status=EnrolmentStatus.ACTIVE)
            .order_by("id")
        )
        by_hash: dict[str, list[Enrolment]] = defaultdict(list)
        for enrolment in enrolments:
            by_hash[enrolment.id_hash].append(enrolment)
        versions: dict[int, list[PlanVersion]] = defaultdict(list)
        for version in PlanVersion.objects.filter(
                plan_id__in={e.plan_id for e in enrolments}).select_related("plan"):
            versions[version.plan_id].append(version)
        rules: dict[int, Rules] = {}
        now = clock.now()
        payouts: list[Payout] = []
        changed: dict[int, Enrolment] = {}
        outcome_of: dict[int, tuple[str, int]] = {}
        unmatched: list[SettlementRecord] = []
        # admission order, so that within a batch the earlier stay uses the year cap first
        for record in sorted(records, key=lambda r: (r.admitted_on, r.discharged_on, r.id)):
            candidates = sorted((e for e in by_hash.get(record.id_hash, ())
                                 if e.starts_on <= record.admitted_on <= e.ends_on),
                                key=lambda e: e.plan_id)
            if not candidates:
                unmatched.append(record)
                continue
            made = 0
            claim = claim_of(record)
            for enrolment in candidates:
                if (record.id, enrolment.plan_id) in done:
                    made += 1
                    continue
                version = version_in_force(versions[enrolment.plan_id], enrolment.plan_year,
                                           record.admitted_on)
                if version is None:
                    continue
                if version.id not in rules:
                    rules[version.id] = version.rules()
                cover = Cover(enrolled_on=enrolment.enrolled_on,
                              year_starts_on=enrolment.starts_on, renewal=enrolment.renewal,
                              year_used=enrolment.used_amount)
                outcome: Outcome | None = compute(rules[version.id], claim, cover)
                if outcome is None:
                    continue
                status = initial_status(outcome.amount, version)
                payouts.append(Payout(
                    plan_id=enrolment.plan_id, version=version, settlement_id=record.id,
                    enrolment_id=enrolment.id, person_id=enrolment.person_id,
                    union_id=enrolment.union_id, union_path=enrolment.union_path,
                    plan_year=enrolment.plan_year, amount=outcome.amount, status=status,
                    decline=outcome.decline,
                    computation={"cover": cover_json(cover), "lines": outcome.lines_json()},
                    created_at=now, updated_at=now,
                ))
                result.payout_statuses[status] += 1
                if outcome.amount > ZERO:
                    enrolment.used_amount += outcome.amount
                    enrolment.claims_count += 1
                    changed[enrolment.id] = enrolment
                    result.amount += outcome.amount
                made += 1
            outcome_of[record.id] = ((RecordStatus.MATCHED, made) if made
                                     else (RecordStatus.NOT_COVERED, 0))
        if unmatched:
            from gonghui.members.models import Person

            members = set(Person.objects.filter(id_hash__in={r.id_hash for r in unmatched})
                          .values_list("id_hash", flat=True))
            for record in unmatched:
                outcome_of[record.id] = ((RecordStatus.NOT_ENROLLED, 0)
                                         if record.id_hash in members
                                         else (RecordStatus.NOT_MEMBER, 0))
        Payout.objects.bulk_create(payouts, batch_size=1000)
        _save_accumulators(list(changed.values()))
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for record_id, key in outcome_of.items():
            groups[key].append(record_id)
        for (status, count), record_ids in groups.items():
            SettlementRecord.objects.filter(id__in=record_ids).update(
                status=status, payouts_count=count, processed_at=now)
            result.records[status] += len(record_ids)
        result.payouts = len(payouts)
        audit_record(actor="system", action="mutualaid.process",
                     object_type="mutualaid.settlementrecord",
                     object_id=f"{ids[0]}-{ids[-1]}",
                     object_repr=f"{len(ids)} records", after=result.as_json())
        if hold:
            time.sleep(hold)
    return result


def _save_accumulators(enrolments: list[Enrolment]) -> None:
    """One UPDATE … FROM (VALUES …) per 1000 rows (PostgreSQL and SQLite ≥ 3.33)."""
    table = Enrolment._meta.db_table
    for start in range(0, len(enrolments), 1000):
        part = enrolments[start:start + 1000]
        values = ", ".join(["(%s, %s, %s)"] * len(part))
        params: list[Any] = []
        for e in sorted(part, key=lambda e: e.id):
            params.extend([e.id, e.used_amount, e.claims_count])
        cast = "::numeric" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET used_amount = v.column2{cast}, claims_count = v.column3 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


def process_queue(*, batch_size: int = 500, max_batches: int | None = None,
                  follow: bool = False, idle_sleep: float = 1.0, hold: float = 0.0,
                  on_batch: Callable[[BatchResult], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> BatchResult:
    """Run batches until the queue is empty (or forever with `follow`). Any number of
    processes may run this at once."""
    total = BatchResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        if should_stop is not None and should_stop():
            break
        result = process_batch(limit=batch_size, hold=hold)
        if not result.claimed:
            if not follow:
                break
            time.sleep(idle_sleep)
            continue
        batches += 1
        total.add(result)
        if on_batch is not None:
            on_batch(result)
    return total


def queued_count() -> int:
    return SettlementRecord.objects.filter(status=RecordStatus.QUEUED).count()
