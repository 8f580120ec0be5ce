"""What every benchmark shares: its own PostgreSQL database, Django on it, tree paths, timing.

    from bench.common import BenchDatabase, log, median, p95, segment, timed

    db = BenchDatabase("gh_bench_funds")
    db.create()            # DROP … WITH (FORCE) + CREATE
    db.setup_django()      # DATABASE_URL, GONGHUI_DATA_DIR, django.setup()
    ...
    db.drop()              # unless --keep

Benchmarks are run on purpose, alone, on PostgreSQL (`GONGHUI_BENCH_PG`, default the local
server); never by the test suite.
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
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class BenchDatabase:
    """A throw-away PostgreSQL database named `name` on the bench server."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = f"{PG}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {self.name}")

    def drop(self) -> None:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def setup_django(self, *, migrate: bool = False, data_dir: str = "") -> None:
        os.environ["DATABASE_URL"] = self.url
        os.environ.setdefault("GONGHUI_DATA_DIR", data_dir or f"/tmp/{self.name.replace('_', '-')}")
        os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
        # Bench users are signed in by force_login, not through the sign-in page, so they never
        # pass the second factor that reveal-capable roles need (accounts.second_factor); the
        # rule's cost on a page is one session flag either way, and no bench reveals anything.
        # bench_load.py's server inherits this.
        os.environ.setdefault("GONGHUI_REQUIRE_TOTP_FOR_REVEAL", "0")
        import django

        django.setup()
        if migrate:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)


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
