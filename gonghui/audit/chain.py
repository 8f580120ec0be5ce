"""Hash chains over the audit trail and the sensitive-read log (issue 13: audit integrity;
MLPS 2.0 level 3 安全审计 "审计记录应进行保护，避免受到未预期的删除、修改或覆盖").

Each log has one chain per calendar day (Asia/Shanghai). A row stores the hash of the row before
it (`prev_hash`; the first row of a day the day's genesis) and its own `row_hash`: a keyed
HMAC-SHA256 (core.crypto.blind_index, whose key lives outside the database) over `prev_hash`
and the row's canonical content. `ChainHead` holds the day's last hash, last id and row count;
appending locks it (`select_for_update`), so the chain follows id order even with concurrent
writers. Someone with write access to the database but not the key cannot edit, delete or
insert a row without `verify` seeing it: an edited row's hash no longer matches, a deleted or
inserted one breaks the links or the head's count.

    gonghui audit verify [--day 2026-12-05]

Concurrent writers wait for each other on the day's head, from their audit row until their
commit. With GONGHUI_AUDIT_CHAIN_SHARDS = S > 1 each day has S chains (a head per shard; every
row stores its `chain_shard`); a process thread always writes to the same shard (so one
transaction never locks two heads of a log), and writers of different shards do not wait for
each other. `verify` checks every chain the same way (bench/bench_audit.py measures both).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gonghui.audit.models import AuditEvent, ChainHead, SensitiveRead
from gonghui.core.crypto import blind_index

AUDIT, SENSITIVE = "audit", "sensitive"
MODELS: dict[str, Any] = {AUDIT: AuditEvent, SENSITIVE: SensitiveRead}
FIELDS = {
    AUDIT: ("at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr",
            "org_path", "before", "after", "note"),
    SENSITIVE: ("at", "actor_id", "actor_name", "subject_type", "subject_id", "subject_repr",
                "field", "purpose", "org_path", "count"),
}


def _canonical(kind: str, values: dict[str, Any]) -> str:
    data = {}
    for name in FIELDS[kind]:
        value = values[name]
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        data[name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def genesis(kind: str, day: dt.date, shard: int = 0) -> str:
    name = f"{kind}:{day.isoformat()}" + (f":{shard}" if shard else "")
    return blind_index(name, purpose="audit-chain-genesis")


def shard_count() -> int:
    return max(1, int(getattr(settings, "GONGHUI_AUDIT_CHAIN_SHARDS", 1)))


def current_shard() -> int:
    """This thread's chain (stable for the thread: a transaction stays on one head)."""
    shards = shard_count()
    if shards == 1:
        return 0
    return hash((os.getpid(), threading.get_ident())) % shards


def row_hash(kind: str, prev: str, values: dict[str, Any]) -> str:
    return blind_index(f"{prev}|{_canonical(kind, values)}", purpose="audit-chain")


class _Batch:
    """The rows a batch appends, in order, unsaved until the batch ends (`_flush`)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, Any]] = []


_local = threading.local()


def _batch() -> _Batch | None:
    return getattr(_local, "batch", None)


@contextmanager
def batched() -> Iterator[None]:
    """Many appends in one transaction (a bulk job's slice of rows): the rows are kept in
    memory and written when the block ends — each day's head locked once, the rows hashed in
    append order, given ascending ids and inserted in one statement per head, the head written
    back. The chain is the same as row by row (same hashes, same order: ids are taken while
    the head is locked, so nobody else appends in between); the head is held from the end of
    the block to the commit only. Must be entered inside `transaction.atomic` and left before
    it commits. Until then an appended row has no id and no hash. A part of the batch that is
    rolled back to its savepoint must be wrapped in `batch_row()`, which drops its rows."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chain.batched() needs a transaction")
    if _batch() is not None:
        yield  # already batching: the outer block writes the rows
        return
    batch = _local.batch = _Batch()
    try:
        yield
        _flush(batch)
    finally:
        _local.batch = None


@contextmanager
def batch_row() -> Iterator[None]:
    """One row of a batch: if it raises (its savepoint rolled back its other writes), the
    audit rows it appended are dropped too. Outside a batch it does nothing."""
    batch = _batch()
    if batch is None:
        yield
        return
    mark = len(batch.rows)
    try:
        yield
    except BaseException:
        del batch.rows[mark:]
        raise


def _locked_head(kind: str, day: dt.date, shard: int) -> ChainHead:
    head, _created = ChainHead.objects.select_for_update().get_or_create(
        kind=kind, day=day, shard=shard, defaults={"last_hash": genesis(kind, day, shard)})
    return head


def _hashed(kind: str, head: ChainHead, shard: int, row: Any) -> None:
    """Chain the unsaved `row` after `head` (locked by the caller), advancing it in memory."""
    row.prev_hash = head.last_hash
    row.row_hash = row_hash(kind, head.last_hash, {name: getattr(row, name)
                                                   for name in FIELDS[kind]})
    row.chain_shard = shard
    head.last_hash, head.rows = row.row_hash, head.rows + 1


