"""The roster import engine: file → rows → (skipped | rejected | unchanged | imported), chunk by
chunk, each chunk one transaction together with the job's counters and checkpoint.

Every data row ends in exactly one outcome and the counts add up to the rows (a database check
constraint on the job says so too). A re-run of the same file imports nothing twice: people are
matched by the blind index of their ID number; someone already holding 会籍 in the row's union
is "unchanged" (or updated when the roster brings different data), someone holding it elsewhere
is a conflict, never a second membership. A run killed half-way leaves whole chunks committed
and resumes with the chunks not yet recorded (`ImportChunk`).

Stages per chunk: prepare (pure: skip rules, the members validation, encryption — see
`prepare_rows`), then within the file (duplicates, union codes), then the database (one lookup
of the chunk's people, then set-wise writes through `registry`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can
from gonghui.core import clock
from gonghui.core.crypto import encrypt
from gonghui.core.errors import ApplicationError
from gonghui.core.idnumber import normalize as normalize_id
from gonghui.members.validation import (
    TEXT_LIMITS,
    PersonInvalid,
    check_joined_on,
    check_person,
)
from gonghui.orgs.models import MEMBER_HOLDING_TYPES, Org, OrgStatus, OrgType
from gonghui.roster import registry
from gonghui.roster.columns import (
    FIELD_LABELS,
    HEADER_SCAN_ROWS,
    UNION_CODE,
    HeaderNotFound,
    Mapping,
    cell_display,
    clean_cell,
    detect_header,
    normalize_code,
    row_fields,
    skip_reason,
    validate_mapping,
)
from gonghui.roster.models import ImportChunk, ImportJob, ImportRejection, ImportStatus
from gonghui.roster.readers import RosterSource, UnreadableFile

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
# Below this many rows a job runs in the calling process; above, in worker processes.
PARALLEL_MIN_ROWS = 50_000
SKIP, REJECT, OK = 0, 1, 2
# A runner that has not written its heartbeat for this long is presumed dead.
STALE_AFTER = dt.timedelta(minutes=5)


class JobTakenOver(ApplicationError):
    def __init__(self) -> None:
        super().__init__(_("该导入任务已由另一个进程接手。"), code="job_taken_over")


@dataclass(slots=True)
class RowResult:
    row_number: int
    cells: list[Any]
    kind: int
    columns: str = ""
    reason: str = ""
    values: dict[str, Any] | None = None
    supplied: frozenset[str] = frozenset()
    id_number: str = ""
    id_hash: str = ""
    joined_on: dt.date | None = None
    card_number: str | None = None
    union_code: str = ""
    cipher: bytes = b""


_PERSON_FIELD_SET = frozenset(registry.PERSON_DATA_FIELDS)


def _reject(row_number: int, cells: list[Any], errors: Sequence[tuple[str, str]]) -> RowResult:
    columns = "、".join(dict.fromkeys(FIELD_LABELS.get(f, f) for f, _m in errors))
    if len(errors) == 1:
        reason = errors[0][1]
    else:
        reason = " ".join(f"【{FIELD_LABELS.get(f, f)}】{m}" for f, m in errors)
    return RowResult(row_number, cells, REJECT, columns=columns[:255], reason=reason)


def prepare_rows(rows: Sequence[tuple[int, list[Any]]], mapping: Mapping, *, as_of: dt.date,
                 with_cipher: bool = True, skips: Sequence[str] | None = None
                 ) -> list[RowResult]:
    """Skip rules, validation (the members' one implementation) and encryption, for a batch
    of rows (`skips`: their skip reasons, if the caller has them already). Pure: no database,
    so it can run anywhere."""
    out: list[RowResult] = []
    bulk = mapping.bulk
    card_limit = TEXT_LIMITS["card_number"]
    for index, (row_number, cells) in enumerate(rows):
        reason = skips[index] if skips is not None else skip_reason(cells, mapping)
        if reason:
            out.append(RowResult(row_number, cells, SKIP, reason=reason))
            continue
        fields = row_fields(cells, mapping)
        person, errors = check_person(fields, today=as_of)
        problems = [(e.field, e.message) for e in errors]
        joined_raw = fields.get("joined_on")
        joined: dt.date | None = None
        try:
            joined = check_joined_on(
                joined_raw if joined_raw is not None else as_of,
                birth_date=person.birth_date if person else dt.date(1900, 1, 1), today=as_of)
        except PersonInvalid as exc:
            problems += [(e.field, e.message) for e in exc.errors]
        card = fields.get("card_number")
        if card is not None:
            card = normalize_code(card)
            if len(card) > card_limit:
                problems.append(("card_number", _("会员证号最多 {n} 位。").format(n=card_limit)))
        code = normalize_code(fields.get(UNION_CODE)) if bulk else ""
        if problems or person is None:
            out.append(_reject(row_number, cells, problems))
            continue
        values = {name: getattr(person, name) for name in registry.PERSON_DATA_FIELDS}
        supplied = frozenset(fields) & _PERSON_FIELD_SET | {"gender", "birth_date"}
        out.append(RowResult(
            row_number, cells, OK, values=values, supplied=frozenset(supplied),
            id_number=person.id_number, id_hash=person.id_hash, joined_on=joined,
            card_number=card or None, union_code=code,
            cipher=encrypt(person.id_number) if with_cipher else b"",
        ))
    return out


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


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _runner_alive(runner: str) -> bool:
    host, _sep, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: trust the heartbeat
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claimable(job: ImportJob) -> bool:
    """Can a new runner take this job? Not while a live runner holds it."""
    if job.status != ImportStatus.RUNNING:
        return True
    if job.heartbeat_at and clock.now() - job.heartbeat_at > STALE_AFTER:
        return True
    return not _runner_alive(job.runner)


def source_path(job: ImportJob) -> Path:
    path = Path(job.source_path)
    return path if path.is_absolute() else Path(settings.MEDIA_ROOT) / path


def read_mapping(job: ImportJob) -> Mapping:
    """The job's column mapping: the one confirmed on the preview, else detected now."""
    if job.mapping:
        return Mapping.from_json(job.mapping)
    source = RosterSource(source_path(job), name=job.source_name)
    try:
        return detect_header(itertools.islice(iter(source), HEADER_SCAN_ROWS))
    except HeaderNotFound as exc:
        raise UnreadableFile(str(exc)) from exc


def _id_key(cells: Sequence[Any], mapping: Mapping) -> str:
    """The ID number as written, normalised the way validation starts (full-width, spaces,
    dashes, `x`, a trailing `.0`): two rows with the same key are the same person."""
    for index in mapping.id_columns:
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
    """An 18-character ID number as one int (a million keys: ~60 MB less than as str)."""
    if len(key) == 18 and key[:17].isdigit() and (key[17].isdigit() or key[17] == "X"):
        return int(key[:17]) * 11 + (10 if key[17] == "X" else int(key[17]))
    return key


def _card_key(cells: Sequence[Any], mapping: Mapping) -> str:
    for index in mapping.card_columns:
        if index < len(cells) and cells[index] is not None:
            card = normalize_code(clean_cell(cells[index], "text"))
            if card:
                return card
    return ""


Annotated = tuple[int, list[Any], str, str]  # row number, cells, skip reason, duplicate reason


def scan_chunks(job: ImportJob, mapping: Mapping
                ) -> Iterator[tuple[int, list[Annotated]]]:
    """Every chunk of the job's file, in order, each row annotated with why it is skipped
    and whether it repeats an earlier row (same ID number or card number) — which depends on
    all rows before it, so a scan always covers the whole file."""
    chunk_rows = job.chunk_rows
    seen_ids: dict[int | str, int] = {}
    seen_cards: dict[str, int] = {}
    buffer: list[Annotated] = []
    ordinal = -1
    for number, cells in RosterSource(source_path(job), name=job.source_name):
        if number <= mapping.header_row:
            continue
        ordinal += 1
        if ordinal % chunk_rows == 0 and buffer:
            yield ordinal // chunk_rows - 1, buffer
            buffer = []
        duplicate = ""
        skip = skip_reason(cells, mapping)
        if skip == "":
            key = _compact(_id_key(cells, mapping))
            if key != "":
                first = seen_ids.setdefault(key, number)
                if first != number:
                    duplicate = _(
                        "与第 {row} 行的身份证号码相同：同一人在名册中只能出现一次，请删除重复的行。"
                    ).format(row=first)
            card = _card_key(cells, mapping) if mapping.card_columns else ""
            if card and not duplicate:
                first = seen_cards.setdefault(card, number)
                if first != number:
                    duplicate = _("会员证号与第 {row} 行相同，请核对。").format(row=first)
        buffer.append((number, cells, skip, duplicate))
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

    def __init__(self, job: ImportJob, *, token: str, actor: Any, index: int = 0,
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

    def run(self) -> int:
        """Process this stripe's chunks; returns the number of data rows in the file (-1
        when fed: the feeder counts them)."""
        job = self.job
        mapping = Mapping.from_json(job.mapping)  # type: ignore[arg-type]
        resolver = UnionResolver(Org.objects.get(pk=job.org_id))
        rows = -1
        if self.feed is not None:
            for chunk, annotated in self._fed():
                self._process(chunk, annotated, mapping, resolver)
        else:
            done = done_chunks(job)
            rows = 0
            for chunk, annotated in scan_chunks(job, mapping):
                rows += len(annotated)
                if chunk % self.count == self.index and chunk not in done:
                    self._process(chunk, annotated, mapping, resolver)
        logger.debug("import job %s stripe %s/%s: %s", job.pk, self.index, self.count,
                     {k: round(v, 2) for k, v in self.timings.items()})
        return rows

    def _fed(self) -> Iterator[tuple[int, list[Annotated]]]:
        while True:
            try:
                item = self.feed.recv()
            except EOFError:
                raise SystemExit(3) from None  # the feeder is gone: stop here
            if item is None:
                return
            yield item

    def _process(self, chunk: int, rows: list[tuple[int, list[Any], str, str]],
                 mapping: Mapping, resolver: UnionResolver) -> None:
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            raise SystemExit(3)  # the run that started us is gone: stop at a chunk boundary
        started = time.perf_counter()
        prepared = prepare_rows([(n, c) for n, c, _s, _d in rows], mapping,
                                as_of=self.job.as_of, skips=[s for _n, _c, s, _d in rows])
        self.timings["prepare"] += time.perf_counter() - started
        for result, (_n, _c, _s, duplicate) in zip(prepared, rows, strict=True):
            if duplicate and result.kind == OK:
                result.kind = REJECT
                result.columns = FIELD_LABELS[
                    "card_number" if "会员证号" in duplicate else "id_number"]
                result.reason = duplicate
        started = time.perf_counter()
        self._write_chunk(chunk, prepared, resolver)
        self.timings["write"] += time.perf_counter() - started
        if self.on_progress:
            self.on_progress(ImportJob.objects.get(pk=self.job.pk))

    def _write_chunk(self, chunk: int, prepared: list[RowResult],
                     resolver: UnionResolver) -> None:
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
                    try:
                        with transaction.atomic():
                            ImportChunk.objects.create(
                                job_id=self.job.pk, index=chunk, rows=len(prepared),
                                first_row=prepared[0].row_number,
                                last_row=prepared[-1].row_number)
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
                                  unchanged=outcome["unchanged"], rejected=len(all_rejections))
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
            join = registry.NewMember(
                row_number=row.row_number, values=row.values, supplied=row.supplied,
                id_hash=row.id_hash, id_cipher=row.cipher, joined_on=row.joined_on,
                card_number=row.card_number, union=union)
            if person is not None:  # a returning member: the earlier membership ended
                join.person_id = person.person_id
                join.changed = registry.changed_fields(person, row.values, row.supplied)
            joins.append(join)
        if not self.job.dry_run:
            registry.write_members(joins=joins, updates=updates, actor=self.actor,
                                   reason=self.reason)
        return {"imported": len(joins) + len(updates), "updated": len(updates),
                "unchanged": unchanged, "rejections": rejections}

    def _conflict_message(self, person: registry.Existing) -> str:
        """Names the other union only to a viewer who may see it (SPEC §1). No actor: an
        operator on the command line, who sees the whole federation."""
        if person.union is not None and (
                self.actor is None
                or can(self.actor, Org(path=person.union.path), "member.read")):
            return _("该身份证号码的本人已是“{union}”的会员，不能重复入会；"
                     "如已更换工作单位，请办理会员转会。").format(union=person.union.name)
        return _("该身份证号码的本人已是其他工会的会员，不能重复入会；请由本人或原工会办理会员转会。")


def default_workers(job: ImportJob) -> int:
    """Separate worker processes pay off for big files on PostgreSQL (SQLite has one writer)."""
    if connection.vendor != "postgresql" or job.total < PARALLEL_MIN_ROWS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class ImportRun:
    """One run of a job (the first, or a resumption). `run()` returns the finished job."""

    def __init__(self, job: ImportJob, *, actor: Any,
                 on_progress: Callable[[ImportJob], None] | None = None,
                 chunk_rows: int = CHUNK_ROWS, workers: int | None = None) -> None:
        self.job = job
        self.actor = actor
        self.on_progress = on_progress
        self.chunk_rows = chunk_rows
        self.workers = workers
        self.token = uuid.uuid4().hex
        self._last_progress = 0.0

    def claim(self) -> None:
        from gonghui.audit.services import audit_record

        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
            if job.status not in (ImportStatus.QUEUED, ImportStatus.FAILED, ImportStatus.RUNNING) \
                    or not claimable(job):
                raise ApplicationError(
                    _("导入任务 #{id} 当前状态为“{status}”，不能运行。").format(
                        id=job.pk, status=job.get_status_display()), code="job_not_runnable")
            first = job.started_at is None
            now = clock.now()
            job.status = ImportStatus.RUNNING
            job.runner = _runner()
            job.run_token = self.token
            job.heartbeat_at = now
            job.error = ""
            job.started_at = job.started_at or now
            job.chunk_rows = job.chunk_rows or self.chunk_rows
            job.save(update_fields=["status", "runner", "run_token", "heartbeat_at", "error",
                                    "started_at", "chunk_rows", "updated_at"])
            if first and not job.dry_run:
                audit_record(actor=self.actor, action="roster.import.start", obj=job,
                             org_path=job.org_path,
                             after={"file": job.source_name, "sha256": job.source_sha256},
                             note=job.source_name)
        self.job = job

    def run(self) -> ImportJob:
        self.claim()
        try:
            self._run()
        except BaseException as exc:
            self._fail(exc)
            raise
        return self.job

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, JobTakenOver):
            return
        message = exc.message if isinstance(exc, ApplicationError) else \
            _("导入中断：{error}").format(error=f"{type(exc).__name__}: {exc}"[:400])
        try:
            ImportJob.objects.filter(pk=self.job.pk, run_token=self.token).update(
                status=ImportStatus.FAILED, error=message, updated_at=clock.now())
            self.job.refresh_from_db()
        except Exception:  # noqa: S110 — the original error matters more
            pass

    def _run(self) -> None:
        job = self.job
        mapping = read_mapping(job)
        problems = validate_mapping(mapping)
        if problems:
            raise UnreadableFile("".join(problems))
        if not job.mapping:
            job.mapping = mapping.as_json()
            ImportJob.objects.filter(pk=job.pk).update(mapping=job.mapping)
        workers = self.workers or default_workers(job)
        if workers <= 1:
            rows = Stripe(job, token=self.token, actor=self.actor,
                          on_progress=self.on_progress).run()
        else:
            rows = self._run_parallel(workers)
        self._finish(rows)

    def _run_parallel(self, workers: int) -> int:
        """Worker processes, one stripe each. A CSV is read by every worker (reading is cheap,
        shipping rows between processes is not); a spreadsheet is parsed once, here, and
        each chunk is handed to its worker through a small queue."""
        import multiprocessing

        from gonghui.roster.parallel import stripe_main

        feeding = RosterSource(source_path(self.job), name=self.job.source_name).kind == "xlsx"
        context = multiprocessing.get_context("spawn")
        result = context.Queue()
        # one-way pipes: a worker holds only the reading end, so when this process dies the
        # worker's read ends (EOF) instead of waiting forever; a full pipe makes us wait
        pipes: list[tuple[Any, Any]] = [
            context.Pipe(duplex=False) if feeding else (None, None) for _ in range(workers)]
        feeds = [reader for reader, _writer in pipes]
        actor_id = getattr(self.actor, "pk", None)
        processes = [
            context.Process(target=stripe_main, name=f"roster-import-{self.job.pk}-{k}",
                            args=(self.job.pk, self.token, k, workers, actor_id, os.getpid(),
                                  result, feeds[k]))
            for k in range(workers)
        ]
        mapping = Mapping.from_json(self.job.mapping)  # type: ignore[arg-type]
        done = done_chunks(self.job)
        connection.close()  # no connection shared with the children
        for process in processes:
            process.start()
        for reader in feeds:
            if reader is not None:
                reader.close()
        rows = -1
        try:
            if feeding:
                rows = 0
                for chunk, annotated in scan_chunks(self.job, mapping):
                    rows += len(annotated)
                    if chunk not in done:
                        self._hand_over(pipes[chunk % workers][1], (chunk, annotated),
                                        processes)
                for _reader, writer in pipes:
                    self._hand_over(writer, None, processes)
                    writer.close()
            while any(p.is_alive() for p in processes):
                for process in processes:
                    process.join(timeout=0.5 / workers)
                self._watch(processes)
            self._watch(processes)
            while not feeding and not result.empty():
                rows = max(rows, result.get())
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()
        return rows

    def _hand_over(self, writer: Any, item: Any, processes: list[Any]) -> None:
        self._watch(processes)
        try:
            writer.send(item)
        except (BrokenPipeError, ConnectionResetError):
            for process in processes:
                process.join(timeout=5)
            self._watch(processes)
            raise

    def _watch(self, processes: list[Any]) -> None:
        """Stop when a worker failed; report progress."""
        failed = [p for p in processes if p.exitcode not in (None, 0)]
        if failed:
            raise ApplicationError(ImportJob.objects.get(pk=self.job.pk).error or _(
                "导入进程意外退出（退出码 {code}），已导入的部分会保留，重新运行即可继续。"
            ).format(code=failed[0].exitcode), code="worker_failed")
        now = time.monotonic()
        if self.on_progress and now - self._last_progress >= 0.5:
            self._last_progress = now
            self.on_progress(ImportJob.objects.get(pk=self.job.pk))

    def _finish(self, rows: int) -> None:
        from gonghui.audit.services import audit_record

        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
            if job.run_token != self.token:
                raise JobTakenOver()
            expected = -(-rows // job.chunk_rows) if rows > 0 else 0
            chunks = ImportChunk.objects.filter(job_id=job.pk).count()
            if rows < 0 or chunks != expected or job.processed != rows:
                raise ApplicationError(_(
                    "导入未全部完成（已处理 {done}/{rows} 行），重新运行即可继续。").format(
                        done=job.processed, rows=max(rows, 0)), code="incomplete")
            job.status = ImportStatus.DONE
            job.total = rows
            job.finished_at = clock.now()
            job.heartbeat_at = job.finished_at
            job.save(update_fields=["status", "total", "finished_at", "heartbeat_at",
                                    "updated_at"])
            if not job.dry_run:
                audit_record(actor=self.actor, action="roster.import", obj=job,
                             org_path=job.org_path,
                             after={**job.counts(), "updated": job.updated,
                                    "file": job.source_name},
                             note=job.source_name)
        self.job = job
