"""The members validation, column-wise: a whole batch of rows checked at once (the roster
importer's path; forms and the API keep `validation.check_person`, row by row).

The rules are *not* written again here. Each field's rule is `validation.parse_field` (the one
definition `check_person` also calls), applied once per **distinct** value of a column — a
roster repeats a few hundred genders, ethnicities, schools, employers and dates a million
times — and joined back to the rows. The columns whose values are all different are checked
with Polars expressions, but only in the canonical form whose result the rule fixes anyway:

- ID number: 17 ASCII digits and a digit or `X` — province in `PROVINCE_CODES`, birth date
  from digits 7–14 (a real date, 1900-01-01 … today), the GB 11643 check character as
  `stdnum.cn.ric` computes it, gender from the 17th digit. Any other form (full-width, spaces,
  dashes, lower-case x, `.0`, Excel's scientific notation) goes through
  `core.cells.parse_id_number` like a row would;
- name: only CJK unified ideographs (NFKC leaves them as they are, `parse_name` accepts them
  as written); any other name through `parse_field`;
- phone: `1[3-9]` and 9 more ASCII digits (what `parse_phone` returns unchanged); any other
  through `parse_field`.

The cross-field rules (gender and birth date against the ID number, 16 years of age) are
computed on the columns with `validation.too_young`'s definition. Codes come out per row in
`check_person`'s order; the Chinese messages of a rejected row are `check_person`'s own (the
caller asks it for the few rejected rows). `tests/test_validation_columns.py` proves with
hypothesis that both paths accept the same rows with the same values and refuse the others
with the same error codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import polars as pl

from gonghui.core import cells
from gonghui.core.cells import CellError, is_blank
from gonghui.core.idnumber import PROVINCE_CODES
from gonghui.members.validation import (
    _REQUIRED,
    PERSON_FIELDS,
    FieldSpec,
    ValidatedPerson,
    parse_field,
    too_young,
)

# 2**(17-i) mod 11, i = 0..16: int(first17, 13) * 2 ≡ Σ d_i·2^(17-i) (mod 11), since 13 ≡ 2
# (stdnum.cn.ric.calc_check_digit: (1 - 2·int(number[:-1], 13)) mod 11, 10 → X)
_CHECK_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CANONICAL = r"^[0-9]{17}[0-9X]$"
_NAME_CANONICAL = r"^[\x{4e00}-\x{9fff}]{1,64}$"
_PHONE_CANONICAL = r"^1[3-9][0-9]{9}$"
_DATE_CANONICAL = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_EARLIEST_BIRTH = dt.date(1900, 1, 1)

_BLANK = object()  # a cell check_person treats as absent
# what a blank optional field is in a ValidatedPerson ("" for text and codes, None for money)
_DEFAULTS = {f.name: f.default for f in fields(ValidatedPerson) if f.default is not MISSING}


@dataclass
class PeopleColumns:
    """The outcome per row: `codes[i]` empty ⇔ accepted; then `values[f][i]` is the field's
    value (None for a blank optional field) and `id_numbers`, `genders`, `birth_dates` are
    what the ID number says."""

    rows: int
    codes: list[list[tuple[str, str]]]
    values: dict[str, list[Any]] = field(default_factory=dict)
    id_numbers: list[str | None] = field(default_factory=list)
    dates: dict[str, list[dt.date | None]] = field(default_factory=dict)

    def accepted(self, index: int) -> bool:
        return not self.codes[index]


def _parse_one(spec: FieldSpec, cell: Any) -> tuple[Any, str | None]:
    if is_blank(cell):
        return _BLANK, None
    try:
        return parse_field(spec, cell), None
    except CellError as exc:
        return None, exc.code


def _by_distinct(spec: FieldSpec, column: Sequence[Any]) -> tuple[list[Any], list[str | None]]:
    """parse_field once per distinct cell: (value or _BLANK per row, error code per row)."""
    distinct = set(column)
    if all(type(cell) is str or cell is None for cell in distinct):
        # text only (a CSV): no two cells of different types compare equal (1 == 1.0 == True)
        memo = {cell: _parse_one(spec, cell) for cell in distinct}
        values = [memo[cell][0] for cell in column]
        return values, [memo[cell][1] for cell in column]
    typed = {(type(cell), cell): _parse_one(spec, cell) for cell in column}
    keys = [(type(cell), cell) for cell in column]
    return [typed[k][0] for k in keys], [typed[k][1] for k in keys]


def canonical_date(column: str) -> pl.Expr:
    """`YYYY-MM-DD` (ASCII, year 1000–9999) that is a real date: what parse_date returns for
    it; null for any other cell (left to parse_date)."""
    text = pl.col(column)
    return (pl.when(text.str.contains(_DATE_CANONICAL))
            .then(text.str.to_date("%Y-%m-%d", strict=False)).otherwise(None))


def _id_expressions(today: dt.date) -> list[pl.Expr]:
    """`id_fast` (the canonical form), `id_code` (None or the id_* error), `id_birth`,
    `id_male` — what core.idnumber.parse says of a canonical number."""
    number = pl.col("id_number")
    fast = number.str.contains(_ID_CANONICAL).fill_null(False)
    digits = [number.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(17)]
    weighted = pl.sum_horizontal([d * w for d, w in zip(digits, _CHECK_WEIGHTS, strict=True)])
    check = (1 - weighted % 11 + 11) % 11
    expected = pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String))
    birth = number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    code = (pl.when(~fast).then(None)
            .when(~number.str.slice(0, 2).is_in(list(PROVINCE_CODES))).then(pl.lit("id_province"))
            .when(birth.is_null() | (birth < _EARLIEST_BIRTH) | (birth > today))
            .then(pl.lit("id_birth_date"))
            .when(number.str.slice(17, 1) != expected).then(pl.lit("id_checksum"))
            .otherwise(None))
    return [
        fast.alias("id_fast"), code.alias("id_code"),
        # a refused number's birth date may lie outside Python's dates (year 0): never read it
        pl.when(fast & code.is_null()).then(birth).otherwise(None).alias("id_birth"),
        (number.str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1).alias("id_male"),
    ]


def _canonical(columns: Mapping[str, Sequence[Any]], rows: int, today: dt.date,
               dates: Sequence[str]) -> dict[str, list[Any]]:
    """Every column-wise test of a batch, in one Polars query (one pass, one collect)."""
    def text(name: str) -> list[str | None]:
        column = columns.get(name)
        if column is None:
            return [None] * rows
        return [c if type(c) is str else None for c in column]

    names = ["id_number", "name", "phone", "birth_date", *dates]
    frame = pl.DataFrame({n: text(n) for n in names}, schema=dict.fromkeys(names, pl.String))
    query = frame.lazy().select(
        *_id_expressions(today),
        pl.col("name").str.contains(_NAME_CANONICAL).fill_null(False).alias("name_fast"),
        pl.col("phone").str.contains(_PHONE_CANONICAL).fill_null(False).alias("phone_fast"),
        *[canonical_date(n).alias(f"{n}_date") for n in ("birth_date", *dates)],
    )
    result = query.collect()
    return {name: result[name].to_list() for name in result.columns}


def _canonical_or_distinct(spec: FieldSpec, column: Sequence[Any], fast: list[Any]
                           ) -> tuple[list[Any], list[str | None]]:
    """Where `fast` holds a value (the canonical cells') it is the rule's result; the other
    cells go through parse_field once per distinct cell."""
    rest = [None if ok is not None and ok is not False else cell
            for ok, cell in zip(fast, column, strict=True)]
    values, codes = _by_distinct(spec, rest)
    for index, ok in enumerate(fast):
        if ok is True:
            values[index] = column[index]
        elif ok is not None and ok is not False:
            values[index] = ok
    return values, codes


def _id_column(column: Sequence[Any], canonical: dict[str, list[Any]], today: dt.date
               ) -> tuple[list[str | None], list[Any], list[str | None], list[str | None]]:
    """(number, birth date, gender, error code) per row; None number where blank or wrong."""
    fast = canonical["id_fast"]
    fast_codes = canonical["id_code"]
    births = canonical["id_birth"]
    genders: list[str | None] = ["M" if m else "F" for m in canonical["id_male"]]
    numbers: list[str | None] = list(column)
    codes: list[str | None] = [None] * len(column)
    memo: dict[tuple[type, Any], Any] = {}
    for index, cell in enumerate(column):
        if fast[index]:
            codes[index] = fast_codes[index]
            if codes[index] is not None:
                numbers[index] = None
            continue
        numbers[index] = None
        if is_blank(cell):
            codes[index] = "required"
            continue
        key = (type(cell), cell)
        if key not in memo:
            try:
                memo[key] = cells.parse_id_number(cell, today=today)
            except CellError as exc:
                memo[key] = exc.code
        parsed = memo[key]
        if isinstance(parsed, str):
            codes[index] = parsed
        else:
            numbers[index], births[index] = parsed.number, parsed.birth_date
            genders[index] = parsed.gender
    return numbers, births, genders, codes


def check_people_columns(columns: Mapping[str, Sequence[Any]], *, rows: int,
                         today: dt.date, dates: Sequence[str] = ()) -> PeopleColumns:
    """Validate `rows` rows given as columns (field name → cells, as `check_person` takes them:
    already the first non-blank of several columns for one field; a missing field is blank).
    `dates`: more columns (not a person's) whose canonical dates to read in the same pass,
    into `out.dates[name]` (None where a cell is not canonical)."""
    blank_column: list[Any] = [None] * rows
    out = PeopleColumns(rows=rows, codes=[[] for _ in range(rows)])
    canonical = _canonical(columns, rows, today, dates)
    out.dates = {name: canonical[f"{name}_date"] for name in dates}
    id_numbers, births, genders, id_codes = _id_column(columns.get("id_number", blank_column),
                                                       canonical, today)
    for spec in PERSON_FIELDS:
        column = columns.get(spec.name, blank_column)
        if spec.kind == "id":
            values: list[Any] = id_numbers
            codes = id_codes
        elif spec.name in ("name", "phone", "birth_date"):
            fast = canonical["birth_date_date" if spec.name == "birth_date"
                             else f"{spec.name}_fast"]
            values, codes = _canonical_or_distinct(spec, column, fast)
        else:
            values, codes = _by_distinct(spec, column)
        for index in [i for i, code in enumerate(codes) if code is not None]:
            out.codes[index].append((spec.name, codes[index]))  # type: ignore[arg-type]
        if spec.kind != "id":
            blanks = [i for i, value in enumerate(values) if value is _BLANK]
            default = _DEFAULTS.get(spec.name)
            for index in blanks:
                values[index] = default
            if spec.name in _REQUIRED:
                for index in blanks:
                    out.codes[index].append((spec.name, "required"))
        out.values[spec.name] = values
    _cross_codes(out, births, genders, today)
    out.id_numbers = id_numbers
    out.values["gender"] = [g if n is not None else None
                            for g, n in zip(genders, id_numbers, strict=True)]
    out.values["birth_date"] = [b if n is not None else None
                                for b, n in zip(births, id_numbers, strict=True)]
    return out


def _cross_codes(out: PeopleColumns, births: list[Any], genders: list[str | None],
                 today: dt.date) -> None:
    """gender_mismatch, birth_mismatch, too_young where the ID number could be read — per row
    in check_person's order, after the field errors (one pass per rule keeps that order)."""
    numbers = out.values["id_number"]
    read = [n is not None for n in numbers]
    for index, (ok, given, said) in enumerate(zip(read, out.values["gender"], genders,
                                                  strict=True)):
        if ok and given and given != said:
            out.codes[index].append(("gender", "gender_mismatch"))
    for index, (ok, given, said) in enumerate(zip(read, out.values["birth_date"], births,
                                                  strict=True)):
        if ok and given and given != said:
            out.codes[index].append(("birth_date", "birth_mismatch"))
    young = {birth: too_young(birth, today) for birth in set(births) if birth is not None}
    for index, (ok, birth) in enumerate(zip(read, births, strict=True)):
        if ok and young[birth]:
            out.codes[index].append(("id_number", "too_young"))
