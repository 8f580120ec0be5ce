"""Roster import at city scale on PostgreSQL, with full validation and encryption:

- a 1,000,000-row CSV through `gonghui import-members`                   target < 60 s
- the same 1,000,000 rows as .xlsx (shared strings, as Excel saves)      target < 120 s
- peak memory of the import (its whole process tree)                     target < 1 GB
- the ceiling: a plain PostgreSQL COPY of the same CSV into a bare table, and the import's
  throughput as a fraction of it
- a re-run of the same CSV (every row "unchanged": nothing written)
- a 10,000-row .xlsx through the web upload end to end (Django test client: upload, preview,
  start; the background worker `db_worker --batch`; then the summary page)
- where the time goes: reading only, and reading + validation + encryption (no database),
  single process

Each figure is the median of several runs (a fresh registry before each import). Run it alone:

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_import.py [--rows 1000000]
        [--runs 3] [--workers N] [--keep] [--citus]   # --citus: the local cluster of docs/scale.md

It creates (and at the end drops, unless --keep) the database `gh_bench_roster`; the generated
files stay in /tmp/gh-bench-roster/ for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import BenchDatabase, log, median  # noqa: E402

DATABASE = BenchDatabase("gh_bench_roster")
WORK = Path(os.environ.get("GONGHUI_BENCH_DIR", "/tmp/gh-bench-roster"))
UNION = "BENCH-1-1-1"


def make_tree() -> None:
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.orgs.models import Org

    city = Org.objects.add_root(instance=Org(code="BENCH", name="测试市总工会", level="city",
                                             org_type="federation"))
    district = Org.objects.add_child(city, instance=Org(
        code="BENCH-1", name="测试区总工会", level="district", org_type="federation"))
    street = Org.objects.add_child(Org.objects.get(pk=district.pk), instance=Org(
        code="BENCH-1-1", name="测试街道工会", level="street", org_type="street"))
    union = Org.objects.add_child(Org.objects.get(pk=street.pk), instance=Org(
        code=UNION, name="测试公司工会", level="grassroots", org_type="grassroots"))
    user = User.objects.create_user(username="bench", password="Bench-pass-2026")
    RoleAssignment.objects.create(user=user, org=union, role="registrar")


# --- files -----------------------------------------------------------------------------------


def make_csv(rows: int) -> Path:
    from gonghui.roster import samples

    path = WORK / f"roster-{rows}.csv"
    if not path.exists():
        t = time.perf_counter()
        samples.write_csv(path.with_suffix(".tmp"), rows).replace(path)
        log(f"generated {path} in {time.perf_counter() - t:.0f} s")
    return path


def make_xlsx(rows: int, *, name: str = "") -> Path:
    """An .xlsx as Excel writes it: every text in the shared-strings table (written here
    directly: xlsxwriter would hold a million rows in memory)."""
    from gonghui.roster import samples

    path = WORK / (name or f"roster-{rows}.xlsx")
    if path.exists():
        return path
    t = time.perf_counter()
    strings: dict[str, int] = {}

    def ref(text: str) -> int:
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(strings)
        return index

    columns = [chr(65 + i) for i in range(len(samples.HEADERS))]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><dimension ref="A1:L' + str(rows + 1).encode()
                        + b'"/><sheetData>')
            buffer: list[str] = []
            for number, row in enumerate([list(samples.HEADERS), *samples.rows(rows)], 1):
                cells = "".join(f'<c r="{c}{number}" t="s"><v>{ref(v)}</v></c>'
                                for c, v in zip(columns, row, strict=True) if v)
                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) >= 10_000:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            batch = []
            for text in strings:
                batch.append(f"<si><t>{escape(text)}</t></si>")
                if len(batch) >= 10_000:
                    shared.write("".join(batch).encode())
                    batch.clear()
            shared.write(("".join(batch) + "</sst>").encode())
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
            'name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '</Types>'))
    tmp.replace(path)
    log(f"generated {path} ({len(strings):,} shared strings) in {time.perf_counter() - t:.0f} s")
    return path


# --- measuring -------------------------------------------------------------------------------


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as handle:
                pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


CPU: dict[str, list[float]] = {}


def run_cli(args: list[str], key: str = "") -> tuple[float, float, dict]:
    """(seconds, peak MB of the process tree, JSON output) of one `gonghui` command; its CPU
    seconds (all its processes, not the database server's) and the machine's load average
    before it go to CPU[key] — the machine is shared, so wall time alone says little."""
    import resource

    env = {**os.environ, "GONGHUI_CONN_MAX_AGE": "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "gonghui.cli", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _err = process.communicate()
    elapsed = time.perf_counter() - t
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{args} failed with exit code {process.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if key:
        CPU.setdefault(key, []).append(after.ru_utime - before.ru_utime
                                       + after.ru_stime - before.ru_stime)
        CPU.setdefault(f"{key}_load", []).append(load)
    return elapsed, peak[0] / 1024, json.loads(out)


def reset_registry() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE members_membershipevent, members_membership, members_person, "
            "members_orgmemberstats, members_orgmembermonth, roster_importrejection, "
            "roster_importchunk, roster_importjob, roster_rowfingerprint, roster_chunkfingerprint, "
            "audit_auditevent "
            "RESTART IDENTITY CASCADE")
        cursor.execute("VACUUM ANALYZE")


def copy_baseline(path: Path) -> float:
    """Seconds for a plain COPY of the CSV (server parses it) into a bare table."""
    import psycopg

    with psycopg.connect(DATABASE.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare")
        conn.execute(
            "CREATE TABLE bench_bare (name text, id_number text, gender text, ethnicity text, "
            "phone text, education text, political_status text, household_type text, "
            "employer_name text, occupation text, new_employment_group text, joined_on text)")
        t = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(
                "COPY bench_bare FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - t
        conn.execute("DROP TABLE bench_bare")
    return elapsed


def _copy_text(value: object) -> str:
    """A value in COPY's text format."""
    import datetime as dt

    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def ceiling_files(path: Path, rows: int) -> dict[str, Path]:
    """The registry rows the import of `path` writes (person, membership, JOIN event — the
    values, blind indexes and ciphertexts the import computes), as COPY text files, prepared
    once (not timed)."""
    import datetime as dt
    import itertools

    from gonghui.core import clock
    from gonghui.core.crypto import encrypt
    from gonghui.members.models import Membership, MembershipEvent, Person
    from gonghui.orgs.models import Org
    from gonghui.roster import registry
    from gonghui.roster.bulk import Table
    from gonghui.roster.columns import detect_header
    from gonghui.roster.prepare_columns import prepare_columns
    from gonghui.roster.readers import RosterSource

    union = Org.objects.get(code=UNION)
    tables = {
        "person": Table(Person, registry._PERSON_COLUMNS),
        "membership": Table(Membership, registry._MEMBERSHIP_COLUMNS),
        "event": Table(MembershipEvent, registry._EVENT_COLUMNS),
    }
    files = {name: WORK / f"ceiling-{rows}-{name}.copy" for name in tables}
    if all(f.exists() for f in files.values()):
        return files
    now = clock.now()
    handles = {name: files[name].with_suffix(".tmp").open("w") for name in tables}
    source = iter(RosterSource(path))
    mapping = detect_header(itertools.islice(source, 1))
    pk = 0
    while chunk := list(itertools.islice(source, 5000)):
        for row in prepare_columns(chunk, mapping, as_of=dt.date(2026, 1, 1)):
            pk += 1
            values = [row.values[f] for f in registry.PERSON_DATA_FIELDS]  # type: ignore[index]
            lines = {
                "person": [pk, now, now, encrypt(row.id_number), row.id_hash, union.id, *values],
                "membership": [pk, now, now, pk, union.id, union.path, "active", row.joined_on,
                               row.joined_on, f"{row.joined_on.year}{pk:010d}", "", None],  # type: ignore[union-attr]
                "event": [pk, pk, union.id, "join", "", "active", None, "bench", now,
                          "名册导入（任务 #1）"],
            }
            for name, table in tables.items():
                handles[name].write("\t".join(_copy_text(v) for v in
                                              (*lines[name], *table.defaults)) + "\n")
    for name, handle in handles.items():
        handle.close()
        files[name].with_suffix(".tmp").replace(files[name])
    return files


def indexed_copy_ceiling(files: dict[str, Path]) -> float:
    """Seconds for COPY of the import's rows into the registry's real tables, with their
    indexes, constraints and foreign keys, in one transaction: the honest ceiling."""
    import psycopg

    from gonghui.members.models import Membership, MembershipEvent, Person
    from gonghui.roster import registry
    from gonghui.roster.bulk import Table

    tables = {
        "person": Table(Person, registry._PERSON_COLUMNS),
        "membership": Table(Membership, registry._MEMBERSHIP_COLUMNS),
        "event": Table(MembershipEvent, registry._EVENT_COLUMNS),
    }
    reset_registry()
    with psycopg.connect(DATABASE.url) as conn:
        t = time.perf_counter()
        with conn.cursor() as cursor:
            for name, table in tables.items():
                quoted = ", ".join(f'"{c}"' for c in table.db_columns)
                with cursor.copy(f'COPY "{table.table}" ({quoted}) FROM STDIN') as copy, \
                        files[name].open("rb") as handle:
                    while block := handle.read(1 << 20):
                        copy.write(block)
        conn.commit()
        elapsed = time.perf_counter() - t
    reset_registry()
    return elapsed


SERVER_SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_buffers",
                   "maintenance_work_mem", "effective_cache_size", "fsync", "full_page_writes",
                   "synchronous_commit", "wal_compression")


