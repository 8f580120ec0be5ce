"""The roster import engine: file → rows → (skipped | rejected | unchanged | imported), chunk by
chunk, each chunk one transaction together with the job's counters and checkpoint.

Every data row ends in exactly one outcome and the counts add up to the rows (a database check
constraint on the job says so too). A re-run of the same file imports nothing twice: people are
matched by the blind index of their ID number; someone already holding 会籍 in the row's union
is "unchanged" (or updated when the roster brings different data), someone holding it elsewhere
is a conflict, never a second membership. A run killed half-way leaves whole chunks committed
and resumes with the chunks not yet recorded (`ImportChunk`).

Stages per chunk: prepare (pure: skip rules, the members validation, encryption — see
`prepare.prepare_rows`), then within the file (duplicates, union codes), then the database (one
lookup of the chunk's people, then set-wise writes through `registry`) — see `stripes.Stripe`.
This module runs a job: claims it, starts the stripes (here or in worker processes), finishes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user, as_actor
from gonghui.core.errors import ApplicationError
from gonghui.core.workflow import transition, transition_many
from gonghui.roster.columns import (
    HEADER_SCAN_ROWS,
    HeaderNotFound,
    Mapping,
    detect_header,
    validate_mapping,
)
from gonghui.roster.models import IMPORT_TRANSITIONS, ImportChunk, ImportJob, ImportStatus
from gonghui.roster.parallel import stripe_main
from gonghui.roster.prepare import OK, REJECT, SKIP, RowResult, prepare_rows
from gonghui.roster.readers import RosterSource, UnreadableFile
from gonghui.roster.stripes import (
    JobTakenOver,
    Stripe,
    UnionResolver,
    done_chunks,
    scan_chunks,
    source_path,
)

CHUNK_ROWS = 5000
# Below this many rows a job runs in the calling process; above, in worker processes.
PARALLEL_MIN_ROWS = 50_000
# A runner that has not written its heartbeat for this long is presumed dead.
STALE_AFTER = dt.timedelta(minutes=5)

__all__ = [
    "CHUNK_ROWS", "OK", "PARALLEL_MIN_ROWS", "REJECT", "SKIP", "ImportRun", "JobTakenOver",
    "RowResult", "Stripe", "UnionResolver", "claimable", "default_workers", "prepare_rows",
    "read_mapping", "source_path",
]


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


def read_mapping(job: ImportJob) -> Mapping:
    """The job's column mapping: the one confirmed on the preview, else detected now."""
    if job.mapping:
        return Mapping.from_json(job.mapping)
    source = RosterSource(source_path(job), name=job.source_name)
    try:
        return detect_header(itertools.islice(iter(source), HEADER_SCAN_ROWS))
    except HeaderNotFound as exc:
        raise UnreadableFile(str(exc)) from exc


def default_workers(job: ImportJob) -> int:
    """Separate worker processes pay off for big files on PostgreSQL (SQLite has one writer)."""
    if connection.vendor != "postgresql" or job.total < PARALLEL_MIN_ROWS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class ImportRun:
    """One run of a job (the first, or a resumption). `run()` returns the finished job."""

    def __init__(self, job: ImportJob, *, actor: Actor | None,
                 on_progress: Callable[[ImportJob], None] | None = None,
                 chunk_rows: int = CHUNK_ROWS, workers: int | None = None) -> None:
        self.job = job
        self.actor: Actor = as_actor(actor)
        self.on_progress = on_progress
        self.chunk_rows = chunk_rows
        self.workers = workers
        self.token = uuid.uuid4().hex
        self._last_progress = 0.0

    def claim(self) -> None:
        """Take the job (queued, failed, or running with its runner gone) under a row lock."""
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
            if job.status not in (ImportStatus.QUEUED, ImportStatus.FAILED, ImportStatus.RUNNING) \
                    or not claimable(job):
                raise ApplicationError(
                    _("导入任务 #{id} 当前状态为“{status}”，不能运行。").format(
                        id=job.pk, status=job.get_status_display()), code="job_not_runnable")
            first = job.started_at is None
            now = clock.now()
            job = transition(job, ImportStatus.RUNNING, transitions=IMPORT_TRANSITIONS,
                             history=False, extra_fields={
                                 "runner": _runner(), "run_token": self.token,
                                 "heartbeat_at": now, "error": "",
                                 "started_at": job.started_at or now,
                                 "chunk_rows": job.chunk_rows or self.chunk_rows})
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
            transition_many(ImportJob.objects.filter(pk=self.job.pk, run_token=self.token),
                            ImportStatus.FAILED, transitions=IMPORT_TRANSITIONS,
                            extra_fields={"error": message, "updated_at": clock.now()})
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
        feeding = RosterSource(source_path(self.job), name=self.job.source_name).kind == "xlsx"
        context = multiprocessing.get_context("spawn")
        result = context.Queue()
        # one-way pipes: a worker holds only the reading end, so when this process dies the
        # worker's read ends (EOF) instead of waiting forever; a full pipe makes us wait
        pipes: list[tuple[Any, Any]] = [
            context.Pipe(duplex=False) if feeding else (None, None) for _ in range(workers)]
        feeds = [reader for reader, _writer in pipes]
        # the workers act as this run's actor: a user (by id) or the named system actor
        actor_id, actor_label = getattr(actor_user(self.actor), "pk", None), actor_name(self.actor)
        processes = [
            context.Process(target=stripe_main, name=f"roster-import-{self.job.pk}-{k}",
                            args=(self.job.pk, self.token, k, workers, actor_id, os.getpid(),
                                  result, feeds[k], actor_label))
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
            now = clock.now()
            job = transition(job, ImportStatus.DONE, transitions=IMPORT_TRANSITIONS,
                             history=False, extra_fields={
                                 "total": rows, "finished_at": now, "heartbeat_at": now})
            if not job.dry_run:
                audit_record(actor=self.actor, action="roster.import", obj=job,
                             org_path=job.org_path,
                             after={**job.counts(), "updated": job.updated,
                                    "file": job.source_name},
                             note=job.source_name)
        self.job = job
