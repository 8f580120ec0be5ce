"""Field key rotation (`gonghui keys`; issue 13: versioned keys, re-encryption in the
background, the old key retired). docs/security.md "Key rotation" is the operator's procedure.

1. `gonghui keys new`: a new master key (the next id) joins the ring as `field.<n>.key`; the
   blind-index key is pinned to `index.key` first (it does not rotate: see below). Restart the
   servers and workers: from then on every new value is encrypted under key n.
2. `gonghui keys reencrypt [--chunk N] [--enqueue]`: every encrypted column, in primary-key
   chunks, each chunk its own transaction; a row is rewritten only if its ciphertext is under
   another key, and only if it did not change meanwhile (compare-and-set). Progress is kept per
   column (FieldKeyProgress): a stopped run resumes where it was.
3. `gonghui keys retire <id>`: refused while any value is still under that key; otherwise the key
   file is renamed `field.<id>.key.retired` (shred it once backups no longer need it).
`gonghui keys rotate` runs 1 and 2 (`--retire` adds 3 for the keys left behind); `gonghui keys
status` counts the values under each key.

What does not rotate: the blind-index key (exact search by ID number, Person.id_hash and every
copy of it) and the audit chain's key (the same key) are pinned in `index.key`. Rotating them
means recomputing every blind index and re-hashing every chained day; the field key protects the
plaintext, the index key only the index, so the field key is the one rotated routinely.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from gonghui.accounts.models import FieldKeyProgress
from gonghui.audit.services import audit_record
from gonghui.core import crypto
from gonghui.core.actor import Actor

# Columns that hold `crypto.encrypt` output without being an EncryptedTextField.
RAW_CIPHER_COLUMNS = (("rights.CaseDocument", "data"),)
CHUNK = 1000


@dataclass(frozen=True)
class Column:
    model: type[models.Model]
    field: str

    @property
    def target(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def sql(self) -> tuple[str, str, str]:
        q = connection.ops.quote_name
        field = self.model._meta.get_field(self.field)
        pk = self.model._meta.pk
        if not isinstance(field, models.Field) or not field.column or pk is None:
            raise TypeError(f"{self.target} is not a concrete column")
        return q(self.model._meta.db_table), q(pk.column), q(field.column)


def columns() -> list[Column]:
    """Every column that holds ciphertext under the field key."""
    found = [Column(m, f.name) for m in apps.get_models() for f in m._meta.concrete_fields
             if isinstance(f, crypto.EncryptedTextField)]
    for label, field in RAW_CIPHER_COLUMNS:
        try:
            found.append(Column(apps.get_model(label), field))
        except LookupError:  # app not installed
            continue
    return sorted(found, key=lambda c: c.target)


def status() -> dict[str, dict[int, int]]:
    """{column: {key id: number of values}} — one GROUP BY per column."""
    counts: dict[str, dict[int, int]] = {}
    for column in columns():
        table, _pk, col = column.sql
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT substr({col}, 1, 2), count(*) FROM {table} "  # noqa: S608
                           f"WHERE {col} IS NOT NULL GROUP BY substr({col}, 1, 2)")
            rows = cursor.fetchall()
        per_key: dict[int, int] = {}
        for prefix, n in rows:
            raw = bytes(prefix)
            if not raw:
                continue
            kid = 1 if raw[:1] == crypto.key_prefix(1) else raw[1]
            per_key[kid] = per_key.get(kid, 0) + n
        counts[column.target] = per_key
    return counts


def key_new(*, actor: Actor) -> int:
    """Add the next master key to the ring (as a file); the new key id."""
    crypto.reload_keys()
    ring = crypto.keyring()
    if max(ring, default=0) >= 255:
        raise RuntimeError("key ids end at 255")
    crypto.pin_index_key()
    new_id = max(ring, default=0) + 1
    crypto.write_key_file(crypto.key_file(new_id), os.urandom(32))
    crypto.reload_keys()
    audit_record(actor=actor, action="keys.new", object_type="core.fieldkey",
                 object_id=str(new_id), object_repr=f"field key {new_id}",
                 after={"key_id": new_id, "file": str(crypto.key_file(new_id))})
    return new_id


def _chunks(column: Column, *, after: int, key_id: int, size: int) -> Iterator[list[Any]]:
    table, pk, col = column.sql
    prefix = crypto.key_prefix(key_id)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {col} FROM {table} WHERE {pk} > %s AND {col} IS NOT NULL "  # noqa: S608
                f"AND substr({col}, 1, {len(prefix)}) <> %s ORDER BY {pk} LIMIT %s",
                [after, prefix, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def reencrypt(*, actor: Actor, chunk: int = CHUNK, only: str = "",
              progress: Any = None) -> dict[str, int]:
    """Rewrite every value not under the current key (see the module's docstring). Returns the
    number of values rewritten per column."""
    crypto.reload_keys()
    key_id = crypto.current_key_id()
    done: dict[str, int] = {}
    for column in columns():
        if only and column.target != only:
            continue
        state, _ = FieldKeyProgress.objects.get_or_create(target=column.target, key_id=key_id)
        if state.done:
            # a finished pass is run again from the start (values written meanwhile by a
            # process that still had the old ring); only an unfinished one resumes
            state.last_pk, state.rewritten, state.done = 0, 0, False
        table, pk, col = column.sql
        for rows in _chunks(column, after=state.last_pk, key_id=key_id, size=chunk):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for row_pk, raw in rows:
                        new = crypto.encrypt(crypto.decrypt(bytes(raw)))
                        # compare-and-set: a value rewritten meanwhile by the application is
                        # already under the current key
                        cursor.execute(f"UPDATE {table} SET {col} = %s "  # noqa: S608
                                       f"WHERE {pk} = %s AND {col} = %s", [new, row_pk, raw])
                        state.rewritten += cursor.rowcount
                state.last_pk = rows[-1][0]
                state.save(update_fields=["last_pk", "rewritten", "updated_at"])
            if progress is not None:
                progress(column.target, state.last_pk, state.rewritten)
        state.done = True
        state.save(update_fields=["done", "updated_at"])
        done[column.target] = state.rewritten
    audit_record(actor=actor, action="keys.reencrypt", object_type="core.fieldkey",
                 object_id=str(key_id), object_repr=f"field key {key_id}",
                 after={"key_id": key_id, "rewritten": done})
    return done


class KeyInUse(RuntimeError):
    pass


def retire(*, key_id: int, actor: Actor) -> str:
    """Take key `key_id` out of the ring. Refused for the current key and while any value is
    still encrypted under it. Returns where the key file went."""
    crypto.reload_keys()
    if key_id == crypto.current_key_id():
        raise KeyInUse(f"key {key_id} is the current key")
    if key_id not in crypto.keyring():
        raise KeyInUse(f"key {key_id} is not in the keyring")
    left = {target: per[key_id] for target, per in status().items() if per.get(key_id)}
    if left:
        raise KeyInUse(f"values still under key {key_id}: {left}")
    if key_id == 1:
        crypto.pin_index_key()
    path = crypto.key_file(key_id)
    if not path.exists():
        raise KeyInUse(f"key {key_id} comes from the environment (GONGHUI_FIELD_KEY/"
                       f"GONGHUI_FIELD_KEYS): remove it there and restart")
    retired = path.with_name(path.name + ".retired")
    path.rename(retired)
    crypto.reload_keys()
    audit_record(actor=actor, action="keys.retire", object_type="core.fieldkey",
                 object_id=str(key_id), object_repr=f"field key {key_id}",
                 after={"key_id": key_id, "moved_to": str(retired)})
    return str(retired)