def server_settings() -> str:
    """The bench server's settings that decide the indexed COPY and the import's writes
    (docs/roster.md "PostgreSQL server settings"), printed beside the figures."""
    import psycopg

    with psycopg.connect(DATABASE.url) as conn:
        found: dict[str, str] = dict(conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(SERVER_SETTINGS)]).fetchall())
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    host = DATABASE.url.rsplit("@", 1)[-1].rsplit("/", 1)[0]
    return f"PostgreSQL {version} at {host}: " + ", ".join(
        f"{name} {found[name]}" for name in SERVER_SETTINGS if name in found)


def sqlite_figure(rows: int) -> float:
    """Seconds of `gonghui import-members` of a `rows`-row CSV on the embedded SQLite default
    (a child process: its own Django settings)."""
    out = subprocess.run([sys.executable, __file__, "--sqlite-child", str(rows)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def sqlite_child(rows: int) -> None:
    import shutil

    data = WORK / "sqlite"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGHUI_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    make_tree()
    path = make_csv(rows)
    from io import StringIO

    t = time.perf_counter()
    call_command("import_members", str(path), "--union", UNION, "--json", stdout=StringIO())
    print(f"{time.perf_counter() - t:.3f}")


def read_only(path: Path) -> float:
    from gonghui.roster.readers import RosterSource

    t = time.perf_counter()
    for _row in RosterSource(path):
        pass
    return time.perf_counter() - t


def read_and_validate(path: Path) -> float:
    import datetime as dt
    import itertools

    from gonghui.roster.columns import detect_header
    from gonghui.roster.prepare_columns import prepare_columns
    from gonghui.roster.readers import RosterSource

    rows = iter(RosterSource(path))
    head = list(itertools.islice(rows, 1))
    mapping = detect_header(head)
    t = time.perf_counter()
    while chunk := list(itertools.islice(rows, 5000)):
        prepare_columns(chunk, mapping, as_of=dt.date(2026, 1, 1))
    return time.perf_counter() - t


def web_upload(rows: int) -> float:
    """Seconds from the upload POST to the finished summary page, through the worker."""
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from gonghui.accounts.models import User
    from gonghui.roster.models import ImportJob

    path = make_xlsx(rows, name=f"web-{rows}.xlsx")
    client = Client()
    client.force_login(User.objects.get(username="bench"),
                       backend="django.contrib.auth.backends.ModelBackend")
    # a registrar may reveal ID numbers: with GONGHUI_REQUIRE_TOTP_FOR_REVEAL every page sends
    # them to enrol an authenticator first (accounts.middleware) — the bench user counts as
    # having passed it, the way a session does after the second factor
    session = client.session
    session["_gh_totp_ok"] = True
    session.save()
    with override_settings(ALLOWED_HOSTS=["*"]):
        # a running server has its URL configuration loaded (the API's schemas: ~1–2 s to
        # import) before anyone uploads: the roster page that offers the upload, untimed
        assert client.get("/members/roster/").status_code == 200
        t = time.perf_counter()
        with path.open("rb") as handle:
            response = client.post("/members/roster/upload/", {"union": UNION, "file": handle})
        if response.status_code != 302 or "/preview/" not in response["Location"]:
            import re

            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
            raise AssertionError(f"upload answered {response.status_code} "
                                 f"{response.get('Location', '')}: {text[:300]}")
        job = ImportJob.objects.latest("id")
        assert client.get(response["Location"]).status_code == 200  # the preview
        columns = {f"col_{k}": v for k, v in job.mapping["columns"].items()}  # type: ignore[index]
        client.post(response["Location"], {**columns, "action": "start"})
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        page = client.get(f"/members/roster/imports/{job.pk}/")
        elapsed = time.perf_counter() - t
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.error)
    assert job.imported == rows, job.counts()
    assert page.status_code == 200
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--web-rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="import worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--sqlite-rows", type=int, default=100_000,
                        help="rows of the SQLite figure (0: none)")
    parser.add_argument("--sqlite-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--db-name", default=DATABASE.name)
    parser.add_argument("--prepare-only", action="store_true",
                        help="generate the files (CSV, .xlsx, ceiling rows) and stop")
    parser.add_argument("--accumulate", default="",
                        help="JSON file: add this invocation's runs to the runs stored there "
                             "and report medians over all of them (runs of ≤ 12 minutes each "
                             "under the exclusive lock add up to one report)")
    parser.add_argument("--no-diagnostics", action="store_true",
                        help="skip reading-only and reading+validation (one pass each)")
    parser.add_argument("--citus", action="store_true",
                        help="on the local Citus cluster (bench.common, docs/scale.md)")
    args = parser.parse_args()
    if args.sqlite_child:
        sqlite_child(args.sqlite_child)
        return
    if args.citus:
        DATABASE.on_citus()
    DATABASE.name = args.db_name
    DATABASE.url = DATABASE.url.rsplit("/", 1)[0] + "/" + args.db_name
    WORK.mkdir(parents=True, exist_ok=True)
    DATABASE.create()
    DATABASE.setup_django(migrate=True, data_dir=str(WORK / "data"))
    make_tree()
    csv_path, xlsx_path = make_csv(args.rows), make_xlsx(args.rows)
    if args.prepare_only:
        ceiling_files(csv_path, args.rows)
        make_xlsx(args.web_rows, name=f"web-{args.web_rows}.xlsx")
        DATABASE.drop()
        return
    extra = ["--workers", str(args.workers)] if args.workers else []
    results: dict[str, list[float]] = {}

    def record(key: str, value: float) -> None:
        results.setdefault(key, []).append(value)

    ceiling = ceiling_files(csv_path, args.rows)
    if args.sqlite_rows:
        record("sqlite", sqlite_figure(args.sqlite_rows))
        log(f"SQLite: {args.sqlite_rows:,} rows imported in {results['sqlite'][0]:.1f} s")
    for run in range(1, args.runs + 1):
        record("copy", copy_baseline(csv_path))
        record("ceiling", indexed_copy_ceiling(ceiling))
        reset_registry()
        seconds, peak, counts = run_cli(["import-members", str(csv_path), "--union", UNION,
                                         "--json", *extra], "csv")
        assert counts["imported"] == args.rows, counts
        log(f"run {run}: CSV import {seconds:.1f} s, {counts['imported']:,} imported")
        record("csv", seconds)
        record("csv_mem", peak)
        seconds, peak, counts = run_cli(["import-members", str(csv_path), "--union", UNION,
                                         "--json", *extra], "rerun")
        assert counts["unchanged"] == args.rows, counts
        log(f"run {run}: re-run {seconds:.1f} s, {counts['unchanged']:,} unchanged")
        record("rerun", seconds)
        record("rerun_mem", peak)
        reset_registry()
        seconds, peak, counts = run_cli(["import-members", str(xlsx_path), "--union", UNION,
                                         "--json", *extra], "xlsx")
        assert counts["imported"] == args.rows, counts
        log(f"run {run}: xlsx import {seconds:.1f} s, {counts['imported']:,} imported")
        record("xlsx", seconds)
        record("xlsx_mem", peak)
        reset_registry()
        try:
            record("web", web_upload(args.web_rows))
        except Exception as exc:  # another module's broken page must not lose the figures above
            log(f"web upload failed: {type(exc).__name__}: {str(exc)[:200]}")
            record("web", float("nan"))
        log(f"run {run}: COPY {results['copy'][-1]:.1f} s, "
            f"indexed COPY {results['ceiling'][-1]:.1f} s, CSV {results['csv'][-1]:.1f} s "
            f"({results['csv_mem'][-1]:.0f} MB), re-run {results['rerun'][-1]:.1f} s, "
            f"xlsx {results['xlsx'][-1]:.1f} s ({results['xlsx_mem'][-1]:.0f} MB), "
            f"web {args.web_rows:,} rows {results['web'][-1]:.1f} s")
    # diagnostics, not targets: one pass is enough
    for _run in range(0 if args.no_diagnostics else 1):
        record("read_csv", read_only(csv_path))
        record("read_xlsx", read_only(xlsx_path))
        record("prepare_csv", read_and_validate(csv_path))
    if args.accumulate:
        results = accumulate(Path(args.accumulate), args, results)
    report(args, results)
    if not args.keep:
        DATABASE.drop()


