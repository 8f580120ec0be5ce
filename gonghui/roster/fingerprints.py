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
small embedded default, has no `xmin`: there every row takes the full path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import connection

from gonghui.members.models import HELD_STATUSES
from gonghui.roster.columns import UNION_CODE, Mapping, clean_cell, normalize_code

DIGEST_SIZE = 16


def enabled() -> bool:
    return connection.vendor == "postgresql"


class Digester:
    """Digests of a job's rows: the job's org and the mapping are hashed once, each row's mapped
    cells (their Python repr: text, numbers, dates and blanks stay distinct) on top."""

    def __init__(self, org_id: int, mapping: Mapping) -> None:
        self.columns = sorted(mapping.columns)
        base = hashlib.blake2b(digest_size=DIGEST_SIZE)
        base.update(repr((org_id, [(i, mapping.columns[i]) for i in self.columns])).encode())
        self.base = base
        unions = [i for i in self.columns if mapping.columns[i] == UNION_CODE]
        self.union_column = unions[0] if unions else None

    def digest(self, cells: Sequence[Any]) -> bytes:
        width = len(cells)
        h = self.base.copy()
        h.update(repr([cells[i] if i < width else None for i in self.columns]).encode())
        return h.digest()

    def union_code(self, cells: Sequence[Any]) -> str:
        """The row's union code as the validation reads it ("" for the job's own org)."""
        index = self.union_column
        if index is None or index >= len(cells):
            return ""
        return normalize_code(clean_cell(cells[index], "code"))


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


def record(pairs: Sequence[tuple[bytes, str]], *, as_of: dt.date) -> None:
    """Fingerprints for rows that ended imported, updated or unchanged: (digest, blind index of
    the person). Inside the chunk's transaction, after its writes (the `xmin` read here is the
    version this transaction leaves)."""
    if not pairs or not enabled():
        return
    unique = dict(pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO roster_rowfingerprint "  # noqa: S608 — constants
            "(digest, person_id, membership_id, person_stamp, membership_stamp, as_of) "
            "SELECT v.digest, p.id, m.id, p.stamp, m.stamp, %s "
            f"FROM {_ROWS} AS v(digest, id_hash) "
            "CROSS JOIN LATERAL (SELECT p.id, p.xmin::text::bigint AS stamp "
            "  FROM members_person p WHERE p.id_hash = v.id_hash OFFSET 0) AS p "
            "CROSS JOIN LATERAL (SELECT m.id, m.xmin::text::bigint AS stamp "
            "  FROM members_membership m WHERE m.person_id = p.id AND m.status = ANY(%s) "
            "  OFFSET 0) AS m "
            "ON CONFLICT (digest) DO UPDATE SET person_id = excluded.person_id, "
            "membership_id = excluded.membership_id, person_stamp = excluded.person_stamp, "
            "membership_stamp = excluded.membership_stamp, as_of = excluded.as_of",
            [as_of, *_row_params(list(unique), list(unique.values())), list(HELD_STATUSES)])


__all__ = ["DIGEST_SIZE", "Digester", "enabled", "known", "record"]
