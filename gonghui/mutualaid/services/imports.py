"""Loading settlement files into the queue. Idempotent: a settlement number is inserted once
whatever the number of files or imports carrying it, so re-importing a file or an overlapping
one adds only what is new. The two keys are claim rows written in the records' transaction
(`SettlementNumber`, then `SettlementStay`: INSERT … ON CONFLICT DO NOTHING RETURNING): a record
is inserted only when both of its claims were taken by this transaction, on one node and on
Citus alike (models.settlements)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from itertools import islice
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user, system_actor
from gonghui.core.citus import one_connection_per_node
from gonghui.core.crypto import blind_index, encrypt
from gonghui.core.errors import ApplicationError
from gonghui.core.idnumber import mask
from gonghui.core.retry import retrying
from gonghui.core.workflow import transition_many
from gonghui.mutualaid.models import (
    IMPORT_TRANSITIONS,
    ImportStatus,
    SettlementImport,
    SettlementIssue,
    SettlementNumber,
    SettlementRecord,
    SettlementStay,
    lane_of,
)
from gonghui.mutualaid.parsing import (
    ParsedRow,
    RowError,
    count_rows,
    fingerprint,
    open_text,
    read_rows,
)
from gonghui.orgs.models import Org

CHUNK = 2000


def file_sha256(binary: IO[bytes]) -> str:
    binary.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: binary.read(1 << 20), b""):
        digest.update(block)
    binary.seek(0)
    return digest.hexdigest()


def settlement_import_create(*, org: Org, file_name: str, sha256: str, actor: Actor,
                             stored_file: str = "") -> SettlementImport:
    """Register a file to load for `org` (mutualaid.write over it; a working org, not merged
    or dissolved). The command line passes `system_actor("cli")`."""
    require_capability(actor, Capability.MUTUALAID_WRITE, org)
    if not org.is_active:
        raise ApplicationError(_("已合并或撤销的组织不能导入结算数据。"), code="org_closed",
                               extra={"field": "org"})

    def create() -> SettlementImport:
        with transaction.atomic():
            source = SettlementImport.objects.create(
                org=org, org_path=org.path, file_name=file_name[:255], file_sha256=sha256,
                stored_file=stored_file, created_by=actor_user(actor),
                created_by_name=actor_name(actor),
            )
            audit_record(actor=actor, action="mutualaid.import.create", obj=source,
                         org_path=org.path, after={"file": file_name, "sha256": sha256})
        return source

    # on Citus the reference tables' shard locks can deadlock with a settlement worker
    return retrying(create)


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


class _Seen:
    """Settlement numbers and stays already met in this file (a file may repeat a row)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.stays: dict[str, str] = {}


def settlement_import_run(*, source: SettlementImport, binary: IO[bytes],
                          progress: Callable[[int], None] | None = None) -> SettlementImport:
    """Parse the file and insert its new records, chunk by chunk (each chunk commits, so the
    progress shows and a crash loses at most one chunk; running the import again resumes:
    what was inserted is recognised as such). Bad rows become issues with row, column and
    reason. Returns the updated import; its records then wait in the queue."""
    total = max(0, count_rows(binary) - 1)
    this = SettlementImport.objects.filter(pk=source.pk)

    def start() -> None:
        with transaction.atomic():
            SettlementIssue.objects.filter(source=source).delete()
            # an import left running by a crashed worker stays running: the counters start
            # again
            transition_many(this, ImportStatus.RUNNING, transitions=IMPORT_TRANSITIONS)
            this.update(started_at=clock.now(), total_rows=total, processed_rows=0,
                        inserted=0, already_imported=0, duplicates=0, invalid=0, error="")

    retrying(start)  # each transaction of the import runs again after a deadlock (core.retry)
    seen = _Seen()
    try:
        rows = read_rows(open_text(binary), today=clock.today())
        for chunk in _chunks(rows, CHUNK):
            _load_chunk(source, chunk, seen)
            if progress is not None:
                progress(len(chunk))
    except ApplicationError as exc:
        transition_many(this, ImportStatus.FAILED, transitions=IMPORT_TRANSITIONS,
                        extra_fields={"error": exc.message[:500], "finished_at": clock.now()})
        source.refresh_from_db()
        raise

    def finish() -> None:
        with transaction.atomic():
            transition_many(this, ImportStatus.DONE, transitions=IMPORT_TRANSITIONS,
                            extra_fields={"finished_at": clock.now()})
            source.refresh_from_db()
            actor = source.created_by or system_actor(source.created_by_name or "system")
            audit_record(actor=actor, action="mutualaid.import.run",
                         obj=source, org_path=source.org_path,
                         after={"rows": source.processed_rows, "inserted": source.inserted,
                                "already_imported": source.already_imported,
                                "duplicates": source.duplicates, "invalid": source.invalid})

    retrying(finish)
    return source


