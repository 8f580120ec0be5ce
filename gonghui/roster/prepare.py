"""Stage one of a roster import, per batch of rows: skip rules, the members' validation (the one
implementation, core.cells underneath) and encryption. Pure: no database, so it runs anywhere —
the importer's workers, the preview page, the benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.crypto import encrypt
from gonghui.members.validation import (
    TEXT_LIMITS,
    PersonInvalid,
    check_joined_on,
    check_person,
)
from gonghui.roster import registry
from gonghui.roster.columns import (
    FIELD_LABELS,
    UNION_CODE,
    Mapping,
    normalize_code,
    row_fields,
    skip_reason,
)

SKIP, REJECT, OK = 0, 1, 2


@dataclass(slots=True)
class RowResult:
    row_number: int
    cells: list[Any]
    kind: int
    columns: str = ""
    reason: str = ""
    values: dict[str, Any] | None = None
    supplied: frozenset[str] = frozenset()
    id_number: str = ""
    id_hash: str = ""
    joined_on: dt.date | None = None
    card_number: str | None = None
    union_code: str = ""
    cipher: bytes = b""


_PERSON_FIELD_SET = frozenset(registry.PERSON_DATA_FIELDS)


def _reject(row_number: int, cells: list[Any], errors: Sequence[tuple[str, str]]) -> RowResult:
    columns = "、".join(dict.fromkeys(FIELD_LABELS.get(f, f) for f, _m in errors))
    if len(errors) == 1:
        reason = errors[0][1]
    else:
        reason = " ".join(f"【{FIELD_LABELS.get(f, f)}】{m}" for f, m in errors)
    return RowResult(row_number, cells, REJECT, columns=columns[:255], reason=reason)


def prepare_rows(rows: Sequence[tuple[int, list[Any]]], mapping: Mapping, *, as_of: dt.date,
                 with_cipher: bool = True, skips: Sequence[str] | None = None
                 ) -> list[RowResult]:
    """Skip rules, validation (the members' one implementation) and encryption, for a batch
    of rows (`skips`: their skip reasons, if the caller has them already). Pure: no database,
    so it can run anywhere."""
    out: list[RowResult] = []
    bulk = mapping.bulk
    card_limit = TEXT_LIMITS["card_number"]
    for index, (row_number, cells) in enumerate(rows):
        reason = skips[index] if skips is not None else skip_reason(cells, mapping)
        if reason:
            out.append(RowResult(row_number, cells, SKIP, reason=reason))
            continue
        fields = row_fields(cells, mapping)
        person, errors = check_person(fields, today=as_of)
        problems = [(e.field, e.message) for e in errors]
        joined_raw = fields.get("joined_on")
        joined: dt.date | None = None
        try:
            joined = check_joined_on(
                joined_raw if joined_raw is not None else as_of,
                birth_date=person.birth_date if person else dt.date(1900, 1, 1), today=as_of)
        except PersonInvalid as exc:
            problems += [(e.field, e.message) for e in exc.errors]
        card = fields.get("card_number")
        if card is not None:
            card = normalize_code(card)
            if len(card) > card_limit:
                problems.append(("card_number", _("会员证号最多 {n} 位。").format(n=card_limit)))
        code = normalize_code(fields.get(UNION_CODE)) if bulk else ""
        if problems or person is None:
            out.append(_reject(row_number, cells, problems))
            continue
        values = {name: getattr(person, name) for name in registry.PERSON_DATA_FIELDS}
        supplied = frozenset(fields) & _PERSON_FIELD_SET | {"gender", "birth_date"}
        out.append(RowResult(
            row_number, cells, OK, values=values, supplied=frozenset(supplied),
            id_number=person.id_number, id_hash=person.id_hash, joined_on=joined,
            card_number=card or None, union_code=code,
            cipher=encrypt(person.id_number) if with_cipher else b"",
        ))
    return out
