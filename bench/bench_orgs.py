"""Org tree at city scale: 100,000 orgs, depth 8, on PostgreSQL.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_orgs.py [--orgs 100000] [--keep]

Creates the database gh_bench_orgs, loads the tree with COPY (paths computed here, as any bulk
load must: treebeard's per-node API does ~300 nodes/s), then times the queries pages and API run:
subtree count, a scoped first page of the org list, children of a node, the API list, and a
subtree move through the service. Prints medians and p95 over random orgs.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, segment

DATABASE = BenchDatabase("gh_bench_orgs")
LEVELS = ["city", "district", "street", "grassroots", "branch", "branch", "branch", "branch"]
TYPES = ["federation", "federation", "street", "grassroots", "branch", "group", "group", "group"]




def build_tree(total: int, rng: random.Random) -> list[tuple[str, int, int]]:
    """(path, depth, numchild) for `total` orgs: 16 districts, ~30 streets each, grassroots
    unions under streets, and branches / groups down to depth 8 under some of them."""
    nodes: list[list] = [["0001", 1, 0]]
    by_depth: dict[int, list[int]] = {1: [0]}
    widths = {1: 16, 2: 30, 3: 40}
    depth = 1
    while len(nodes) < total and depth < 8:
        parents = by_depth[depth]
        if depth in widths:
            kids_each, chosen = widths[depth], parents
        else:
            kids_each, chosen = 3, rng.sample(parents, max(1, len(parents) // 6))
        new = []
        for p in chosen:
            for _ in range(kids_each):
                if len(nodes) >= total:
                    break
                nodes[p][2] += 1
                nodes.append([nodes[p][0] + segment(nodes[p][2]), depth + 1, 0])
                new.append(len(nodes) - 1)
        depth += 1
        by_depth[depth] = new
    # the rest as branches directly under grassroots unions
    grassroots = by_depth.get(4, [])
    i = 0
    while len(nodes) < total and grassroots:
        p = grassroots[i % len(grassroots)]
        nodes[p][2] += 1
        nodes.append([nodes[p][0] + segment(nodes[p][2]), 5, 0])
        i += 1
    return [tuple(n) for n in nodes]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def load_tree(total: int, rng: random.Random) -> None:
    """Compute the tree's paths and COPY it into orgs_org."""
    from django.db import connection

    t0 = time.perf_counter()
    tree = build_tree(total, rng)
    buf = io.StringIO()
    for i, (path, depth, numchild) in enumerate(tree):
        level, org_type = LEVELS[depth - 1], TYPES[depth - 1]
        buf.write(f"{path}\t{depth}\t{numchild}\tB{i}\t组织{i}\t\t{level}\t{org_type}\t\t\t\t\t"
                  f"active\t0\t\t\tnow\tnow\n")
    buf.seek(0)
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(
            "COPY orgs_org (path, depth, numchild, code, name, short_name, level, org_type, uscc,"
            " industry, region, address, status, employees_count, contact_name, contact_phone,"
            " created_at, updated_at) FROM STDIN"
        ) as copy:
            while chunk := buf.read(1 << 20):
                copy.write(chunk)
        cur.execute("ANALYZE orgs_org")
    load_s = time.perf_counter() - t0
    max_depth = max(d for _p, d, _n in tree)
    print(f"loaded {len(tree):,} orgs (max depth {max_depth}) with COPY in {load_s:.1f} s")


def time_each(fn, items) -> list[float]:
    """Milliseconds of `fn(item)` for each item."""
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"{name:<52} median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   n={len(ms)}")


def measure_subtree_counts(districts, sample_orgs) -> None:
    from gonghui.orgs.models import Org

    report("subtree count (random org)",
           time_each(lambda o: Org.objects.filter(path__startswith=o.path).count(), sample_orgs))
    report("subtree count (district, ~6k orgs)",
           time_each(lambda o: Org.objects.filter(path__startswith=o.path).count(), districts * 6))
    report("subtree count (whole city)",
           time_each(lambda o: Org.objects.filter(path__startswith=o.path).count(),
                     [Org.objects.get(depth=1)] * 20))


def create_cadres(districts) -> dict:
    """An admin per district; returns district pk → user."""
    from gonghui.accounts.models import RoleAssignment, User

    users = {}
    for d in districts:
        u = User.objects.create(username=f"cadre{d.pk}")
        RoleAssignment.objects.create(user=u, org=d, role="admin")
        users[d.pk] = u
    return users


def measure_selectors(districts, sample_orgs, users) -> None:
    from gonghui.accounts.models import User
    from gonghui.orgs import selectors

    def scoped_page(d):
        list(selectors.org_list(viewer=User.objects.get(pk=users[d.pk].pk))[:50])

    report("scoped first page of org list (district cadre)", time_each(scoped_page, districts * 6))
    report("children of a node (scoped)", time_each(
        lambda o: list(selectors.org_children(viewer=users[districts[0].pk], org=o)),
        [o for o in sample_orgs if o.path.startswith(districts[0].path)] or districts[:1]))


def measure_http(districts, users) -> None:
    from django.test import Client

    client = Client()
    clients = []
    for d in districts:
        c = Client()
        c.force_login(users[d.pk], backend="django.contrib.auth.backends.ModelBackend")
        clients.append(c)
    report("GET /api/v1/orgs (district cadre, page of 50)",
           time_each(lambda c: c.get("/api/v1/orgs?page_size=50"), clients * 6))
    report("GET /orgs/list/?q=组织1 (district cadre)",
           time_each(lambda c: c.get("/orgs/list/?q=组织1"), clients * 3))
    del client


def measure_moves(districts, rng: random.Random) -> None:
    from gonghui.accounts.models import User
    from gonghui.orgs import services
    from gonghui.orgs.models import Org

    root = User.objects.create(username="root", is_superuser=True)
    streets = list(Org.objects.filter(depth=3, numchild__gt=0)[:10])
    moves = []
    for s in streets:
        size = Org.objects.filter(path__startswith=s.path).count()
        target = rng.choice([d for d in districts if not s.path.startswith(d.path)])
        t = time.perf_counter()
        services.org_move(org=s, new_parent=target, actor=root)
        moves.append(((time.perf_counter() - t) * 1000, size))
    print("move a street subtree (service, with audit): "
          + ", ".join(f"{ms:.0f} ms/{n} orgs" for ms, n in moves[:5]) + " …")
    report("move a street subtree", [m for m, _n in moves])


def main() -> None:
    args = parse_args()
    DATABASE.create()
    DATABASE.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    load_tree(args.orgs, rng)

    from gonghui.orgs.models import Org

    districts = list(Org.objects.filter(depth=2))
    sample_orgs = list(Org.objects.order_by("?")[: args.samples])
    measure_subtree_counts(districts, sample_orgs)
    users = create_cadres(districts)
    measure_selectors(districts, sample_orgs, users)
    measure_http(districts, users)
    measure_moves(districts, rng)

    connection.close()
    if not args.keep:
        DATABASE.drop()


if __name__ == "__main__":
    main()
