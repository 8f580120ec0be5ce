"""What every benchmark shares: its own PostgreSQL database, Django on it, tree paths, timing.

    from bench.common import BenchDatabase, log, median, p95, segment, timed

    db = BenchDatabase("gh_bench_funds")
    db.create()            # DROP … WITH (FORCE) + CREATE
    db.setup_django()      # DATABASE_URL, GONGHUI_DATA_DIR, django.setup()
    ...
    db.drop()              # unless --keep

Benchmarks are run on purpose, alone, on PostgreSQL (`GONGHUI_BENCH_PG`, default the local
server); never by the test suite.

On the local Citus cluster of docs/scale.md (a benchmark's `--citus`):

    db = BenchDatabase("gh_bench_mutualaid").on_citus()   # GONGHUI_BENCH_CITUS: the nodes
    db.create()            # the database on every node, the extension, the workers registered
    db.setup_django(migrate=True)   # … then `gonghui citus distribute`
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG = os.environ.get("GONGHUI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# the coordinator first, then the workers (docs/scale.md "Testing on a local cluster")
CITUS_NODES = os.environ.get("GONGHUI_BENCH_CITUS",
                             "127.0.0.1:9700,127.0.0.1:9701,127.0.0.1:9702").split(",")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class BenchDatabase:
    """A throw-away PostgreSQL database named `name` on the bench server."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.server = PG
        self.url = f"{PG}/{name}"
        self.citus = False

    def on_citus(self) -> BenchDatabase:
        """Use the Citus cluster of GONGHUI_BENCH_CITUS (coordinator first) instead."""
        self.citus = True
        self.server = f"postgres://postgres@{CITUS_NODES[0]}"
        self.url = f"{self.server}/{self.name}"
        return self

    @property
    def host_port(self) -> tuple[str, str]:
        host, _, port = self.server.rsplit("@", 1)[1].partition(":")
        return host, port or "5432"

    def _admin(self, sql: str, *, server: str = "", database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(f"{server or self.server}/{database}", autocommit=True) as conn:
            conn.execute(sql)

    def _servers(self) -> list[str]:
        if not self.citus:
            return [self.server]
        return [f"postgres://postgres@{node}" for node in CITUS_NODES]

    def create(self) -> None:
        for server in self._servers():
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", server=server)
            self._admin(f"CREATE DATABASE {self.name}", server=server)
            if self.citus:
                self._admin("CREATE EXTENSION citus", server=server, database=self.name)
        if self.citus:
            host, port = self.host_port
            self._admin(f"SELECT citus_set_coordinator_host('{host}', {port})",
                        database=self.name)
            for node in CITUS_NODES[1:]:
                worker_host, _, worker_port = node.partition(":")
                self._admin(f"SELECT citus_add_node('{worker_host}', {worker_port})",
                            database=self.name)
            self._admin(f"ALTER DATABASE {self.name} SET citus.enable_repartition_joins TO on")

    def drop(self) -> None:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        # the coordinator first: it holds connections to the workers' copies
        for server in self._servers():
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", server=server)

    def setup_django(self, *, migrate: bool = False, data_dir: str = "") -> None:
        os.environ["DATABASE_URL"] = self.url
        os.environ.setdefault("GONGHUI_DATA_DIR", data_dir or f"/tmp/{self.name.replace('_', '-')}")
        os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
        # Bench users are signed in by force_login, not through the sign-in page, so they never
        # pass the second factor that reveal-capable roles need (accounts.second_factor); the
        # rule's cost on a page is one session flag either way, and no bench reveals anything.
        # bench_load.py's server inherits this.
        os.environ.setdefault("GONGHUI_REQUIRE_TOTP_FOR_REVEAL", "0")
        if self.citus:
            os.environ["GONGHUI_CITUS"] = "1"  # row locks name the shard (and in subprocesses)
        import django

        django.setup()
        if migrate:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            if self.citus:
                self.distribute()

    def distribute(self) -> None:
        """`gonghui citus distribute` on the migrated database (Citus only); prints its counts."""
        import io

        from django.core.management import call_command

        out = io.StringIO()
        call_command("citus", "distribute", stdout=out)
        print(out.getvalue().strip().splitlines()[-1], flush=True)


def segment(n: int) -> str:
    """The n-th 4-character step of a materialised path (treebeard, base 36, steplen 4)."""
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def log(message: str) -> None:
    print(message, flush=True)


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds one call of `fn` took."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` into `table` (psycopg 3 cursor); returns the number of rows."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
