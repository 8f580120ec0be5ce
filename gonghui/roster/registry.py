"""Thin adapter: the member registry's write rules, applied to a chunk of rows at once.

The members app writes one person at a time (`members.services.member_add` → `open_membership`:
membership row, the person's 会籍 union by compare-and-set, per-union counters, the monthly
join counter, a JOIN event). A roster of a million rows cannot afford that per row, so this
module does the *same* writes set-wise — one COPY per table and chunk, counters summed per
union — and nothing else. If members grows a bulk service, this module should give way to it.

Invariants kept exactly as for a single add:
- one row per person (`Person.id_hash` unique) and at most one membership holding 会籍 per
  person (the partial unique index decides races; the loser's chunk is rolled back and retried);
- `Person.member_union` is set together with the membership (compare-and-set for a returning
  person whose earlier membership ended);
- `OrgMemberStats` (active, new_employment) and `OrgMemberMonth` (joins in the month of the join
  date) move in the same transaction;
- a `MembershipEvent` JOIN per new membership (EDIT per changed person), actor and reason set;
- card numbers as members generates them (`<join year><membership id:010d>`) unless the roster
  brings its own, each claimed in `members.CardNumberClaim` (as `open_membership` does).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, models

from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.citus import on_citus
from gonghui.members.models import (
    HELD_STATUSES,
    CardNumberClaim,
    EventKind,
    Membership,
    MembershipEvent,
    MembershipStatus,
    OrgMemberMonth,
    OrgMemberStats,
    Person,
)
from gonghui.orgs.models import Org
from gonghui.roster.bulk import Table, allocate_ids, is_postgres, update_rows

# Person columns the importer writes (ValidatedPerson's fields, minus id_hash/id_number which
# are handled apart) and compares for "unchanged".
PERSON_DATA_FIELDS = (
    "name", "gender", "birth_date", "ethnicity", "phone", "education", "political_status",
    "household_type", "employment_form", "new_employment_group", "employer_name", "occupation",
    "skill_level", "monthly_wage",
)  # fmt: skip


class ChunkRace(Exception):
    """A concurrent writer got there between our lookup and our write: retry the chunk."""


@dataclass(frozen=True)
class UnionRef:
    id: int
    path: str
    name: str


@dataclass
class NewMember:
    """A row ready to become a membership (and a person, unless `person_id` is set)."""

    row_number: int
    values: dict[str, Any]  # PERSON_DATA_FIELDS → value
    supplied: frozenset[str]  # the person fields the row actually filled in
    id_hash: str
    id_cipher: bytes
    joined_on: dt.date
    card_number: str | None
    union: UnionRef
    person_id: int | None = None  # an existing person without 会籍 (returning member)
    changed: dict[str, Any] = field(default_factory=dict)  # fields to update on that person
    # a legacy roster's 会龄起算日, retired status and date, old card number (columns.Legacy)
    legacy: Any = None


@dataclass(frozen=True)
class Existing:
    person_id: int
    member_union_id: int | None
    values: dict[str, Any]
    membership_id: int | None = None  # the membership holding 会籍, if any
    membership_status: str = ""
    union: UnionRef | None = None


_LOOKUP_COLUMNS = ("id", "id_hash", "member_union_id", *PERSON_DATA_FIELDS)
_HELD_COLUMNS = ("membership_id", "membership_status", "union_id", "union_path", "union_name")


def _people_rows(hashes: Sequence[str]) -> list[dict[str, Any]]:
    """Person rows with these blind indexes and their membership holding 会籍, if any.

    PostgreSQL: one query with one `= ANY(array)` parameter (thousands of placeholders cost
    more to build than to run). SQLite, and Citus (which refuses the LATERAL outer join of a
    distributed table beside a reference table): the ORM in batches under its parameter
    limit."""
    if not is_postgres() or on_citus():
        rows: list[dict[str, Any]] = []
        for start in range(0, len(hashes), 900):
            rows.extend(Person.objects.filter(id_hash__in=hashes[start:start + 900])
                        .values(*_LOOKUP_COLUMNS))
        held: dict[int, tuple] = {}
        people = [r["id"] for r in rows if r["member_union_id"]]
        for start in range(0, len(people), 900):
            for m in Membership.objects.filter(
                person_id__in=people[start:start + 900], status__in=HELD_STATUSES
            ).values_list("person_id", "id", "status", "union_id", "union__path",
                          "union__name"):
                held[m[0]] = m[1:]
        for row in rows:
            row.update(zip(_HELD_COLUMNS, held.get(row["id"], (None,) * 5), strict=True))
        return rows
    person = Person._meta
    fields = [cast(models.Field, person.get_field("member_union" if n == "member_union_id"
                                                  else n)) for n in _LOOKUP_COLUMNS]
    columns = ", ".join(f'p."{f.column}"' for f in fields)
    membership, org = Membership._meta, Org._meta
    statuses = ", ".join(f"'{s}'" for s in HELD_STATUSES)
    with connection.cursor() as cursor:
        # The membership and its union per person through LATERAL … OFFSET 0: one index probe
        # each. As a plain join the planner chose a hash join over every membership holding
        # 会籍 — the whole registry read once per chunk, quadratic over a big import. The
        # blind indexes (hex) go as one comma-joined text: a 5,000-element array parameter
        # costs more to build in Python than the query.
        cursor.execute(
            f'SELECT {columns}, m."id", m."status", m."union_id", m."path", m."name" '  # noqa: S608
            f'FROM "{person.db_table}" p '
            f'LEFT JOIN LATERAL (SELECT m."id", m."status", m."union_id", o."path", o."name" '
            f'FROM "{membership.db_table}" m JOIN "{org.db_table}" o ON o."id" = m."union_id" '
            f'WHERE m."person_id" = p."id" AND m."status" IN ({statuses}) OFFSET 0) m ON true '
            """WHERE p."id_hash" = ANY(string_to_array(%s, ','))""", [",".join(hashes)])
        names = (*_LOOKUP_COLUMNS, *_HELD_COLUMNS)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def lookup_people(hashes: Sequence[str]) -> dict[str, Existing]:
    """The people among these blind indexes, with where they hold 会籍."""
    out = {}
    for row in _people_rows(hashes) if hashes else []:
        out[row["id_hash"]] = Existing(
            person_id=row["id"], member_union_id=row["member_union_id"],
            values={f: row[f] for f in PERSON_DATA_FIELDS},
            membership_id=row["membership_id"], membership_status=row["membership_status"] or "",
            union=UnionRef(row["union_id"], row["union_path"], row["union_name"])
            if row["membership_id"] else None,
        )
    return out


def taken_card_numbers(cards: Iterable[str]) -> set[str]:
    """The numbers among `cards` some membership holds, read from the card-number claims
    (`members.CardNumberClaim`, one row per number of every membership, open or ended): on
    Citus a lookup by the claim table's distribution column."""
    cards = [c for c in cards if c]
    taken: set[str] = set()
    for start in range(0, len(cards), 900):
        taken.update(CardNumberClaim.objects.filter(
            card_number__in=cards[start:start + 900]).values_list("card_number", flat=True))
    return taken


