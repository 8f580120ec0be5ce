"""Member registry at city scale: 10,000,000 members in 100,000 unions (tree depth up to 8) on
PostgreSQL, generated with COPY (not the ORM); then the three figures issue 3 asks for:

- exact ID-number search (blind index)                                   target < 10 ms
- member count of a subtree (per-union counters summed over the prefix)   target < 50 ms
- first page of a member list for 100 random orgs, p95                    target < 200 ms

Each figure is measured in several runs; the medians of the runs are printed. Run it alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_members.py [--members N]
        [--orgs N] [--runs 5] [--db-name NAME] [--reuse-db] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_members` (several GB),
or the one named by --db-name. The city (orgs, members, counters and one employer per 20
members) is the same for bench_members.py, bench_workbench.py and bench_stats.py, and
generating it at 10 M members takes about a quarter of an hour, so generate it once and
measure all three against it:

    .venv/bin/python bench/bench_members.py   --db-name gh_bench_city --keep
    .venv/bin/python bench/bench_workbench.py --db-name gh_bench_city --reuse-db --keep
    .venv/bin/python bench/bench_stats.py     --db-name gh_bench_city --reuse-db

(--reuse-db needs the sample of ID numbers written next to the generation, in
/tmp/gh-bench-city/NAME.json; users named bench_* left by an earlier bench are deleted first.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from bisect import bisect_left
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, copy_rows, log, p95, timed
from bench.common import segment as _step

DATABASE = BenchDatabase("gh_bench_members")
LEVEL_SIZES = [1, 16, 320, 9_600, 48_000, 30_000, 10_000, 2_063]  # 100,000 orgs, depth 8


# --- generation ------------------------------------------------------------------------------

def gen_orgs(rng: random.Random, total: int) -> list[tuple[int, str, int]]:
    """(id, path, depth) for `total` orgs: fixed level sizes scaled to `total`, each node's
    parent drawn at random from the level above (so some branches reach depth 8)."""
    scale = total / sum(LEVEL_SIZES)
    sizes = [max(1, round(s * scale)) if i else 1 for i, s in enumerate(LEVEL_SIZES)]
    sizes[-1] += total - sum(sizes)
    orgs: list[tuple[int, str, int]] = []
    previous: list[int] = []
    children: dict[int, int] = {}
    paths: dict[int, str] = {}
    next_id = 1
    for depth, size in enumerate(sizes, start=1):
        level = []
        for _ in range(size):
            if depth == 1:
                path = _step(1)
            else:
                parent = previous[rng.randrange(len(previous))] if depth > 2 else previous[0]
                children[parent] = children.get(parent, 0) + 1
                path = paths[parent] + _step(children[parent])
            paths[next_id] = path
            orgs.append((next_id, path, depth))
            level.append(next_id)
            next_id += 1
        previous = level
    return orgs, children  # type: ignore[return-value]


def copy_orgs(cursor, orgs, children) -> None:
    now = dt.datetime.now(dt.UTC)
    levels = {1: ("city", "federation"), 2: ("district", "federation"), 3: ("street", "street"),
              4: ("grassroots", "grassroots")}
    columns = ("id", "path", "depth", "numchild", "code", "name", "short_name", "level",
               "org_type", "uscc", "industry", "region", "address", "status",
               "employees_count", "contact_name", "contact_phone", "created_at", "updated_at")
    with cursor.copy(f"COPY orgs_org ({', '.join(columns)}) FROM STDIN") as copy:
        for oid, path, depth in orgs:
            level, org_type = levels.get(depth, ("branch", "branch"))
            copy.write_row((oid, path, depth, children.get(oid, 0), f"B{oid:06d}",
                            f"工会{oid:06d}", "", level, org_type, "", "", "", "", "active", 100,
                            "", "", now, now))
    cursor.execute("SELECT setval(pg_get_serial_sequence('orgs_org', 'id'), %s)", (len(orgs),))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉力斌宇浩凯俊峰晨雪琳欣怡"
GROUPS = ["courier", "food_delivery", "truck_driver", "domestic", "caregiver", "security_guard",
          "real_estate", "mall_info"]


def _drop_secondary(cursor, table: str) -> list[str]:
    """Drop a table's non-PK constraints and indexes; return the DDL to recreate them."""
    ddl = []
    cursor.execute("""
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c')""", (table,))
    for name, definition in cursor.fetchall():
        ddl.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    cursor.execute("""
        SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
        AND indexname NOT LIKE '%%_pkey'""", (table,))
    for name, definition in cursor.fetchall():
        ddl.insert(0, definition)
        cursor.execute(f"DROP INDEX {name}")
    return ddl


