"""Hardship aid at city scale on PostgreSQL: 200,000 hardship files (about 2% of a 10-million
member city) with their households, causes, assistance and timeline in 10,000 unions,
generated with COPY (not the ORM); then:

- the dashboard of a subtree (city, each district), selector only          target < 500 ms
- the file list first page over HTTP for 100 random orgs (count included)   target p95 < 200 ms
- the review due list over HTTP for each district                           target p95 < 200 ms
- a file page over HTTP for 50 random files                                 target p95 < 200 ms
- a city-wide 低保 standard change re-flagging every open file below it       (one transaction)

Each figure is measured in several runs; the medians of the runs are printed. Run it alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_aid.py [--files N]
        [--orgs N] [--runs 5] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_aid`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_members import copy_orgs
from bench.common import BenchDatabase, log, p95, timed
from bench.common import segment as _step

DATABASE = BenchDatabase("gh_bench_aid")


def gen_city(rng: random.Random, total: int) -> tuple[list[tuple[int, str, int]], dict]:
    """A city federation: 16 districts, 20 streets each, the rest grassroots unions spread over
    the streets at random (id, path, depth)."""
    orgs = [(1, _step(1), 1)]
    children: dict[int, int] = {1: 16}
    streets = []
    for d in range(16):
        did = len(orgs) + 1
        orgs.append((did, orgs[0][1] + _step(d + 1), 2))
        children[did] = 20
        for s in range(20):
            sid = len(orgs) + 1
            orgs.append((sid, orgs[did - 1][1] + _step(s + 1), 3))
            streets.append(sid)
    paths = {oid: path for oid, path, _d in orgs}
    while len(orgs) < total:
        parent = streets[rng.randrange(len(streets))]
        children[parent] = children.get(parent, 0) + 1
        gid = len(orgs) + 1
        orgs.append((gid, paths[parent] + _step(children[parent]), 4))
    return orgs, children


CAUSES = ["illness", "disability", "accident", "disaster", "unemployment", "schooling",
          "single_parent", "elder_care", "low_wage", "other"]
NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"


FILE_COLUMNS = (
    "id", "number", "union_id", "union_path", "applicant_id", "applicant_name",
    "applicant_hash", "status", "proposed_category", "category", "category_note", "sudden",
    "sudden_description", "household_size", "monthly_income", "per_capita_income", "line",
    "line_year", "upper_line", "housing", "housing_note", "needs", "needs_note", "address",
    "phone", "next_review_due", "needs_review", "review_reason", "above_line_since",
    "exited_on", "watch_until", "next_followup_due", "relapse_found", "reopen_count",
    "created_at", "updated_at")
STATUSES = ["active"] * 75 + ["exited"] * 10 + ["draft"] * 5 + ["submitted"] * 5 + \
    ["closed"] * 5


# --- generation ------------------------------------------------------------------------------

def copy_persons(cursor, n_files: int, cipher: bytes, now: dt.datetime) -> None:
    """One applicant person per file."""
    with cursor.copy("COPY members_person (id, name, gender, ethnicity, id_number, id_hash, "
                     "birth_date, phone, education, political_status, household_type, "
                     "employment_form, new_employment_group, employer_name, occupation, "
                     "skill_level, created_at, updated_at) FROM STDIN") as copy:
        for i in range(1, n_files + 1):
            copy.write_row((i, "职工", "M", "汉族", cipher, f"{i:064x}", dt.date(1980, 1, 1),
                            "", "", "", "", "", "", "", "", "", now, now))


def copy_files(cursor, rng: random.Random, unions, n_files: int, line: Decimal,
               today: dt.date, now: dt.datetime) -> list[tuple[int, int, str, int]]:
    """The hardship files; returns (file id, union id, status, household size) of each."""
    from gonghui.aid import rules

    upper = rules.upper_line(line, rules.DEFAULT_MULTIPLE)
    files = []
    with cursor.copy(f"COPY aid_hardshipfile ({', '.join(FILE_COLUMNS)}) FROM STDIN") as copy:
        for i in range(1, n_files + 1):
            union_id, path = unions[rng.randrange(len(unions))]
            status = rng.choice(STATUSES)
            size = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
            pc = Decimal(rng.randrange(60000, 300000)) / 100
            income = (pc * size).quantize(Decimal("0.01"))
            pc = rules.per_capita(income, size)
            sudden = rng.random() < .1
            proposal = rules.propose(total_monthly=income, household_size=size, line=line,
                                     sudden=sudden).category
            category = proposal or ("relative" if status != "draft" else "")
            due = today + dt.timedelta(days=rng.randrange(-60, 365)) \
                if status == "active" else None
            exited = today - dt.timedelta(days=rng.randrange(1, 700)) \
                if status == "exited" else None
            copy.write_row((
                i, f"KN{today.year}{i:07d}", union_id, path, i,
                rng.choice(NAMES) + rng.choice(NAMES), f"{i:064x}", status, proposal,
                category, "", sudden, "", size, income, pc, line, today.year, upper, "", "",
                "[]", "", "", "", due, False, "", None, exited,
                exited + dt.timedelta(days=730) if exited else None,
                exited + dt.timedelta(days=182) if exited else None, False, 0, now, now))
            files.append((i, union_id, status, size))
    return files


def copy_household(cursor, files, cipher: bytes) -> int:
    """Household members (household size per file); returns how many."""
    with cursor.copy("COPY aid_householdmember (id, file_id, union_id, name, relation, "
                     "id_number, id_hash, id_masked, gender, health, health_note, work, "
                     "education, note) FROM STDIN") as copy:
        mid = 0
        for fid, union_id, _status, size in files:
            for k in range(size):
                mid += 1
                copy.write_row((mid, fid, union_id, "成员", "self" if k == 0 else "child",
                                cipher, f"m{mid:063x}", "310***********0018", "M",
                                "healthy", "", "employed", "", ""))
    return mid


def copy_causes(cursor, rng: random.Random, files) -> int:
    causes = 0
    with cursor.copy("COPY aid_filecause (file_id, union_id, cause) FROM STDIN") as copy:
        for fid, union_id, _status, _size in files:
            for cause in rng.sample(CAUSES, rng.choice((1, 1, 2, 3))):
                copy.write_row((fid, union_id, cause))
                causes += 1
    return causes


def copy_assistance(cursor, rng: random.Random, files, unions, today: dt.date,
                    now: dt.datetime) -> int:
    """Two cash payments per active or exited file; returns how many."""
    assistance = 0
    with cursor.copy("COPY aid_assistance (file_id, union_id, union_path, kind, amount, "
                     "description, given_on, paying_org_id, idempotency_key, recorded_at) "
                     "FROM STDIN") as copy:
        paths = dict(unions)
        for fid, union_id, status, _size in files:
            if status not in ("active", "exited"):
                continue
            for k in range(2):
                copy.write_row((fid, union_id, paths[union_id], "cash",
                                Decimal(rng.randrange(2, 20) * 100), "慰问",
                                today - dt.timedelta(days=rng.randrange(0, 300)), union_id,
                                f"b{fid}-{k}", now))
                assistance += 1
    return assistance


def copy_activities(cursor, files, now: dt.datetime) -> None:
    with cursor.copy("COPY aid_fileactivity (file_id, union_id, kind, at, actor_name, "
                     "status_from, status_to, reason, data) FROM STDIN") as copy:
        for fid, union_id, status, _size in files:
            copy.write_row((fid, union_id, "open", now, "bench", "", "draft", "", "{}"))
            if status == "exited":
                copy.write_row((fid, union_id, "exit", now, "bench", "active", "exited",
                                "", "{}"))


def generate(n_orgs: int, n_files: int, line: Decimal) -> list:
    """COPY orgs, persons, files and their parts; returns the orgs."""
    from django.db import connection

    from gonghui.core import clock
    from gonghui.core.crypto import encrypt

    rng = random.Random(20260701)
    today = clock.today()
    now = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    orgs, children = gen_city(rng, n_orgs)
    connection.ensure_connection()
    conn = connection.connection
    with conn.cursor() as cursor:
        copy_orgs(cursor, orgs, children)
    conn.commit()
    unions = [(oid, path) for oid, path, depth in orgs if depth >= 4]
    cipher = encrypt("310101198001010018")  # never read by the measurements below
    with conn.cursor() as cursor:
        copy_persons(cursor, n_files, cipher, now)
        files = copy_files(cursor, rng, unions, n_files, line, today, now)
        members = copy_household(cursor, files, cipher)
        causes = copy_causes(cursor, rng, files)
        assistance = copy_assistance(cursor, rng, files, unions, today, now)
        copy_activities(cursor, files, now)
        for table in ("members_person", "aid_hardshipfile", "aid_householdmember"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
    conn.commit()
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"generated {len(orgs):,} orgs, {n_files:,} files, {members:,} household rows, "
        f"{causes:,} causes, {assistance:,} assistance rows in "
        f"{time.perf_counter() - t0:.0f} s")
    return orgs


# --- measurements ----------------------------------------------------------------------------

def create_admins(districts):
    """A city admin and an admin per district (keyed by the district's path)."""
    from gonghui.accounts.models import RoleAssignment, User

    city = User.objects.create(username="bench_city", is_active=True)
    RoleAssignment.objects.create(user=city, org_id=1, role="admin")
    users = {}
    for d in districts:
        u = User.objects.create(username=f"bench_{d.code}", is_active=True)
        RoleAssignment.objects.create(user=u, org=d, role="admin")
        users[d.path] = u
    return city, users


def measure_dashboards(root, districts, city, users, year: int, runs: int) -> list:
    """(city ms, median district ms, max district ms) per run."""
    from gonghui.aid import selectors

    dash_runs = []
    for _ in range(runs):
        city_ms = timed(lambda: selectors.dashboard(org=root, viewer=city, year=year))
        times = [timed(lambda d=d: selectors.dashboard(org=d, viewer=users[d.path], year=year))
                 for d in districts]
        dash_runs.append((city_ms, statistics.median(times), max(times)))
    return dash_runs


def http_times(client, paths_users) -> tuple[float, float]:
    """GET each path as its user; (median, p95) milliseconds."""
    times = []
    for path, user in paths_users:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        t = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), p95(times)


