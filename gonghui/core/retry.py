"""Run a whole transaction again when the database gave it up as a deadlock or a serialization
failure (SQLSTATE 40P01 / 40001, docs/scale.md "The settlement queue on the cluster").

Such a transaction was rolled back whole by the server, so running it again is safe when it is
a unit of work whose effect is held by the database's keys (a settlement batch, an import
chunk). On one node these are rare; on Citus every write to a reference table takes a lock on
that table's shard and on the shards of the reference tables it points at, held until commit,
so two writers that reach the same reference tables in different orders can deadlock where one
node would not, and the coordinator then cancels one of them."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, connection

T = TypeVar("T")

TRANSIENT_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure


def is_transient(exc: BaseException) -> bool:
    """A deadlock or serialization failure (the server rolled the transaction back)."""
    for error in (exc, exc.__cause__):
        if getattr(error, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
    return False


def retrying(
    work: Callable[[], T],
    *,
    attempts: int = 8,
    pause: float = 0.05,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    """`work()` (which opens and commits its own transaction), run again after a deadlock or
    serialization failure, at most `attempts` times in all, with a short random pause that
    grows with each attempt (two victims of one cycle do not meet again at once). Inside an
    outer transaction nothing is retried: the outer transaction is lost and its owner decides."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DatabaseError as exc:
            if attempt == attempts or connection.in_atomic_block or not is_transient(exc):
                raise
            if on_retry is not None:
                on_retry(exc)
            time.sleep(random.uniform(0, pause * attempt))
    raise AssertionError("unreachable")  # pragma: no cover
