"""Stage two of a roster import: a job's file cut into chunks, each chunk checked against the
file (duplicates, union codes) and the registry, and written in one transaction together with
its checkpoint (`ImportChunk`) and the job's counters. A `Stripe` is one worker's share of the
chunks; `importer.ImportRun` starts the stripes and finishes the job."""

from __future__ import annotations

import gc
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.citus import on_citus, one_connection_per_node
from gonghui.core.crypto import encrypt
from gonghui.core.errors import ApplicationError
from gonghui.core.idnumber import normalize as normalize_id
from gonghui.orgs.models import MEMBER_HOLDING_TYPES, Org, OrgStatus, OrgType
from gonghui.roster import fingerprints, registry
from gonghui.roster.columns import (
    FIELD_LABELS,
    LEGACY_FIELDS,
    UNION_CODE,
    Legacy,
    Mapping,
    cell_display,
    clean_cell,
    legacy_values,
    normalize_code,
    row_fields,
    skip_reason,
)
from gonghui.roster.models import ImportChunk, ImportJob, ImportRejection
from gonghui.roster.prepare import OK, REJECT, SKIP, RowResult
from gonghui.roster.prepare_columns import prepare_columns
from gonghui.roster.readers import RosterSource

logger = logging.getLogger(__name__)


# how long a worker whose feed broke mid-message waits to see its parent gone (see
# Stripe._orphaned) before it takes the break for a fault of its own and fails the job
ORPHAN_WAIT_SECONDS = 10.0
# On Citus the chunks of all imports are written one at a time (a transaction-level advisory
# lock on the coordinator, which every connection of the application goes through): a chunk
# writes a reference table (members_person: new people, returning members' 会籍 union and
# changed fields) and distributed tables pointing at it and at orgs_org (memberships, events,
# the per-union counters), and Citus locks a reference table's shard for each — two chunks
# taking these locks in different orders deadlocked, again and again (the coordinator cancels
# one after ~2 s; a resumed .xlsx import with two workers failed after its retries). The job,
# its chunks and rejections are no longer reference tables (core/citus.py: distributed by the
# job, co-located), but the people still are, so the lock stays until members_person is
# distributed (docs/scale.md "Next step"). Reading and checking the rows stay parallel.
CITUS_CHUNK_LOCK = 0x67685F726F7374  # "gh_rost"


class JobTakenOver(ApplicationError):
    def __init__(self) -> None:
        super().__init__(_("该导入任务已由另一个进程接手。"), code="job_taken_over")


def source_path(job: ImportJob) -> Path:
    path = Path(job.source_path)
    return path if path.is_absolute() else Path(settings.MEDIA_ROOT) / path


class UnionResolver:
    """The union each row goes to: the job's union, or in the bulk form the row's union code,
    which must name an active member-holding union inside the job's subtree."""

    def __init__(self, top: Org) -> None:
        self.top = top
        self.top_ref = registry.UnionRef(top.id, top.path, top.name)
        self.cache: dict[str, registry.UnionRef | str] = {}

    def resolve(self, codes: Iterable[str]) -> None:
        missing = {c for c in codes if c and c not in self.cache}
        if not missing:
            return
        found = Org.objects.filter(code__in=missing, path__startswith=self.top.path).values_list(
            "code", "id", "path", "name", "status", "org_type")
        for code, pk, path, name, status, org_type in found:
            if status != OrgStatus.ACTIVE:
                self.cache[code] = _("“{name}”已合并或撤销，不能接收会员。").format(name=name)
            elif org_type not in MEMBER_HOLDING_TYPES:
                self.cache[code] = _(
                    "“{name}”是{type}，不直接发展会员；请填写基层、联合、街道、园区或产业工会的代码。"
                ).format(name=name, type=OrgType(org_type).label)
            else:
                self.cache[code] = registry.UnionRef(pk, path, name)
        for code in missing - set(self.cache):
            self.cache[code] = _("工会代码“{code}”不存在，或不在“{top}”的范围内，请核对。").format(
                code=code, top=self.top.name)

    def get(self, code: str) -> registry.UnionRef | str:
        if not code:
            if self.top.org_type in MEMBER_HOLDING_TYPES and self.top.status == OrgStatus.ACTIVE:
                return self.top_ref
            return _("请填写工会代码（“{top}”不直接发展会员）。").format(top=self.top.name)
        return self.cache[code]


