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

    def accepted(self, index: int) -> bool:
        return not self.codes[index]


def _by_distinct(spec: FieldSpec, column: Sequence[Any]) -> tuple[list[Any], list[str | None]]:
    """parse_field once per distinct cell: (value or _BLANK per row, error code per row)."""
    memo: dict[tuple[type, Any], tuple[Any, str | None]] = {}
    values: list[Any] = []
    codes: list[str | None] = []
    for cell in column:
        key = (type(cell), cell)
        hit = memo.get(key)
        if hit is None:
            if is_blank(cell):
                hit = (_BLANK, None)
            else:
                try:
                    hit = (parse_field(spec, cell), None)
                except CellError as exc:
                    hit = (None, exc.code)
            memo[key] = hit
        values.append(hit[0])
        codes.append(hit[1])
    return values, codes


def _fast_mask(column: Sequence[Any], pattern: str) -> list[bool]:
    """Which cells are text in the canonical form `pattern` (Polars, one pass)."""
    series = pl.Series(values=[c if type(c) is str else None for c in column], dtype=pl.String)
    return series.str.contains(pattern).fill_null(False).to_list()


def _canonical_or_distinct(spec: FieldSpec, column: Sequence[Any], pattern: str
                           ) -> tuple[list[Any], list[str | None]]:
    """Canonical cells as they are; the others through parse_field once per distinct cell."""
    fast = _fast_mask(column, pattern)
    rest = [None if ok else cell for ok, cell in zip(fast, column, strict=True)]
    values, codes = _by_distinct(spec, rest)
    for index, ok in enumerate(fast):
        if ok:
            values[index] = column[index]
    return values, codes


def _id_canonical(column: Sequence[Any], today: dt.date) -> pl.DataFrame:
    """Columns `fast` (the canonical form), `code` (None or the id_* error), `birth`, `male`."""
    series = pl.Series("id", [c if type(c) is str else None for c in column], dtype=pl.String)
    frame = pl.DataFrame([series]).with_columns(
        pl.col("id").str.contains(_ID_CANONICAL).fill_null(False).alias("fast"))
    digits = [pl.col("id").str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(17)]
    weighted = pl.sum_horizontal([d * w for d, w in zip(digits, _CHECK_WEIGHTS, strict=True)])
    check = (1 - weighted % 11 + 11) % 11
    expected = pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String))
    birth = pl.col("id").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    frame = frame.with_columns(
        birth.alias("birth"),
        (pl.col("id").str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1).alias("male"),
        pl.col("id").str.slice(0, 2).is_in(list(PROVINCE_CODES)).alias("province_ok"),
        (pl.col("id").str.slice(17, 1) == expected).alias("check_ok"),
    )
    code = (pl.when(~pl.col("fast")).then(None)
            .when(~pl.col("province_ok")).then(pl.lit("id_province"))
            .when(pl.col("birth").is_null() | (pl.col("birth") < _EARLIEST_BIRTH)
                  | (pl.col("birth") > today)).then(pl.lit("id_birth_date"))
            .when(~pl.col("check_ok")).then(pl.lit("id_checksum"))
            .otherwise(None))
    frame = frame.with_columns(code.alias("code"))
    # a refused number's birth date may lie outside Python's dates (year 0): never read it
    return frame.with_columns(pl.when(pl.col("fast") & pl.col("code").is_null())
                              .then(pl.col("birth")).otherwise(None).alias("birth"))


def _id_column(column: Sequence[Any], today: dt.date
               ) -> tuple[list[str | None], list[Any], list[str | None], list[str | None]]:
    """(number, birth date, gender, error code) per row; None number where blank or wrong."""
    frame = _id_canonical(column, today)
    fast = frame["fast"].to_list()
    fast_codes = frame["code"].to_list()
    births = frame["birth"].to_list()
    genders: list[str | None] = ["M" if m else "F" for m in frame["male"].to_list()]
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
                         today: dt.date) -> PeopleColumns:
    """Validate `rows` rows given as columns (field name → cells, as `check_person` takes them:
    already the first non-blank of several columns for one field; a missing field is blank)."""
    blank_column: list[Any] = [None] * rows
    out = PeopleColumns(rows=rows, codes=[[] for _ in range(rows)])
    id_numbers, births, genders, id_codes = _id_column(columns.get("id_number", blank_column),
                                                       today)
    for spec in PERSON_FIELDS:
        column = columns.get(spec.name, blank_column)
        if spec.kind == "id":
            values: list[Any] = id_numbers
            codes = id_codes
        elif spec.name == "name":
            values, codes = _canonical_or_distinct(spec, column, _NAME_CANONICAL)
        elif spec.kind == "phone":
            values, codes = _canonical_or_distinct(spec, column, _PHONE_CANONICAL)
        else:
            values, codes = _by_distinct(spec, column)
        required = spec.name in _REQUIRED
        for index in range(rows):
            if codes[index] is not None:
                out.codes[index].append((spec.name, codes[index]))  # type: ignore[arg-type]
            elif values[index] is _BLANK:
                values[index] = _DEFAULTS.get(spec.name)
                if required:
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
    """gender_mismatch, birth_mismatch, too_young where the ID number could be read — in
    check_person's order, after the field errors."""
    given_gender = out.values["gender"]
    given_birth = out.values["birth_date"]
    numbers = out.values["id_number"]
    for index in range(out.rows):
        if numbers[index] is None:
            continue
        codes = out.codes[index]
        if given_gender[index] and given_gender[index] != genders[index]:
            codes.append(("gender", "gender_mismatch"))
        if given_birth[index] and given_birth[index] != births[index]:
            codes.append(("birth_date", "birth_mismatch"))
        if too_young(births[index], today):
            codes.append(("id_number", "too_young"))
