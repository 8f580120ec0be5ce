"""Claim rows (docs/scale.md "Rules"): a row whose key is the value a cross-union rule makes
unique, inserted in the transaction of the row it guards. On Citus the claim table is
distributed by that value, so its key holds across the cluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def take_claims(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                *, returning: str, chunk: int = 1000) -> set[Any]:
    """Insert the claims `rows` (values of `columns`) that are free — `ON CONFLICT DO NOTHING`,
    in the order given (callers sort, so two transactions lock alike), one statement per
    `chunk` rows — and return the `returning` column of those this transaction took. A claim
    another transaction holds uncommitted waits for it, as a unique key does."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    taken: set[Any] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))} "  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(returning)}",
                [value for row in part for value in row])
            taken.update(value for (value,) in cursor.fetchall())
    return taken