def changed_fields(existing: Existing, values: dict[str, Any],
                   supplied: frozenset[str]) -> dict[str, Any]:
    """The supplied fields whose value differs from the stored one (a blank cell never
    erases stored data)."""
    out = {}
    for name in supplied:
        if name in existing.values and existing.values[name] != values[name]:
            out[name] = values[name]
    return out


_PERSON_COLUMNS = ("id", "created_at", "updated_at", "id_number", "id_hash", "member_union_id",
                   *PERSON_DATA_FIELDS)
_MEMBERSHIP_COLUMNS = ("id", "created_at", "updated_at", "person_id", "union_id", "union_path",
                       "status", "joined_on", "seniority_since", "card_number",
                       "legacy_card_number", "retired_on")
_CLAIM_COLUMNS = ("card_number", "membership_id")
_EVENT_COLUMNS = ("id", "membership_id", "union_id", "kind", "from_status", "to_status",
                  "actor_id", "actor_name", "at", "reason")


@dataclass
class ChunkResult:
    imported: int = 0
    updated: int = 0
    memberships: list[int] = field(default_factory=list)


def write_members(*, joins: list[NewMember], updates: list[tuple[Existing, dict[str, Any]]],
                  actor: Actor, reason: str) -> ChunkResult:
    """Create the memberships (and people) of `joins` and apply `updates` (changed fields of
    people already holding 会籍 in the row's union). Inside the caller's transaction."""
    now = clock.now()
    actor_id, name = getattr(actor_user(actor), "pk", None), actor_name(actor)
    result = ChunkResult()
    if not joins and not updates:
        return result
    new_people = [j for j in joins if j.person_id is None]
    returning = [j for j in joins if j.person_id is not None]

    person_ids = allocate_ids(Person, len(new_people))
    for join, pk in zip(new_people, person_ids, strict=True):
        join.person_id = pk
    Table(Person, _PERSON_COLUMNS).insert(
        (j.person_id, now, now, j.id_cipher, j.id_hash, j.union.id,
         *[j.values[f] for f in PERSON_DATA_FIELDS])
        for j in new_people
    )
    # Returning people: their fresh data, then the 会籍 compare-and-set of open_membership.
    _update_people([(j.person_id, j.changed) for j in returning if j.changed], now)
    if returning:
        _claim_member_union(returning)

    membership_ids = allocate_ids(Membership, len(joins))
    cards = [j.card_number or f"{j.joined_on.year}{mid:010d}"
             for j, mid in zip(joins, membership_ids, strict=True)]
    Table(Membership, _MEMBERSHIP_COLUMNS).insert(
        (mid, now, now, j.person_id, j.union.id, j.union.path, _status(j), j.joined_on,
         (j.legacy and j.legacy.seniority_since) or j.joined_on, card,
         j.legacy.legacy_card_number if j.legacy else "",
         j.legacy.retired_on if j.legacy else None)
        for j, mid, card in zip(joins, membership_ids, cards, strict=True)
    )
    # Each card number claimed in the same transaction (members.CardNumberClaim: the rule
    # across unions on Citus). A number taken since the chunk's lookup (taken_card_numbers)
    # fails the COPY like the unique key does on one node: the chunk is rolled back and
    # retried, and the retry's lookup rejects the row.
    Table(CardNumberClaim, _CLAIM_COLUMNS).insert(zip(cards, membership_ids, strict=True))
    result.memberships = membership_ids

    _update_people([(e.person_id, changes) for e, changes in updates], now)

    events: list[tuple[Any, ...]] = [
        (mid, j.union.id, EventKind.JOIN, "", _status(j), reason)
              for j, mid in zip(joins, membership_ids, strict=True)]
    events += [(e.membership_id, e.union.id, EventKind.EDIT, "", "",  # type: ignore[union-attr]
                f"{reason}：{_labels(changes)}")[:500]
               for e, changes in updates]
    event_ids = allocate_ids(MembershipEvent, len(events))
    Table(MembershipEvent, _EVENT_COLUMNS).insert(
        (eid, mid, uid, kind, from_s, to_s, actor_id, name, now, text[:500])
        for eid, (mid, uid, kind, from_s, to_s, text) in zip(event_ids, events, strict=True)
    )

    # [active, new_employment, retired] per union: a retired member counts as retired only
    stats: dict[UnionRef, list[int]] = defaultdict(lambda: [0, 0, 0])
    months: dict[tuple[UnionRef, dt.date], int] = defaultdict(int)
    for j in joins:
        if _status(j) == MembershipStatus.RETIRED:
            stats[j.union][2] += 1
        else:
            stats[j.union][0] += 1
            if j.values["new_employment_group"]:
                stats[j.union][1] += 1
        months[(j.union, j.joined_on.replace(day=1))] += 1
    for e, changes in updates:
        if "new_employment_group" in changes and e.membership_status == MembershipStatus.ACTIVE:
            delta = (1 if changes["new_employment_group"] else 0) - (
                1 if e.values["new_employment_group"] else 0)
            stats[e.union][1] += delta  # type: ignore[index]
    _bump_stats(stats)
    _bump_months(months)
    result.imported = len(joins)
    result.updated = len(updates)
    return result