PERSON_COLUMNS = ("id", "name", "gender", "ethnicity", "id_number", "id_hash", "birth_date",
                  "phone", "education", "political_status", "household_type",
                  "employment_form", "new_employment_group", "employer_name", "occupation",
                  "skill_level", "monthly_wage", "member_union_id", "created_at", "updated_at")
PERSON_TYPES = ["int8", "text", "text", "text", "bytea", "text", "date", "text",
                "text", "text", "text", "text", "text", "text", "text", "text",
                "numeric", "int8", "timestamptz", "timestamptz"]
MEMBER_COLUMNS = ("id", "person_id", "union_id", "union_path", "status", "joined_on",
                  "seniority_since", "ended_on", "end_reason", "card_number", "last_dues_on",
                  "last_activity_on", "created_at", "updated_at")
MEMBER_TYPES = ["int8", "int8", "int8", "text", "text", "date", "date", "date",
                "text", "text", "date", "date", "timestamptz", "timestamptz"]
WAGE = Decimal("6500.00")
BIRTH_BASE = dt.date(1960, 1, 1).toordinal()


def union_weights(rng: random.Random, orgs) -> tuple[list[tuple[int, str]], list[float]]:
    """The orgs that hold members (depth ≥ 3) and their cumulative weights: heavy-tailed like
    real federations (a few big employers, many small unions)."""
    holders = [(oid, path) for oid, path, depth in orgs if depth >= 3]
    weights = [rng.lognormvariate(0, 1.2) * (3 if depth == 4 else 1)
               for _oid, _path, depth in orgs if depth >= 3]
    cumulative = []
    acc = 0.0
    for w in weights:
        acc += w
        cumulative.append(acc)
    return holders, cumulative


def id_tools():
    """(encrypt, synthetic_id_number, id_hash), imported once after django.setup()."""
    from gonghui.core.crypto import encrypt
    from gonghui.core.testing import synthetic_id_number
    from gonghui.members.validation import id_hash

    return encrypt, synthetic_id_number, id_hash


def member_rows(pid: int, rng: random.Random, union_id: int, path: str, today: dt.date,
                now: dt.datetime, tools):
    """Person row, membership row, ID number, status, new-employment group, joined date."""
    encrypt, synthetic_id_number, id_hash = tools
    # (birth date, 3-digit sequence) is a bijection of the person id: numbers are unique
    birth = dt.date.fromordinal(BIRTH_BASE + pid // 1000)
    region = rng.choice(("310101", "310104", "310115", "410102", "510104", "340102"))
    seq = pid % 1000
    number = synthetic_id_number(pid, region=region, birth=birth)
    gender = "M" if seq % 2 else "F"
    group = GROUPS[pid % 8] if pid % 13 == 0 else ""
    roll = rng.random()
    status = "active" if roll < .93 else ("retired" if roll < .97 else "withdrawn")
    joined = dt.date.fromordinal(max(birth.toordinal() + 18 * 365,
                                     today.toordinal() - rng.randrange(7000)))
    if joined > today:
        joined = today
    held = status in ("active", "retired")
    person = (
        pid, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), gender,
        "汉族", encrypt(number), id_hash(number), birth,
        f"1{3 + pid % 7}{pid:09d}", "college", "masses", "urban", "contract", group,
        f"单位{union_id}", "", "", WAGE, union_id if held else None, now, now)
    membership = (
        pid, pid, union_id, path, status, joined, joined,
        None if held else today, "" if held else "退会", f"{joined.year}{pid:010d}",
        today, None, now, now)
    return person, membership, number, status, group, joined


