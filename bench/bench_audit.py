"""The audit chain's row lock under concurrent writers, on PostgreSQL (issue 13 item h).

    /tmp/k/bench .venv/bin/python bench/bench_audit.py [--writers 1,4,8,16] [--per-writer 200]
        [--runs 3] [--hold-ms 0,2] [--shards 1,8] [--keep]

Every audit row of a day is chained through one ChainHead row locked FOR UPDATE until the
writer's transaction commits (audit/chain.py). This measures what that costs: N threads, each
with its own connection, each writing `per-writer` transactions of one audit row; with
`hold-ms` > 0 the transaction does that many milliseconds of further work after the audit row
(a service that audits before its last statement keeps the head locked meanwhile); with
`shards` > 1 the day has that many chains (GONGHUI_AUDIT_CHAIN_SHARDS). Prints, per
(writers, hold), the median over the runs of the throughput (rows/s) and of the p95 latency of
one transaction, then checks the chain with `verify`. Database: gh_bench_audit (created,
migrated for the audit app only, dropped unless --keep).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, log, median

DATABASE = BenchDatabase("gh_bench_audit")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def one_run(writers: int, per_writer: int, hold_ms: float) -> tuple[float, float]:
    from django.db import connections, transaction

    from gonghui.audit.services import audit_record
    from gonghui.core.actor import system_actor

    barrier = threading.Barrier(writers + 1)
    latencies: list[float] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        actor = system_actor(f"bench:{index}")
        mine: list[float] = []
        try:
            barrier.wait()
            for i in range(per_writer):
                start = time.perf_counter()
                with transaction.atomic():
                    audit_record(actor=actor, action="bench.write", object_type="bench",
                                 object_id=f"{index}-{i}", after={"i": i})
                    if hold_ms:
                        time.sleep(hold_ms / 1000)
                mine.append((time.perf_counter() - start) * 1000)
        finally:
            connections.close_all()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return writers * per_writer / elapsed, p95(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", default="1,4,8,16")
    parser.add_argument("--per-writer", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hold-ms", default="0,2")
    parser.add_argument("--shards", default="1,8")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    DATABASE.create()
    DATABASE.setup_django()
    from django.core.management import call_command

    call_command("migrate", "audit", verbosity=0)
    from gonghui.audit.chain import verify

    log(f"audit chain, {args.per_writer} transactions per writer, median of {args.runs} runs")
    from django.conf import settings

    log(f"{'shards':>6} {'writers':>7} {'hold ms':>7} {'rows/s':>9} {'p95 ms':>8}   "
        f"(runs: rows/s)")
    try:
        for shards in [int(x) for x in args.shards.split(",")]:
            settings.GONGHUI_AUDIT_CHAIN_SHARDS = shards
            for hold in [float(h) for h in args.hold_ms.split(",")]:
                for writers in [int(w) for w in args.writers.split(",")]:
                    runs = [one_run(writers, args.per_writer, hold) for _ in range(args.runs)]
                    rates = [r[0] for r in runs]
                    log(f"{shards:>6} {writers:>7} {hold:>7.0f} {median(rates):>9.0f} "
                        f"{median(r[1] for r in runs):>8.1f}   "
                        f"({', '.join(f'{r:.0f}' for r in rates)}; "
                        f"spread {statistics.pstdev(rates):.0f})")
        days, rows, problems = verify()
        log(f"verify: {days} day(s), {rows} row(s), {len(problems)} problem(s)")
    finally:
        if not args.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
