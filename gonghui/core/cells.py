"""THE parsing of spreadsheet and CSV cells, for every importer (roster, aid, mutual aid, funds,
and every new one). One set of rules, explicit options, Chinese messages that say how to fix it.

Each parser takes what a reader hands over (str, int, float, Decimal, date, datetime, None) and
returns a clean value or raises `CellError` (a ValueError with a `code` and a `message`):

    try:
        born = parse_date(row["出生日期"])
        wage = parse_money(row["月工资"], maximum=Decimal("1000000"))
    except CellError as exc:
        report.reject(row_no, column, exc.message)

Rules, stated once:
- Dates: ISO `2018-01-22`, `2018/1/22`, `2018.1.22`, `2018年1月22日`, `20180122`, a time of day
  after any of these, date/datetime cells, and Excel serial day numbers within
  `EXCEL_SERIAL_RANGE` (61 = 1900-03-01 … 73050 = 2099-12-31; below 61 Excel's fictitious
  1900-02-29 makes a serial ambiguous); anything outside is refused, never guessed.
- Money: yuan with at most two decimals (fen); `¥`/`￥`, `元`, `RMB`, thousands separators and
  full-width digits allowed; float cells are read through their shortest repr (Excel's 0.1 is
  0.1); negative and zero refused unless allowed; `maximum` refuses implausible values.
- ID numbers: `core.idnumber.parse` (GB 11643 check digit, Excel's scientific notation refused
  as unrecoverable).
- Phones: mainland mobiles, 11 digits starting 13–19; +86/0086, spaces, dashes dropped.
- Booleans: 是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×.
- Text files: `detect_encoding` → utf-8-sig, utf-16 (with a BOM, or without one when the NUL
  bytes say so), utf-8 or gb18030.
- Hostile files (issue 13): a file is refused in seconds, before it is read, when it is wider
  than `MAX_COLUMNS`, has a line longer than `MAX_LINE_CHARS`, or is a zip (an .xlsx) whose
  uncompressed size or compression ratio is out of bounds (`check_zip`); every importer's
  .xlsx passes `check_spreadsheet` (the zip's bounds, then `check_sheet_width`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from gonghui.core.errors import ApplicationError
from gonghui.core.idnumber import IDNumber, IDNumberError
from gonghui.core.idnumber import parse as _parse_id
from gonghui.core.sheets import unquote

EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIAL_RANGE = (61, 73050)  # 1900-03-01 … 2099-12-31
FEN = Decimal("0.01")
# No cell of any file here holds a trillion yuan; past it a figure is a unit or format mistake
# (and would overflow fen arithmetic in the default decimal context).
MONEY_LIMIT = Decimal("1000000000000")


class CellError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as trimmed NFKC text (full-width → half-width); 12.0 from a number cell → "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # an export's formula neutraliser (core.sheets) is not part of the value: a round trip
    # through an export imports the text unchanged
    return unquote(unicodedata.normalize("NFKC", str(value)).strip()).strip()


# --- dates ---------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _bad_date(value: Any) -> CellError:
    return CellError("date_format", _(
        "日期“{value}”无法识别，请写成 2018-01-22、2018/1/22、2018.1.22 或 2018年1月22日。"
    ).format(value=value))


def from_excel_serial(serial: float) -> dt.date:
    low, high = EXCEL_SERIAL_RANGE
    if not math.isfinite(serial) or not low <= serial <= high or serial != int(serial):
        raise CellError("date_serial", _(
            "日期“{value}”无法识别（不是 1900–2099 年间的 Excel 日期），请写成 2018-01-22。"
        ).format(value=serial))
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: Any, *, required: bool = True) -> dt.date | None:
    """A date from any of the forms in the module doc. Blank → None, or an error when required."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_blank(value):
        if required:
            raise CellError("date_empty", _("日期不能为空。"))
        return None
    if isinstance(value, bool):
        raise _bad_date(value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if math.isfinite(number) and number == int(number) and 19000101 <= number <= 20991231:
            return parse_date(str(int(number)))
        return from_excel_serial(number)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
    text = re.split(r"[ T](?=\d{1,2}:)", text, maxsplit=1)[0].replace(" ", "")
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # a serial as text; "2018" alone is a year, not a date
        return from_excel_serial(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError("date_invalid", _("日期“{value}”不存在（请核对月份和日）。").format(
                    value=value)) from None
    raise _bad_date(value)


# --- money ---------------------------------------------------------------------------------

def parse_money(value: Any, *, allow_zero: bool = True, allow_negative: bool = False,
                maximum: Decimal | None = None, required: bool = True) -> Decimal | None:
    """Yuan to the fen (see the module doc). Blank → None, or an error when required."""
    if is_blank(value):
        if required:
            raise CellError("money_empty", _("金额不能为空。"))
        return None
    if isinstance(value, bool):
        raise CellError("money_format", _("金额格式无法识别。"))
    if isinstance(value, float):
        value = repr(value)
    text = re.sub(r"[\s,，]|^[¥￥]|^RMB|^CNY|元$", "", unicodedata.normalize("NFKC", str(value)))
    text = re.sub(r"^[¥￥]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise CellError("money_format", _("金额“{value}”无法识别，请只填数字，例如 6500.00。").format(
            value=value))
    if amount < 0 and not allow_negative:
        raise CellError("money_negative", _("金额不能为负数。"))
    if amount == 0 and not allow_zero:
        raise CellError("money_zero", _("金额必须大于零。"))
    limit = maximum if maximum is not None else MONEY_LIMIT
    if abs(amount) >= limit:
        raise CellError("money_range", _("金额 {value} 元超出合理范围（应小于 {max} 元），请核对单位是否为元。").format(
            value=text, max=limit))
    if amount != amount.quantize(FEN):
        raise CellError("money_precision", _("金额最多两位小数（精确到分）。"))
    return amount.quantize(FEN)


# --- identity and contact ------------------------------------------------------------------

def parse_id_number(value: Any, *, today: dt.date | None = None) -> IDNumber:
    """A resident ID number (GB 11643); the error says how to fix it."""
    try:
        return _parse_id(value, today=today)
    except IDNumberError as exc:
        raise CellError(f"id_{exc.code}", exc.message) from None


def parse_phone(value: Any) -> str:
    """A mainland mobile number: 11 digits starting 1[3-9]; +86, spaces and dashes dropped."""
    text = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", str(value)))
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell
        text = text[:-2]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", text):
        raise CellError("phone", _(
            "手机号“{value}”无效：应为 11 位数字、以 13–19 开头，例如 13812345678。"
        ).format(value=value))
    return text


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "x", "不是"}


