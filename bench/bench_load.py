"""The single machine's ceiling under load (issue 23): Locust (headless, loopback only, bounded in
users and time) against `gonghui serve` (gunicorn) on PostgreSQL with the 10 M-member /
100 k-union city of bench/bench_members.py.

The mix (bench/locust_gonghui.py): cadres (4 in 5 users: 16 district admins and the city admin)
open the home page, the member list with and without three filters, member pages, the global
search by ID number and by name prefix, the org page and tree, a union's funds page, the payouts
list and the member API; members (1 in 5) open the portal home, the e-card, their inbox and
"my data". Each user waits 1–3 s between pages (`--think`), as a person reads a page; the
figures are therefore at N people working at once, not N requests in flight.

For each user count (default 10, 50, 100; `--duration` seconds each, after a warm-up) it prints
per page the requests, failures, requests/s and p50/p95/p99, and the CPU the run used, split
between gunicorn, PostgreSQL and Locust itself (all on the same 2 cores). Targets at 50 users:
p95 < 200 ms on every cadre page, < 100 ms on the portal pages, 0 errors.

    .venv/bin/pip install -e '.[bench]'          # Locust
    .venv/bin/python bench/bench_members.py --db-name gh_bench_city --keep     # once, ~8-18 min
    /tmp/k/bench .venv/bin/python bench/bench_load.py --db-name gh_bench_city --reuse-db --keep \\
        [--users 10,50,100] [--duration 60] [--workers 3] [--threads 1] [--think 1,3] \\
        [--cache-url redis://127.0.0.1:6379/0]

The sessions are made by the bench (Django's session store, like a sign-in), so no password
hashing is in the measured path; `bench_*` users are deleted again at the next run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_members import add_city_arguments, close_city, create_admins, open_city
from bench.common import log

ROOT = Path(__file__).resolve().parent.parent
OUT = Path("/tmp/gh-bench-load")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"
PORTAL = {"portal home", "portal e-card", "portal inbox", "portal my data"}


def _session(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def fixture(sample, members: int) -> dict:
    """Sessions of the cadres and of `members` portal users, and per cadre the orgs, members,
    unions and sealed ID numbers of their district."""
    from gonghui.accounts.models import User
    from gonghui.core.middleware import seal_id
    from gonghui.members.models import Membership, Person
    from gonghui.orgs.models import Org

    rng = random.Random(23)
    districts = list(Org.objects.filter(depth=2).order_by("path"))
    city, district_users = create_admins(districts)
    paths = dict(Org.objects.values_list("id", "path"))
    cadres = []
    for d in districts:
        orgs = list(Org.objects.filter(path__startswith=d.path, depth__in=(3, 4))
                    .values_list("code", "id")[:400])
        picks = rng.sample(orgs, min(40, len(orgs)))
        member_ids = list(Membership.objects.filter(union_path__startswith=d.path,
                                                    status="active")
                          .values_list("id", flat=True)[:2000])
        sealed = [seal_id(n) for n, union_id in sample if paths[union_id].startswith(d.path)][:50]
        cadres.append({"session": _session(district_users[d.path]), "org_id": d.id,
                       "orgs": [code for code, _ in picks], "union_ids": [i for _, i in picks],
                       "members": rng.sample(member_ids, min(200, len(member_ids))),
                       "sealed_ids": sealed})
    root = Org.objects.get(depth=1)
    cadres.append({**cadres[0], "session": _session(city), "org_id": root.id})
    portal = []
    people = list(Person.objects.filter(user__isnull=True, member_union__isnull=False)
                  .values_list("id", flat=True)[:members * 50])
    for i, person_id in enumerate(rng.sample(people, min(members, len(people)))):
        user = User.objects.create(username=f"bench_member_{i}", is_active=True)
        Person.objects.filter(pk=person_id).update(user=user)
        portal.append(_session(user))
    return {"cadres": cadres, "members": portal, "surnames": SURNAMES}


def unlink_portal_users() -> None:
    from gonghui.members.models import Person

    Person.objects.filter(user__username__startswith="bench_member_").update(user=None)


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def start_server(db_url: str, port: int, workers: int, threads: int,
                 cache_url: str = "") -> subprocess.Popen:
    # the bench process's data directory: the same secret key (its sessions) and field keys
    env = {**os.environ, "DATABASE_URL": db_url, "GONGHUI_DEBUG": "0",
           "GONGHUI_WORKERS": str(workers)}
    if cache_url:  # the figures cache shared by the workers (docs/operations.md)
        env["GONGHUI_CACHE_URL"] = cache_url
        env["GONGHUI_CACHE_PREFIX"] = f"gh-bench-load-{os.getpid()}"
    log_file = open(OUT / "server.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [sys.executable, "-m", "gonghui.cli", "serve", "--no-migrate", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(600):  # collectstatic runs first
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"the server did not start; see {OUT / 'server.log'}")


def run_locust(users: int, duration: int, port: int, think: str, fixture_file: Path) -> dict:
    """One headless Locust run; returns its per-page rows and the CPU split."""
    prefix = OUT / f"u{users}"
    env = {**os.environ, "GONGHUI_LOAD_FIXTURE": str(fixture_file), "GONGHUI_LOAD_THINK": think}
    clk = os.sysconf("SC_CLK_TCK")
    server_pids = _pids("gunicorn gonghui.wsgi")
    pg_pids = _pids("postgres")
    locust = subprocess.Popen(
        [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench/locust_gonghui.py"),
         "--headless", "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{duration}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"{prefix}.err", "w"))  # noqa: SIM115
    before = (_cpu_ticks(server_pids), _cpu_ticks(pg_pids), time.perf_counter(), _children_cpu())
    load_start = os.getloadavg()[0]
    locust.wait()
    elapsed = time.perf_counter() - before[2]
    server_cpu = (_cpu_ticks(_pids("gunicorn gonghui.wsgi")) - before[0]) / clk
    pg_cpu = (_cpu_ticks(_pids("postgres")) - before[1]) / clk
    locust_cpu = _children_cpu() - before[3]  # Locust, a waited child (+ a few pgrep calls)
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append(row)
    return {"rows": rows, "elapsed": elapsed, "server_cpu": server_cpu, "pg_cpu": pg_cpu,
            "locust_cpu": locust_cpu, "load": load_start}


def report(users: int, result: dict) -> None:
    locust_cpu = result["locust_cpu"]
    total = result["server_cpu"] + result["pg_cpu"] + locust_cpu
    print(f"\n{users} users ({result['elapsed']:.0f} s, load at start {result['load']:.2f}); "
          f"CPU seconds: gunicorn {result['server_cpu']:.0f} ({result['server_cpu'] / total:.0%}), "
          f"PostgreSQL {result['pg_cpu']:.0f} ({result['pg_cpu'] / total:.0%}), "
          f"Locust {locust_cpu:.0f} ({locust_cpu / total:.0%}) of "
          f"{2 * result['elapsed']:.0f} available")
    print(f"  {'page':28} {'requests':>8} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6}  target p95")
    for row in result["rows"]:
        name = row["Name"]
        target = "" if name == "Aggregated" else ("< 100" if name in PORTAL else "< 200")
        p95 = row["95%"]
        flag = ""
        if target and p95 not in ("", "N/A"):
            flag = " ✓" if float(p95) < float(target[2:]) else " ✗"
        print(f"  {name:28} {row['Request Count']:>8} {row['Failure Count']:>5} "
              f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {p95:>6} {row['99%']:>6}  "
              f"{target}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_city_arguments(parser, default_db="gh_bench_load")
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--duration", type=int, default=60, help="seconds per user count")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--think", default="1,3", help="seconds between a user's pages: min,max")
    parser.add_argument("--portal-users", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0",
                        help="GONGHUI_CACHE_URL of the server ('' = each worker's own memory)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    database, sample = open_city(args)
    server = None
    try:
        from django.db import connections

        data = fixture(sample, args.portal_users)
        fixture_file = OUT / "fixture.json"
        fixture_file.write_text(json.dumps(data), encoding="utf-8")
        connections.close_all()
        server = start_server(database.url, args.port, args.workers, args.threads,
                              args.cache_url)
        log(f"gunicorn: {args.workers} workers x {args.threads} threads, cache "
            f"{args.cache_url or 'per process'}; think time "
            f"{args.think} s; {len(data['cadres'])} cadre sessions, {len(data['members'])} "
            "portal sessions")
        log("warm-up: 10 users for 20 s")
        run_locust(10, 20, args.port, args.think, fixture_file)
        for users in (int(u) for u in args.users.split(",")):
            report(users, run_locust(users, args.duration, args.port, args.think, fixture_file))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        unlink_portal_users()
        close_city(database, args)


if __name__ == "__main__":
    main()
