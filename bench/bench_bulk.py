"""Bulk decisions and roster sync (issue 20): approvals per second through the one service, and
missing-member detection of a union's complete roster.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_bulk.py [--applications 10000]
        [--members 300000] [--runs 3] [--only bulk|sync] [--keep]

Targets: bulk approval of 10,000 applications ≥ 200/s; sync of a 300,000-member union < 60 s.
Applications are submitted through `application_submit` (not timed); the bulk job is timed end
to end (`bulk_job_run`: one `application_approve` per row, a savepoint each, in slices of 50
rows per transaction; members.services.bulk). For sync,
the union's members are written with the roster importer's set-wise writer, the roster file
lists all but 1%, and `sync_detect` (read the file, compare, write the candidates) is timed.
Each measurement is repeated `--runs` times (bulk: a fresh union and fresh applications per run;
sync: a fresh detection job over the same roster) and the median is printed.
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

from bench.common import BenchDatabase, log, median

DATABASE = BenchDatabase("gh_bench_bulk")
DIGITS = "零一二三四五六七八九"


def _name(i: int) -> str:
    return "会员" + "".join(DIGITS[int(d)] for d in str(i))


def _city_and_admin():
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.orgs.models import Org

    city = Org.objects.add_root(instance=Org(code="BB", name="基准市总工会", level="city",
                                             org_type="federation"))
    admin = User.objects.create(username="bench_admin", display_name="bench_admin")
    RoleAssignment.objects.create(user=admin, org=city, role="admin")
    return city, admin


def _union(city, number: int):
    from gonghui.orgs.models import Org

    union = Org.objects.add_child(Org.objects.get(pk=city.pk), instance=Org(
        code=f"BB-{number}", name=f"基准公司工会{DIGITS[number % 10]}", level="grassroots",
        org_type="grassroots"))
    return Org.objects.get(pk=union.pk)


def bench_bulk(n: int, runs: int, city, admin) -> None:
    from gonghui.core.testing import synthetic_id_number
    from gonghui.members.services import application_submit
    from gonghui.members.services.bulk import bulk_decision_start, bulk_job_run

    rates = []
    for run in range(runs):
        union = _union(city, 100 + run)
        ids = []
        start = time.perf_counter()
        for i in range(n):
            fields = {"name": _name(i), "id_number": synthetic_id_number(run * n + i + 1),
                      "phone": "13812345678"}
            ids.append(application_submit(union=union, fields=fields, actor=admin).pk)
        log(f"  run {run + 1}: {n} applications submitted in {time.perf_counter() - start:.1f} s"
            " (not timed)")
        job = bulk_decision_start(kind="application", action="approve", ids=ids, actor=admin,
                                  enqueue=False)
        start = time.perf_counter()
        job = bulk_job_run(job=job, actor=admin)
        seconds = time.perf_counter() - start
        rates.append(job.succeeded / seconds)
        log(f"  run {run + 1}: bulk approve {job.succeeded} done, {job.failed} failed in "
            f"{seconds:.1f} s = {rates[-1]:.0f}/s")
    log(f"bulk approve of {n}: median {median(rates):.0f}/s over {runs} runs "
        f"(runs: {', '.join(f'{r:.0f}' for r in rates)}; target ≥ 200/s)")


def bench_sync(n: int, runs: int, union, admin) -> None:
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
    seconds = []
    for run in range(runs):
        job = roster.import_job_create(org=union, actor=admin, name=current.name, path=current,
                                       origin="cli", dry_run=False)
        job = roster.import_job_run(job=job, actor=admin)
        start = time.perf_counter()
        missing = sync_detect(job=job, actor=admin)
        seconds.append(time.perf_counter() - start)
        log(f"  run {run + 1}: sync of {n} members: {missing} missing found in "
            f"{seconds[-1]:.1f} s")
    log(f"sync of {n} members: median {median(seconds):.1f} s over {runs} runs "
        f"(runs: {', '.join(f'{s:.1f}' for s in seconds)}; target < 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("bulk", "sync"), default="")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    DATABASE.create()
    DATABASE.setup_django(migrate=True)
    try:
        from gonghui.core import clock

        with clock.frozen(dt.date(2026, 5, 12)):
            city, admin = _city_and_admin()
            if args.only != "sync":
                bench_bulk(args.applications, args.runs, city, admin)
            if args.only != "bulk":
                bench_sync(args.members, args.runs, _union(city, 1), admin)
    finally:
        if not args.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