def measure_reflag(root, city, line: Decimal, year: int, runs: int) -> list[float]:
    """Milliseconds of each city-wide standard change (one transaction each)."""
    from django.db import transaction

    from gonghui.aid.services.standards import standard_save

    reflag_runs = []
    for k in range(max(3, runs // 2)):
        new_line = line + Decimal(10 * (k + 1))
        t = time.perf_counter()
        with transaction.atomic():
            standard_save(org=root, year=year, monthly_line=new_line, actor=city)
        reflag_runs.append((time.perf_counter() - t) * 1000)
    return reflag_runs


def med(rows, i):
    return statistics.median(r[i] for r in rows)


def print_results(runs: int, n_districts: int, dash_runs, list_runs, due_runs, file_runs,
                  reflag_runs, open_files: int, flagged: int) -> None:
    from gonghui.aid.models import HardshipFile

    print()
    print(f"RESULTS ({runs} runs each; figures are medians over the runs)")
    print(f"  dashboard, city ({HardshipFile.objects.count():,} files): "
          f"{med(dash_runs, 0):7.1f} ms   target < 500 ms")
    print(f"  dashboard, {n_districts} districts:           median {med(dash_runs, 1):7.1f} ms   "
          f"max {med(dash_runs, 2):7.1f} ms")
    print(f"  file list first page, HTTP (100 orgs):   median {med(list_runs, 0):6.1f} ms   "
          f"p95 {med(list_runs, 1):6.1f} ms   target p95 < 200 ms")
    print(f"  review due list, HTTP ({n_districts} districts):    median {med(due_runs, 0):6.1f} ms   "
          f"p95 {med(due_runs, 1):6.1f} ms   target p95 < 200 ms")
    print(f"  file page, HTTP (50 files):              median {med(file_runs, 0):6.1f} ms   "
          f"p95 {med(file_runs, 1):6.1f} ms   target p95 < 200 ms")
    print(f"  city standard change re-flagging {open_files:,} open files: median "
          f"{statistics.median(reflag_runs):,.0f} ms over {len(reflag_runs)} changes "
          f"({flagged:,} files flagged for review)")


def measure(runs: int, line: Decimal) -> None:
    from django.test import Client

    from gonghui.aid.models import HardshipFile, LocalStandard
    from gonghui.core import clock
    from gonghui.orgs.models import Org

    rng = random.Random(11)
    year = clock.today().year
    districts = list(Org.objects.filter(depth=2).order_by("path"))
    city, users = create_admins(districts)
    root = Org.objects.get(depth=1)
    LocalStandard.objects.create(org=root, org_path=root.path, year=year, monthly_line=line)

    def user_for(o):
        return city if o.depth == 1 else users[o.path[:8]]

    dash_runs = measure_dashboards(root, districts, city, users, year, runs)
    all_orgs = list(Org.objects.filter(depth__gte=2).only("id", "path", "depth", "code"))
    sample = [*rng.sample(all_orgs, 99), root]
    client = Client()
    list_runs = [http_times(client, [(f"/aid/?org={o.code}", user_for(o)) for o in sample])
                 for _ in range(runs)]
    due_runs = [http_times(client, [(f"/aid/due/reviews/?org={d.code}", users[d.path])
                                    for d in districts])
                for _ in range(runs)]
    some = list(HardshipFile.objects.order_by("?").values_list("pk", "union_path")[:50])
    by_path = {d.path: users[d.path] for d in districts}
    file_runs = [http_times(client, [(f"/aid/files/{pk}/", by_path[path[:8]])
                                     for pk, path in some])
                 for _ in range(runs)]
    open_files = HardshipFile.objects.filter(status__in=["draft", "submitted", "active"]).count()
    reflag_runs = measure_reflag(root, city, line, year, runs)
    flagged = HardshipFile.objects.filter(needs_review=True).count()
    print_results(runs, len(districts), dash_runs, list_runs, due_runs, file_runs, reflag_runs,
                  open_files, flagged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200_000)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    DATABASE.create()
    DATABASE.setup_django()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - t:.0f} s")
    line = Decimal("1510.00")
    try:
        generate(args.orgs, args.files, line)
        measure(args.runs, line)
    finally:
        if not args.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