def _status(join: NewMember) -> str:
    if join.legacy is not None and join.legacy.status == MembershipStatus.RETIRED:
        return MembershipStatus.RETIRED
    return MembershipStatus.ACTIVE


def taken_legacy_cards(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """(union id, old card number) pairs already used by a membership of that union: the old
    system's numbers are unique per union only (Membership's partial unique constraint)."""
    wanted = sorted(set(pairs))
    taken: set[tuple[int, str]] = set()
    for start in range(0, len(wanted), 900):
        part = wanted[start:start + 900]
        taken.update(Membership.objects.filter(
            union_id__in={u for u, _c in part}, legacy_card_number__in={c for _u, c in part}
        ).values_list("union_id", "legacy_card_number"))
    return taken & set(wanted)


def _labels(changes: dict[str, Any]) -> str:
    return "、".join(str(cast(models.Field, Person._meta.get_field(n)).verbose_name)
                    for n in sorted(changes))


def _update_people(rows: list[tuple[int | None, dict[str, Any]]], now: dt.datetime) -> None:
    """Changed fields per person, grouped by the set of fields (one executemany per group)."""
    groups: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    for person_id, changes in rows:
        if not changes:
            continue
        names = tuple(sorted(changes))
        groups[names].append([*(changes[n] for n in names), now, person_id])
    for names, values in groups.items():
        update_rows(Person, [*names, "updated_at"], values)


def _claim_member_union(joins: list[NewMember]) -> None:
    """Person.member_union from NULL to the row's union, all or nothing: a person who got 会籍
    elsewhere since our lookup makes the chunk retry."""
    by_union: dict[int, list[int]] = defaultdict(list)
    for j in joins:
        by_union[j.union.id].append(j.person_id)  # type: ignore[arg-type]
    for union_id, people in by_union.items():
        changed = Person.objects.filter(pk__in=people, member_union__isnull=True).update(
            member_union_id=union_id)
        if changed != len(people):
            raise ChunkRace("member_union")


def _upsert_sql(table: str, keys: Sequence[str], counters: Sequence[str], extra: Sequence[str]
                ) -> str:
    columns = [*keys, *extra, *counters]
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in counters)
    quoted = ", ".join(f'"{c}"' for c in columns)
    conflict = ", ".join(f'"{k}"' for k in keys)
    return (f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders}) '  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")


