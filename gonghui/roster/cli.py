"""The command line side of `gonghui import-members`: the job of a file (resumed or new) and its
run with a tqdm progress bar on stderr, both through the services."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from gonghui.core.actor import Actor, system_actor
from gonghui.orgs.models import Org
from gonghui.roster import services
from gonghui.roster.models import ImportJob


def job_for_file(*, path: Path, org: Org, actor: Actor | None, dry_run: bool,
                 restart: bool = False) -> tuple[ImportJob, bool]:
    """(job, resumed) for the file; `actor` None: the operator at the shell."""
    return services.import_job_for_file(path=path, org=org, actor=actor or system_actor("cli"),
                                        dry_run=dry_run, restart=restart)


def run_with_progress(job: ImportJob, *, actor: Actor | None, report: Path | None, stream: TextIO,
                      chunk_rows: int | None = None, workers: int | None = None) -> ImportJob:
    bar = tqdm(total=job.total or None, initial=job.processed, unit="行", file=stream,
               mininterval=0.5, dynamic_ncols=True, desc=job.source_name[:30])
    last = [job.processed]

    def progress(current: ImportJob) -> None:
        if current.total and bar.total != current.total:
            bar.total = current.total
        bar.update(current.processed - last[0])
        last[0] = current.processed

    try:
        # not asked for a place: a report of rejected rows goes to the data folder (the
        # operator's, like the database)
        return services.import_job_run(job=job, actor=actor or system_actor("cli"),
                                       on_progress=progress,
                                       report_path=report, chunk_rows=chunk_rows,
                                       workers=workers, keep_report=True)
    finally:
        bar.close()
