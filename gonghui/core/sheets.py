"""THE neutraliser of spreadsheet formulas in everything the platform writes (CSV and .xlsx):
roster exports, funds reports, statistics, surveys, stations, proposals, plans, bank files.

A cell a cadre or a member typed (工作单位, 职业, a proposal title) can begin with `=`, `+`, `-`
or `@`; Excel and WPS run it as a formula when the file is opened (`=HYPERLINK(…)` leaks data,
`+cmd|' /C calc'!A0` runs a program through DDE). Tab and CR at the start are the same attack
once the cell is re-parsed. The defence (OWASP "CSV Injection"): such a text cell gets a
leading apostrophe, which spreadsheet programs show as text and never evaluate. Numbers stay
numbers; a text that is just a number (`-12.50`) is harmless and kept as it is.

    writer = csv.writer(handle)
    writer.writerow(safe_row(row))                  # CSV
    sheet.append(safe_row(row))                     # openpyxl
    book = xlsxwriter.Workbook(path, XLSXWRITER_OPTIONS | {...}); sheet.write(r, c, neutralise(v))

Importers take the apostrophe off again (`core.cells.cell_text`), so an export imports unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A quote is what the spreadsheet programs themselves use to mark "text, not a formula".
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")

# For every xlsxwriter workbook: strings are written as strings (never as formulas or links).
XLSXWRITER_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def is_dangerous(text: str) -> bool:
    """Whether a text cell would be taken for a formula by Excel, WPS or LibreOffice."""
    return text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value: Any) -> Any:
    """A cell ready to be written: a text that would run as a formula gets a leading
    apostrophe; everything else (numbers, dates, None, harmless text) is returned unchanged."""
    if isinstance(value, str) and is_dangerous(value):
        return QUOTE + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """A row of cells, each through `neutralise`."""
    return [neutralise(value) for value in row]


def unquote(text: str) -> str:
    """The inverse for importers: an apostrophe in front of a formula character is the
    neutraliser's (or Excel's own text marker), not part of the value."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


class SafeSheet:
    """A worksheet (openpyxl or xlsxwriter) whose writing methods neutralise every cell; all
    other attributes are the sheet's own. `sheet = SafeSheet(book.add_worksheet(title))`."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)

    def append(self, row: Iterable[Any]) -> Any:  # openpyxl
        return self._sheet.append(safe_row(row))

    def write(self, row: int, column: int, value: Any, *args: Any) -> Any:  # xlsxwriter
        return self._sheet.write(row, column, neutralise(value), *args)

    def write_string(self, row: int, column: int, value: str, *args: Any) -> Any:
        return self._sheet.write_string(row, column, neutralise(value), *args)

    def write_row(self, row: int, column: int, data: Iterable[Any], *args: Any) -> Any:
        return self._sheet.write_row(row, column, safe_row(data), *args)
