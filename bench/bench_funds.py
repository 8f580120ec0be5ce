"""Union funds at city scale: 1,000,000 transactions across 10,000 unions, on PostgreSQL.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_funds.py [--unions 10000]
        [--per-union 100] [--runs 7] [--keep]

Creates the database gh_bench_funds and loads
- the org tree (city → 16 districts → 640 streets → 10,000 grassroots unions) with COPY,
- each union's standard chart (48 accounts) with COPY,
- 1,000,000 transactions of 2026 (100 per union: monthly payroll allocations with the 60/40
  split, dues, subsidies, spending in the five categories) and their ~2.1 million lines with
  COPY. This is the bulk path: the load runs with `session_replication_role = replica`, so the
  row triggers (double entry, insert-only, closed periods) are not fired per row; instead, the
  same rules are checked afterwards over the whole load with one aggregate query each, and the
  month balances (PeriodBalance) are built with one INSERT … SELECT … GROUP BY.
Then it measures the posting service (post_transaction with audit and triggers on) and the
reports: the income and expense statement for a year of the whole city rolled up (the target:
under 1 s), a district, one union, the trial balance and the balance sheet of the city. Prints
the median of several runs of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, segment

DATABASE = BenchDatabase("gh_bench_funds")
FEN = Decimal("0.01")




def build_tree(unions: int) -> list[tuple[str, int, int, str, str]]:
    """(path, depth, numchild, level, org_type): city, 16 districts, 40 streets each, and the
    grassroots unions spread evenly over the streets."""
    nodes: list[list] = [["0001", 1, 16, "city", "federation"]]
    streets = []
    for d in range(1, 17):
        dpath = "0001" + segment(d)
        nodes.append([dpath, 2, 40, "district", "federation"])
        for s in range(1, 41):
            nodes.append([dpath + segment(s), 3, 0, "street", "street"])
            streets.append(len(nodes) - 1)
    for i in range(unions):
        street = nodes[streets[i % len(streets)]]
        street[2] += 1
        nodes.append([street[0] + segment(street[2]), 4, 0, "grassroots", "grassroots"])
    return [tuple(n) for n in nodes]


def split(payroll: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    total = (payroll * Decimal("0.02")).quantize(FEN, rounding=ROUND_HALF_UP)
    kept = (total * Decimal("0.6")).quantize(FEN, rounding=ROUND_HALF_UP)
    return total, kept, total - kept


SPENDING = ["510101", "510102", "510103", "510199", "530104", "530105", "540101", "540102",
            "5501", "5901"]


def union_transactions(rng: random.Random, per_union: int):
    """(date, kind, memo, [(code, amount)]) for one union's year."""
    out = []
    for month in range(1, 13):
        payroll = Decimal(rng.randrange(300_000, 3_000_000))
        total, kept, up = split(payroll)
        out.append((dt.date(2026, month, 12), "funds.allocation", "拨缴经费",
                    [("1002", total), ("4201", -kept), ("2201", -up)]))
        dues = Decimal(rng.randrange(2_000, 40_000)) / 10
        out.append((dt.date(2026, month, 15), "funds.income", "会费",
                    [("1002", dues), ("4101", -dues)]))
    while len(out) < per_union:
        day = dt.date(2026, rng.randrange(1, 13), rng.randrange(1, 29))
        if rng.random() < 0.08:
            amount = Decimal(rng.randrange(100_000, 2_000_000)) / 100
            code = rng.choice(["4301", "4501", "4901"])
            out.append((day, "funds.income", "补助", [("1002", amount), (code, -amount)]))
        else:
            amount = Decimal(rng.randrange(1_000, 1_500_000)) / 100
            code = rng.choice(SPENDING)
            out.append((day, "funds.expense", "支出", [(code, amount), ("1002", -amount)]))
    return out[:per_union]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=10_000)
    parser.add_argument("--per-union", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--service-posts", type=int, default=2000)
    parser.add_argument("--statement-lines", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def copy_text(sql: str, buf: io.StringIO) -> None:
    """Stream a tab-separated text buffer into a COPY … FROM STDIN statement."""
    from django.db import connection

    buf.seek(0)
    with connection.cursor() as cur, cur.cursor.copy(sql) as cp:
        while chunk := buf.read(1 << 20):
            cp.write(chunk)


# --- load -----------------------------------------------------------------------------------

def load_orgs(unions: int) -> list[int]:
    """COPY the org tree; returns the ids of the grassroots unions in path order."""
    from gonghui.orgs.models import Org

    t0 = time.perf_counter()
    tree = build_tree(unions)
    buf = io.StringIO()
    for i, (path, depth, numchild, level, org_type) in enumerate(tree):
        buf.write(f"{path}\t{depth}\t{numchild}\tB{i}\t工会{i}\t\t{level}\t{org_type}\t\t\t\t\t"
                  f"active\t100\t\t\tnow\tnow\n")
    copy_text("COPY orgs_org (path, depth, numchild, code, name, short_name, level, org_type, uscc,"
              " industry, region, address, status, employees_count, contact_name, contact_phone,"
              " created_at, updated_at) FROM STDIN", buf)
    union_ids = list(Org.objects.filter(level="grassroots").order_by("path")
                     .values_list("pk", flat=True))
    print(f"orgs: {len(tree):,} ({len(union_ids):,} grassroots unions) in "
          f"{time.perf_counter() - t0:.1f} s")
    return union_ids


def load_charts(union_ids: list[int]) -> dict[tuple[int, str], int]:
    """COPY a book and the standard chart per union; returns (union id, code) → account id."""
    from django.db import connection

    from gonghui.funds.chart import STANDARD_CHART

    t0 = time.perf_counter()
    books, accounts = io.StringIO(), io.StringIO()
    account_id: dict[tuple[int, str], int] = {}
    next_id = 1
    for u in union_ids:
        books.write(f"{u}\tnow\tsingle\n")
        for code, name, cat, parent in STANDARD_CHART:
            account_id[(u, code)] = next_id
            accounts.write(f"{next_id}\t{u}\t{code}\t{name}\t{cat}\t{parent}\tt\n")
            next_id += 1
    copy_text("COPY funds_book (union_id, created_at, voucher_scheme) FROM STDIN", books)
    copy_text("COPY funds_account (id, union_id, code, name, category, parent_code, is_active)"
              " FROM STDIN", accounts)
    with connection.cursor() as cur:
        cur.execute("SELECT setval('funds_account_id_seq', %s)", [next_id])
    print(f"charts: {len(account_id):,} accounts in {time.perf_counter() - t0:.1f} s")
    return account_id


def load_ledger(union_ids: list[int], account_id: dict[tuple[int, str], int],
                per_union: int) -> None:
    """COPY the transactions and their lines with the row triggers off (bulk path)."""
    from django.db import connection

    t0 = time.perf_counter()
    rng = random.Random(2026)
    tx_id = line_id = 0
    n_lines = 0
    with connection.cursor() as cur:
        # bulk path: row triggers off for this session; the rules are verified below
        cur.execute("SET session_replication_role = replica")
    for start in range(0, len(union_ids), 1000):
        txs, lines = io.StringIO(), io.StringIO()
        for u in union_ids[start:start + 1000]:
            numbers: dict[int, int] = {}  # 凭证号 per period, as the posting service gives them
            for date, source, memo, parts in union_transactions(rng, per_union):
                tx_id += 1
                period = date.year * 100 + date.month
                numbers[period] = numbers.get(period, 0) + 1
                txs.write(f"{tx_id}\t{u}\t{date}\t{period}\t{memo}\t"
                          f"{source}\tbench:{tx_id}\tbench\tnow\tgeneral\t{numbers[period]}\t\t\n")
                for code, amount in parts:
                    line_id += 1
                    lines.write(f"{line_id}\t{tx_id}\t{u}\t{account_id[(u, code)]}\t{amount}\n")
                n_lines += len(parts)
        copy_text("COPY funds_ledgertransaction (id, union_id, date, period, memo, source,"
                  " idempotency_key, created_by_name, created_at, voucher_type, voucher_no,"
                  " source_label, source_url)"
                  " FROM STDIN", txs)
        copy_text("COPY funds_ledgerline (id, transaction_id, union_id, account_id, amount)"
                  " FROM STDIN", lines)
    load_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = origin")
        cur.execute("SELECT setval('funds_ledgertransaction_id_seq', %s)", [tx_id])
        cur.execute("SELECT setval('funds_ledgerline_id_seq', %s)", [line_id])
    print(f"ledger: {tx_id:,} transactions, {n_lines:,} lines with COPY in {load_s:.1f} s "
          f"({tx_id / load_s:,.0f} tx/s, generation included)")


def build_month_balances() -> None:
    """PeriodBalance by one INSERT … SELECT … GROUP BY, then ANALYZE the loaded tables."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO funds_periodbalance (union_id, account_id, account_code, period, debit,
                                             credit)
            SELECT l.union_id, l.account_id, a.code, t.period,
                   coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0),
                   coalesce(-sum(l.amount) FILTER (WHERE l.amount < 0), 0)
              FROM funds_ledgerline l
              JOIN funds_ledgertransaction t ON t.id = l.transaction_id
              JOIN funds_account a ON a.id = l.account_id
             GROUP BY l.union_id, l.account_id, a.code, t.period""")
        balances = cur.rowcount
    with connection.cursor() as cur:
        for table in ("orgs_org", "funds_account", "funds_ledgertransaction", "funds_ledgerline",
                      "funds_periodbalance"):
            cur.execute(f"ANALYZE {table}")
    print(f"month balances: {balances:,} rows by INSERT … SELECT in "
          f"{time.perf_counter() - t0:.1f} s")


def verify_load() -> None:
    """The trigger rules, checked once over the whole bulk load."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("""SELECT count(*) FROM (SELECT transaction_id FROM funds_ledgerline
                        GROUP BY transaction_id HAVING sum(amount) <> 0 OR count(*) < 2) x""")
        unbalanced = cur.fetchone()[0]
        cur.execute("""SELECT count(*) FROM funds_ledgerline l
                        JOIN funds_ledgertransaction t ON t.id = l.transaction_id
                        JOIN funds_account a ON a.id = l.account_id
                       WHERE l.union_id <> t.union_id OR a.union_id <> t.union_id""")
        foreign = cur.fetchone()[0]
        cur.execute("SELECT sum(debit) - sum(credit) FROM funds_periodbalance")
        total = cur.fetchone()[0]
    print(f"verified the bulk load: {unbalanced} unbalanced transactions, {foreign} lines of "
          f"another union, balances sum to {total} ({time.perf_counter() - t0:.1f} s)")
    assert unbalanced == 0
    assert foreign == 0
    assert total == 0


# --- the service path ---------------------------------------------------------------------------

def create_viewers() -> dict:
    """A superuser, a city admin and a district admin, with the orgs they look at."""
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.orgs.models import Org

    root = User.objects.create(username="bench-root", is_superuser=True)
    city = Org.objects.get(depth=1)
    city_admin = User.objects.create(username="bench-city")
    RoleAssignment.objects.create(user=city_admin, org=city, role="admin")
    district = Org.objects.filter(depth=2).order_by("path").first()
    district_admin = User.objects.create(username="bench-district")
    RoleAssignment.objects.create(user=district_admin, org=district, role="admin")
    return {"root": root, "city": city, "city_admin": city_admin, "district": district,
            "district_admin": district_admin}


def measure_service_path(root, service_posts: int) -> list:
    """post_expense in random unions, one transaction each; returns those unions."""
    from django.db import transaction

    from gonghui.funds.services import post_expense
    from gonghui.orgs.models import Org

    unions = list(Org.objects.filter(level="grassroots").order_by("?")[:service_posts])
    t0 = time.perf_counter()
    for i, union in enumerate(unions):
        with transaction.atomic():
            post_expense(union=union, date=dt.date(2026, 11, 3), account_code="510102",
                         amount=Decimal("123.45"), memo="bench", idempotency_key=f"svc:{i}",
                         actor=root)
    svc_s = time.perf_counter() - t0
    print(f"service path: {len(unions):,} post_expense calls (one transaction each, audit row, "
          f"balance upsert, triggers) in {svc_s:.1f} s = {len(unions) / svc_s:,.0f} tx/s")
    return unions


# --- reports ----------------------------------------------------------------------------------

def time_report(name: str, fn, runs: int) -> None:
    """One warm-up call, then the median (min, max) of `runs` timed calls."""
    fn()  # warm-up
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    print(f"{name:<66} median {statistics.median(ms):8.1f} ms  "
          f"(min {min(ms):.1f}, max {max(ms):.1f}, n={len(ms)})")


def fresh(user):
    from gonghui.accounts.models import User

    return User.objects.get(pk=user.pk)  # no cached grants: the scope query is timed too


def totals_from_lines(city_path: str) -> None:
    """The city's income and expense totals summed from the raw ledger lines."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT a.code, sum(l.amount) FROM funds_ledgerline l
              JOIN funds_ledgertransaction t ON t.id = l.transaction_id
              JOIN funds_account a ON a.id = l.account_id
              JOIN orgs_org o ON o.id = l.union_id
             WHERE o.path LIKE %s AND t.period BETWEEN 202601 AND 202612
               AND (a.code LIKE '4%%' OR a.code LIKE '5%%')
             GROUP BY a.code""", [city_path + "%"])
        cur.fetchall()


def measure_reports(viewers: dict, one, runs: int) -> None:
    from gonghui.funds import reports

    root, city, city_admin = viewers["root"], viewers["city"], viewers["city_admin"]
    district, district_admin = viewers["district"], viewers["district_admin"]
    time_report("income statement 2026, whole city rolled up (city admin)",
                lambda: reports.income_statement(viewer=fresh(city_admin), org=city, year=2026,
                                                 rollup=True), runs)
    time_report("income statement 2026, whole city rolled up (superuser)",
                lambda: reports.income_statement(viewer=root, org=city, year=2026, rollup=True),
                runs)
    time_report("income statement 2026, one district rolled up (district admin)",
                lambda: reports.income_statement(viewer=fresh(district_admin), org=district,
                                                 year=2026, rollup=True), runs)
    time_report("income statement 2026, one union",
                lambda: reports.income_statement(viewer=fresh(city_admin), org=one, year=2026),
                runs)
    time_report("trial balance 2026, whole city rolled up",
                lambda: reports.trial_balance(viewer=fresh(city_admin), org=city, year=2026,
                                              rollup=True), runs)
    time_report("balance sheet 2026-12, whole city rolled up",
                lambda: reports.balance_sheet(viewer=fresh(city_admin), org=city, year=2026,
                                              rollup=True), runs)
    r = reports.income_statement(viewer=root, org=city, year=2026, rollup=True)
    print("city statement:", "; ".join(f"{c[0]} {c[3]:,}" for c in
                                       (row.cells for row in r.rows) if c[1] == ""))
    time_report("for comparison: the same totals summed from the raw lines",
                lambda: totals_from_lines(city.path), runs)


# --- year-end closing and bank reconciliation (issue 21) -------------------------------------

def measure_year_close(viewers: dict) -> None:
    """Close 2026 for the whole city, union by union (one database transaction each), as the
    background run does; then check that income and spending are zero everywhere."""
    from django.db import connection

    from gonghui.core import clock
    from gonghui.funds.services import year_close_subtree

    t0 = time.perf_counter()
    with clock.frozen(dt.date(2027, 1, 5)):
        outcome = year_close_subtree(root=viewers["city"], year=2026, actor=viewers["root"])
    took = time.perf_counter() - t0
    print(f"year-end closing 2026, whole city: {outcome.total:,} unions, {outcome.closed:,} "
          f"closed, {len(outcome.failures)} cannot close, in {took:.1f} s "
          f"({outcome.total / took:,.0f} unions/s)")
    with connection.cursor() as cur:
        cur.execute("""SELECT count(*) FROM (SELECT union_id, account_code FROM funds_periodbalance
                        WHERE period <= 202613 AND account_code ~ '^[45]'
                        GROUP BY union_id, account_code HAVING sum(debit) <> sum(credit)) x""")
        print(f"  income/spending accounts not zero after closing: {cur.fetchone()[0]}")


def measure_reconciliation(union, actor, lines: int) -> None:
    """One union gets `lines` bank transactions (bulk path); its statement of as many lines,
    dated 0–2 days later with many equal amounts, is imported, matched and reconciled."""
    from django.db import connection
    from django.db.models import Sum

    from gonghui.funds.models import Account, LedgerLine, LedgerTransaction
    from gonghui.funds.services.bank import auto_match, reconciliation, statement_import

    rng = random.Random(21)
    bank = Account.objects.get(union=union, code="1002").pk
    other = Account.objects.get(union=union, code="4901").pk
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM funds_ledgertransaction")
        tx_id = cur.fetchone()[0]
        cur.execute("SELECT max(id) FROM funds_ledgerline")
        line_id = cur.fetchone()[0]
        cur.execute("SET session_replication_role = replica")
    txs, rows, csv_rows = io.StringIO(), io.StringIO(), ["交易日期,金额,流水号,摘要"]
    for i in range(lines):
        tx_id += 1
        date = dt.date(2027, 2, 1) + dt.timedelta(days=i % 300)
        amount = Decimal(rng.choice([10000, 20000, 35000, rng.randint(1, 9999999)])) / 100
        sign = 1 if i % 3 else -1
        txs.write(f"{tx_id}\t{union.pk}\t{date}\t{date.year * 100 + date.month}\t对账 R{i}\t"
                  f"bench\tbench-rec:{i}\tbench\tnow\tgeneral\t{100000 + i}\t\t\n")
        line_id += 2
        rows.write(f"{line_id - 1}\t{tx_id}\t{union.pk}\t{bank}\t{sign * amount}\n"
                   f"{line_id}\t{tx_id}\t{union.pk}\t{other}\t{-sign * amount}\n")
        later = date + dt.timedelta(days=rng.randint(0, 2))
        csv_rows.append(f"{later},{sign * amount},R{i if i % 2 else ''},bench")
    copy_text("COPY funds_ledgertransaction (id, union_id, date, period, memo, source,"
              " idempotency_key, created_by_name, created_at, voucher_type, voucher_no,"
              " source_label, source_url) FROM STDIN", txs)
    copy_text("COPY funds_ledgerline (id, transaction_id, union_id, account_id, amount)"
              " FROM STDIN", rows)
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = origin")
        cur.execute("SELECT setval('funds_ledgertransaction_id_seq', %s)", [tx_id])
        cur.execute("SELECT setval('funds_ledgerline_id_seq', %s)", [line_id])
    assert LedgerTransaction.objects.filter(union=union, source="bench").count() >= lines
    # the statement opens with the bank balance the book has before its first day (the
    # union's 2026 postings), so the 调节表 must come out even
    opening = LedgerLine.objects.filter(union=union, account_id=bank,
                                        transaction__date__lt=dt.date(2027, 2, 1)
                                        ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    t0 = time.perf_counter()
    statement = statement_import(union=union, upload=io.BytesIO("\n".join(csv_rows).encode()),
                                 file_name="bench.csv", actor=actor, opening_balance=opening)
    t1 = time.perf_counter()
    matched = auto_match(union=union, statement=statement, actor=actor)
    t2 = time.perf_counter()
    report = reconciliation(union, statement)
    t3 = time.perf_counter()
    print(f"reconciliation of a {lines:,}-line statement: import {t1 - t0:.2f} s, auto-match "
          f"{t2 - t1:.2f} s ({matched:,} matched), 调节表 {t3 - t2:.2f} s, total {t3 - t0:.2f} s"
          f"; {report.notes[-1]}")


def main() -> None:
    args = parse_args()
    DATABASE.create()
    DATABASE.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    union_ids = load_orgs(args.unions)
    account_id = load_charts(union_ids)
    load_ledger(union_ids, account_id, args.per_union)
    build_month_balances()
    verify_load()
    viewers = create_viewers()
    unions = measure_service_path(viewers["root"], args.service_posts)
    measure_reports(viewers, unions[0], args.runs)
    measure_year_close(viewers)
    measure_reconciliation(unions[0], viewers["root"], args.statement_lines)

    connection.close()
    if not args.keep:
        DATABASE.drop()
        print(f"dropped {DATABASE.name}")


if __name__ == "__main__":
    main()
