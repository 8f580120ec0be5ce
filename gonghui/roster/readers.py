"""Reading roster files row by row: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv/.txt
through the csv module with the encoding guessed (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
GB18030 — what Excel's "CSV" produces on a Chinese Windows).

A reader yields `(row_number, cells)` where `row_number` is the 1-based line the cadre sees in
Excel or a text editor, so the error report can point at it. Cells are whatever the file holds:
str for CSV; str/int/float/bool/date/datetime for spreadsheets (cleaning.py turns them into text).
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _

from gonghui.core.cells import (
    MAX_COLUMNS,
    CellError,
    bounded_lines,
    check_zip,
    detect_encoding,
    too_wide,
)
from gonghui.core.errors import ApplicationError
from gonghui.roster.xlsx_stream import XlsxError, XlsxStream

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SUFFIXES = SPREADSHEET_SUFFIXES | TEXT_SUFFIXES

Cell = Any
Row = tuple[int, list[Cell]]

# csv fields can be long (addresses, notes); a wrong delimiter guess must not blow up.
csv.field_size_limit(1 << 20)


class UnreadableFile(ApplicationError):
    """The file as a whole cannot be read (wrong type, corrupt, no sheet): nothing is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreadable_file")


@dataclass(frozen=True)
class SourceInfo:
    kind: str  # "xlsx" (any calamine format) or "csv"
    encoding: str = ""  # csv only
    delimiter: str = ""  # csv only
    sheet: str = ""  # spreadsheets only


