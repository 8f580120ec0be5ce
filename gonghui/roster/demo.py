"""Demo data for `gonghui seed-demo`: one finished roster import in a grassroots union, made
from a cadre-style file with the usual faults, so the roster page shows a summary and an
error report. Idempotent: the job is recognised by its file name and union."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, TextIO

from gonghui.roster import samples, services
from gonghui.roster.models import ImportJob

DEMO_FILE = "南京东路街道2026年会员名册（示例）.xlsx"
DEMO_UNION = "SH-HP-01-02"
DEMO_USER = "njdl"


def seed_roster(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None
                ) -> None:
    union = orgs.get(DEMO_UNION)
    actor = users.get(DEMO_USER)
    if union is None or actor is None:
        return
    if ImportJob.objects.filter(org=union, source_name=DEMO_FILE).exists():
        return
    with tempfile.TemporaryDirectory() as folder:
        path = samples.write_messy_xlsx(Path(folder) / "roster.xlsx", start=800_000,
                                        title=f"{union.name}会员名册")
        with path.open("rb") as handle:
            job = services.import_job_create(org=union, actor=actor, name=DEMO_FILE,
                                             upload=handle, origin="demo")
    job = services.import_job_run(job=job, actor=actor)
    if stdout is not None:
        stdout.write(f"roster: demo import #{job.pk} into {union.code}: {job.counts()}\n")
