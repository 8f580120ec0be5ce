"""Where a page's time goes, on the 10 M-member city: per page of the load mix, the statements
it runs, their database time and the page's time (issue 23's tuning; not a load test).

    /tmp/k/bench .venv/bin/python bench/profile_pages.py --db-name gh_bench_city --reuse-db --keep \
        [--repeat 20] [--top 3] [--page "home"]

Each page of bench/locust_gonghui.py is asked `--repeat` times in this process through
Django's test client, signed in as the users the load test uses (bench_load.fixture); it prints
the median page time, the statements per request, their median database time, and the slowest
statements of the page (normalised: numbers and strings replaced by ?). Nothing is written
but the sessions and the bench users (deleted by the next city bench).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_load import fixture, unlink_portal_users
from bench.bench_members import add_city_arguments, close_city, open_city
from bench.common import log


def _pages(data: dict, rng: random.Random) -> list[tuple[str, str, str, dict]]:
    """(name, session, path, params) of one pass over the mix, picked like the Locust users."""
    cadre = rng.choice(data["cadres"][:-1])
    city = data["cadres"][-1]
    member = rng.choice(data["members"])
    org = rng.choice(cadre["orgs"])
    surname = rng.choice(data["surnames"]) + rng.choice(data["surnames"])
    return [
        ("home", cadre["session"], "/", {}),
        ("home (city admin)", city["session"], "/", {}),
        ("member list (3 filters)", cadre["session"], "/members/",
         {"org": org, "gender": "F", "age": "36-45", "seniority": "5-10"}),
        ("member list", cadre["session"], "/members/", {"org": org}),
        ("member detail", cadre["session"], f"/members/{rng.choice(cadre['members'])}/", {}),
        ("search by ID number", cadre["session"], "/workbench/search/",
         {"q": rng.choice(cadre["sealed_ids"])} if cadre["sealed_ids"] else {"q": "x"}),
        ("search by name prefix", cadre["session"], "/workbench/search/", {"q": surname}),
        ("org page", cadre["session"], f"/orgs/{cadre['org_id']}/", {}),
        ("org tree children", cadre["session"], f"/orgs/{cadre['org_id']}/children/", {}),
        ("funds statement", cadre["session"], f"/funds/{rng.choice(cadre['union_ids'])}/", {}),
        ("payouts list", cadre["session"], "/mutualaid/payouts/", {}),
        ("API member list", cadre["session"], "/api/v1/members", {"org": org, "gender": "M"}),
        ("API member", cadre["session"], f"/api/v1/members/{rng.choice(cadre['members'])}", {}),
        ("portal home", member, "/members/portal/", {}),
        ("portal e-card", member, "/members/portal/card/", {}),
        ("portal inbox", member, "/workbench/mine/", {}),
        ("portal my data", member, "/members/portal/my-data/", {}),
    ]


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_city_arguments(parser, default_db="gh_bench_load")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--page", default="", help="only pages whose name contains this")
    parser.add_argument("--portal-users", type=int, default=20)
    args = parser.parse_args()
    database, sample = open_city(args)
    try:
        from django.db import connection
        from django.test import Client

        data = fixture(sample, args.portal_users)
        rng = random.Random(7)
        times: dict[str, list[float]] = defaultdict(list)
        db_times: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(list)
        slow: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        statuses: dict[str, set[int]] = defaultdict(set)
        current: list = []
        clients: dict[str, Client] = {}

        def wrapper(execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                current.append((sql, time.perf_counter() - t0))

        with connection.execute_wrapper(wrapper):
            for i in range(args.repeat + 1):  # the first pass warms caches and is not counted
                for name, session, path, params in _pages(data, rng):
                    if args.page and args.page not in name:
                        continue
                    # one client per user, as one server process serves many requests: a new
                    # Client loads the middleware again (WhiteNoise scans every static file,
                    # ~150 ms) and that would be counted in the page's time
                    client = clients.get(session) or clients.setdefault(
                        session, Client(HTTP_COOKIE=f"sessionid={session}; django_language=zh-hans"))
                    current.clear()
                    t0 = time.perf_counter()
                    response = client.get(path, params)
                    elapsed = time.perf_counter() - t0
                    if i == 0:
                        continue
                    statuses[name].add(response.status_code)
                    times[name].append(elapsed * 1000)
                    db_times[name].append(sum(t for _, t in current) * 1000)
                    counts[name].append(len(current))
                    for sql, t in current:
                        slow[name][_LITERALS.sub("?", sql)[:220]].append(t * 1000)
        print(f"\n{'page':26} {'status':>7} {'ms p50':>7} {'ms max':>7} {'stmts':>6} "
              f"{'db ms':>6}")
        for name in times:
            print(f"{name:26} {','.join(map(str, sorted(statuses[name]))):>7} "
                  f"{statistics.median(times[name]):7.1f} {max(times[name]):7.1f} "
                  f"{statistics.median(counts[name]):6.0f} "
                  f"{statistics.median(db_times[name]):6.1f}")
            worst = sorted(slow[name].items(), key=lambda kv: -sum(kv[1]))[:args.top]
            for sql, ts in worst:
                print(f"    {sum(ts) / len(times[name]):6.1f} ms/req  x{len(ts) / len(times[name]):.0f}"
                      f"  {sql}")
    finally:
        unlink_portal_users()
        close_city(database, args)
        log("done")


if __name__ == "__main__":
    main()