def detect_delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";"):
        counts = [line.count(delimiter) for line in lines]
        if not counts or max(counts) == 0:
            continue
        score = sum(counts) + (1000 if len(set(counts[-5:])) == 1 else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


_SAMPLE_BYTES = 1 << 20


def _csv_rows(path: Path, info_out: list[SourceInfo]) -> Iterator[Row]:
    with path.open("rb") as raw:
        sample = raw.read(_SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    if b"\x00" in sample[:4096] and not encoding.startswith("utf-16"):
        raise UnreadableFile(_("文件不是文本格式的 CSV（可能是改了扩展名的 Excel 文件），请另存为 .xlsx 或 CSV 后重新上传。"))
    head = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(head)
    info_out.append(SourceInfo(kind="csv", encoding=encoding, delimiter=delimiter))
    # newline="" as the csv module requires; quoted fields may then hold line breaks.
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        # bounded: a 50 MB line is refused at its first 100,000 characters (issue 13)
        reader = csv.reader(bounded_lines(handle), delimiter=delimiter)
        try:
            for index, cells in enumerate(reader):
                if len(cells) > MAX_COLUMNS:
                    raise UnreadableFile(too_wide(len(cells)).message)
                yield reader.line_num if reader.line_num else index + 1, cells
        except CellError as exc:
            raise UnreadableFile(exc.message) from exc
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _("文件第 {line} 行附近含有无法识别的字符（编码不是 UTF-8 或 GB18030），"
                  "请用 Excel 另存为“CSV UTF-8”或 .xlsx 后重新上传。").format(line=reader.line_num + 1)
            ) from exc
        except csv.Error as exc:
            raise UnreadableFile(
                _("CSV 文件第 {line} 行格式有误（{error}），请检查引号是否成对。").format(
                    line=reader.line_num, error=exc)
            ) from exc


def _xlsx_rows(path: Path, info_out: list[SourceInfo]) -> Iterator[Row]:

    try:
        stream = XlsxStream(str(path))
    except CellError as exc:  # refused before reading: a zip bomb
        raise UnreadableFile(exc.message) from exc
    except (XlsxError, ElementTree.ParseError, expat.ExpatError, KeyError) as exc:
        if isinstance(exc.__cause__, zipfile.BadZipFile) and not _looks_like_zip(path):
            raise UnreadableFile(_not_a_spreadsheet()) from exc  # a renamed file
        raise UnreadableFile(
            _("无法打开该 Excel 文件（{error}）。请确认文件未加密、未损坏，并另存为 .xlsx 后重试。").format(
                error=str(exc)[:120])
        ) from exc
    info_out.append(SourceInfo(kind="xlsx", sheet=stream.sheet_name))
    try:
        yield from stream.rows()
    except CellError as exc:  # wider than MAX_COLUMNS
        raise UnreadableFile(exc.message) from exc
    except (XlsxError, expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise UnreadableFile(_("读取 Excel 工作表时出错（{error}），文件可能已损坏。").format(
            error=str(exc)[:120])) from exc
    finally:
        stream.close()


def _calamine_rows(path: Path, info_out: list[SourceInfo]) -> Iterator[Row]:
    """Legacy formats (.xls ≤ 65,536 rows, .xlsb, .ods): calamine loads the sheet at once."""
    from python_calamine import CalamineWorkbook  # heavy optional library: legacy formats only

    if zipfile.is_zipfile(path):  # .ods and .xlsb are zips too: no bomb into calamine either
        try:
            with zipfile.ZipFile(path) as archive:
                check_zip(archive)
        except CellError as exc:
            raise UnreadableFile(exc.message) from exc
        except zipfile.BadZipFile:
            pass  # calamine says what is wrong with it
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise UnreadableFile(
            _("无法打开该 Excel 文件（{error}）。请确认文件未加密、未损坏，并另存为 .xlsx 后重试。").format(
                error=str(exc)[:120])
        ) from exc
    with workbook:
        sheet = None
        for meta in workbook.sheets_metadata:
            # the first visible worksheet: templates keep their code lists on a hidden sheet
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                sheet = workbook.get_sheet_by_name(meta.name)
                break
        if sheet is None:
            raise UnreadableFile(_("该 Excel 文件中没有可读取的工作表。"))
        if sheet.width > MAX_COLUMNS:
            raise UnreadableFile(too_wide(sheet.width).message)
        info_out.append(SourceInfo(kind="xlsx", sheet=sheet.name))
        start = sheet.start
        first_row = start[0] if start else 0
        for index, cells in enumerate(sheet.iter_rows()):
            yield first_row + index + 1, cells


def _looks_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _not_a_spreadsheet() -> str:
    return _("文件不是 Excel 格式（可能是改了扩展名的 CSV 或其他文件）。请用 Excel 打开后另存为 .xlsx，"
             "或按实际格式使用 .csv 扩展名后重新上传。")


class RosterSource:
    """An opened roster file. Iterate it for `(row_number, cells)`; `info` is set once iteration
    has started (encoding / delimiter / sheet name)."""

    def __init__(self, path: str | Path, *, name: str = "") -> None:
        self.path = Path(path)
        self.name = name or self.path.name
        suffix = Path(self.name).suffix.lower() or self.path.suffix.lower()
        if suffix not in SUFFIXES:
            raise UnreadableFile(
                _("不支持的文件类型“{suffix}”：请上传 .xlsx、.xls 或 .csv 文件。").format(
                    suffix=suffix or _("无扩展名"))
            )
        if not self.path.exists():
            raise UnreadableFile(_("找不到文件 {name}。").format(name=self.name))
        if self.path.stat().st_size == 0:
            raise UnreadableFile(_("文件是空的。"))
        self.suffix = suffix
        self._info: list[SourceInfo] = []

    @property
    def kind(self) -> str:
        return "csv" if self.suffix in TEXT_SUFFIXES else "xlsx"

    @property
    def info(self) -> SourceInfo | None:
        return self._info[0] if self._info else None

    def estimate_rows(self) -> int:
        """Rows in the file, cheaply (for progress bars): newlines of a CSV, the `<dimension>` of
        an .xlsx sheet. 0 when unknown."""
        try:
            if self.kind == "csv":
                count = 0
                last = b"\n"
                with self.path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        count += block.count(b"\n")
                        last = block[-1:]
                return count + (0 if last == b"\n" else 1)
            if self.suffix in (".xlsx", ".xlsm"):
                stream = XlsxStream(str(self.path), shared_strings=False)
                try:
                    return stream.dimension_rows()
                finally:
                    stream.close()
        except (OSError, ValueError, zipfile.BadZipFile, ElementTree.ParseError, expat.ExpatError):
            return 0  # CellError (a refused file) is a ValueError too
        return 0

    def __iter__(self) -> Iterator[Row]:
        self._info.clear()
        if self.kind == "csv":
            return _csv_rows(self.path, self._info)
        if self.suffix in (".xlsx", ".xlsm"):
            return _xlsx_rows(self.path, self._info)
        return _calamine_rows(self.path, self._info)


def cell_is_blank(value: Cell) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(" \t\r\n\u3000\u00a0\u200b\ufeff")
    return False


def as_excel_date(value: Cell) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


__all__ = ["SUFFIXES", "RosterSource", "SourceInfo", "UnreadableFile", "detect_encoding"]