def count_member(stats: dict, joins: dict, union_id: int, status: str, group: str,
                 joined: dt.date, month: dt.date) -> None:
    """Add one member to the per-union counters and the month's joins."""
    row = stats.setdefault(union_id, [0, 0, 0])
    if status == "active":
        row[0] += 1
        row[2] += 1 if group else 0
    elif status == "retired":
        row[1] += 1
    if joined >= month:
        joins[union_id] = joins.get(union_id, 0) + 1


def gen_members(conn, rng: random.Random, orgs, n_members: int, today: dt.date):
    """COPY persons and memberships (two connections, streamed); returns a sample of plaintext
    ID numbers (for the search benchmark) and the per-union counters."""
    import psycopg

    tools = id_tools()
    holders, cumulative = union_weights(rng, orgs)
    now = dt.datetime.now(dt.UTC)
    month = today.replace(day=1)
    stats: dict[int, list[int]] = {}
    joins: dict[int, int] = {}
    sample: list[tuple[str, int]] = []
    other = psycopg.connect(conn.info.dsn)
    with conn.cursor() as c1, other.cursor() as c2, \
            c1.copy(f"COPY members_person ({', '.join(PERSON_COLUMNS)}) FROM STDIN "
                    "(FORMAT BINARY)") as persons, \
            c2.copy(f"COPY members_membership ({', '.join(MEMBER_COLUMNS)}) FROM STDIN "
                    "(FORMAT BINARY)") as members:
        # binary COPY: psycopg's C dumpers, about twice as fast as text for these rows
        persons.set_types(PERSON_TYPES)
        members.set_types(MEMBER_TYPES)
        total = cumulative[-1]
        every = max(n_members // 1000, 10)
        t0 = time.perf_counter()
        for pid in range(1, n_members + 1):
            union_id, path = holders[bisect_left(cumulative, rng.random() * total)]
            person, membership, number, status, group, joined = member_rows(
                pid, rng, union_id, path, today, now, tools)
            persons.write_row(person)
            members.write_row(membership)
            count_member(stats, joins, union_id, status, group, joined, month)
            if status in ("active", "retired") and pid % every == 7 and len(sample) < 500:
                sample.append((number, union_id))
            if pid % 1_000_000 == 0:
                rate = pid / (time.perf_counter() - t0)
                log(f"  {pid:,} members written ({rate:,.0f}/s)")
    other.commit()
    other.close()
    conn.commit()
    return sample, stats, joins, month


def copy_counters(cursor, orgs, stats, joins, month) -> None:
    paths = {oid: path for oid, path, _d in orgs}
    with cursor.copy("COPY members_orgmemberstats (org_id, org_path, active, retired, "
                     "new_employment) FROM STDIN") as copy:
        for oid, (active, retired, new) in stats.items():
            copy.write_row((oid, paths[oid], active, retired, new))
    with cursor.copy("COPY members_orgmembermonth (org_id, org_path, month, joins, exits, "
                     "transfers_in, transfers_out) FROM STDIN") as copy:
        for oid, n in joins.items():
            copy.write_row((oid, paths[oid], month, n, 0, 0, 0))


def generate(n_orgs: int, n_members: int) -> tuple[list, list]:
    from django.db import connection

    rng = random.Random(20260501)
    today = dt.date.today()
    t0 = time.perf_counter()
    orgs, children = gen_orgs(rng, n_orgs)
    connection.ensure_connection()
    conn = connection.connection
    with conn.cursor() as cursor:
        copy_orgs(cursor, orgs, children)
    conn.commit()
    log(f"orgs: {len(orgs):,} (depth {max(d for _i, _p, d in orgs)}) in "
        f"{time.perf_counter() - t0:.1f} s")
    with conn.cursor() as cursor:
        ddl = _drop_secondary(cursor, "members_person") + _drop_secondary(
            cursor, "members_membership")
    conn.commit()
    t1 = time.perf_counter()
    sample, stats, joins, month = gen_members(conn, rng, orgs, n_members, today)
    t2 = time.perf_counter()
    log(f"members: {n_members:,} persons + memberships COPY in {t2 - t1:.0f} s "
        f"({n_members / (t2 - t1):,.0f} rows/s each table)")
    with conn.cursor() as cursor:
        copy_counters(cursor, orgs, stats, joins, month)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in ddl:
            cursor.execute(statement)
        for table in ("members_person", "members_membership"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)",
                           (n_members,))
    conn.commit()
    t3 = time.perf_counter()
    log(f"indexes and constraints rebuilt in {t3 - t2:.0f} s")
    with conn.cursor() as cursor:  # Django's connection is in autocommit mode
        cursor.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.perf_counter() - t3:.0f} s")
    log(f"GENERATION TOTAL: {time.perf_counter() - t0:.0f} s for {n_members:,} members in "
        f"{n_orgs:,} unions")
    return orgs, sample


