"""Bulk decisions and roster sync (issue 20): approvals per second through the one service, and
missing-member detection of a union's complete roster.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_bulk.py [--applications 10000]
        [--members 300000] [--keep]

Targets: bulk approval of 10,000 applications ≥ 200/s; sync of a 300,000-member union < 60 s.
Applications are submitted through `application_submit` (not timed); the bulk job is timed end
to end (`bulk_job_run`: one `application_approve` per row, each its own transaction). For sync,
the union's members are written with the roster importer's set-wise writer, the roster file
lists all but 1%, and `sync_detect` (read the file, compare, write the candidates) is timed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchDatabase, log

DATABASE = BenchDatabase("gh_bench_bulk")
DIGITS = "零一二三四五六七八九"


def _name(i: int) -> str:
    return "会员" + "".join(DIGITS[int(d)] for d in str(i))


def _union_and_admin():
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.orgs.models import Org

    city = Org.objects.add_root(instance=Org(code="BB", name="基准市总工会", level="city",
                                             org_type="federation"))
    union = Org.objects.add_child(Org.objects.get(pk=city.pk), instance=Org(
        code="BB-1", name="基准公司工会", level="grassroots", org_type="grassroots"))
    admin = User.objects.create(username="bench_admin", display_name="bench_admin")
    RoleAssignment.objects.create(user=admin, org=city, role="admin")
    return Org.objects.get(pk=union.pk), admin


def bench_bulk(n: int, union, admin) -> None:
    from gonghui.core.testing import synthetic_id_number
    from gonghui.members.services import application_submit
    from gonghui.members.services.bulk import bulk_decision_start, bulk_job_run

    ids = []
    for i in range(n):
        fields = {"name": _name(i), "id_number": synthetic_id_number(i + 1),
                  "phone": "13812345678"}
        ids.append(application_submit(union=union, fields=fields, actor=admin).pk)
    job = bulk_decision_start(kind="application", action="approve", ids=ids, actor=admin,
                              enqueue=False)
    start = time.perf_counter()
    job = bulk_job_run(job=job, actor=admin)
    seconds = time.perf_counter() - start
    log(f"bulk approve: {job.succeeded} done, {job.failed} failed in {seconds:.1f} s "
        f"= {job.succeeded / seconds:.0f}/s (target ≥ 200/s)")


def bench_sync(n: int, union, admin) -> None:
    from gonghui.core.testing import synthetic_id_number
    from gonghui.roster import services as roster
    from gonghui.roster.sync import sync_detect

    folder = Path(tempfile.mkdtemp())
    full = folder / "full.csv"
    numbers = [synthetic_id_number(1_000_000 + i) for i in range(n)]
    with full.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "身份证号码", "入会日期"])
        writer.writerows([_name(i), number, "2015-01-01"] for i, number in enumerate(numbers))
    job = roster.import_job_create(org=union, actor=admin, name=full.name, path=full,
                                   origin="cli", dry_run=False)
    roster.import_job_run(job=job, actor=admin)
    current = folder / "current.csv"
    kept = [i for i in range(n) if i % 100]
    with current.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "身份证号码", "入会日期"])
        writer.writerows([_name(i), numbers[i], "2015-01-01"] for i in kept)
    job = roster.import_job_create(org=union, actor=admin, name=current.name, path=current,
                                   origin="cli", dry_run=False)
    job = roster.import_job_run(job=job, actor=admin)
    start = time.perf_counter()
    missing = sync_detect(job=job, actor=admin)
    log(f"sync of {n} members: {missing} missing found in {time.perf_counter() - start:.1f} s "
        f"(target < 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    DATABASE.create()
    DATABASE.setup_django(migrate=True)
    try:
        from gonghui.core import clock

        with clock.frozen(dt.date(2026, 5, 12)):
            union, admin = _union_and_admin()
            bench_bulk(args.applications, union, admin)
            bench_sync(args.members, union, admin)
    finally:
        if not args.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
