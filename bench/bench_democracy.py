"""A 3,000-representative congress voting electronically, on PostgreSQL, over HTTP:

- 3,000 secret ballots POSTed to /api/v1/democracy/ballots by concurrent clients (a bounded
  pool on loopback against a gunicorn server)            target < 60 s, none lost, none doubled
- every credential POSTed a second time at once           target: all refused (409)
- the count of the round from its stored ballots          target < 1 s
  (median of --runs counts; the close itself is timed once)

Run it alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_democracy.py [--voters 3000]
        [--clients 32] [--runs 5] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_democracy`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, BenchDatabase, log, median, timed

CANDIDATES = [f"候选人{i:02d}" for i in range(1, 25)]  # 24 candidates for 21 seats (差额 ≥ 5%)
SEATS = 21


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _choices(rnd: random.Random) -> list[str]:
    """A realistic ballot: 18 favourites (most of the hall backs them, so they are elected
    with more than half of the entitled), 6 others, and about 1 % void ballots."""
    if rnd.random() < 0.01:
        return rnd.sample(CANDIDATES, SEATS + 1)
    return [c for i, c in enumerate(CANDIDATES) if rnd.random() < (0.8 if i < 18 else 0.35)
            ][:SEATS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse-db", action="store_true",
                        help="use the kept, migrated database of an earlier run")
    args = parser.parse_args()

    db = BenchDatabase("gh_bench_democracy")
    if not args.reuse_db:
        db.create()
    server = None
    try:
        db.setup_django(migrate=not args.reuse_db)
        from gonghui.accounts.models import User
        from gonghui.core.actor import system_actor
        from gonghui.democracy import services as svc
        from gonghui.democracy.models import Ballot, Credential
        from gonghui.orgs.models import Org

        actor = system_actor("bench")
        tag = f"B{random.randrange(10**6):06d}"  # a fresh tree per run (--reuse-db)
        city = Org.objects.add_root(instance=Org(code=tag, name=f"市总工会{tag}", level="city",
                                                 org_type="federation"))
        district = Org.objects.add_child(Org.objects.get(pk=city.pk), instance=Org(
            code=f"{tag}-HP", name=f"区总工会{tag}", level="district", org_type="federation"))
        User.objects.get_or_create(username="bench")
        election = svc.election_create(org=district, title="区工会第五次会员代表大会选举",
                                       body="committee", seats=SEATS,
                                       meeting_on=dt.date(2026, 12, 1), actor=actor)
        svc.plan_approve(election=election, approval="批复", actor=actor)
        for name in CANDIDATES:
            svc.candidate_add(election=election, name=name, actor=actor)
        svc.voters_add(election=election, lines=[f"代表{i:05d}" for i in range(args.voters)],
                       actor=actor)
        svc.candidates_approve(election=election, approval="批复", actor=actor)
        svc.meeting_open(election=election, actor=actor,
                         present_ids=list(election.voters.values_list("pk", flat=True)))
        voting, tokens = svc.round_open(election=election, mode="electronic", actor=actor)
        log(f"{args.voters} representatives, {len(CANDIDATES)} candidates for {SEATS} seats")

        port = _free_port()
        env = {**os.environ, "DATABASE_URL": db.url}
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "gonghui.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(args.workers), "--timeout", "600", "--preload", "--log-level", "warning"],
            cwd=ROOT, env=env)
        url = f"http://127.0.0.1:{port}/api/v1/democracy/ballots"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        # warm up every worker (the API's routers load on the first request): not timed
        log(f"warm-up: {args.workers * 2} empty bodies (each answered 400 and logged as "
            "'Bad Request' by Django), not timed")
        for _ in range(args.workers * 2):
            _post(url, {})
        rnd = random.Random(16)
        ballots = [{"token": token, "choices": _choices(rnd)} for _voter, token in tokens]
        log(f"ballots: {sum(len(b['choices']) > SEATS for b in ballots)} void (more names "
            "than seats), the rest naming the 18 favourites with p 0.8, the others with p 0.35")
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            codes = list(pool.map(lambda b: _post(url, b), ballots))
        elapsed = time.perf_counter() - start
        stored = Ballot.objects.filter(round=voting).count()
        used = Credential.objects.filter(round=voting, used=True).count()
        log(f"submit {len(ballots)} ballots over HTTP, {args.clients} clients: {elapsed:.1f} s "
            f"(target < 60 s); 201: {codes.count(201)}, stored {stored}, credentials used {used}"
            f" — lost {len(ballots) - stored}, doubled {stored - used}")
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            again = list(pool.map(lambda b: _post(url, b), ballots))
        log(f"every credential again: {again.count(409)} of {len(again)} refused with 409; "
            f"stored still {Ballot.objects.filter(round=voting).count()}")
        counts = [timed(lambda: svc.round_count_electronic(voting)) for _ in range(args.runs)]
        log(f"count the round from its stored ballots: median {median(counts):.0f} ms "
            f"(target < 1000 ms)")
        close = timed(lambda: svc.round_close_electronic(voting=voting, actor=actor))
        voting.refresh_from_db()
        log(f"close (count, store result and tally hash): {close:.0f} ms; elected "
            f"{len(voting.result['elected'])}, seats left {voting.result['seats_left']}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            db.drop()


if __name__ == "__main__":
    main()