def parse_bool(value: Any, *, required: bool = False) -> bool | None:
    """是/否 and its usual spellings; blank → None unless required."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        if required:
            raise CellError("bool_empty", _("请填写“是”或“否”。"))
        return None
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("bool_format", _("“{value}”应填写“是”或“否”。").format(value=value))


# --- text files ----------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes.

    BOMs decide first (UTF-8, UTF-16). Otherwise UTF-8 if the sample decodes as UTF-8 (a
    multi-byte character cut at the end of the sample is fine), else GB18030, the superset of
    GBK/GB2312 that Excel writes on Chinese Windows.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bomless = _utf16_without_bom(sample)
    if bomless:
        return bomless
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode_text(data: bytes) -> str:
    """A whole small text file (a work plan, a standards list) decoded by `detect_encoding`."""
    return data.decode(detect_encoding(data), errors="strict")


def _utf16_without_bom(sample: bytes) -> str:
    """UTF-16 saved without a BOM: the ASCII characters of a roster (digits, commas, line
    breaks) leave a NUL in every other byte, on one side only. "" when it is not that."""
    head = sample[:4096]
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return ""
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.2 and even_nuls < 0.02:
        return "utf-16-le"
    if even_nuls > 0.2 and odd_nuls < 0.02:
        return "utf-16-be"
    return ""


# --- hostile files -------------------------------------------------------------------------

# Excel's own limit is 16,384 columns; no roster or list of ours has 100. A cell further right
# is a mistake or an attack (one cell at column ZZZZ made a 534 MB preview, issue 13).
MAX_COLUMNS = 1024
# A roster line is a few hundred characters; a 50 MB "line" is not a roster.
MAX_LINE_CHARS = 100_000
# Zip members (an .xlsx's XML): what one may unpack to, all of them together, and how much
# better than real spreadsheets they may compress (Excel's XML: 3–15×, measured; a zip bomb:
# 500× and more). Members below the floor may compress as they like.
ZIP_MAX_MEMBER = 1 << 30
ZIP_MAX_TOTAL = 2 << 30
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1 << 20
ZIP_MAX_MEMBERS = 10_000


def _refused(code: str, message: str) -> CellError:
    return CellError(code, message)


def too_wide(columns: int) -> CellError:
    return _refused("too_wide", _(
        "表格超过 {max} 列（第 {n} 列还有内容），不是名册或清单的格式。请删除多余的列，"
        "只保留需要导入的列后重新上传。").format(max=MAX_COLUMNS, n=columns))


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse a zip (an .xlsx, .ods, .xlsb) that would unpack to far more than it holds, from
    the sizes in its directory and before anything is read. Python's zipfile stops at the
    declared size of a member, so a member cannot unpack to more than it says."""
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        raise _refused("zip_members", _("文件内部包含的部件过多（{n} 个），不是正常的 Excel 文件。").format(
            n=len(members)))
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_MAX_MEMBER or total > ZIP_MAX_TOTAL or (
                info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO):
            raise _refused("zip_bomb", _(
                "文件解压后过大（{size} MB，压缩比 {ratio:.0f} 倍），不像正常的 Excel 文件，已拒绝读取。"
                "请用 Excel 打开后另存为 .xlsx，或拆分后重新上传。").format(
                    size=info.file_size >> 20, ratio=ratio))


