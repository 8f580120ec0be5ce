"""Stage one of a roster import, column-wise: the same outcome per row as
`prepare.prepare_rows`, for a chunk at once.

The chunk's cells are turned into one column per field (Polars trims the text cells the way
`columns.clean_cell` does; other cells go through `clean_cell` itself), validated by
`members.validation_columns` (each rule's one definition, applied once per distinct value),
and only the accepted rows become `RowResult`s here. A row with any problem — rare — is handed
to `prepare_rows`, row by row, so a rejected row's columns and reason are exactly the ones the
row-wise path gives. Encryption is left to the writer (only new people need a ciphertext).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from gonghui.core.cells import CellError
from gonghui.core.sheets import FORMULA_PREFIXES, QUOTE
from gonghui.members.validation import (
    TEXT_LIMITS,
    id_hashes,
    joined_too_early,
    parse_date,
)
from gonghui.members.validation_columns import check_people_columns
from gonghui.roster import registry
from gonghui.roster.columns import (
    _BLANKS,
    FIELD_KINDS,
    UNION_CODE,
    Mapping,
    clean_cell,
    normalize_code,
    skip_reason,
)
from gonghui.roster.prepare import OK, SKIP, RowResult, prepare_rows

_PERSON_FIELD_SET = frozenset(registry.PERSON_DATA_FIELDS)
_UNQUOTE = r"^'[=+\-@\t\r]"
_NO_BIRTH = dt.date(1900, 1, 1)
# _UNQUOTE is core.sheets.unquote's test, written for its quote and formula characters
assert QUOTE == "'"
assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")


def _cleaned(text: pl.Expr) -> pl.Expr:
    """`columns.clean_cell` of a text cell: blanks trimmed, an export's formula quote dropped,
    empty → None."""
    stripped = text.str.strip_chars(_BLANKS)
    unquoted = pl.when(stripped.str.contains(_UNQUOTE)).then(stripped.str.slice(1)) \
        .otherwise(stripped)
    return pl.when(unquoted == "").then(None).otherwise(unquoted)


def field_columns(rows: Sequence[list[Any]], mapping: Mapping) -> dict[str, list[Any]]:
    """{field: cleaned cells per row}: `columns.row_fields` for a whole chunk (of two columns
    for one field, the first non-blank wins). Text cells are cleaned in one Polars query, any
    other cell by `clean_cell` itself."""
    mapped = sorted(mapping.columns.items())
    raw = {index: [cells[index] if index < len(cells) else None for cells in rows]
           for index, _name in mapped}
    names = [f"c{index}" for index, _name in mapped]
    frame = pl.DataFrame({f"c{i}": [c if type(c) is str else None for c in column]
                          for i, column in raw.items()},
                         schema=dict.fromkeys(names, pl.String))
    cleaned = frame.lazy().select(_cleaned(pl.col(n)).alias(n) for n in names).collect()
    out: dict[str, list[Any]] = {}
    for index, name in mapped:
        column = cleaned[f"c{index}"].to_list()
        kind = FIELD_KINDS.get(name, "text")
        for position, cell in enumerate(raw[index]):
            if cell is not None and type(cell) is not str:
                column[position] = clean_cell(cell, kind)
        if name not in out:
            out[name] = column
        else:
            out[name] = [a if a is not None else b
                         for a, b in zip(out[name], column, strict=True)]
    return out


def _joined_dates(column: list[Any] | None, fast: list[dt.date | None], births: list[Any], *,
                  as_of: dt.date) -> list[dt.date | None]:
    """check_joined_on per row (None where it refuses): a canonical date as read column-wise
    (`fast`), any other cell parsed once per distinct cell."""
    memo: dict[tuple[type, Any], dt.date | None] = {}
    out: list[dt.date | None] = []
    for index, birth in enumerate(births):
        joined = fast[index]
        if joined is None:
            cell = column[index] if column is not None else None
            if cell is None:
                cell = as_of
            key = (type(cell), cell)
            if key not in memo:
                try:
                    memo[key] = parse_date(cell)
                except CellError:
                    memo[key] = None
            joined = memo[key]
        if joined is not None and (joined > as_of
                                   or joined_too_early(joined, birth or _NO_BIRTH)):
            joined = None
        out.append(joined)
    return out


def _codes(column: list[Any] | None, size: int) -> list[str]:
    if column is None:
        return [""] * size
    memo: dict[Any, str] = {}
    out = []
    for cell in column:
        if cell not in memo:
            memo[cell] = normalize_code(cell) if cell is not None else ""
        out.append(memo[cell])
    return out


def prepare_columns(rows: Sequence[tuple[int, list[Any]]], mapping: Mapping, *,
                    as_of: dt.date, skips: Sequence[str] | None = None) -> list[RowResult]:
    """What `prepare_rows(rows, mapping, as_of=…, with_cipher=False, skips=…)` returns,
    computed column-wise."""
    reasons = list(skips) if skips is not None else [skip_reason(c, mapping) for _n, c in rows]
    people = [index for index, reason in enumerate(reasons) if not reason]
    fields = field_columns([rows[i][1] for i in people], mapping)
    size = len(people)
    checked = check_people_columns(fields, rows=size, today=as_of, dates=["joined_on"])
    joined = _joined_dates(fields.get("joined_on"), checked.dates["joined_on"],
                           checked.values["birth_date"], as_of=as_of)
    cards = _codes(fields.get("card_number"), size)
    unions = _codes(fields.get(UNION_CODE), size) if mapping.bulk else [""] * size
    card_limit = TEXT_LIMITS["card_number"]
    present = [name for name in registry.PERSON_DATA_FIELDS if name in fields]
    patterns = list(zip(*[[cell is not None for cell in fields[name]] for name in present],
                        strict=True)) if present else [()] * size
    supplied_of = {pattern: frozenset(name for name, has in zip(present, pattern, strict=True)
                                      if has) | {"gender", "birth_date"}
                   for pattern in set(patterns)}
    names = registry.PERSON_DATA_FIELDS
    records = zip(*[checked.values[name] for name in names], strict=True)
    results: list[RowResult | None] = [None] * len(rows)
    refused: list[int] = []
    hashes = iter(id_hashes([n for n in checked.id_numbers if n is not None]))
    for position, (index, record) in enumerate(zip(people, records, strict=True)):
        number = checked.id_numbers[position]
        if number is not None:
            hashed = next(hashes)
        if checked.codes[position] or joined[position] is None \
                or len(cards[position]) > card_limit:
            refused.append(index)
            continue
        assert number is not None
        number_row, cells = rows[index]
        results[index] = RowResult(
            number_row, cells, OK, values=dict(zip(names, record, strict=True)),
            supplied=supplied_of[patterns[position]], id_number=number,
            id_hash=hashed, joined_on=joined[position],
            card_number=cards[position] or None, union_code=unions[position])
    for index, reason in enumerate(reasons):
        if reason:
            results[index] = RowResult(rows[index][0], rows[index][1], SKIP, reason=reason)
    if refused:
        again = prepare_rows([rows[i] for i in refused], mapping, as_of=as_of,
                             with_cipher=False, skips=["" for _i in refused])
        for index, result in zip(refused, again, strict=True):
            results[index] = result
    return [r for r in results if r is not None]
