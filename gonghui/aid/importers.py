"""Reading local 低保 standard tables (.xlsx or .csv) as cadres keep them.

Pure parsing (no database): find the header row wherever it is (title rows and merged cells
above it), recognise column names with spaces, full-width characters, units in brackets and
synonyms, and turn every data row into a StandardRow or a RowError saying which row, which
column, and why. Resolving the region to an org and writing is the service's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from gonghui.core import cells
from gonghui.core.cells import CellError, cell_text, check_spreadsheet

HEADER_SCAN_ROWS = 20

# canonical column → the words seen in real tables (normalised: NFKC, no spaces, no brackets)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "region": ("地区", "区域", "行政区", "行政区划", "地区名称", "所在地区", "区县", "区/县",
               "组织代码", "工会代码", "工会", "地区代码", "地区或组织代码"),
    "year": ("年度", "年份", "年", "标准年度"),
    "line": ("低保标准", "最低生活保障标准", "城市低保标准", "城乡低保标准", "城乡居民低保标准",
             "月低保标准", "低保", "标准", "标准金额"),
    "effective_from": ("执行日期", "执行时间", "生效日期", "起始日期", "实施日期"),
    "source": ("文件依据", "依据", "文号", "政策依据", "备注"),
}
LABELS = {"region": "地区", "year": "年度", "line": "低保标准", "effective_from": "执行日期",
          "source": "文件依据"}
REQUIRED = ("region", "year", "line")


@dataclass(frozen=True)
class StandardRow:
    line_no: int
    region: str
    year: int
    monthly_line: Decimal
    effective_from: dt.date | None = None
    source: str = ""


@dataclass(frozen=True)
class RowError:
    line_no: int
    column: str
    reason: str


@dataclass
class ParseResult:
    rows: list[StandardRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    header_line: int = 0


def normalize_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"[(\[（【].*?[)\]）】]", "", value)  # units: （元/人/月）
    return re.sub(r"[\s*:：]", "", value)


_LOOKUP = {normalize_header(word): key for key, words in SYNONYMS.items() for word in words}


# a standard is yuan per person per month; tables often write the unit after the figure
_UNIT = re.compile(r"(?:元)?\s*(?:/人/月|/月|/人·月)\s*$")
# 低保 is a monthly figure per person: anything from 100000 up is a unit or typing error
LINE_MAXIMUM = Decimal("100000")


def parse_money(value: Any) -> Decimal:
    """A monthly 低保 line: `core.cells.parse_money` (`1,510.00`, `１５１０元`, `¥1510`, an Excel
    float) after dropping a per-person-per-month unit, then the domain's checks: above zero and
    plausibly per person per month. Raises CellError (a ValueError) with a Chinese reason."""
    text = cell_text(value)
    if isinstance(value, str):
        value = _UNIT.sub("", text)
    # required (the default): a blank cell raises, so `or` only turns 0.00 into Decimal(0)
    amount = cells.parse_money(value, allow_zero=True, allow_negative=True) or Decimal(0)
    if amount <= 0:
        raise CellError("line_not_positive", _("低保标准必须大于 0"))
    if amount >= LINE_MAXIMUM:
        raise CellError("line_range", _("金额 {v} 不像每人每月的低保标准").format(v=text))
    return amount


def parse_year(value: Any) -> int:
    """`2025`, `2025年`, `2025年度`, 2025.0 → 2025 (2000–2100)."""
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})(年度?|\.0)?", text)
    if not match:
        raise ValueError(_("“{v}”不是年度").format(v=text) if text else _("年度为空"))
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(_("年度 {y} 不在 2000–2100 之间").format(y=year))
    return year


def parse_date(value: Any) -> dt.date | None:
    """The optional 执行日期: `core.cells.parse_date` (blank → None)."""
    return cells.parse_date(value, required=False)


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """Index of the header row and column of each known field, within the first rows."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _LOOKUP.get(normalize_header(cell))
            if key and key not in columns:
                columns[key] = col
        if all(k in columns for k in REQUIRED):
            return index, columns
    return None


def parse_rows(rows: list[list[Any]]) -> ParseResult:
    result = ParseResult()
    found = find_header(rows)
    if found is None:
        result.errors.append(RowError(0, "", _("没有找到表头：需要“地区”“年度”“低保标准”三列（可在前 {n} 行内）。").format(
            n=HEADER_SCAN_ROWS)))
        return result
    header, columns = found
    result.header_line = header + 1
    seen: dict[tuple[str, int], int] = {}
    for index in range(header + 1, len(rows)):
        row, line_no = rows[index], index + 1

        def cell(key: str, row: list[Any] = row) -> Any:
            col = columns.get(key)
            return row[col] if col is not None and col < len(row) else None

        if all(cell_text(c) == "" for c in row):
            continue
        region = cell_text(cell("region"))
        if region in ("合计", "总计", "小计"):
            continue
        errors: list[RowError] = []
        if not region:
            errors.append(RowError(line_no, LABELS["region"], _("地区为空")))
        parsed: dict[str, Any] = {}
        for key, parser in (("year", parse_year), ("line", parse_money),
                            ("effective_from", parse_date)):
            try:
                parsed[key] = parser(cell(key))
            except ValueError as exc:
                errors.append(RowError(line_no, LABELS[key], str(exc)))
        if not errors:
            dup_key = (region.upper(), parsed["year"])
            if dup_key in seen:
                errors.append(RowError(line_no, LABELS["region"],
                                       _("与第 {n} 行重复（同一地区同一年度）").format(n=seen[dup_key])))
            else:
                seen[dup_key] = line_no
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(StandardRow(
            line_no=line_no, region=region, year=parsed["year"], monthly_line=parsed["line"],
            effective_from=parsed["effective_from"], source=cell_text(cell("source"))[:200],
        ))
    return result


def read_table(upload: IO[bytes], filename: str) -> list[list[Any]]:
    """The first sheet of an .xlsx (python-calamine), or a .csv in the encoding
    `core.cells.detect_encoding` finds (UTF-8 with or without BOM, UTF-16, or GB18030 — what
    Excel on Chinese Windows writes)."""
    name = filename.lower()
    data = upload.read()
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        # python-calamine is a heavy optional reader: loaded only for a spreadsheet upload
        from python_calamine import CalamineWorkbook

        check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ValueError(_("无法读取该 Excel 文件：{e}").format(e=exc)) from exc
    if name.endswith(".csv"):
        try:
            text = cells.decode_text(data)
        except UnicodeDecodeError as exc:
            raise ValueError(_("CSV 文件编码无法识别（请用 UTF-8 或 GBK）。")) from exc
        return [list(r) for r in csv.reader(io.StringIO(text))]
    raise ValueError(_("只接受 .xlsx 或 .csv 文件。"))