def bounded_lines(handle: IO[str], *, limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of a text file, refusing one longer than `limit` characters without reading
    further (the csv module would otherwise hold the whole line)."""
    line_no = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        line_no += 1
        if len(line) > limit and not line.endswith("\n"):
            raise _refused("line_too_long", _(
                "第 {line} 行超过 {max} 个字符，不是名册或清单的格式（可能缺少换行或引号不成对）。"
                "请检查后重新上传。").format(line=line_no, max=limit))
        yield line


# a worksheet part of an .xlsx, and in it a row or a cell start tag (any namespace prefix)
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,8})""")
_SCAN_CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def check_sheet_width(archive: zipfile.ZipFile, *, limit: int = MAX_COLUMNS) -> None:
    """Refuse an .xlsx with a cell right of column `limit` (too_wide), streaming each worksheet's
    XML once and stopping at the first such cell: openpyxl and calamine would fill every row out
    to the rightmost cell (one cell at ZZZZ: 475,254 columns a row). A cell without a reference
    is the one after its left neighbour (OOXML allows leaving `r` out)."""
    for info in archive.infolist():
        if not _SHEET_PART.fullmatch(info.filename):
            continue
        column = 0
        carry = b""
        with archive.open(info) as part:
            while chunk := part.read(_SCAN_CHUNK):
                data = carry + chunk
                end = data.rfind(b">") + 1     # tags cut at the chunk's end wait for the next
                carry = data[end:][-_SCAN_CHUNK:]
                for match in _ROW_OR_CELL.finditer(data, 0, end):
                    if match.group(1) == b"row":
                        column = 0
                        continue
                    ref = _CELL_REF.search(match.group(2))
                    column = _column_number(ref.group(1)) if ref else column + 1
                    if column > limit:
                        raise too_wide(column)


def check_spreadsheet(source: bytes | IO[bytes]) -> None:
    """For importers that hand an uploaded .xlsx to openpyxl or calamine: refuse a zip bomb from
    the zip's directory, before the library unpacks anything, and a sheet wider than
    MAX_COLUMNS (ApplicationError, 400, with the reason). A file that is not a zip is left to
    the library's own error."""
    handle: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = handle.tell()
    try:
        with zipfile.ZipFile(handle) as archive:
            check_zip(archive)
            check_sheet_width(archive)
    except zipfile.BadZipFile:
        pass
    except CellError as exc:
        raise ApplicationError(exc.message, code=exc.code) from None
    finally:
        handle.seek(start)


def first_sheet(upload: IO[bytes] | Any, headers: dict[str, str], *, code: str = "invalid",
                extra: dict | None = None) -> tuple[dict[int, str], Iterator[tuple]]:
    """An uploaded .xlsx for a small importer: checked (`check_spreadsheet`), opened read-only,
    and its first sheet's header row mapped through `headers` (label → key). Returns the column
    index → key of the labels found and the rows after the header. A file openpyxl cannot read
    is an ApplicationError with `code` / `extra`."""
    from openpyxl import load_workbook  # heavy: loaded only for an import

    check_spreadsheet(upload)  # a zip bomb or a too-wide sheet is refused before it is unpacked
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not .xlsx
        raise ApplicationError(_("无法读取文件：请上传 .xlsx 格式的表格。"), code=code,
                               extra=extra) from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns = {i: headers[cell_text(h)] for i, h in enumerate(header) if cell_text(h) in headers}
    return columns, rows
