"""Row fingerprints (issue 22): a re-run of a roster recognises the rows it already took without
validating them again or comparing them with the registry.

A fingerprint is a 16-byte BLAKE2b digest of what decides a row's outcome: the job's org, the
column mapping (which column feeds which field) and the row's mapped cells as read from the file.
When a row ends imported, updated or unchanged, the chunk's transaction records
(digest → person, membership, the `xmin` of both rows, the job's as-of day). A later row with the
same digest is "unchanged" without further checks only while all of this still holds:

- the person and the membership rows are the very row versions recorded: PostgreSQL gives every
  new version of a row (any UPDATE — an edit, a transfer, a status change, a lapse flag — by any
  code path, ORM or raw SQL) a new `xmin`, so a registry changed since invalidates the
  fingerprint by itself, no hook needed;
- the membership still holds 会籍 and is the person's `member_union`;
- its union is the one the row names (the job's org, or the row's 工会代码 in the bulk form) as
  the job resolves it for the full path: an active, member-holding union inside the job's
  subtree (the caller passes the resolved union ids; no org row is read per row);
- the job's as-of day is not earlier than the recorded one (the date rules — 16 years of age, no
  future dates — only ever accept more rows as days pass).

Anything else — a new digest, a stale one, a skipped or repeated row — goes through the full
path (validation, lookup, write), which records a fresh fingerprint. The table is a cache: losing
it (it is UNLOGGED, so a server crash empties it) only makes the next re-run slower. SQLite, the
small embedded default, has no `xmin`: there every row takes the full path. So on Citus
(`GONGHUI_CITUS`): the probes read person and membership by id alone from inside a LATERAL
subquery, a correlated subquery over a distributed table that Citus refuses ("cannot push down
this subquery"), and a membership's `xmin` is its shard's own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Sequence
from typing import Any

from django.db import connection

from gonghui.core.citus import on_citus
from gonghui.members.models import HELD_STATUSES
from gonghui.roster.columns import UNION_CODE, Mapping, clean_cell, normalize_code

DIGEST_SIZE = 16


def enabled() -> bool:
    return connection.vendor == "postgresql" and not on_citus()


class Digester:
    """Digests of a job's rows: the job's org and the mapping are hashed once, each row's mapped
    cells on top — as one text joined by U+001F when every mapped cell is a text without that
    character (a CSV row: one join, no repr), else as their Python repr (text, numbers, dates
    and blanks stay distinct). The two forms carry different tags, so neither can stand for the
    other."""

    def __init__(self, org_id: int, mapping: Mapping) -> None:
        self.columns = sorted(mapping.columns)
        base = hashlib.blake2b(digest_size=DIGEST_SIZE)
        base.update(repr((2, org_id, [(i, mapping.columns[i]) for i in self.columns])).encode())
        self.base = base
        unions = [i for i in self.columns if mapping.columns[i] == UNION_CODE]
        self.union_column = unions[0] if unions else None
        self.width = self.columns[-1] + 1 if self.columns else 0
        self.separators = len(self.columns) - 1
        # itemgetter of one index returns the cell, not a tuple
        self.pick = operator.itemgetter(*self.columns) if len(self.columns) > 1 else None

    def digest(self, cells: Sequence[Any]) -> bytes:
        h = self.base.copy()
        if self.pick is not None and len(cells) >= self.width:
            try:
                text = "\x1f".join(self.pick(cells))
            except TypeError:  # a number, a date or a blank (None) among the cells
                text = None
            if text is not None and text.count("\x1f") == self.separators:
                h.update(b"s")
                h.update(text.encode("utf-8", "surrogatepass"))
                return h.digest()
        width = len(cells)
        h.update(b"r")
        h.update(repr([cells[i] if i < width else None for i in self.columns]).encode())
        return h.digest()

    def union_code(self, cells: Sequence[Any]) -> str:
        """The row's union code as the validation reads it ("" for the job's own org)."""
        index = self.union_column
        if index is None or index >= len(cells):
            return ""
        return normalize_code(clean_cell(cells[index], "code"))


def chunk_digest(digests: Sequence[bytes]) -> bytes:
    """The digest of a whole chunk: its row digests in row order."""
    return hashlib.blake2b(b"".join(digests), digest_size=DIGEST_SIZE).digest()


# (digest, text) rows from two parameters: the digests as one bytea (16 bytes each) and the texts
# joined by U+001F (blind indexes are hex; union codes have no whitespace, which U+001F is).
# Arrays of 5,000 parameters cost more to build in Python than the whole query on the server.
# Each text carries a leading "." (an empty text would vanish from string_to_array).
_ROWS = ("(SELECT substring(%s::bytea FROM (t.n - 1)::int * 16 + 1 FOR 16), substr(t.text, 2) "
         "FROM unnest(string_to_array(%s, chr(31))) WITH ORDINALITY AS t(text, n))")


def _row_params(digests: Sequence[bytes], texts: Sequence[str]) -> list[Any]:
    blob = b"".join(digests)
    assert len(blob) == DIGEST_SIZE * len(texts)
    assert not any("\x1f" in t for t in texts)
    return [blob, "\x1f".join("." + t for t in texts)]


def known(digests: Sequence[bytes], union_ids: Sequence[int], *, as_of: dt.date) -> set[bytes]:
    """The digests among these whose fingerprint still holds (see the module doc). `union_ids`:
    per digest, the union the row names as the job's `UnionResolver` resolved it — an active,
    member-holding union inside the job's subtree, the very check the full path applies (a row
    whose union does not resolve is not asked about: it takes the full path)."""
    if not digests or not enabled():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            # one index probe per row and table (LATERAL … OFFSET 0 keeps the planner from
            # hashing whole tables: it did, scanning the registry once per chunk)
            f"SELECT v.digest FROM {_ROWS} AS v(digest, union_id) "  # noqa: S608 — constants
            "CROSS JOIN LATERAL (SELECT f.person_id, f.membership_id, f.person_stamp, "
            "  f.membership_stamp, f.as_of FROM roster_rowfingerprint f "
            "  WHERE f.digest = v.digest OFFSET 0) AS f "
            "CROSS JOIN LATERAL (SELECT p.xmin::text::bigint AS stamp, p.member_union_id "
            "  FROM members_person p WHERE p.id = f.person_id OFFSET 0) AS p "
            "CROSS JOIN LATERAL (SELECT m.xmin::text::bigint AS stamp, m.person_id, m.status, "
            "  m.union_id FROM members_membership m WHERE m.id = f.membership_id OFFSET 0) AS m "
            "WHERE p.stamp = f.person_stamp AND m.stamp = f.membership_stamp "
            "AND f.as_of <= %s AND m.person_id = f.person_id AND m.status = ANY(%s) "
            "AND p.member_union_id = m.union_id AND m.union_id = v.union_id::bigint",
            [*_row_params(digests, [str(u) for u in union_ids]), as_of, list(HELD_STATUSES)])
        return {bytes(row[0]) for row in cursor.fetchall()}


def chunk_known(key: bytes, union_ids: Sequence[int], *, as_of: dt.date) -> bool:
    """Is every row of a chunk unchanged, by the chunk's fingerprint (`key`: `chunk_digest` of
    its row digests, every row of the chunk eligible; `union_ids` per row as for `known`)? The
    same conditions as `known`, row by row, checked in one query against the recorded person and
    membership ids — no probe of the row fingerprints. False sends the chunk to `known`."""
    if not union_ids or not enabled():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            # one primary-key probe per row and table, whatever the statistics say (LATERAL …
            # OFFSET 0: right after a big import, before autovacuum's ANALYZE, a plain join
            # was planned as a hash join over the whole registry — 0.25 s a chunk at 1 M)
            "SELECT count(*) FROM (SELECT * FROM roster_chunkfingerprint "
            "  WHERE digest = %s AND as_of <= %s AND cardinality(person_ids) = %s) AS c "
            "CROSS JOIN LATERAL unnest(c.person_ids, c.membership_ids, c.person_stamps, "
            "  c.membership_stamps, %s::bigint[]) AS u(person_id, membership_id, person_stamp, "
            "  membership_stamp, union_id) "
            "CROSS JOIN LATERAL (SELECT p.xmin::text::bigint AS stamp, p.member_union_id "
            "  FROM members_person p WHERE p.id = u.person_id OFFSET 0) AS p "
            "CROSS JOIN LATERAL (SELECT m.xmin::text::bigint AS stamp, m.person_id, m.status, "
            "  m.union_id FROM members_membership m WHERE m.id = u.membership_id OFFSET 0) AS m "
            "WHERE p.stamp = u.person_stamp AND m.stamp = u.membership_stamp "
            "AND m.person_id = u.person_id AND m.status = ANY(%s) "
            "AND p.member_union_id = m.union_id AND m.union_id = u.union_id",
            [key, as_of, len(union_ids), "{" + ",".join(map(str, union_ids)) + "}",
             list(HELD_STATUSES)])
        row = cursor.fetchone()
    return row is not None and row[0] == len(union_ids)


_UPSERT = (
    "ON CONFLICT (digest) DO UPDATE SET person_id = excluded.person_id, "
    "membership_id = excluded.membership_id, person_stamp = excluded.person_stamp, "
    "membership_stamp = excluded.membership_stamp, as_of = excluded.as_of")


def record(pairs: Sequence[tuple[bytes, str]], *, as_of: dt.date, chunk: bytes | None = None
           ) -> None:
    """Fingerprints for rows that ended imported, updated or unchanged: (digest, blind index of
    the person), in row order. Inside the chunk's transaction, after its writes (the `xmin` read
    here is the version this transaction leaves). `chunk`: the chunk's `chunk_digest` when these
    are all its rows — then the chunk's fingerprint is recorded too, from the same rows."""
    if not pairs or not enabled():
        return
    unique = dict(pairs)
    insert = (
        "INSERT INTO roster_rowfingerprint "  # noqa: S608 — constants
        "(digest, person_id, membership_id, person_stamp, membership_stamp, as_of) "
        "SELECT v.digest, p.id, m.id, p.stamp, m.stamp, %s "
        "FROM v "
        "CROSS JOIN LATERAL (SELECT p.id, p.xmin::text::bigint AS stamp "
        "  FROM members_person p WHERE p.id_hash = v.id_hash OFFSET 0) AS p "
        "CROSS JOIN LATERAL (SELECT m.id, m.xmin::text::bigint AS stamp "
        "  FROM members_membership m WHERE m.person_id = p.id AND m.status = ANY(%s) "
        "  OFFSET 0) AS m " + _UPSERT)
    rows = (  # the rows with their position (n), for the chunk's arrays in row order
        "v AS MATERIALIZED (SELECT substring(%s::bytea FROM (t.n - 1)::int * 16 + 1 FOR 16) "
        "  AS digest, substr(t.text, 2) AS id_hash, t.n "
        "  FROM unnest(string_to_array(%s, chr(31))) WITH ORDINALITY AS t(text, n))")
    params = _row_params(list(unique), list(unique.values()))
    with connection.cursor() as cursor:
        if chunk is None or len(unique) != len(pairs):
            cursor.execute(f"WITH {rows} {insert}",
                           [*params, as_of, list(HELD_STATUSES)])
            return
        cursor.execute(
            f"WITH {rows}, ins AS ({insert} RETURNING digest, person_id, "  # noqa: S608
            "  membership_id, person_stamp, membership_stamp) "
            "INSERT INTO roster_chunkfingerprint (digest, as_of, person_ids, membership_ids, "
            "  person_stamps, membership_stamps) "
            "SELECT %s, %s, array_agg(ins.person_id ORDER BY v.n), "
            "  array_agg(ins.membership_id ORDER BY v.n), array_agg(ins.person_stamp ORDER BY v.n), "
            "  array_agg(ins.membership_stamp ORDER BY v.n) "
            "FROM ins JOIN v ON v.digest = ins.digest HAVING count(*) = %s "
            "ON CONFLICT (digest) DO UPDATE SET as_of = excluded.as_of, "
            "person_ids = excluded.person_ids, membership_ids = excluded.membership_ids, "
            "person_stamps = excluded.person_stamps, "
            "membership_stamps = excluded.membership_stamps",
            [*params, as_of, list(HELD_STATUSES), chunk, as_of, len(unique)])


__all__ = ["DIGEST_SIZE", "Digester", "chunk_digest", "chunk_known", "enabled", "known",
           "record"]
