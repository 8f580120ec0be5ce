"""Reading medical-insurance settlement files (CSV): one implementation for the CLI and uploads.

Files come from the medical-insurance system or from a clerk's spreadsheet saved as CSV: UTF-8
(with or without BOM) or GB18030, comma / tab / semicolon separated, a title line or two above
the header, Chinese header synonyms, amounts with `¥`, `元` or thousands separators, dates as
`2026-01-22`, `2026/1/22`, `2026.1.22`, `20260122` or `2026年1月22日`. Cells are read by
`core.cells` (one set of rules for every importer); this module adds the file's layout and the
domain's own checks (a negative amount is a reversal record, the three amounts must add up).
Every row is either a `ParsedRow` or a `RowError` that names the column and says what is wrong,
in Chinese.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from gonghui.core.cells import CellError, detect_encoding, parse_date, parse_id_number, parse_money
from gonghui.core.errors import ApplicationError
from gonghui.mutualaid.rules import Category

# field -> accepted header spellings (compared after NFKC, lower-case, no spaces)
HEADERS: dict[str, tuple[str, ...]] = {
    "settlement_no": ("结算单号", "结算编号", "结算流水号", "结算id", "单据号", "settlement_no"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证件号码", "id_number"),
    "patient_name": ("姓名", "患者姓名", "参保人姓名", "name"),
    "hospital": ("医院", "医疗机构", "定点医疗机构", "医院名称", "医疗机构名称", "就诊医院",
                 "hospital"),
    "admitted_on": ("入院日期", "入院时间", "admitted_on"),
    "discharged_on": ("出院日期", "出院时间", "discharged_on"),
    "total": ("医疗总费用", "总费用", "费用总额", "医疗费用总额", "total"),
    "insurance_paid": ("统筹支付", "医保支付", "基金支付", "医保统筹支付", "统筹基金支付",
                       "insurance_paid"),
    "self_paid": ("个人自付", "个人负担", "自付金额", "个人支付", "self_paid"),
    "category": ("类别", "就诊类别", "住院类别", "category"),
}  # fmt: skip
REQUIRED = ("settlement_no", "id_number", "hospital", "admitted_on", "discharged_on", "total",
            "insurance_paid", "self_paid")
LABELS = {
    "settlement_no": "结算单号", "id_number": "身份证号码", "patient_name": "姓名",
    "hospital": "医疗机构", "admitted_on": "入院日期", "discharged_on": "出院日期",
    "total": "医疗总费用", "insurance_paid": "统筹支付", "self_paid": "个人自付",
    "category": "类别",
}  # fmt: skip
CATEGORY_WORDS = {
    "": Category.ILLNESS, "疾病": Category.ILLNESS, "疾病住院": Category.ILLNESS,
    "普通": Category.ILLNESS, "普通住院": Category.ILLNESS, "illness": Category.ILLNESS,
    "意外": Category.ACCIDENT, "意外伤害": Category.ACCIDENT, "意外住院": Category.ACCIDENT,
    "accident": Category.ACCIDENT,
    "重大疾病": Category.CRITICAL, "重疾": Category.CRITICAL, "critical": Category.CRITICAL,
}  # fmt: skip

_SETTLEMENT_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/]{0,63}$")
_HEADER_SCAN_ROWS = 10


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


_LOOKUP = {_key(word): field for field, words in HEADERS.items() for word in words}


@dataclass(frozen=True)
class ParsedRow:
    row_no: int
    settlement_no: str
    id_number: str  # normalised and validated
    patient_name: str
    hospital: str
    admitted_on: dt.date
    discharged_on: dt.date
    total: Decimal
    insurance_paid: Decimal
    self_paid: Decimal
    category: str


@dataclass(frozen=True)
class RowError:
    row_no: int
    column: str
    code: str
    message: str
    settlement_no: str = ""


def parse_amount(raw: str) -> Decimal:
    """Yuan to the fen (`core.cells.parse_money`). A negative amount is a reversal record
    (冲销) of the medical-insurance system: refused with its own reason, never netted."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text.startswith("-"):
        raise CellError("money_reversal",
                        _("金额“{value}”为负数（冲销记录），不予受理。").format(value=raw))
    amount = parse_money(text)
    assert amount is not None  # required: a blank cell raised
    return amount


def parse_category(raw: str) -> str:
    key = _key(raw)
    if key not in CATEGORY_WORDS:
        raise CellError("category",
                        _("类别“{value}”无法识别，应为 疾病、意外 或 重大疾病。").format(value=raw))
    return CATEGORY_WORDS[key]