def accumulate(path: Path, args: argparse.Namespace, results: dict[str, list[float]]
               ) -> dict[str, list[float]]:
    """This invocation's figures added to those stored in `path` (same row count only)."""
    stored = json.loads(path.read_text()) if path.exists() else {}
    if stored.get("rows", args.rows) != args.rows:
        raise SystemExit(f"{path} holds runs of {stored['rows']} rows, not {args.rows}")
    merged = {k: [*stored.get("results", {}).get(k, []), *v] for k, v in results.items()}
    for key, values in stored.get("results", {}).items():
        merged.setdefault(key, values)
    cpu = {k: [*stored.get("cpu", {}).get(k, []), *v] for k, v in CPU.items()}
    for key, values in stored.get("cpu", {}).items():
        cpu.setdefault(key, values)
    CPU.clear()
    CPU.update(cpu)
    # the SQLite figure comes from whichever invocation measured it (later ones pass 0)
    args.sqlite_rows = args.sqlite_rows or stored.get("sqlite_rows", 0)
    path.write_text(json.dumps({"rows": args.rows, "results": merged, "cpu": cpu,
                                "sqlite_rows": args.sqlite_rows}))
    args.runs = len(merged["csv"])
    return merged


def report(args: argparse.Namespace, results: dict[str, list[float]]) -> None:
    n = args.rows
    copy_rate = n / median(results["copy"])
    ceiling_rate = n / median(results["ceiling"])
    log("")
    log(f"Roster import, {n:,} rows, medians of {args.runs} runs "
        f"(PostgreSQL, {os.cpu_count()} CPUs, load before: "
        f"{', '.join(f'{x:.1f}' for x in CPU.get('csv_load', []))}):")
    log(f"  server: {server_settings()}")
    rows = [
        ("plain COPY into a bare table (ceiling 1)", "copy", None),
        ("COPY into the registry's indexed tables (ceiling 2)", "ceiling", None),
        ("import CSV (validate, encrypt, registry)", "csv", "csv_mem"),
        ("re-run the same CSV (all unchanged)", "rerun", "rerun_mem"),
        ("import .xlsx (shared strings)", "xlsx", "xlsx_mem"),
    ]
    for label, key, mem in rows:
        seconds = median(results[key])
        extra_text = f"  peak {median(results[mem]):5.0f} MB" if mem else ""
        if key in CPU:
            extra_text += f"  client CPU {median(CPU[key]):5.0f} s"
        ratio = "" if key in ("copy", "ceiling") else (
            f"  {n / seconds / copy_rate:6.1%} of COPY, {n / seconds / ceiling_rate:6.1%} "
            "of indexed COPY")
        log(f"  {label:<52} {seconds:7.1f} s {n / seconds:10,.0f} rows/s{ratio}{extra_text}"
            f"  (runs: {', '.join(f'{x:.1f}' for x in results[key])})")
    log(f"  {'web upload end to end (' + format(args.web_rows, ',') + ' rows .xlsx)':<52} "
        f"{median(results['web']):7.1f} s {args.web_rows / median(results['web']):10,.0f} rows/s")
    if "sqlite" in results:
        log(f"  {'SQLite: import CSV of ' + format(args.sqlite_rows, ',') + ' rows':<52} "
            f"{results['sqlite'][0]:7.1f} s {args.sqlite_rows / results['sqlite'][0]:10,.0f} rows/s")
    log("  where the time goes (one process, no database):")
    for label, key in (("read CSV", "read_csv"), ("read .xlsx", "read_xlsx"),
                       ("read CSV + validate (column-wise)", "prepare_csv")):
        if key not in results:
            continue
        log(f"    {label:<50} {median(results[key]):7.1f} s "
            f"{n / median(results[key]):10,.0f} rows/s")
    peak = max(results["csv_mem"] + results["xlsx_mem"] + results["rerun_mem"])
    checks = [("CSV < 20 s", median(results["csv"]) < 20),
              (".xlsx < 30 s", median(results["xlsx"]) < 30),
              ("re-run < 10 s", median(results["rerun"]) < 10),
              ("peak < 1 GB", peak < 1024),
              (">= 50 % of indexed COPY", n / median(results["csv"]) >= ceiling_rate / 2),
              ("web < 3 s", median(results["web"]) < 3)]
    log("  targets: " + "; ".join(f"{label}: {'met' if ok else 'MISSED'}" for label, ok in checks))


if __name__ == "__main__":
    main()
