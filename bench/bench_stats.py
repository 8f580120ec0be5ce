"""Statistics at city scale on PostgreSQL: the member city of bench_members.py (default
10,000,000 members in 100,000 unions, generated with COPY) plus one employer per 20 members
(COPY, 60% covered); then:

- the dashboard of the city and of each district over HTTP (Django test client)   p95 < 500 ms
- the monthly snapshot of the whole city (`snapshot_month`)                       < 60 s
- the yearly report of the whole city (figures + write-only workbook)             < 120 s

Each dashboard figure is measured in several runs; the medians of the runs are printed. Run it
alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_stats.py [--members N]
        [--orgs N] [--runs 5] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_stats`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_members import create_admins, generate
from bench.common import BenchDatabase, copy_rows, log, p95, timed

DATABASE = BenchDatabase("gh_bench_stats")
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "交通运输业", "住宿和餐饮业", "信息技术服务业",
              "金融业", "房地产业", "教育", "卫生和社会工作"]


def copy_employers(n_members: int) -> int:
    """One employer per 20 members, in a random street (depth 3) or deeper org's area; 60% are
    covered by a union of their area's subtree."""
    from django.db import connection

    from gonghui.orgs.models import Org

    rng = random.Random(11)
    orgs = list(Org.objects.filter(depth__gte=3).values_list("id", "depth"))
    now = dt.datetime.now(dt.UTC)
    n = max(1, n_members // 20)

    def rows():
        for i in range(1, n + 1):
            area, depth = orgs[rng.randrange(len(orgs))]
            covered = area if depth >= 4 and rng.random() < 0.6 else None
            yield (i, f"单位{i}", "", rng.choice(INDUSTRIES), "", rng.randint(5, 400), area,
                   covered, now, now)

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        copy_rows(cursor, "orgs_employer", ("id", "name", "uscc", "industry", "address",
                                            "employees_count", "area_id", "union_id",
                                            "created_at", "updated_at"), rows())
    connection.connection.commit()
    return n


def measure_dashboards(city, district_users, runs: int) -> list[tuple[float, float]]:
    from django.test import Client

    clients = []
    for user in [city, *district_users.values()]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients.append(client)
    out = []
    for _ in range(runs):
        times = [timed(lambda c=c: c.get("/stats/")) for c in clients]
        out.append((statistics.median(times), p95(times)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    t0 = time.perf_counter()
    DATABASE.create()
    DATABASE.setup_django()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        log(f"schema migrated in {time.perf_counter() - t0:.0f} s")
        generate(args.orgs, args.members)
        t1 = time.perf_counter()
        n = copy_employers(args.members)
        log(f"employers: {n:,} in {time.perf_counter() - t1:.0f} s")
        from gonghui.core import clock
        from gonghui.core.actor import system_actor
        from gonghui.orgs.models import Org
        from gonghui.stats import report
        from gonghui.stats.services.snapshots import snapshot_month

        districts = list(Org.objects.filter(depth=2).order_by("path"))
        city, district_users = create_admins(districts)
        dashboards = measure_dashboards(city, district_users, args.runs)
        started = time.perf_counter()
        rows = snapshot_month(month=clock.today().replace(day=1), actor=system_actor("cli"))
        snapshot_s = time.perf_counter() - started
        root = Org.objects.get(depth=1)
        started = time.perf_counter()
        data = report.figures(org=root, year=clock.today().year, viewer=city,
                              today=clock.today())
        with tempfile.TemporaryDirectory() as tmp:
            passed = report.write_workbook(data, Path(tmp) / "report.xlsx")
        report_s = time.perf_counter() - started
        print(f"dashboard (city + {len(district_users)} districts) over HTTP: median "
              f"{statistics.median(r[0] for r in dashboards):.1f} ms, p95 "
              f"{statistics.median(r[1] for r in dashboards):.1f} ms (target < 500)")
        print(f"monthly snapshot of the city: {rows:,} rows in {snapshot_s:.1f} s (target < 60)")
        print(f"yearly report of the city: {report_s:.1f} s, checks "
              f"{'PASS' if passed else 'FAIL'} (target < 120)")
    finally:
        if not args.keep:
            DATABASE.drop()
            log(f"database {DATABASE.name} dropped")


if __name__ == "__main__":
    main()