# --- measurements ----------------------------------------------------------------------------

def create_admins(districts):
    """A city admin and an admin per district (keyed by the district's path)."""
    from gonghui.accounts.models import RoleAssignment, User

    city = User.objects.create(username="bench_city", is_active=True)
    RoleAssignment.objects.create(user=city, org_id=1, role="admin")
    district_users = {}
    for d in districts:
        u = User.objects.create(username=f"bench_{d.code}", is_active=True)
        RoleAssignment.objects.create(user=u, org=d, role="admin")
        district_users[d.path] = u
    return city, district_users


def measure_id_search(rng: random.Random, sample, user_for, today: dt.date, runs: int) -> list:
    """Exact ID number search by the district cadre of the person's union: (median, p95)."""
    from gonghui.members import selectors
    from gonghui.orgs.models import Org

    paths = dict(Org.objects.values_list("id", "path"))
    id_runs = []
    for _ in range(runs):
        times = []
        for number, union_id in rng.sample(sample, 100):
            viewer = user_for(paths[union_id])
            rows: list = []
            times.append(timed(lambda v=viewer, n=number, r=rows: r.extend(
                selectors.member_list(viewer=v, q=n, today=today)[:25])))
            assert len(rows) == 1, "the searched member must be found"
        id_runs.append((statistics.median(times), p95(times)))
    return id_runs


def measure_counts(count_orgs, today: dt.date, runs: int) -> list:
    """Subtree member counts: (median, p95, max) per run."""
    from gonghui.members import selectors

    count_runs = []
    for _ in range(runs):
        times = [timed(lambda o=o: selectors.member_stats(org=o, today=today))
                 for o in count_orgs]
        count_runs.append((statistics.median(times), p95(times), max(times)))
    return count_runs


THREE_FILTERS = {"gender": "F", "age": "36-45", "seniority": "5-10"}


def measure_list_http(page_orgs, city, user_for, runs: int, **filters: str) -> list:
    """First page of the member list page (HTTP through Django, template included) as the
    district cadre of that org (city admin for the root), with `filters` as the list's query
    parameters: (median, p95) per run."""
    from django.test import Client

    client = Client()
    list_runs = []
    for _ in range(runs):
        times = []
        for o in page_orgs:
            client.force_login(city if o.depth == 1 else user_for(o.path),
                               backend="django.contrib.auth.backends.ModelBackend")
            t = time.perf_counter()
            response = client.get("/members/", {"org": o.code, **filters})
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        list_runs.append((statistics.median(times), p95(times)))
    return list_runs


