"""Rights protection at city scale on PostgreSQL: 200,000 cases and 50,000 employers with
1,000,000 risk signals across a city (16 districts, 320 streets), generated with COPY; then:

- recomputing every employer's risk score and level (as after a weight change)  target < 60 s
- the district risk list (first page, highest scores first), selector       target median < 300 ms
- the city dashboard (cases by type and state, clocks, amounts, coverage,
  congresses, risk levels), selector                                        target median < 300 ms

Medians are printed with p95. Run it alone (the figures mean nothing on a busy machine):

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_rights.py [--cases N]
        [--employers N] [--signals N] [--runs 20] [--keep] [--db-name NAME] [--profile]

It creates (and at the end drops, unless --keep) the database `gh_bench_rights` (or NAME).
The district risk map (streets × levels) is timed too (same target as the list).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_aid import gen_city
from bench.bench_members import copy_orgs
from bench.common import BenchDatabase, copy_rows, log, median, p95, timed

KINDS = ["wage_arrears", "dispute", "layoff", "insurance_arrears", "complaint", "collective"]
DISPUTES = ["wages", "dismissal", "injury", "contract", "insurance", "other"]
STATUSES = ["closed"] * 60 + ["open"] * 30 + ["submitted"] * 5 + ["withdrawn"] * 5
CASE_COLUMNS = (
    "id", "number", "union_id", "union_path", "kind", "status", "worker_name", "worker_id_hash",
    "worker_phone", "is_member", "employer_id", "employer_name", "dispute_type", "description",
    "workers_involved", "amount_claimed", "known_on", "applied_on", "body", "body_since",
    "arbitration_extended", "outcome", "amount_recovered", "rating_comment", "created_at",
    "updated_at")


def args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--db-name", default="gh_bench_rights",
                        help="the throw-away database (smoke runs use their own name)")
    parser.add_argument("--profile", action="store_true",
                        help="print the recompute's cProfile (top 25 by cumulative time)")
    return parser.parse_args()


def load_employers(cursor: Any, rng: random.Random, streets: list[tuple[int, str]], n: int,
                   now: dt.datetime) -> list[tuple[int, str]]:
    rows = []
    for i in range(1, n + 1):
        sid, path = streets[rng.randrange(len(streets))]
        rows.append((i, path, (i, f"单位{i:06d}", "", "", "", rng.randrange(5, 2000), sid, None,
                               now, now)))
    copy_rows(cursor, "orgs_employer", ("id", "name", "uscc", "industry", "address",
                                        "employees_count", "area_id", "union_id", "created_at",
                                        "updated_at"), (r[2] for r in rows))
    cursor.execute("SELECT setval(pg_get_serial_sequence('orgs_employer', 'id'), %s)", (n,))
    return [(r[0], r[1]) for r in rows]


def load_cases(cursor: Any, rng: random.Random, unions: list[tuple[int, str]], employers: int,
               n: int, today: dt.date, now: dt.datetime) -> None:
    def rows():
        for i in range(1, n + 1):
            union_id, path = unions[rng.randrange(len(unions))]
            status = rng.choice(STATUSES)
            applied = today - dt.timedelta(days=rng.randrange(0, 700))
            kind = "request" if status == "submitted" else rng.choice(("mediation", "legal_aid"))
            body = rng.choice(("union", "union", "arbitration", "court", "peoples"))
            yield (i, f"WQ{applied.year}-{i:06d}", union_id, path, kind, status, "职工", "", "",
                   rng.random() < .7, rng.randrange(1, employers + 1), "单位",
                   rng.choice(DISPUTES), "说明", rng.randrange(1, 20),
                   Decimal(rng.randrange(0, 5_000_000)) / 100, applied - dt.timedelta(days=30),
                   applied, body, applied, False,
                   rng.choice(("agreement", "settled", "award")) if status == "closed" else "",
                   Decimal(rng.randrange(0, 2_000_000)) / 100 if status == "closed" else 0, "",
                   now, now)
    copy_rows(cursor, "rights_case", CASE_COLUMNS, rows())


def load_signals(cursor: Any, rng: random.Random, employers: list[tuple[int, str]], n: int,
                 today: dt.date, now: dt.datetime) -> None:
    def rows():
        for _ in range(n):
            eid, path = employers[rng.randrange(len(employers))]
            yield (eid, path, rng.choice(KINDS), today - dt.timedelta(days=rng.randrange(0, 720)),
                   rng.randrange(1, 6), rng.randrange(0, 50), 0, "", "bench", now)
    copy_rows(cursor, "rights_risksignal", ("employer_id", "area_path", "kind", '"on"', "severity",
                                            "workers", "amount", "note", "entered_by", "at"),
              rows())


def generate(opts: argparse.Namespace) -> list[tuple[int, str, int]]:
    from django.db import connection

    from gonghui.core import clock

    rng = random.Random(20261014)
    today, now = clock.today(), dt.datetime.now(dt.UTC)
    orgs, children = gen_city(rng, opts.orgs)
    connection.ensure_connection()
    conn = connection.connection
    t0 = time.perf_counter()
    with conn.cursor() as cursor:
        copy_orgs(cursor, orgs, children)
        streets = [(oid, path) for oid, path, depth in orgs if depth == 3]
        unions = [(oid, path) for oid, path, depth in orgs if depth >= 3]
        employers = load_employers(cursor, rng, streets, opts.employers, now)
        load_cases(cursor, rng, unions, opts.employers, opts.cases, today, now)
        load_signals(cursor, rng, employers, opts.signals, today, now)
        cursor.execute("ANALYZE")
    conn.commit()
    log(f"generated {len(orgs)} orgs, {opts.employers} employers, {opts.cases} cases, "
        f"{opts.signals} signals in {time.perf_counter() - t0:.1f} s")
    return orgs


def measure(opts: argparse.Namespace, orgs: list[tuple[int, str, int]]) -> dict[str, Any]:
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.core.actor import system_actor
    from gonghui.orgs.models import Org
    from gonghui.rights import selectors
    from gonghui.rights.dashboard import dashboard_figures
    from gonghui.rights.services import risk

    out: dict[str, Any] = {}
    profiler = cProfile.Profile() if opts.profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    counts = risk.recompute(actor=system_actor("bench"))
    out["recompute_s"] = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    log(f"recompute: {counts['employers']} employers, {counts['rises']} rises in "
        f"{out['recompute_s']:.1f} s (target < 60 s)")
    districts = [oid for oid, _path, depth in orgs if depth == 2]
    city = User.objects.create(username="bench_city", display_name="city")
    RoleAssignment.objects.create(user=city, org_id=1, role="admin")
    cadres = []
    for oid in districts:
        user = User.objects.create(username=f"bench_d{oid}", display_name="d")
        RoleAssignment.objects.create(user=user, org_id=oid, role="admin")
        cadres.append(user)
    risk_ms = []
    for k in range(opts.runs):
        user = cadres[k % len(cadres)]
        risk_ms.append(timed(lambda u=user: list(selectors.risk_list(viewer=u)[:25])))
    dash_ms = [timed(lambda: dashboard_figures(viewer=city)) for _ in range(opts.runs)]
    map_ms = []
    district_orgs = dict(Org.objects.filter(pk__in=districts).values_list("pk", "code"))
    for k in range(opts.runs):
        user, oid = cadres[k % len(cadres)], districts[k % len(districts)]
        within = Org.objects.get(code=district_orgs[oid])
        map_ms.append(timed(lambda u=user, w=within: selectors.risk_map(viewer=u, within=w)))
    dist_ms = []
    for k in range(opts.runs):
        user = cadres[k % len(cadres)]
        dist_ms.append(timed(lambda u=user: dashboard_figures(viewer=u)))
    for name, values in (("district risk list", risk_ms), ("district risk map", map_ms),
                         ("city dashboard", dash_ms),
                         ("district dashboard", dist_ms)):
        log(f"{name}: median {median(values):.1f} ms, p95 {p95(values):.1f} ms "
            f"(target median < 300 ms)")
        out[name] = (median(values), p95(values))
    return out


def main() -> None:
    opts = args()
    database = BenchDatabase(opts.db_name)
    database.create()
    try:
        database.setup_django(migrate=True)
        measure(opts, generate(opts))
    finally:
        if not opts.keep:
            database.drop()


if __name__ == "__main__":
    main()
