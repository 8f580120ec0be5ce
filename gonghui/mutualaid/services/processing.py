"""Automatic payout (自动给付): turn queued settlement records into payouts, exactly once.

One batch is one database transaction:
1. claim up to N queued records with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL): another
   worker skips them instead of waiting, so N processes share the queue without overlap; on
   Citus, where a row lock must stay in one shard, the records of one queue lane (the records'
   distribution column, a function of the person), the worker moving from lane to lane;
2. lock the enrolment rows (the members' plan-year accumulators) of those records, in id order
   (one statement, so two workers always lock in the same order and cannot deadlock);
3. compute each benefit with the version in force on the admission date (rules.compute),
   insert the payouts (unique per plan and record), add the amounts to the accumulators, set
   each record's outcome;
4. commit. A worker killed before the commit leaves nothing behind: its records are queued
   again and unlocked, and the next worker does the batch whole.
A batch the database gives up as a deadlock or serialization failure was rolled back whole and
is run again (core.retry): its records are still queued, so the keys keep it exactly-once.
On SQLite (the embedded default) writers are serialised by the database, which gives the same
guarantees with one worker at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, InternalError, connection, transaction

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.citus import lock_per_shard, on_citus
from gonghui.core.money import ZERO
from gonghui.core.retry import retrying
from gonghui.core.workflow import transition_many
from gonghui.members.models import Person
from gonghui.mutualaid.models import (
    LANES,
    RECORD_TRANSITIONS,
    Enrolment,
    EnrolmentStatus,
    Payout,
    PayoutStatus,
    PlanVersion,
    RecordStatus,
    SettlementRecord,
)
from gonghui.mutualaid.rules import Claim, Cover, Outcome, Rules, compute
from gonghui.mutualaid.services.plans import version_in_force

# The platform's own work: processing runs the same for the CLI worker, the task and the demo.
PROCESSOR = system_actor("task:process-settlements")

# id, id_hash, then the Claim fields in Claim's order, then the queue lane
RECORD_FIELDS = ("id", "id_hash", "admitted_on", "discharged_on", "total", "insurance_paid",
                 "self_paid", "category", "lane")


@dataclass
class BatchResult:
    claimed: int = 0
    payouts: int = 0
    amount: Decimal = ZERO
    records: Counter = field(default_factory=Counter)
    payout_statuses: Counter = field(default_factory=Counter)
    retries: int = 0  # batches rolled back by a deadlock / serialization failure and redone

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.retries += other.retries
        self.payouts += other.payouts
        self.amount += other.amount
        self.records.update(other.records)
        self.payout_statuses.update(other.payout_statuses)

    def as_json(self) -> dict[str, Any]:
        return {"records": self.claimed, "payouts": self.payouts, "amount": str(self.amount),
                "record_outcomes": dict(self.records),
                "payout_statuses": dict(self.payout_statuses), "retries": self.retries}


def claim_of(record: SettlementRecord) -> Claim:
    return Claim(admitted_on=record.admitted_on, discharged_on=record.discharged_on,
                 total=record.total, insurance_paid=record.insurance_paid,
                 self_paid=record.self_paid, category=record.category)


def cover_json(cover: Cover) -> dict[str, Any]:
    return {"enrolled_on": cover.enrolled_on.isoformat(),
            "year_starts_on": cover.year_starts_on.isoformat(), "renewal": cover.renewal,
            "year_used": str(cover.year_used)}


def payout_initial_status(amount: Decimal, version: PlanVersion) -> str:
    """Declined (nothing to pay), pending review above the version's automatic limit, else
    approved: a payout is created in one of these (PAYOUT_TRANSITIONS starts there)."""
    if amount <= ZERO:
        return PayoutStatus.DECLINED
    limit = version.auto_approve_limit
    if limit is not None and amount > limit:
        return PayoutStatus.PENDING
    return PayoutStatus.APPROVED


@dataclass(slots=True)
class _Accumulator:
    """One locked enrolment row: the member's plan-year accumulator while the batch runs."""

    id: int
    plan_id: int
    plan_year: int
    starts_on: dt.date
    ends_on: dt.date
    person_id: int
    union_id: int
    union_path: str
    enrolled_on: dt.date
    renewal: bool
    used_amount: Decimal
    claims_count: int


ACCUMULATOR_FIELDS = ("id", "plan_id", "plan_year", "starts_on", "ends_on", "person_id",
                      "union_id", "union_path", "enrolled_on", "renewal", "used_amount",
                      "claims_count")
PAYOUT_COLUMNS = ("plan_id", "version_id", "settlement_id", "enrolment_id", "person_id",
                  "union_id", "union_path", "plan_year", "amount", "status", "decline",
                  "computation", "created_at", "updated_at")