def measure_list_selector(page_orgs, city, user_for, runs: int) -> list:
    """The same list through the selector only (no HTTP, no template)."""
    from gonghui.members import selectors

    sel_runs = []
    for _ in range(runs):
        times = []
        for o in page_orgs:
            viewer = city if o.depth == 1 else user_for(o.path)

            def first_page(o=o, viewer=viewer):
                queryset = selectors.member_list(viewer=viewer, within=o)
                selectors.member_list_count(viewer=viewer, within=o)
                [m.person.masked_id for m in queryset[:25]]

            times.append(timed(first_page))
        sel_runs.append((statistics.median(times), p95(times)))
    return sel_runs


def med(runs_, i):
    return statistics.median(r[i] for r in runs_)


def print_results(runs: int, check, id_runs, count_runs, n_count_orgs: int, list_runs,
                  sel_runs, filtered_runs) -> None:
    print()
    print(f"RESULTS ({runs} runs each; figures are medians over the runs)")
    print(f"  members in the city (root subtree, from counters): {check.active + check.retired:,}")
    print(f"  exact ID search (blind index, 100 numbers):   median {med(id_runs, 0):6.2f} ms"
          f"   p95 {med(id_runs, 1):6.2f} ms   target < 10 ms")
    print(f"  subtree member count ({n_count_orgs} orgs incl. root): median "
          f"{med(count_runs, 0):6.2f} ms   p95 {med(count_runs, 1):6.2f} ms   "
          f"max {med(count_runs, 2):6.2f} ms   target < 50 ms")
    print(f"  member list first page, HTTP (100 orgs):      median {med(list_runs, 0):6.2f} ms"
          f"   p95 {med(list_runs, 1):6.2f} ms   target p95 < 200 ms")
    print(f"  member list first page, selector only:        median {med(sel_runs, 0):6.2f} ms"
          f"   p95 {med(sel_runs, 1):6.2f} ms")
    print(f"  member list, three filters, HTTP (100 orgs):  median {med(filtered_runs, 0):6.2f}"
          f" ms   p95 {med(filtered_runs, 1):6.2f} ms   target p95 < 300 ms (issue 20: "
          f"{', '.join(f'{k}={v}' for k, v in THREE_FILTERS.items())})")


def measure(orgs, sample, runs: int) -> None:
    from gonghui.members import selectors
    from gonghui.orgs.models import Org

    rng = random.Random(7)
    today = dt.date.today()
    districts = list(Org.objects.filter(depth=2).order_by("path"))
    city, district_users = create_admins(districts)

    def user_for(path: str):
        return district_users[path[:8]]

    id_runs = measure_id_search(rng, sample, user_for, today, runs)
    # subtree member counts: the root, every district, and random orgs of every depth
    all_orgs = list(Org.objects.only("id", "path", "depth", "code"))
    count_orgs = [o for o in all_orgs if o.depth <= 2] + rng.sample(all_orgs, 100)
    count_runs = measure_counts(count_orgs, today, runs)
    root = Org.objects.get(depth=1)
    check = selectors.member_stats(org=root, today=today)
    district = districts[0]
    plan = selectors.member_list(viewer=user_for(district.path), within=district)[:25].explain()
    print("plan of a district's first page:\n  " + plan.replace("\n", "\n  "))
    page_orgs = [*rng.sample([o for o in all_orgs if o.depth >= 2], 99), root]
    list_runs = measure_list_http(page_orgs, city, user_for, runs)
    sel_runs = measure_list_selector(page_orgs, city, user_for, runs)
    filtered_runs = measure_list_http(page_orgs, city, user_for, runs, **THREE_FILTERS)
    print_results(runs, check, id_runs, count_runs, len(count_orgs), list_runs, sel_runs,
                  filtered_runs)