def _ids_ahead(model: Any, count: int) -> list[int] | None:
    """`count` ascending ids from the table's sequence (PostgreSQL), None elsewhere (SQLite
    has one writer at a time: ids follow the insert order)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, count])
        return sorted(row[0] for row in cursor.fetchall())


def _flush(batch: _Batch) -> None:
    chains: dict[tuple[str, dt.date, int], list[Any]] = {}
    shard = current_shard()
    for kind, row in batch.rows:
        chains.setdefault((kind, timezone.localdate(row.at), shard), []).append(row)
    for key in sorted(chains):  # heads always locked in one order
        kind, day, shard = key
        rows = chains[key]
        head = _locked_head(kind, day, shard)
        ids = _ids_ahead(MODELS[kind], len(rows))
        for i, row in enumerate(rows):
            _hashed(kind, head, shard, row)
            if ids is not None:
                row.pk = ids[i]
        MODELS[kind].objects.bulk_create(rows)
        head.last_id = rows[-1].pk
        head.save(update_fields=["last_hash", "last_id", "rows"])


def append(kind: str, **values: Any) -> Any:
    """Create a row of log `kind` chained to the day's previous one (inside the caller's
    transaction; the head stays locked until it commits). Inside `batched()` the row is
    written when the batch ends."""
    model = MODELS[kind]
    batch = _batch()
    if batch is not None:
        row = model(**values)
        batch.rows.append((kind, row))
        return row
    day = timezone.localdate(values["at"])
    shard = current_shard()
    row = model(**values)
    with transaction.atomic():
        head = _locked_head(kind, day, shard)
        _hashed(kind, head, shard, row)
        row.save(force_insert=True)
        head.last_id = row.pk
        head.save(update_fields=["last_hash", "last_id", "rows"])
    return row


@dataclass(frozen=True)
class Problem:
    kind: str
    day: dt.date
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"#{self.row_id}" if self.row_id is not None else "end of day"
        return f"{self.kind} {self.day} {where}: {self.message}"


def _day_rows(kind: str, day: dt.date, shard: int = 0) -> Iterator[Any]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    model = MODELS[kind]
    return model.objects.filter(at__gte=start, at__lt=end, chain_shard=shard).order_by(
        "id").values(
        "id", "prev_hash", "row_hash", *FIELDS[kind]).iterator(chunk_size=2000)


def verify(*, day: dt.date | None = None) -> tuple[int, int, list[Problem]]:
    """Check every chained day (or one): returns (days, rows, problems)."""
    heads = ChainHead.objects.order_by("day", "kind", "shard")
    if day is not None:
        heads = heads.filter(day=day)
    problems: list[Problem] = []
    days = rows = 0
    chained: dict[tuple[str, dt.date], int] = {}
    for head in heads:
        days += 1
        expected = genesis(head.kind, head.day, head.shard)
        count = 0
        for values in _day_rows(head.kind, head.day, head.shard):
            count += 1
            if values["prev_hash"] != expected:
                problems.append(Problem(head.kind, head.day, values["id"],
                                        "链接断开（前一行被删除、插入或改动）"))
            if values["row_hash"] != row_hash(head.kind, values["prev_hash"], values):
                problems.append(Problem(head.kind, head.day, values["id"], "内容与哈希不符（被改动）"))
            expected = values["row_hash"]
        rows += count
        chained[(head.kind, head.day)] = chained.get((head.kind, head.day), 0) + count
        if expected != head.last_hash or count != head.rows:
            problems.append(Problem(head.kind, head.day, None, (
                f"链尾不符：应有 {head.rows} 行、最后一行 #{head.last_id}，实有 {count} 行")))
    # a hashed row in a shard that has no head is in no chain (an inserted row)
    for (kind, chain_day), count in chained.items():
        start = timezone.make_aware(dt.datetime.combine(chain_day, dt.time.min))
        total = MODELS[kind].objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1)) \
            .exclude(row_hash="").count()
        if total != count:
            problems.append(Problem(kind, chain_day, None,
                                    f"有 {total - count} 行不在任何审计链中（被插入）"))
    # a row on a day without a chain was written around the chain (or before it existed)
    for kind, model in MODELS.items():
        first = ChainHead.objects.filter(kind=kind).order_by("day").first()
        if first is None:
            continue
        start = timezone.make_aware(dt.datetime.combine(first.day, dt.time.min))
        stray = model.objects.filter(at__gte=start, row_hash="").values_list("id", flat=True)
        if day is not None:
            stray = stray.filter(at__date=day)
        problems += [Problem(kind, first.day, pk, "没有哈希（绕过审计链写入）") for pk in stray]
    return days, rows, problems
