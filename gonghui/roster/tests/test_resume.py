"""A crash or kill half-way leaves whole chunks and no half-imported row; running again resumes
the same job and ends with exactly the counts of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from gonghui.members.models import Membership, MembershipEvent, OrgMemberStats, Person
from gonghui.roster import cli, registry, samples, services
from gonghui.roster.models import ImportChunk, ImportJob, ImportStatus


def _consistent(job: ImportJob) -> None:
    """What is committed is whole: people, memberships, events and counters agree with the
    job's counters and its chunks."""
    job.refresh_from_db()
    chunk_rows = sum(ImportChunk.objects.filter(job=job).values_list("rows", flat=True))
    assert job.processed == chunk_rows
    assert job.processed == job.imported + job.unchanged + job.rejected + job.skipped
    assert Membership.objects.count() == Person.objects.count() == job.imported
    assert MembershipEvent.objects.count() == job.imported
    stats = OrgMemberStats.objects.filter(org_id=job.org_id).first()
    assert (stats.active if stats else 0) == job.imported


@pytest.mark.django_db
def test_crash_half_way_then_resume(tree, tmp_path, monkeypatch):
    path = samples.write_csv(tmp_path / "r.csv", 50)
    real = registry.write_members
    calls = {"n": 0}

    def crash_on_third_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(registry, "write_members", crash_on_third_chunk)
    job, resumed = cli.job_for_file(path=path, org=tree["SH-A-1-1"], actor=None, dry_run=False)
    with pytest.raises(RuntimeError):
        services.import_job_run(job=job, actor=None, chunk_rows=10)
    job.refresh_from_db()
    assert (resumed, job.status, job.processed, job.imported) == (False, ImportStatus.FAILED, 20, 20)
    assert job.error == "导入中断：RuntimeError: disk full"
    _consistent(job)

    monkeypatch.setattr(registry, "write_members", real)
    again, resumed = cli.job_for_file(path=path, org=tree["SH-A-1-1"], actor=None,
                                      dry_run=False)
    assert (resumed, again.pk) == (True, job.pk)
    done = services.import_job_run(job=again, actor=None)
    assert (done.status, done.counts()) == (ImportStatus.DONE, {
        "imported": 50, "unchanged": 0, "rejected": 0, "skipped": 0})
    assert done.chunks.count() == 5  # the chunk size of the first run is kept
    _consistent(done)


@pytest.mark.django_db
def test_duplicates_across_a_resume(tree, tmp_path, monkeypatch):
    """Row 35 repeats row 2: still caught after a resume that skips the chunk holding row 2."""
    rows = list(samples.rows(40))
    rows[33] = rows[0]
    path = tmp_path / "d.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(samples.HEADERS) + "\n")
        handle.writelines(",".join(r) + "\n" for r in rows)
    real = registry.write_members
    monkeypatch.setattr(registry, "write_members",
                        lambda **kw: (_ for _ in ()).throw(RuntimeError("x"))
                        if ImportChunk.objects.count() == 2 else real(**kw))
    job, _resumed = cli.job_for_file(path=path, org=tree["SH-A-1-1"], actor=None, dry_run=False)
    with pytest.raises(RuntimeError):
        services.import_job_run(job=job, actor=None, chunk_rows=10)
    monkeypatch.setattr(registry, "write_members", real)
    done = services.import_job_run(job=ImportJob.objects.get(pk=job.pk), actor=None)
    assert done.counts() == {"imported": 39, "unchanged": 0, "rejected": 1, "skipped": 0}
    assert done.rejections.get().reason == (
        "与第 2 行的身份证号码相同：同一人在名册中只能出现一次，请删除重复的行。")


def _cli_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "GONGHUI_CONN_MAX_AGE": "0",
            "GONGHUI_FIELD_KEY_FILE": str(settings.FIELD_KEY_FILE)}


def _start(path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gonghui.cli", "import-members", str(path), "--union",
         "SH-A-1-1", "--json", "--chunk", "500", *extra],
        env=_cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=Path(settings.BASE_DIR).parent)


def _wait_for(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _wait_until_still(quiet: float = 3.0) -> None:
    last, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        processed = ImportJob.objects.get().processed
        if processed != last:
            last, since = processed, time.monotonic()
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "workers"), [("csv", "1"), ("csv", "2"), ("xlsx", "2")])
def test_sigkill_mid_import_then_rerun_completes(tree, tmp_path, kind, workers):
    """1 worker: the import runs in the command's process. 2 workers: two worker processes;
    for .xlsx the command parses the file and feeds them. The command is killed either way."""
    rows = 12_000
    path = samples.write_csv(tmp_path / "big.csv", rows) if kind == "csv" else \
        samples.write_xlsx(tmp_path / "big.xlsx", rows)
    process = _start(path, "--workers", workers)

    def some_chunks_done() -> bool:
        job = ImportJob.objects.first()
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        return job is not None and job.processed >= 2_000

    _wait_for(some_chunks_done)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if workers == "2":
        # orphaned workers notice at their next chunk boundary that their parent is gone
        _wait_until_still()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.RUNNING  # killed: nobody could say otherwise
    assert 2_000 <= job.processed < rows
    assert job.processed % 500 == 0  # whole chunks only
    _consistent(job)

    rerun = _start(path, "--workers", workers)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()[-2000:]
    assert "继续未完成的导入任务" in err.decode()
    assert json.loads(out) == {"imported": rows, "unchanged": 0, "rejected": 0, "skipped": 0,
                               "report": None}
    job = ImportJob.objects.get()
    assert (job.status, job.chunks.count()) == (ImportStatus.DONE, rows // 500)
    _consistent(job)
    assert Person.objects.values("id_hash").distinct().count() == rows
