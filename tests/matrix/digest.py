"""A digest of every table's rows: equal before and after a request means it changed nothing.

Sessions and login-attempt bookkeeping are left out: signing a test client in writes them, and
they are not the application's data.
"""

from __future__ import annotations

import hashlib

from django.db import connection

IGNORED = ("django_session", "axes_")


def tables() -> list[str]:
    return sorted(name for name in connection.introspection.table_names()
                  if not name.startswith(IGNORED))


def digest() -> dict[str, str]:
    quote = connection.ops.quote_name
    out: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 — introspected names
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