def _load_chunk(source: SettlementImport, chunk: list[ParsedRow | list[RowError]],
                seen: _Seen) -> None:
    issues: list[SettlementIssue] = []
    candidates: dict[str, tuple[ParsedRow, SettlementRecord]] = {}
    invalid = duplicates = 0

    def issue(row_no: int, column: str, code: str, message: str, number: str = "") -> None:
        issues.append(SettlementIssue(source=source, row_no=row_no, column=column, code=code,
                                      message=message[:500], settlement_no=number[:64]))

    for item in chunk:
        if isinstance(item, list):
            invalid += 1
            for error in item:
                issue(error.row_no, error.column, error.code, error.message,
                      error.settlement_no)
            continue
        row = item
        id_hash = blind_index(row.id_number)
        stay = fingerprint(id_hash, row)
        if row.settlement_no in seen.numbers:
            duplicates += 1
            issue(row.row_no, _("结算单号"), "duplicate_in_file",
                  _("结算单号与第 {n} 行重复，未重复导入。").format(n=seen.numbers[row.settlement_no]),
                  row.settlement_no)
            continue
        if stay in seen.stays:
            duplicates += 1
            issue(row.row_no, "", "duplicate_stay",
                  _("与结算单 {other} 为同一次住院（疑似重复结算），未导入。").format(
                      other=seen.stays[stay]), row.settlement_no)
            continue
        seen.numbers[row.settlement_no] = row.row_no
        seen.stays[stay] = row.settlement_no
        candidates[row.settlement_no] = (row, SettlementRecord(
            settlement_no=row.settlement_no, fingerprint=stay, source=source,
            id_number=encrypt(row.id_number), id_hash=id_hash, lane=lane_of(id_hash),
            id_masked=mask(row.id_number),
            patient_name=row.patient_name, hospital=row.hospital, admitted_on=row.admitted_on,
            discharged_on=row.discharged_on, total=row.total,
            insurance_paid=row.insurance_paid, self_paid=row.self_paid, category=row.category,
        ))
    found_issues, found_duplicates = list(issues), duplicates

    def write() -> None:
        # run again whole after a deadlock (core.retry): start from what the file alone found
        issues[:] = found_issues
        duplicates = found_duplicates
        with transaction.atomic():
            # the records and claims go to many shards, then the import row (a reference table
            # the records point at) is updated: on Citus one connection per node
            one_connection_per_node()
            numbers = list(candidates)
            taken = _claim(SettlementNumber, [(n, candidates[n][1].fingerprint)
                                              for n in numbers])
            stays = _claim(SettlementStay, [(candidates[n][1].fingerprint, n)
                                            for n in numbers if n in taken])
            # a number whose stay was already taken gives its claim back
            lost = {n for n in taken if candidates[n][1].fingerprint not in stays}
            if lost:
                SettlementNumber.objects.filter(settlement_no__in=lost).delete()
            SettlementRecord.objects.bulk_create(
                [rec for n, (_row, rec) in candidates.items() if n in taken and n not in lost],
                batch_size=1000)
            mine = taken.difference(lost)
            rest = [n for n in numbers if n not in mine]
            if rest:
                # inserted by this import before (a resumed import counts them again)
                mine.update(SettlementRecord.objects.filter(source=source, settlement_no__in=rest)
                            .values_list("settlement_no", flat=True))
                rest = [n for n in rest if n not in mine]
            already = 0
            if rest:
                existing = dict(SettlementNumber.objects.filter(settlement_no__in=rest)
                                .values_list("settlement_no", "fingerprint"))
                other = [candidates[n][1].fingerprint for n in rest if n not in existing]
                by_stay = dict(SettlementStay.objects.filter(fingerprint__in=other)
                               .values_list("fingerprint", "settlement_no"))
                for number in rest:
                    row, record = candidates[number]
                    if existing.get(number) == record.fingerprint:
                        already += 1
                    elif number in existing:
                        duplicates += 1
                        issue(row.row_no, _("结算单号"), "number_conflict",
                              _("结算单号已导入过但内容不同，未覆盖；如需更正请联系医保部门。"), number)
                    else:
                        duplicates += 1
                        issue(row.row_no, "", "duplicate_stay",
                              _("与已导入的结算单 {other} 为同一次住院（疑似重复结算），未导入。").format(
                                  other=by_stay.get(record.fingerprint, "?")), number)
            SettlementIssue.objects.bulk_create(issues)
            SettlementImport.objects.filter(pk=source.pk).update(
                processed_rows=F("processed_rows") + len(chunk),
                inserted=F("inserted") + len(mine),
                already_imported=F("already_imported") + already,
                duplicates=F("duplicates") + duplicates, invalid=F("invalid") + invalid,
            )

    retrying(write)


def _claim(model: type[SettlementNumber] | type[SettlementStay],
           pairs: list[tuple[str, str]]) -> set[str]:
    """Insert the claim rows (key, value) of `model` that are free; returns the keys this
    transaction took (a key taken by another transaction that has not committed yet waits for it,
    as a unique key does). In key order, so two importers of overlapping files lock alike."""
    if not pairs:
        return set()
    opts = model._meta
    key = opts.pk.column  # type: ignore[union-attr]
    value = next(f.column for f in opts.local_concrete_fields if not f.primary_key)
    taken: set[str] = set()
    pairs = sorted(pairs)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 1000):
            part = pairs[start:start + 1000]
            params = [x for pair in part for x in pair]
            cursor.execute(
                f"INSERT INTO {opts.db_table} ({key}, {value}) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s)'] * len(part))} "
                f"ON CONFLICT DO NOTHING RETURNING {key}", params)
            taken.update(k for (k,) in cursor.fetchall())
    return taken