def _is_transient(exc: OperationalError) -> bool:
    """A deadlock or serialization failure: the chunk was rolled back and may simply run
    again."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", "") in ("40P01", "40001")


def _id_key(cells: Sequence[Any], columns: Mapping | Sequence[int]) -> str:
    """The ID number as written, normalised the way validation starts (full-width, spaces,
    dashes, `x`, a trailing `.0`): two rows with the same key are the same person. `columns`:
    the mapping, or its `id_columns` computed once by a caller scanning many rows."""
    for index in columns.id_columns if isinstance(columns, Mapping) else columns:
        if index < len(cells) and cells[index] is not None:
            value = cells[index]
            if type(value) is str and len(value) == 18 and value[:17].isdigit():
                return value.upper()  # the common case, without the full normalisation
            number = normalize_id(clean_cell(value, "id"))
            if number.endswith(".0") and number[:-2].isdigit():
                number = number[:-2]
            if number:
                return number
    return ""


def _compact(key: str) -> int | str:
    """An 18-character ID number as one int (a million keys: ~60 MB less than as str): the
    number itself when it ends in a digit, its first 17 digits negated (minus one) when it ends
    in X — two forms that never meet."""
    if len(key) == 18:  # isdecimal, not isdigit: int() refuses superscripts
        if key.isdecimal():
            return int(key)
        if key[17] == "X" and key[:17].isdecimal():
            return -int(key[:17]) - 1
    return key


def _card_key(cells: Sequence[Any], card_columns: Sequence[int]) -> str:
    for index in card_columns:
        if index < len(cells) and cells[index] is not None:
            card = normalize_code(clean_cell(cells[index], "text"))
            if card:
                return card
    return ""


Annotated = tuple[int, list[Any], str, str]  # row number, cells, skip reason, duplicate reason


def scan_chunks(job: ImportJob, mapping: Mapping, *,
                wanted: Callable[[int], bool] | None = None, counted: list[int] | None = None
                ) -> Iterator[tuple[int, list[Annotated]]]:
    """Every chunk of the job's file, in order, each row annotated with why it is skipped
    and whether it repeats an earlier row (same ID number or card number) — which depends on
    all rows before it, so a scan always covers the whole file. `wanted(chunk)`: only those
    chunks are yielded (the others are scanned for their ID and card numbers only);
    `counted[0]` ends as the number of data rows."""
    chunk_rows = job.chunk_rows
    seen_ids: dict[int | str, int] = {}
    seen_cards: dict[str, int] = {}
    buffer: list[Annotated] = []
    ordinal = -1
    keep = True if wanted is None else wanted(0)
    # once: properties that sort, per row they were ~half of this loop
    id_columns, card_columns = mapping.id_columns, mapping.card_columns
    first_id = id_columns[0] if id_columns else 1 << 30
    header_row = mapping.header_row
    for number, cells in RosterSource(source_path(job), name=job.source_name):
        if number <= header_row:
            continue
        ordinal += 1
        if ordinal % chunk_rows == 0 and ordinal:
            if buffer:
                yield ordinal // chunk_rows - 1, buffer
                buffer = []
            keep = True if wanted is None else wanted(ordinal // chunk_rows)
        duplicate = ""
        key: int | str
        value = cells[first_id] if first_id < len(cells) else None
        if type(value) is str and len(value) == 18 and value.isdecimal():
            # the common row (skip_reason and _id_key of it, without their calls): an ID
            # number's shape in the first ID column makes it a person's row
            skip, key = "", int(value)
        elif type(value) is str and len(value) == 18 and value[:17].isdigit():
            skip, key = "", _compact(value.upper())
        else:
            skip = skip_reason(cells, mapping, id_columns)
            key = _compact(_id_key(cells, id_columns)) if skip == "" else ""
        if skip == "":
            if key != "":
                first = seen_ids.setdefault(key, number)
                if first != number:
                    duplicate = _(
                        "与第 {row} 行的身份证号码相同：同一人在名册中只能出现一次，请删除重复的行。"
                    ).format(row=first)
            card = _card_key(cells, card_columns) if card_columns else ""
            if card and not duplicate:
                first = seen_cards.setdefault(card, number)
                if first != number:
                    duplicate = _("会员证号与第 {row} 行相同，请核对。").format(row=first)
        if keep:
            buffer.append((number, cells, skip, duplicate))
    if counted is not None:
        counted[0] = ordinal + 1
    if buffer:
        yield ordinal // chunk_rows, buffer


def done_chunks(job: ImportJob) -> set[int]:
    return set(ImportChunk.objects.filter(job_id=job.pk).values_list("index", flat=True))


class Stripe:
    """One worker's share of a job: chunks `index, index + count, …` of the file, validated
    and written here. The rows come from reading the file (every stripe reads all of it: the
    duplicate check needs every earlier row) or, for spreadsheets — expensive to parse twice
    —, from the run's feeder process through `feed`. With `count == 1` it is the whole job,
    in this process."""

    def __init__(self, job: ImportJob, *, token: str, actor: Actor, index: int = 0,
                 count: int = 1, on_progress: Callable[[ImportJob], None] | None = None,
                 parent_pid: int | None = None, feed: Any = None) -> None:
        self.job = job
        self.token = token
        self.actor = actor
        self.index = index
        self.count = count
        self.on_progress = on_progress
        self.parent_pid = parent_pid
        self.feed = feed
        self.reason = _("名册导入（任务 #{id}）").format(id=job.pk)
        # wall seconds in validation and in the database, logged at DEBUG (the benchmark)
        self.timings = {"prepare": 0.0, "write": 0.0}
        self.legacy: dict[int, Legacy] = {}  # a legacy roster's values, by row number
        self.digester: fingerprints.Digester | None = None
        self.digests: dict[int, bytes] = {}  # this chunk's row digests, by row number
        # this chunk's `fingerprints.chunk_digest` while every one of its rows may still be
        # recorded (all eligible, none recognised one by one), else None
        self.chunk_key: bytes | None = None
        self.chunk_size = 0

    def run(self) -> int:
        """Process this stripe's chunks; returns the number of data rows in the file (-1
        when fed: the feeder counts them)."""
        job = self.job
        mapping = Mapping.from_json(job.mapping)  # type: ignore[arg-type]
        resolver = UnionResolver(Org.objects.get(pk=job.org_id))
        if fingerprints.enabled():
            self.digester = fingerprints.Digester(job.org_id, mapping)
        rows = -1
        # A chunk's rows are ~100,000 container objects that all live until the chunk is
        # written, and the import makes next to no reference cycles: with the default
        # thresholds the collector walked them many times per chunk (~half of a re-run's file
        # scan, measured at 200,000 rows). Restored afterwards (the background worker goes on).
        thresholds = gc.get_threshold()
        gc.set_threshold(200_000, 50, 100)
        try:
            if self.feed is not None:
                for chunk, annotated in self._fed():
                    self._process(chunk, annotated, mapping, resolver)
            else:
                done = done_chunks(job)
                counted = [0]
                for chunk, annotated in scan_chunks(
                        job, mapping, counted=counted,
                        wanted=lambda c: c % self.count == self.index and c not in done):
                    self._process(chunk, annotated, mapping, resolver)
                rows = counted[0]
        finally:
            gc.set_threshold(*thresholds)
        logger.debug("import job %s stripe %s/%s: %s", job.pk, self.index, self.count,
                     {k: round(v, 2) for k, v in self.timings.items()})
        return rows

    def _orphaned(self, wait: float = 0.0) -> bool:
        """Whether the process that started this worker is gone. A dying process closes its
        files (the feed pipe breaks) before the kernel hands its children to a new parent, so
        a worker that sees the pipe break mid-message may still see the old parent id for a
        moment: `wait` gives the kill that long to finish."""
        if self.parent_pid is None:
            return False
        deadline = time.monotonic() + wait
        while os.getppid() == self.parent_pid:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def _fed(self) -> Iterator[tuple[int, list[Annotated]]]:
        while True:
            try:
                item = self.feed.recv()
            except EOFError:
                raise SystemExit(3) from None  # the feeder is gone: stop here
            except Exception:
                # killed in the middle of a message (a reset pipe, half a pickle): the feeder
                # is gone too, and the job stays as the kill left it, for a resume
                if self._orphaned(wait=ORPHAN_WAIT_SECONDS):
                    raise SystemExit(3) from None
                raise
            if item is None:
                return
            yield item

    def _process(self, chunk: int, rows: list[tuple[int, list[Any], str, str]],
                 mapping: Mapping, resolver: UnionResolver) -> None:
        if self._orphaned():
            raise SystemExit(3)  # the run that started us is gone: stop at a chunk boundary
        started = time.perf_counter()
        extent = (len(rows), rows[0][0], rows[-1][0])
        rows, known = self._known_rows(rows, resolver)
        prepared = prepare_columns([(n, c) for n, c, _s, _d in rows], mapping,
                                   as_of=self.job.as_of, skips=[s for _n, _c, s, _d in rows]
                                   ) if rows else []
        self.timings["prepare"] += time.perf_counter() - started
        for result, (_n, _c, _s, duplicate) in zip(prepared, rows, strict=True):
            if duplicate and result.kind == OK:
                result.kind = REJECT
                result.columns = FIELD_LABELS[
                    "card_number" if "会员证号" in duplicate else "id_number"]
                result.reason = duplicate
        self._legacy_of(prepared, mapping)
        started = time.perf_counter()
        self._write_chunk(chunk, prepared, resolver, extent=extent, known=known)
        self.timings["write"] += time.perf_counter() - started
        if self.on_progress:
            self.on_progress(ImportJob.objects.get(pk=self.job.pk))

    def _known_rows(self, rows: list[Annotated], resolver: UnionResolver
                    ) -> tuple[list[Annotated], int]:
        """The chunk's rows less those a fingerprint recognises as unchanged (a re-run), and
        how many those were. Skipped and repeated rows are never recognised: they take the
        full path, as does every row without a valid fingerprint."""
        self.digests = {}
        self.chunk_key = None
        self.chunk_size = len(rows)
        digester = self.digester
        if digester is None:
            return rows, 0
        eligible = [(number, cells) for number, cells, skip, duplicate in rows
                    if not skip and not duplicate]
        if digester.union_column is None:
            # the job's own org: one answer for every row
            top = resolver.get("")
            if isinstance(top, str):
                return rows, 0
            union_ids = [top.id] * len(eligible)
        else:
            codes = [digester.union_code(cells) for _n, cells in eligible]
            resolver.resolve(codes)
            unions = [resolver.get(code) for code in codes]
            eligible = [row for row, union in zip(eligible, unions, strict=True)
                        if not isinstance(union, str)]
            union_ids = [u.id for u in unions if not isinstance(u, str)]
        digest = digester.digest
        digests = self.digests = {number: digest(cells) for number, cells in eligible}
        if len(digests) == len(rows):  # every row eligible: first the chunk as a whole
            self.chunk_key = fingerprints.chunk_digest(list(digests.values()))
            if fingerprints.chunk_known(self.chunk_key, union_ids, as_of=self.job.as_of):
                return [], len(rows)
        hits = fingerprints.known(list(digests.values()), union_ids, as_of=self.job.as_of)
        if not hits:
            return rows, 0
        self.chunk_key = None
        rest = [row for row in rows if digests.get(row[0]) not in hits]
        return rest, len(rows) - len(rest)

    def _legacy_of(self, prepared: list[RowResult], mapping: Mapping) -> None:
        """A legacy roster's columns (会龄起算日, 会籍状态, 退休日期, 原会员证号), checked per
        row: a row whose legacy cells are wrong is rejected like any other invalid row."""
        self.legacy = {}
        if not set(mapping.columns.values()) & set(LEGACY_FIELDS):
            return
        dated = "retired_on" in set(mapping.columns.values())
        for result in prepared:
            if result.kind != OK or result.joined_on is None:
                continue
            legacy, problems = legacy_values(row_fields(result.cells, mapping),
                                             joined_on=result.joined_on, as_of=self.job.as_of,
                                             dated_retirement=dated)
            if problems:
                result.kind = REJECT
                result.columns = "、".join(dict.fromkeys(FIELD_LABELS[f] for f, _m in problems))
                result.reason = " ".join(m for _f, m in problems)
            else:
                self.legacy[result.row_number] = legacy

    def _write_chunk(self, chunk: int, prepared: list[RowResult], resolver: UnionResolver, *,
                     extent: tuple[int, int, int] | None = None, known: int = 0) -> None:
        """Write the chunk's rows; `extent` (rows, first and last row number) and `known`
        (rows a fingerprint recognised as unchanged, not in `prepared`) describe the whole
        chunk."""
        if extent is None:
            extent = (len(prepared), prepared[0].row_number, prepared[-1].row_number)
        rejections: list[tuple[RowResult, str, str]] = []
        candidates: list[tuple[RowResult, registry.UnionRef]] = []
        counts = dict.fromkeys(("imported", "updated", "unchanged", "rejected", "skipped"), 0)
        resolver.resolve(r.union_code for r in prepared if r.kind == OK)
        for row in prepared:
            if row.kind == SKIP:
                counts["skipped"] += 1
            elif row.kind == REJECT:
                rejections.append((row, row.columns, row.reason))
            else:
                union = resolver.get(row.union_code)
                if isinstance(union, str):
                    rejections.append((row, FIELD_LABELS[UNION_CODE], union))
                else:
                    candidates.append((row, union))
        # Session settings below last until COMMIT: apply them only when this chunk is its own
        # transaction, never inside a caller's (the demo loader, a test), where they would leak
        # into everything after (deferred ledger triggers would fire at once).
        own_transaction = not connection.in_atomic_block
        for attempt in range(3):
            try:
                with transaction.atomic():
                    if connection.vendor == "postgresql" and own_transaction:
                        with connection.cursor() as cursor:
                            # The checkpoint (ImportChunk) commits with the rows, so a commit
                            # lost in an OS crash is simply redone on resume: no fsync wait.
                            # Foreign keys are checked as rows arrive rather than at COMMIT,
                            # so the per-union counter rows below stay locked only briefly
                            # when several workers commit chunks at once.
                            cursor.execute("SET LOCAL synchronous_commit TO OFF")
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                            if on_citus():
                                cursor.execute("SELECT pg_advisory_xact_lock(%s)",
                                               [CITUS_CHUNK_LOCK])
                        # the chunk reads memberships over every shard (by person), then
                        # writes the job's counters (a reference table): on Citus on one
                        # connection per node, or Citus refuses that write (a re-run of
                        # 1,000,000 rows failed at its first chunk)
                        one_connection_per_node()
                    try:
                        with transaction.atomic():
                            ImportChunk.objects.create(
                                job_id=self.job.pk, index=chunk, rows=extent[0],
                                first_row=extent[1], last_row=extent[2])
                    except IntegrityError:
                        return  # committed by another runner meanwhile
                    outcome = self._write_candidates(candidates)
                    all_rejections = sorted(rejections + outcome["rejections"],
                                            key=lambda r: r[0].row_number)
                    ImportRejection.objects.bulk_create([
                        ImportRejection(job_id=self.job.pk, row_number=row.row_number,
                                        columns=column[:255], reason=reason,
                                        cells_json=json.dumps(
                                            [cell_display(c) for c in row.cells],
                                            ensure_ascii=False))
                        for row, column, reason in all_rejections
                    ], batch_size=500)
                    counts.update(imported=outcome["imported"], updated=outcome["updated"],
                                  unchanged=outcome["unchanged"] + known,
                                  rejected=len(all_rejections))
                    self._commit_counts(counts)
                return
            except (IntegrityError, OperationalError, registry.ChunkRace) as exc:
                if attempt == 2 or (isinstance(exc, OperationalError)
                                    and not _is_transient(exc)):
                    raise

    def _commit_counts(self, counts: dict[str, int]) -> None:
        now = clock.now()
        updated = ImportJob.objects.filter(pk=self.job.pk, run_token=self.token).update(
            processed=F("processed") + sum(counts[k] for k in
                                           ("imported", "unchanged", "rejected", "skipped")),
            imported=F("imported") + counts["imported"],
            updated=F("updated") + counts["updated"],
            unchanged=F("unchanged") + counts["unchanged"],
            rejected=F("rejected") + counts["rejected"],
            skipped=F("skipped") + counts["skipped"],
            heartbeat_at=now, updated_at=now,
        )
        if not updated:
            raise JobTakenOver()

    def _write_candidates(self, candidates: list[tuple[RowResult, registry.UnionRef]]
                          ) -> dict[str, Any]:
        existing = registry.lookup_people([row.id_hash for row, _u in candidates])
        cards = registry.taken_card_numbers(
            row.card_number for row, _u in candidates
            if row.card_number and row.id_hash not in existing)
        legacy = self.legacy
        old_cards = registry.taken_legacy_cards(
            (union.id, legacy[row.row_number].legacy_card_number) for row, union in candidates
            if row.row_number in legacy and legacy[row.row_number].legacy_card_number)
        joins: list[registry.NewMember] = []
        updates: list[tuple[registry.Existing, dict[str, Any]]] = []
        rejections: list[tuple[RowResult, str, str]] = []
        unchanged = 0
        for row, union in candidates:
            person = existing.get(row.id_hash)
            assert row.values is not None
            assert row.joined_on is not None
            if person is not None and person.member_union_id == union.id:
                changes = registry.changed_fields(person, row.values, row.supplied)
                if changes:
                    updates.append((person, changes))
                else:
                    unchanged += 1
                continue
            if person is not None and person.member_union_id is not None:
                rejections.append((row, FIELD_LABELS["id_number"],
                                   self._conflict_message(person)))
                continue
            if row.card_number and row.card_number in cards:
                rejections.append((row, FIELD_LABELS["card_number"], _(
                    "会员证号 {card} 已被其他会员使用，请核对，或留空由系统生成。").format(
                        card=row.card_number)))
                continue
            old_card = legacy[row.row_number].legacy_card_number \
                if row.row_number in legacy else ""
            if old_card and (union.id, old_card) in old_cards:
                rejections.append((row, FIELD_LABELS["legacy_card_number"], _(
                    "原会员证号 {card} 在本工会已被其他会员使用，请核对。").format(card=old_card)))
                continue
            if old_card:
                old_cards.add((union.id, old_card))  # a second row of the file with it
            join = registry.NewMember(
                row_number=row.row_number, values=row.values, supplied=row.supplied,
                id_hash=row.id_hash, joined_on=row.joined_on,
                # only a new person needs the ciphertext: encrypted here, not for every row
                id_cipher=row.cipher or (b"" if person is not None else encrypt(row.id_number)),
                card_number=row.card_number, union=union, legacy=legacy.get(row.row_number))
            if person is not None:  # a returning member: the earlier membership ended
                join.person_id = person.person_id
                join.changed = registry.changed_fields(person, row.values, row.supplied)
            joins.append(join)
        if not self.job.dry_run:
            registry.write_members(joins=joins, updates=updates, actor=self.actor,
                                   reason=self.reason)
            if self.digests:  # every candidate not rejected now holds 会籍 as the row says
                refused = {row.row_number for row, _c, _r in rejections}
                pairs = [(self.digests[row.row_number], row.id_hash) for row, _u in candidates
                         if row.row_number not in refused and row.row_number in self.digests]
                whole = self.chunk_key if len(pairs) == self.chunk_size else None
                fingerprints.record(pairs, as_of=self.job.as_of, chunk=whole)
        return {"imported": len(joins) + len(updates), "updated": len(updates),
                "unchanged": unchanged, "rejections": rejections}

    def _conflict_message(self, person: registry.Existing) -> str:
        """Names the other union only to a viewer who may see it (SPEC §1). A system actor (an
        operator on the command line) sees the whole federation."""
        if person.union is not None and has_capability(
                self.actor, Capability.MEMBER_READ, Org(path=person.union.path)):
            return _("该身份证号码的本人已是“{union}”的会员，不能重复入会；"
                     "如已更换工作单位，请办理会员转会。").format(union=person.union.name)
        return _("该身份证号码的本人已是其他工会的会员，不能重复入会；请由本人或原工会办理会员转会。")