# --- one generated city shared by the benchmarks ------------------------------------------------

CITY_DIR = Path("/tmp/gh-bench-city")
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "交通运输业", "住宿和餐饮业", "信息技术服务业",
              "金融业", "房地产业", "教育", "卫生和社会工作"]


def add_city_arguments(parser: argparse.ArgumentParser, *, default_db: str) -> None:
    """The options every city benchmark (members, workbench, stats) shares, so that one
    generated 10 M-member city serves all three: generate it once with
    `--db-name gh_bench_city --keep`, then run each bench with `--db-name gh_bench_city
    --reuse-db --keep` (the last one may drop it by leaving out --keep)."""
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-name", default=default_db,
                        help=f"the PostgreSQL database of the city (default {default_db})")
    parser.add_argument("--reuse-db", "--reuse", dest="reuse_db", action="store_true",
                        help="measure the city already generated in --db-name (kept by an "
                             "earlier --keep run of any city bench) instead of generating it")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")


def _sample_file(name: str) -> Path:
    return CITY_DIR / f"{name}.json"


def copy_employers(n_members: int) -> int:
    """One employer per 20 members, in a random street (depth 3) or deeper org's area; 60% of
    those in a grassroots (depth >= 4) area are covered by that union."""
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
        cursor.execute("SELECT setval(pg_get_serial_sequence('orgs_employer', 'id'), %s)", (n,))
        cursor.execute("ANALYZE orgs_employer")
    connection.connection.commit()
    return n


def open_city(args: argparse.Namespace) -> tuple[BenchDatabase, list]:
    """Generate the city in `args.db_name` (orgs, members, counters, employers) or, with
    --reuse-db, open the one generated earlier; returns the database and the sample of
    (ID number, union id) pairs the ID searches use. Users left by an earlier bench
    (`bench_*`) are deleted so each bench starts from the generated city."""
    import json

    database = BenchDatabase(args.db_name)
    t0 = time.perf_counter()
    if args.reuse_db:
        if not _sample_file(database.name).exists():
            sys.exit(f"--reuse-db: no city was generated in {database.name} "
                     f"({_sample_file(database.name)} is missing); run once without --reuse-db "
                     "and with --keep")
        database.setup_django()
        from django.core.management import call_command

        # the code may have moved on since the city was generated: bring the schema up to date
        call_command("migrate", verbosity=0)
        saved = json.loads(_sample_file(database.name).read_text())
        log(f"reusing {database.name}: {saved['members']:,} members in {saved['orgs']:,} unions "
            f"(generated {saved['generated']})")
        from gonghui.accounts.models import RoleAssignment, User

        RoleAssignment.objects.filter(user__username__startswith="bench_").delete()
        User.objects.filter(username__startswith="bench_").delete()
        return database, [tuple(s) for s in saved["sample"]]
    database.create()
    database.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log(f"schema migrated in {time.perf_counter() - t0:.0f} s")
    _orgs, sample = generate(args.orgs, args.members)
    t1 = time.perf_counter()
    log(f"employers: {copy_employers(args.members):,} in {time.perf_counter() - t1:.0f} s")
    CITY_DIR.mkdir(exist_ok=True)
    _sample_file(database.name).write_text(json.dumps({
        "members": args.members, "orgs": args.orgs, "sample": sample,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}))
    return database, sample


def close_city(database: BenchDatabase, args: argparse.Namespace) -> None:
    if args.keep:
        log(f"database {database.name} kept (reuse it with --db-name {database.name} "
            "--reuse-db)")
        return
    database.drop()
    _sample_file(database.name).unlink(missing_ok=True)
    log(f"database {database.name} dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_city_arguments(parser, default_db=DATABASE.name)
    args = parser.parse_args()
    database, sample = open_city(args)
    try:
        measure(None, sample, args.runs)
    finally:
        close_city(database, args)


if __name__ == "__main__":
    main()
