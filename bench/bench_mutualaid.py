"""Automatic payout at city scale: 1,000,000 settlement records against 2,000,000 enrolled members,
processed into payouts by 1 and by 2 worker processes, on PostgreSQL.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_mutualaid.py \
        [--members 2000000] [--records 1000000] [--runs 3] [--workers 1,2] [--batch-size 1000]
        [--citus]   # on the local Citus cluster of docs/scale.md (GONGHUI_BENCH_CITUS)

Creates the database gh_bench_mutualaid and loads it with COPY (persons with encrypted ID
numbers and blind indexes, settlement records with their queue lane) and INSERT … SELECT
(enrolments in the two plans: every member in 住院津贴, every other member also in 住院自付补助;
the records' settlement-number and stay claim rows). Then, for each worker
count, runs `gonghui process-settlements` in that many processes at once over the whole queue,
several times (resetting the queue between runs), and prints rows/s per run, the medians and the
2-vs-1 scaling. Every run is checked: each record processed once, the payouts equal the
expectation computed here independently (per member and plan: min(year cap, Σ per-claim-capped
benefits)) to the fen. The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import BenchDatabase, copy_rows  # noqa: E402
from gonghui.core.testing import synthetic_id_number  # noqa: E402

DATABASE = BenchDatabase("gh_bench_mutualaid")
URL = DATABASE.url
REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
           "310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151"]
HOSPITALS = ["瑞金医院", "华山医院", "中山医院", "仁济医院", "第六人民医院", "第一人民医院",
             "新华医院", "长海医院", "曙光医院", "龙华医院"]
UNIONS = 1000


def person_number(i: int) -> str:
    """A distinct valid ID number for member i (0 ≤ i < 16,000,000)."""
    birth = dt.date(1966, 1, 1) + dt.timedelta(days=(i // 16000) * 37 % 14000)
    return synthetic_id_number(i, region=REGIONS[(i // 1000) % 16], birth=birth)


def outsider_number(i: int) -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i // 1000)
    return synthetic_id_number(i, region="320102", birth=birth)


def copy_table(table: str, columns: list[str], rows) -> int:
    """COPY `rows` into `table` on Django's connection (bench.common.copy_rows)."""
    from django.db import connection

    with connection.cursor() as cur:
        return copy_rows(cur.cursor, table, columns, rows)