def process_batch(*, limit: int = 500, hold: float = 0.0) -> BatchResult:
    """Process up to `limit` queued records in one transaction. `hold`: seconds to wait before
    committing (crash drills: kill the worker while it holds a batch)."""
    retries = 0

    def count(_exc: BaseException) -> None:
        nonlocal retries
        retries += 1

    def attempt() -> BatchResult:
        try:
            return _process_batch(limit=limit, hold=hold, check_done=False)
        except IntegrityError:
            # A claimed record already has a payout (someone put it back in the queue by hand):
            # the unique (settlement, plan) constraint refused the second one and the batch
            # rolled back whole. Redo it looking up existing payouts first (a query the normal
            # path skips).
            return _process_batch(limit=limit, hold=hold, check_done=True)

    # a deadlock / serialization failure rolled the batch back whole: run it again
    result = retrying(attempt, on_retry=count)
    result.retries = retries
    return result


def _process_batch(*, limit: int, hold: float, check_done: bool) -> BatchResult:
    result = BatchResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A batch lost to a server crash after COMMIT returned is redone whole (its records
            # are still queued), so it need not wait for the WAL flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        records = claim_records(limit, by_lane=on_citus())
        if not records:
            return result
        result.claimed = len(records)
        ids = [r[0] for r in records]
        done = set(Payout.objects.filter(settlement_id__in=ids)
                   .values_list("settlement_id", "plan_id")) if check_done else set()
        by_hash = _lock_accumulators(records)
        batch = _Computation(by_hash=by_hash, versions=_versions(by_hash), done=done,
                             now=clock.now(), result=result)
        # admission order, so that within a batch the earlier stay uses the year cap first
        for record in sorted(records, key=lambda r: (r[2], r[3], r[0])):
            batch.take(record)
        batch.settle_unmatched()
        _insert_payouts(batch.rows)
        _save_accumulators(list(batch.changed.values()))
        batch.write_outcomes({r[8] for r in records})
        audit_record(actor=PROCESSOR, action="mutualaid.process",
                     object_type="mutualaid.settlementrecord",
                     object_id=f"{ids[0]}-{ids[-1]}",
                     object_repr=f"{len(ids)} records", after=result.as_json())
        if hold:
            time.sleep(hold)
    return result


# The lane this process claims from next on Citus: processes start at different lanes and move
# on after each batch, so N workers spread over the shards.
_next_lane = os.getpid() % LANES


def claim_records(limit: int, *, by_lane: bool) -> list[tuple]:
    """Lock up to `limit` queued records (FOR UPDATE SKIP LOCKED), as RECORD_FIELDS tuples, in id
    order. `by_lane` (on Citus): the records of one lane only, the first lane from this
    process's next one that has unlocked queued records (the claim and the outcome UPDATE then
    run on one shard); else one statement over the whole queue."""
    global _next_lane
    queued = (SettlementRecord.objects.select_for_update(skip_locked=True)
              .filter(status=RecordStatus.QUEUED).order_by("id"))
    if not by_lane:
        return list(queued.values_list(*RECORD_FIELDS)[:limit])
    for step in range(LANES):
        lane = (_next_lane + step) % LANES
        records = list(queued.filter(lane=lane).values_list(*RECORD_FIELDS)[:limit])
        if records:
            _next_lane = (lane + 1) % LANES
            return records
    return []


def _lock_accumulators(records: list[tuple]) -> dict[str, list[_Accumulator]]:
    """Lock the active enrolments of the records' people (one statement, in id order: two
    workers always lock in the same order and cannot deadlock), by id hash."""
    by_hash: dict[str, list[_Accumulator]] = defaultdict(list)
    # on Citus shard by shard, each lock single-shard (core.citus.lock_per_shard)
    for row in lock_per_shard(Enrolment.objects
                              .filter(id_hash__in=sorted({r[1] for r in records}),
                                      status=EnrolmentStatus.ACTIVE)
                              .order_by("id").values_list("id_hash", *ACCUMULATOR_FIELDS),
                              no_key=True):
        by_hash[row[0]].append(_Accumulator(*row[1:]))
    return by_hash


def _versions(by_hash: dict[str, list[_Accumulator]]) -> dict[int, list[PlanVersion]]:
    versions: dict[int, list[PlanVersion]] = defaultdict(list)
    for row in PlanVersion.objects.filter(
            plan_id__in={a.plan_id for accs in by_hash.values() for a in accs}
    ).select_related("plan"):
        versions[row.plan_id].append(row)
    return versions


@dataclass
class _Computation:
    """One claimed batch being computed: the locked accumulators, the plans' versions, and
    what the batch will write (payout rows, changed accumulators, each record's outcome)."""

    by_hash: dict[str, list[_Accumulator]]
    versions: dict[int, list[PlanVersion]]
    done: set[tuple[int, int]]
    now: dt.datetime
    result: BatchResult
    rules: dict[int, Rules] = field(default_factory=dict)
    rows: list[tuple] = field(default_factory=list)
    changed: dict[int, _Accumulator] = field(default_factory=dict)
    outcome_of: dict[int, tuple[str, int]] = field(default_factory=dict)
    unmatched: list[tuple] = field(default_factory=list)

    def take(self, record: tuple) -> None:
        """The payouts of one record, one per plan covering the admission date."""
        record_id, id_hash, admitted_on = record[0], record[1], record[2]
        candidates = sorted((a for a in self.by_hash.get(id_hash, ())
                             if a.starts_on <= admitted_on <= a.ends_on),
                            key=lambda a: a.plan_id)
        if not candidates:
            self.unmatched.append(record)
            return
        claim = Claim(*record[2:8])
        made = sum(1 for acc in candidates if self._pay(record_id, claim, acc))
        self.outcome_of[record_id] = ((RecordStatus.MATCHED, made) if made
                                      else (RecordStatus.NOT_COVERED, 0))

    def _pay(self, record_id: int, claim: Claim, acc: _Accumulator) -> bool:
        if (record_id, acc.plan_id) in self.done:
            return True
        version = version_in_force(self.versions[acc.plan_id], acc.plan_year,
                                   claim.admitted_on)
        if version is None:
            return False
        if version.id not in self.rules:
            self.rules[version.id] = version.rules()
        cover = Cover(enrolled_on=acc.enrolled_on, year_starts_on=acc.starts_on,
                      renewal=acc.renewal, year_used=acc.used_amount)
        outcome: Outcome | None = compute(self.rules[version.id], claim, cover)
        if outcome is None:
            return False
        status = payout_initial_status(outcome.amount, version)
        self.rows.append((acc.plan_id, version.id, record_id, acc.id, acc.person_id,
                          acc.union_id, acc.union_path, acc.plan_year, outcome.amount,
                          status, outcome.decline,
                          {"cover": cover_json(cover), "lines": outcome.lines_json()},
                          self.now, self.now))
        self.result.payout_statuses[status] += 1
        if outcome.amount > ZERO:
            acc.used_amount += outcome.amount
            acc.claims_count += 1
            self.changed[acc.id] = acc
            self.result.amount += outcome.amount
        return True

    def settle_unmatched(self) -> None:
        """Records of no enrolment: a member not enrolled, or nobody's member at all."""
        if not self.unmatched:
            return
        members = set(Person.objects.filter(id_hash__in={r[1] for r in self.unmatched})
                      .values_list("id_hash", flat=True))
        for record in self.unmatched:
            self.outcome_of[record[0]] = ((RecordStatus.NOT_ENROLLED, 0)
                                          if record[1] in members
                                          else (RecordStatus.NOT_MEMBER, 0))

    def write_outcomes(self, lanes: set[int]) -> None:
        """Each record's outcome (queued → its result), one UPDATE per outcome, naming the
        batch's lanes (on Citus one lane: the UPDATE runs on that shard alone)."""
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for record_id, key in self.outcome_of.items():
            groups[key].append(record_id)
        for (status, count), record_ids in groups.items():
            transition_many(SettlementRecord.objects.filter(lane__in=sorted(lanes),
                                                            id__in=record_ids), status,
                            transitions=RECORD_TRANSITIONS,
                            extra_fields={"payouts_count": count, "processed_at": self.now})
            self.result.records[status] += len(record_ids)
        self.result.payouts = len(self.rows)


def _insert_payouts(rows: list[tuple]) -> None:
    """COPY on PostgreSQL (the ORM's bulk insert spends most of its time quoting arrays on the
    client); bulk_create elsewhere. The unique (plan, settlement) constraint holds either way."""
    if connection.vendor != "postgresql":
        Payout.objects.bulk_create([Payout(**dict(zip(PAYOUT_COLUMNS, row, strict=True)))
                                    for row in rows], batch_size=1000)
        return
    table = Payout._meta.db_table
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    # wrap_database_errors: a unique violation inside COPY becomes Django's IntegrityError
    try:
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {table} ({', '.join(PAYOUT_COLUMNS)}, fail_reason) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:11], dumps(row[11]), row[12], row[13], ""))
    except InternalError as exc:
        # Citus reports a worker's unique violation inside a COPY as an internal error
        # (XX000) carrying the worker's message: the same refusal as on one node.
        if "duplicate key value violates unique constraint" in str(exc):
            raise IntegrityError(str(exc)) from exc
        raise


def _save_accumulators(enrolments: list[_Accumulator]) -> None:
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
