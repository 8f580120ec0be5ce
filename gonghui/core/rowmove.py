"""Moving rows to another union: delete + insert, never an UPDATE of the union column.

The union is the distribution column of every member-scale table (docs/scale.md, core/citus.py)
and Citus cannot update a distribution column in place: the row has to leave its shard and be
written on the new union's. A merge therefore deletes the rows and inserts them again, with
their ids and every other value unchanged, inside the caller's transaction — on Citus one
distributed transaction (two-phase commit), on one node the same statements. Foreign keys
between the moved rows are deferred (Django's and the Citus layout's), so parents and children
can be moved in any order within the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction


def move_rows(model: type[models.Model], ids: Iterable[int], *, column: str,
              to: int, **also: Any) -> int:
    """Move the rows `ids` of `model` to union `to` (`column` is its union field, e.g.
    "union"); `also` sets other copied columns (e.g. `union_path=`). Returns the number moved.
    Must run inside transaction.atomic; the rows' own auto_now fields take the move's time."""
    ids = list(ids)
    if not ids:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_rows must run inside transaction.atomic")
    rows = list(model._default_manager.filter(pk__in=ids).order_by("pk"))
    # the rows' ids by their current union: each DELETE names its union (on Citus one shard)
    by_union: dict[Any, list[int]] = {}
    for row in rows:
        by_union.setdefault(getattr(row, f"{column}_id"), []).append(row.pk)
        setattr(row, f"{column}_id", to)
        for name, value in also.items():
            setattr(row, name, value)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    union = connection.ops.quote_name(
        model._meta.get_field(column).column)  # type: ignore[union-attr,arg-type]
    with connection.cursor() as cursor:
        # raw: the ORM's delete() would cascade and refuse PROTECTed children that move too
        for source, source_ids in sorted(by_union.items()):
            for start in range(0, len(source_ids), 1000):
                chunk = source_ids[start:start + 1000]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE {union} = %s "  # noqa: S608
                               f"AND {pk} IN ({marks})", [source, *chunk])
    model._default_manager.bulk_create(rows, batch_size=1000)
    return len(rows)