def load_orgs_and_plans(year: int):
    """Org tree (city → 16 districts → 4 streets each → grassroots unions, paths computed here)
    and the two plans; returns (union ids and paths, city, allowance plan, ratio plan)."""
    from gonghui.accounts.models import User
    from gonghui.mutualaid import services
    from gonghui.orgs.models import Org

    t0 = time.perf_counter()
    city = Org(path="0001", depth=1, numchild=16, code="SH", name="上海市总工会", level="city",
               org_type="federation")
    orgs = [city]
    unions: list[Org] = []
    for d in range(16):
        district = Org(path=f"0001{d + 1:04d}", depth=2, numchild=4, code=f"SH-{d:02d}",
                       name=f"区{d}", level="district", org_type="federation")
        orgs.append(district)
        for s in range(4):
            street = Org(path=f"{district.path}{s + 1:04d}", depth=3, code=f"{district.code}-{s}",
                         name=f"街道{d}-{s}", level="street", org_type="street",
                         numchild=UNIONS // 64)
            orgs.append(street)
            for g in range(UNIONS // 64 + 1):
                if len(unions) >= UNIONS:
                    break
                union = Org(path=f"{street.path}{g + 1:04d}", depth=4, code=f"{street.code}-{g}",
                            name=f"基层工会{len(unions)}", level="grassroots",
                            org_type="grassroots")
                unions.append(union)
                orgs.append(union)
    Org.objects.bulk_create(orgs, batch_size=2000)
    union_ids = list(Org.objects.filter(depth=4).order_by("id").values_list("id", "path"))
    admin = User.objects.create(username="bench-admin", is_superuser=True)
    city = Org.objects.get(depth=1)
    common = {"plan_year": year, "year_starts_on": dt.date(year, 1, 1),
              "year_ends_on": dt.date(year, 12, 31), "org": city, "actor": admin}
    allowance = services.plan_create(
        code="ZYJT", name="住院津贴", kind="hospital_allowance", contribution=Decimal("30.00"),
        waiting_days=90, per_day=Decimal("50.00"), per_claim_cap=Decimal("1500.00"),
        per_year_cap=Decimal("3000.00"), **common)
    ratio = services.plan_create(
        code="ZFBZ", name="住院自付医疗费补助", kind="self_paid_ratio",
        contribution=Decimal("40.00"), waiting_days=90, deductible=Decimal("500.00"),
        ratio=Decimal("0.5"), per_claim_cap=Decimal("5000.00"), per_year_cap=Decimal("8000.00"),
        auto_approve_limit=Decimal("3000.00"), **common)
    print(f"orgs ({len(orgs):,}) and plans in {time.perf_counter() - t0:.1f} s", flush=True)
    return union_ids, city, allowance, ratio


def load_persons(members: int, union_ids) -> None:
    """COPY the members: encrypted ID numbers and blind indexes, spread over the unions."""
    from gonghui.core.crypto import blind_index, encrypt

    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC)

    def persons():
        for i in range(members):
            number = person_number(i)
            union_id = union_ids[i % len(union_ids)][0]
            yield (f"会员{i}", "M" if int(number[16]) % 2 else "F", encrypt(number),
                   blind_index(number), dt.date(int(number[6:10]), int(number[10:12]),
                                                       int(number[12:14])),
                   union_id, now, now, "", "", "", "", "", "", "", "", "", "")

    copy_table("members_person", [
        "name", "gender", "id_number", "id_hash", "birth_date", "member_union_id", "created_at",
        "updated_at", "ethnicity", "phone", "education", "political_status", "household_type",
        "employment_form", "new_employment_group", "employer_name", "occupation",
        "skill_level"], persons())
    person_s = time.perf_counter() - t0
    print(f"{members:,} persons with COPY in {person_s:.1f} s", flush=True)


def load_enrolments(year: int, allowance, ratio, enrolled_on: dt.date) -> int:
    """Every member in the allowance plan, every other member also in the ratio plan
    (INSERT … SELECT); returns the first person's id."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for plan, modulo, contribution in ((allowance, 1, "30.00"), (ratio, 2, "40.00")):
            cur.execute(f"""
                INSERT INTO mutualaid_enrolment (plan_id, plan_year, starts_on, ends_on,
                    person_id, id_hash, union_id, union_path, enrolled_on, renewal, contribution,
                    status, used_amount, claims_count)
                SELECT %s, %s, %s, %s, p.id, p.id_hash, p.member_union_id, o.path, %s, false,
                       %s, 'active', 0, 0
                FROM members_person p JOIN orgs_org o ON o.id = p.member_union_id
                WHERE p.id %% {modulo} = 0
            """, [plan.pk, year, dt.date(year, 1, 1), dt.date(year, 12, 31), enrolled_on,
                  contribution])
        cur.execute("SELECT min(id) FROM members_person")
        first_person = cur.fetchone()[0]
        cur.execute("ANALYZE members_person; ANALYZE mutualaid_enrolment")
    enrol_s = time.perf_counter() - t0
    print(f"enrolments (INSERT … SELECT) in {enrol_s:.1f} s", flush=True)
    return first_person


def settlement_rows(args, rng: random.Random, year: int, enrolled_on: dt.date, source,
                    plans_rules: dict, ratio_pk: int, first_person: int,
                    expected_sums: dict, expected_records: dict):
    """The settlement records (95% enrolled members, 5% not members), adding each member's
    expected benefit per plan to `expected_sums` as they are generated."""
    from gonghui.core.crypto import blind_index, encrypt
    from gonghui.core.idnumber import mask
    from gonghui.mutualaid.models import lane_of
    from gonghui.mutualaid.rules import Claim, Cover, compute, uncapped

    cover = Cover(enrolled_on=enrolled_on, year_starts_on=dt.date(year, 1, 1))
    for k in range(args.records):
        outsider = rng.random() < 0.05
        if outsider:
            number, person = outsider_number(k), None
            expected_records["outsider"] += 1
        else:
            person = rng.randrange(args.members)
            number = person_number(person)
            expected_records["member"] += 1
        admitted = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 350))
        days = rng.randrange(0, 40)
        discharged = min(admitted + dt.timedelta(days=days), dt.date(year, 12, 31))
        own = Decimal(rng.randrange(0, 1_500_000)) / 100
        ins = Decimal(rng.randrange(0, 5_000_000)) / 100
        category = "accident" if rng.random() < 0.1 else "illness"
        id_hash = blind_index(number)
        hospital = HOSPITALS[k % len(HOSPITALS)]
        stay = hashlib.sha256(f"{id_hash}|{hospital}|{admitted}|{discharged}|{own + ins}|{ins}|"
                              f"{own}|{category}|{k}".encode()).hexdigest()[:32]
        if person is not None:
            claim = Claim(admitted, discharged, own + ins, ins, own, category)
            for plan_id, rules in plans_rules.items():
                if plan_id == ratio_pk and (first_person + person) % 2:
                    continue
                outcome = compute(rules, claim, cover)
                if outcome is not None and outcome.decline != "waiting_period":
                    expected_sums[(person, plan_id)] += uncapped(rules, claim)
        yield (f"YB{k:010d}", stay, source.pk, encrypt(number), id_hash, mask(number), "",
               hospital, admitted, discharged, own + ins, ins, own, category, "queued", 0,
               lane_of(id_hash))


def load_records(args, rng: random.Random, year: int, enrolled_on: dt.date, city, allowance,
                 ratio, first_person: int) -> dict:
    """COPY the settlement records; returns the independently computed expectation."""
    from django.db import connection

    t0 = time.perf_counter()
    source = _import_row(city)
    plans_rules = {allowance.pk: allowance.versions.get().rules(),
                   ratio.pk: ratio.versions.get().rules()}
    expected_sums: dict[tuple[int, int], Decimal] = defaultdict(lambda: Decimal("0.00"))
    expected_records = {"member": 0, "outsider": 0}
    records = settlement_rows(args, rng, year, enrolled_on, source, plans_rules, ratio.pk,
                              first_person, expected_sums, expected_records)
    copy_table("mutualaid_settlementrecord", [
        "settlement_no", "fingerprint", "source_id", "id_number", "id_hash", "id_masked",
        "patient_name", "hospital", "admitted_on", "discharged_on", "total", "insurance_paid",
        "self_paid", "category", "status", "payouts_count", "lane"], records)
    with connection.cursor() as cur:
        # the two claim rows of each record, as the importer writes them (models.settlements)
        cur.execute("INSERT INTO mutualaid_settlementnumber (settlement_no, fingerprint) "
                    "SELECT settlement_no, fingerprint FROM mutualaid_settlementrecord")
        cur.execute("INSERT INTO mutualaid_settlementstay (fingerprint, settlement_no) "
                    "SELECT fingerprint, settlement_no FROM mutualaid_settlementrecord")
        cur.execute("ANALYZE mutualaid_settlementrecord")
    record_s = time.perf_counter() - t0
    print(f"{args.records:,} settlement records with COPY in {record_s:.1f} s "
          f"(incl. encryption and the independent expectation)", flush=True)
    caps = {pk: r.per_year_cap for pk, r in plans_rules.items()}
    expected_total = sum((min(v, caps[plan_id]) for (_p, plan_id), v in expected_sums.items()),
                         Decimal("0.00"))
    return {"expected_total": expected_total, "expected_records": expected_records}


def load(args, rng: random.Random) -> dict:
    year = dt.date.today().year - 1
    union_ids, city, allowance, ratio = load_orgs_and_plans(year)
    load_persons(args.members, union_ids)
    enrolled_on = dt.date(year - 1, 12, 20)
    first_person = load_enrolments(year, allowance, ratio, enrolled_on)
    return load_records(args, rng, year, enrolled_on, city, allowance, ratio, first_person)


def _import_row(org):
    from gonghui.mutualaid.models import SettlementImport

    return SettlementImport.objects.create(org=org, org_path=org.path, file_name="bench.csv",
                                           file_sha256="0" * 64, status="done")


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE mutualaid_payout CASCADE")
        cur.execute("UPDATE mutualaid_settlementrecord SET status='queued', payouts_count=0, "
                    "processed_at=NULL WHERE status <> 'queued'")
        cur.execute("UPDATE mutualaid_enrolment SET used_amount=0, claims_count=0 "
                    "WHERE claims_count > 0 OR used_amount <> 0")
        cur.execute("DELETE FROM audit_auditevent WHERE action = 'mutualaid.process'")
    connection.close()
    host, port = DATABASE.host_port
    subprocess.run(["psql", "-q", "-h", host, "-p", port, "-U", "postgres", "-d", DATABASE.name,
                    "-c",
                    "VACUUM ANALYZE mutualaid_settlementrecord, mutualaid_enrolment, "
                    "mutualaid_payout"], check=True)


def run(workers: int, batch_size: int, records: int) -> float:
    env = dict(os.environ, DATABASE_URL=URL, GONGHUI_CONN_MAX_AGE="0")
    t0 = time.perf_counter()
    procs = [subprocess.Popen([str(ROOT / ".venv/bin/gonghui"), "process-settlements",
                               "--batch-size", str(batch_size), "--json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    outs = [p.communicate() for p in procs]
    elapsed = time.perf_counter() - t0
    for p, (_out, err) in zip(procs, outs, strict=True):
        if p.returncode != 0:
            raise SystemExit(f"worker failed: {err[-2000:]}")
    done = sum(json.loads(out)["records"] for out, _err in outs)
    if done != records:
        raise SystemExit(f"workers processed {done} records, expected {records}")
    return elapsed


def check(expected: dict) -> str:
    from django.db.models import Count, Sum

    from gonghui.mutualaid.models import Enrolment, Payout, SettlementRecord

    statuses = dict(SettlementRecord.objects.values_list("status").annotate(n=Count("id"))
                    .order_by())
    assert statuses.get("queued", 0) == 0, statuses
    assert statuses.get("not_member", 0) == expected["expected_records"]["outsider"], statuses
    total = Payout.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    used = Enrolment.objects.aggregate(s=Sum("used_amount"))["s"]
    assert total == expected["expected_total"], (total, expected["expected_total"])
    assert used == total, (used, total)
    return (f"payouts {Payout.objects.count():,}, amount ¥{total:,} = expected, records "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))


def one_node_run(args) -> list[str]:
    """The same benchmark on one PostgreSQL node (its own database, a child process: Django is
    set up once per process); returns its worker lines."""
    argv = [sys.executable, __file__, "--members", str(args.members), "--records",
            str(args.records), "--runs", str(args.runs), "--workers", args.workers,
            "--batch-size", str(args.batch_size), "--db-name", f"{args.db_name}_single"]
    print("one node first: " + " ".join(argv[2:]), flush=True)
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
    print("\n".join(f"  [one node] {line}" for line in out.splitlines()), flush=True)
    return [line for line in out.splitlines() if "worker(s)" in line]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--citus", action="store_true",
                        help="on the local Citus cluster (bench.common, docs/scale.md), after the "
                             "same run on one node (printed beside it) unless --no-single")
    parser.add_argument("--no-single", action="store_true",
                        help="with --citus: skip the one-node run")
    parser.add_argument("--db-name", default=DATABASE.name)
    args = parser.parse_args()

    global URL
    DATABASE.name = args.db_name
    DATABASE.url = URL = f"{DATABASE.server}/{args.db_name}"
    single: list[str] = []
    if args.citus and not args.no_single:
        single = one_node_run(args)
    if args.citus:
        DATABASE.on_citus()
        URL = DATABASE.url
    DATABASE.create()
    try:
        DATABASE.setup_django(migrate=True)
        t0 = time.perf_counter()
        expected = load(args, random.Random(20260))
        print(f"data generated in {time.perf_counter() - t0:.1f} s", flush=True)
        results: dict[int, list[float]] = {}
        for workers in [int(w) for w in args.workers.split(",")]:
            for n in range(args.runs):
                reset()
                seconds = run(workers, args.batch_size, args.records)
                results.setdefault(workers, []).append(seconds)
                print(f"{workers} worker(s), run {n + 1}: {args.records:,} records in "
                      f"{seconds:.1f} s = {args.records / seconds:,.0f} rows/s; {check(expected)}",
                      flush=True)
        print()
        medians = {w: statistics.median(s) for w, s in results.items()}
        for workers, median in medians.items():
            print(f"{workers} worker(s): median {median:.1f} s = "
                  f"{args.records / median:,.0f} rows/s over {len(results[workers])} runs")
        if 1 in medians and 2 in medians:
            print(f"scaling 1 → 2 workers: ×{medians[1] / medians[2]:.2f}")
        if single:
            print("\nthe same on one node (same data, same seed):")
            print("\n".join(f"  {line}" for line in single))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            DATABASE.drop()
            print(f"dropped {DATABASE.name}")


if __name__ == "__main__":
    main()