def map_header(cells: list[str]) -> dict[str, int] | None:
    """Column index per field when `cells` is a header row holding every required field."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = _LOOKUP.get(_key(cell))
        if field and field not in found:
            found[field] = index
    if all(field in found for field in REQUIRED):
        return found
    return None


def parse_row(cells: list[str], columns: dict[str, int], row_no: int, *,
              today: dt.date) -> ParsedRow | list[RowError]:
    def cell(field: str) -> str:
        index = columns.get(field)
        if index is None or index >= len(cells):
            return ""
        return (cells[index] or "").strip()

    number = unicodedata.normalize("NFKC", cell("settlement_no")).strip()
    errors: list[RowError] = []

    def fail(field: str, code: str, message: str) -> None:
        errors.append(RowError(row_no, LABELS[field], code, message, number[:64]))

    if not number:
        fail("settlement_no", "required", _("结算单号不能为空。"))
    elif not _SETTLEMENT_NO.match(number):
        fail("settlement_no", "format", _("结算单号只能包含字母、数字、短横线、下划线和斜线，最长 64 位。"))
    id_number = ""
    try:
        id_number = parse_id_number(cell("id_number"), today=today).number
    except CellError as exc:
        fail("id_number", exc.code, exc.message)
    hospital = unicodedata.normalize("NFKC", cell("hospital")).strip()
    if not hospital:
        fail("hospital", "required", _("医疗机构不能为空。"))
    elif len(hospital) > 200:
        fail("hospital", "too_long", _("医疗机构名称不能超过 200 个字符。"))
    dates: dict[str, dt.date] = {}
    for field in ("admitted_on", "discharged_on"):
        try:
            day = parse_date(cell(field))
        except CellError as exc:
            fail(field, "date", exc.message)
        else:
            assert day is not None  # required: a blank cell raised
            dates[field] = day
    amounts: dict[str, Decimal] = {}
    for field in ("total", "insurance_paid", "self_paid"):
        try:
            amounts[field] = parse_amount(cell(field))
        except CellError as exc:
            fail(field, "amount", exc.message)
    category: str = Category.ILLNESS
    try:
        category = parse_category(cell("category"))
    except CellError as exc:
        fail("category", "category", str(exc))
    if len(dates) == 2:
        if dates["discharged_on"] < dates["admitted_on"]:
            fail("discharged_on", "dates_order", _("出院日期早于入院日期。"))
        elif dates["discharged_on"] > today:
            fail("discharged_on", "future", _("出院日期晚于今天。"))
    if len(amounts) == 3 and amounts["total"] != amounts["insurance_paid"] + amounts["self_paid"]:
        fail("total", "unbalanced", _("医疗总费用 {total} 不等于统筹支付 {ins} 与个人自付 {own} 之和。")
             .format(total=amounts["total"], ins=amounts["insurance_paid"],
                     own=amounts["self_paid"]))
    if errors:
        return errors
    return ParsedRow(
        row_no=row_no, settlement_no=number, id_number=id_number,
        patient_name=unicodedata.normalize("NFKC", cell("patient_name"))[:64],
        hospital=hospital, admitted_on=dates["admitted_on"],
        discharged_on=dates["discharged_on"], total=amounts["total"],
        insurance_paid=amounts["insurance_paid"], self_paid=amounts["self_paid"],
        category=category,
    )


def fingerprint(id_hash: str, row: ParsedRow) -> str:
    """The stay itself, whatever its settlement number: a resubmission has the same one."""
    text = "|".join([id_hash, row.hospital, row.admitted_on.isoformat(),
                     row.discharged_on.isoformat(), str(row.total), str(row.insurance_paid),
                     str(row.self_paid), row.category])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def open_text(binary: IO[bytes]) -> io.TextIOWrapper:
    """The file as text, its encoding told by `core.cells.detect_encoding`."""
    head = binary.read(65536)
    binary.seek(0)
    return io.TextIOWrapper(binary, encoding=detect_encoding(head), newline="")


def _delimiter(sample: str) -> str:
    """The separator used most in the first lines (csv.Sniffer is thrown off by title lines)."""
    head = "\n".join(sample.splitlines()[:20])
    return max(",\t;|", key=head.count)


def read_rows(text: IO[str], *, today: dt.date) -> Iterator[ParsedRow | list[RowError]]:
    """Parse a whole file lazily. Raises ApplicationError when no header row is found."""
    sample = text.read(65536)
    text.seek(0)
    reader = csv.reader(text, delimiter=_delimiter(sample))
    columns: dict[str, int] | None = None
    row_no = 0
    for cells in reader:
        row_no += 1
        if columns is None:
            columns = map_header(cells)
            if columns is None and row_no >= _HEADER_SCAN_ROWS:
                break
            continue
        if not any((c or "").strip() for c in cells):
            continue
        if _is_total_row(cells):
            continue
        yield parse_row(cells, columns, row_no, today=today)
    if columns is None:
        missing = "、".join(LABELS[f] for f in REQUIRED)
        raise ApplicationError(
            _("文件前 {n} 行中没有找到表头。表头须包含：{columns}。").format(
                n=_HEADER_SCAN_ROWS, columns=missing),
            code="no_header",
        )


def _is_total_row(cells: list[str]) -> bool:
    first = _key(next((c for c in cells if (c or "").strip()), ""))
    return first in {"合计", "总计", "小计", "total"}


def count_rows(binary: IO[bytes]) -> int:
    """Lines in the file (for the progress bar); the header lines are included."""
    binary.seek(0)
    count = sum(chunk.count(b"\n") for chunk in iter(lambda: binary.read(1 << 20), b""))
    binary.seek(0)
    return count
