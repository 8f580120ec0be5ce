"""Outreach at city scale:

- nearest-10 search over N stations (default 100,000)                  target median < 50 ms
  on PostgreSQL (`--db pg`, the default) or SQLite (`--db sqlite`: a file database);
- an activity with P places (default 5,000) and U sign-up attempts (default 20,000) from C
  concurrent clients over HTTP on loopback (a threaded WSGI server in this process, bearer
  tokens): no place given twice, the waiting list complete, the throughput printed;
- an announcement to M members (default 1,000,000) delivered to inboxes   target < 60 s.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_outreach.py [--db pg|sqlite]
        [--stations N] [--places P] [--attempts U] [--clients C] [--members M] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_outreach` (PostgreSQL)
or the file /tmp/gh-bench-outreach-sqlite/gonghui.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, log, median, p95, timed

DATABASE = BenchDatabase("gh_bench_outreach")
SQLITE_DIR = "/tmp/gh-bench-outreach-sqlite"


def args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def setup(db: str) -> None:
    if db == "pg":
        DATABASE.create()
        DATABASE.setup_django(migrate=True)
        return
    import shutil

    shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGHUI_DATA_DIR"] = SQLITE_DIR
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load_tree() -> dict[str, Any]:
    from gonghui.orgs.models import Org

    city = Org.objects.add_root(instance=Org(code="SH", name="上海市总工会", level="city",
                                             org_type="federation"))
    district = Org.objects.add_child(Org.objects.get(pk=city.pk), instance=Org(
        code="SH-HP", name="黄浦区总工会", level="district", org_type="federation"))
    union = Org.objects.add_child(Org.objects.get(pk=district.pk), instance=Org(
        code="SH-HP-01", name="南京东路街道工会", level="street", org_type="street"))
    return {"city": Org.objects.get(pk=city.pk), "union": Org.objects.get(pk=union.pk)}


# --- nearest ------------------------------------------------------------------------------

def load_stations(org: Any, n: int, rng: random.Random) -> float:
    from gonghui.outreach.models import Station

    start = time.perf_counter()
    batch = []
    for i in range(n):
        batch.append(Station(org=org, org_path=org.path, code=f"B{i:07d}", name=f"站点{i}",
                             kind="outdoor", address="x", district="黄浦区",
                             lat=round(rng.uniform(30.7, 31.9), 6),
                             lon=round(rng.uniform(120.9, 122.0), 6),
                             amenities=rng.randrange(0, 256)))
        if len(batch) == 5000:
            Station.objects.bulk_create(batch)
            batch = []
    Station.objects.bulk_create(batch)
    return time.perf_counter() - start


def measure_nearest(queries: int, rng: random.Random) -> list[float]:
    from gonghui.outreach.selectors import nearest

    points = [(rng.uniform(30.8, 31.8), rng.uniform(121.0, 121.9)) for _ in range(queries)]
    nearest(lat=31.2, lon=121.4, k=10)   # warm-up
    return [timed(lambda p=p: nearest(lat=p[0], lon=p[1], k=10)) for p in points]


# --- members with portal accounts -----------------------------------------------------------

def load_members(union: Any, n: int, prefix: str) -> list[int]:
    """n users, each a member of `union` with a portal account (bulk, not the services)."""
    from gonghui.accounts.models import User
    from gonghui.members.models import Membership, Person

    ids: list[int] = []
    for base in range(0, n, 5000):
        size = min(5000, n - base)
        users = User.objects.bulk_create([User(username=f"{prefix}{base + i}", password="!")
                                          for i in range(size)])
        people = Person.objects.bulk_create([
            Person(name="职工", gender="F" if i % 2 else "M", id_number="",
                   id_hash=f"{prefix}{base + i}", birth_date=dt.date(1990, 1, 1), user=u,
                   member_union=union) for i, u in enumerate(users)])
        Membership.objects.bulk_create([
            Membership(person=p, union=union, union_path=union.path, status="active",
                       joined_on=dt.date(2020, 1, 1), seniority_since=dt.date(2020, 1, 1))
            for p in people])
        ids += [u.pk for u in users]
    return ids


# --- sign-up over HTTP ------------------------------------------------------------------------

class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def serve() -> tuple[Any, int]:
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    app = get_wsgi_application()

    def wsgi(environ: Any, start_response: Any) -> Any:
        # the server runs each request in a new thread: its database connection is closed when
        # the request ends, else the dead threads' connections pile up past max_connections
        # (CONN_MAX_AGE keeps them open) — "too many clients already"
        try:
            return app(environ, start_response)
        finally:
            connections.close_all()

    server = make_server("127.0.0.1", 0, wsgi, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def tokens(user_ids: list[int]) -> list[str]:
    from django.utils import timezone

    from gonghui.accounts.models import APIToken, User

    # a token is bound to the password it was issued under (accounts.services.token_user
    # revokes one whose auth_hash no longer matches): store the user's session auth hash
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    keys = [secrets.token_urlsafe(24) for _ in user_ids]
    APIToken.objects.bulk_create([
        APIToken(user_id=u, key_hash=APIToken.hash_key(k), prefix=k[:8],
                 auth_hash=users[u].get_session_auth_hash(),
                 expires_at=timezone.now() + dt.timedelta(days=1))
        for u, k in zip(user_ids, keys, strict=True)], batch_size=5000)
    return keys


def signup_storm(org: Any, places: int, attempts: int, clients: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from gonghui.core.actor import system_actor
    from gonghui.outreach.models import Activity, Signup
    from gonghui.outreach.services.activities import activity_create

    if connection.vendor == "sqlite":
        clients = min(clients, 4)   # SQLite serialises writers: a few clients show the same
    now = timezone.now()
    activity = activity_create(org=org, actor=system_actor("cli"), title="压测活动",
                               kind="culture", place="x", starts_at=now + dt.timedelta(days=2),
                               ends_at=now + dt.timedelta(days=2, hours=1), capacity=places,
                               signup_opens=now - dt.timedelta(hours=1),
                               signup_closes=now + dt.timedelta(days=1),
                               cancel_deadline=now + dt.timedelta(days=1))
    keys = tokens(load_members(org, attempts, "su"))
    server, port = serve()
    path = f"/api/v1/outreach/my/activities/{activity.pk}/signup"
    local = threading.local()

    def attempt(key: str) -> int:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", path, body="{}", headers={"Authorization": f"Bearer {key}",
                                                       "Content-Type": "application/json",
                                                       "Host": "localhost"})
        response = conn.getresponse()
        response.read()
        return response.status

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(attempt, keys))
    seconds = time.perf_counter() - start
    server.shutdown()
    confirmed = Signup.objects.filter(activity=activity, status="confirmed").count()
    waiting = Signup.objects.filter(activity=activity, status="waiting").count()
    taken = Activity.objects.get(pk=activity.pk).taken
    codes = {c: statuses.count(c) for c in sorted(set(statuses))}
    log(f"sign-up: {attempts} attempts by {clients} clients in {seconds:.1f} s "
        f"({attempts / seconds:.0f}/s); HTTP {codes}")
    log(f"  confirmed {confirmed} (places {places}, taken {taken}), waiting {waiting}: "
        f"{'OK' if confirmed == min(places, attempts) == taken and confirmed + waiting == attempts else 'WRONG'}")


def announcement(city: Any, union: Any, members: int) -> None:
    from gonghui.core.actor import system_actor
    from gonghui.outreach.services.announcements import announcement_publish

    load_members(union, members, "an")
    start = time.perf_counter()
    a = announcement_publish(org=city, title="压测通知", body="正文", audience="everyone",
                             actor=system_actor("cli"))
    seconds = time.perf_counter() - start
    log(f"announcement: {a.recipients} inboxes in {seconds:.1f} s (target < 60 s)")


def main() -> None:
    options = args()
    setup(options.db)
    rng = random.Random(18)
    try:
        orgs = load_tree()
        seconds = load_stations(orgs["union"], options.stations, rng)
        log(f"[{options.db}] loaded {options.stations} stations in {seconds:.1f} s")
        times = measure_nearest(options.queries, rng)
        log(f"nearest-10: median {median(times):.1f} ms, p95 {p95(times):.1f} ms over "
            f"{len(times)} queries (target median < 50 ms)")
        signup_storm(orgs["union"], options.places, options.attempts, options.clients)
        announcement(orgs["city"], orgs["union"], options.members)
        log(json.dumps({"db": options.db, "stations": options.stations,
                        "nearest_median_ms": round(median(times), 2)}))
    finally:
        if options.db == "pg" and not options.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