def _bump_stats(stats: dict[UnionRef, list[int]]) -> None:
    # sorted: concurrent chunks lock the counter rows in one order (no deadlock)
    rows = sorted((u.id, u.path, active, retired, new)
                  for u, (active, new, retired) in stats.items() if active or new or retired)
    if not rows:
        return
    sql = _upsert_sql(OrgMemberStats._meta.db_table, ["org_id"],
                      ["active", "retired", "new_employment"], ["org_path"])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _bump_months(months: dict[tuple[UnionRef, dt.date], int]) -> None:
    if not months:
        return
    table = OrgMemberMonth._meta.db_table
    rows = []
    for (union, month), joins in sorted(months.items(), key=lambda kv: (kv[0][0].id, kv[0][1])):
        rows.append((union.id, month if is_postgres() else month.isoformat(), union.path,
                     joins, 0, 0, 0))
    sql = _upsert_sql(table, ["org_id", "month"],
                      ["joins", "exits", "transfers_in", "transfers_out"], ["org_path"])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def held_elsewhere(existing: Existing, union: UnionRef) -> bool:
    return existing.member_union_id is not None and existing.member_union_id != union.id


__all__ = ["PERSON_DATA_FIELDS", "ChunkRace", "Existing", "NewMember", "UnionRef",
           "changed_fields", "lookup_people", "taken_card_numbers", "taken_legacy_cards",
           "write_members"]
