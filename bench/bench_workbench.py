"""The workbench at city scale on PostgreSQL: the member city of bench_members.py (default
10,000,000 members in 100,000 unions, generated with COPY), then over HTTP (Django test client):

- the home page (inbox + key figures) of the city admin and of each district admin   p95 < 300 ms
- the global search by ID number (blind index) by the person's district admin        p95 < 20 ms
- the global search by name prefix (two characters) by a district admin             p95 < 100 ms

Each figure is measured in several runs; the medians of the runs are printed. Run it alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_workbench.py [--members N]
        [--orgs N] [--runs 5] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_workbench`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_members import create_admins, generate
from bench.common import BenchDatabase, log, p95, timed

DATABASE = BenchDatabase("gh_bench_workbench")
NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def measure_home(city, district_users, runs: int) -> list[tuple[float, float]]:
    clients = [_client(city)] + [_client(u) for u in district_users.values()]
    out = []
    for _ in range(runs):
        times = []
        for client in clients:
            response = None

            def get(c=client):
                nonlocal response
                response = c.get("/")

            times.append(timed(get))
            assert response is not None
            assert response.status_code == 200
        out.append((statistics.median(times), p95(times)))
    return out


def measure_search(rng: random.Random, sample, district_users, runs: int):
    from gonghui.orgs.models import Org

    paths = dict(Org.objects.values_list("id", "path"))
    clients = {path: _client(u) for path, u in district_users.items()}
    id_runs, name_runs = [], []
    for _ in range(runs):
        id_times, name_times = [], []
        for number, union_id in rng.sample(sample, min(100, len(sample))):
            client = clients[paths[union_id][:8]]
            id_times.append(timed(lambda c=client, n=number: c.get("/workbench/search/",
                                                                   {"q": n})))
            prefix = rng.choice(NAMES) + rng.choice(NAMES)
            name_times.append(timed(lambda c=client, q=prefix: c.get("/workbench/search/",
                                                                     {"q": q})))
        id_runs.append((statistics.median(id_times), p95(id_times)))
        name_runs.append((statistics.median(name_times), p95(name_times)))
    return id_runs, name_runs


def _med(runs_: list[tuple[float, ...]], i: int) -> float:
    return statistics.median(r[i] for r in runs_)


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
        _orgs, sample = generate(args.orgs, args.members)
        from gonghui.orgs.models import Org

        districts = list(Org.objects.filter(depth=2).order_by("path"))
        city, district_users = create_admins(districts)
        home = measure_home(city, district_users, args.runs)
        id_runs, name_runs = measure_search(random.Random(19), sample, district_users,
                                            args.runs)
        print(f"home page (city + {len(district_users)} districts) over HTTP: "
              f"median {_med(home, 0):.1f} ms, p95 {_med(home, 1):.1f} ms (target < 300)")
        print(f"search by ID number over HTTP: median {_med(id_runs, 0):.1f} ms, "
              f"p95 {_med(id_runs, 1):.1f} ms (target < 20)")
        print(f"search by name prefix over HTTP: median {_med(name_runs, 0):.1f} ms, "
              f"p95 {_med(name_runs, 1):.1f} ms (target < 100)")
    finally:
        if not args.keep:
            DATABASE.drop()
            log(f"database {DATABASE.name} dropped")


if __name__ == "__main__":
    main()
