"""A streaming .xlsx/.xlsm row reader: the worksheet XML is parsed with expat straight out of the
zip, one row at a time, so memory stays flat whatever the number of rows (only the shared-strings
table is held, as Excel itself does).

Why not python-calamine for .xlsx: it loads the whole sheet into memory first — measured here at
~100 bytes a cell, 1.3 GB for a 1,000,000-row roster of 12 columns — over this module's 1 GB
budget. calamine stays the reader for .xls/.xlsb/.ods (an .xls holds at most 65,536 rows).

Values come back as Excel holds them: str, int, float, bool, and `datetime.date`/`datetime` for
numbers whose cell style is a date format (built-in ids and custom codes like `yyyy"年"m"月"d"日"`).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from gonghui.core.cells import MAX_COLUMNS, check_zip, too_wide

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

# Built-in number formats that display dates or times (ECMA-376 §18.8.30, plus the East Asian
# ids 27–36 and 50–58 that Chinese Excel uses for 年/月/日 formats).
_BUILTIN_DATE_FORMATS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)]
)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_DATE_CODE = re.compile(r"[ymdhsYMDHS年月日]")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_CELL_REF = re.compile(r"([A-Z]+)")


class XlsxError(ValueError):
    pass


def _is_date_format(code: str) -> bool:
    stripped = _QUOTED.sub("", code)
    if stripped.lower() in ("general", "@", ""):
        return False
    return bool(_DATE_CODE.search(stripped))


def _column_index(ref: str) -> int:
    match = _CELL_REF.match(ref)
    if not match:
        return -1
    index = 0
    for char in match.group(1):
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _refuse_dtd(data: bytes) -> None:
    """Spreadsheet XML never has a DTD; one in an uploaded file can only be an attack
    (entity expansion, external entities)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XlsxError("DTD in spreadsheet XML")


def _no_doctype(*_args: Any) -> None:
    raise XlsxError("DTD in spreadsheet XML")


def excel_serial_to_date(value: float) -> dt.date | dt.datetime:
    """Excel's 1900 date system (the Lotus 1900-02-29 bug is why the epoch is 1899-12-30)."""
    moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
    if moment.time() == dt.time(0):
        return moment.date()
    return moment


class SharedStrings:
    """The shared-strings table, packed: UTF-8 bytes end to end plus offsets. A million-row
    roster has millions of distinct strings (names, ID numbers, phones); as Python str objects
    they take ~3× the room."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.bounds = array("Q", [0])  # string i is data[bounds[i]:bounds[i + 1]]
        # the rest of the table, read when a string beyond what is loaded is asked for (each
        # step adds a block): the header detection and the preview read the first rows only,
        # and Excel numbers the strings in the order they first appear
        self.more: Iterator[None] | None = None

    def load(self, index: int) -> bool:
        """Whether string `index` exists, reading on until it is loaded."""
        while index >= len(self.bounds) - 1 and self.more is not None:
            if next(self.more, False) is False:
                self.more = None
        return 0 <= index < len(self.bounds) - 1

    def close(self) -> None:
        if self.more is not None:
            self.more.close()  # type: ignore[attr-defined]
            self.more = None

    def append(self, text: str) -> None:
        self.data += text.encode()
        self.bounds.append(len(self.data))

    def extend_utf8(self, texts: list[bytes]) -> None:
        """Many strings at once, already UTF-8 (the fast parser's)."""
        ends = accumulate(map(len, texts), initial=len(self.data))
        next(ends)  # the start of the first: already the last bound
        self.data += b"".join(texts)
        self.bounds.extend(ends)

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, index: int) -> str:
        if not self.load(index):
            raise IndexError(index)
        return self.data[self.bounds[index]:self.bounds[index + 1]].decode()


class XlsxStream:
    def __init__(self, path: str, *, shared_strings: bool = True) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise XlsxError(str(exc)) from exc
        try:
            check_zip(self.zip)  # sizes from the zip's directory, before anything is unpacked
        except ValueError:
            self.zip.close()
            raise
        self.names = set(self.zip.namelist())
        self.sheet_name, self.sheet_path = self._first_visible_sheet()
        self.date_styles = self._date_styles()
        self.shared = self._shared_strings() if shared_strings else SharedStrings()

    def close(self) -> None:
        self.shared.close()
        self.zip.close()

    def dimension_rows(self) -> int:
        """The row count the sheet declares (`<dimension ref="A1:L200000"/>`), 0 if none."""
        with self.zip.open(self.sheet_path) as handle:
            head = handle.read(4096).decode("utf-8", "ignore")
        match = re.search(r'<(?:\w+:)?dimension\s+ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"', head)
        if not match:
            return 0
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        return last - first + 1

    def _read_xml(self, name: str) -> ElementTree.Element | None:
        if name not in self.names:
            return None
        with self.zip.open(name) as handle:
            data = handle.read()
        _refuse_dtd(data)
        return ElementTree.fromstring(data)  # noqa: S314 — no DTD, so no entity tricks

    def _first_visible_sheet(self) -> tuple[str, str]:
        workbook = self._read_xml("xl/workbook.xml")
        if workbook is None:
            raise XlsxError("xl/workbook.xml missing")
        rels = self._read_xml("xl/_rels/workbook.xml.rels")
        targets: dict[str, str] = {}
        if rels is not None:
            for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                targets[rel.get("Id", "")] = target
        for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
            if sheet.get("state", "visible") != "visible":
                continue
            target = targets.get(sheet.get(f"{{{_REL}}}id", ""), "")
            if target in self.names:
                return sheet.get("name", ""), target
        raise XlsxError("no visible worksheet")

    def _date_styles(self) -> frozenset[int]:
        styles = self._read_xml("xl/styles.xml")
        if styles is None:
            return frozenset()
        custom = {
            int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
            for fmt in styles.iter(f"{{{_MAIN}}}numFmt")
        }
        date_styles = set()
        cell_xfs = styles.find(f"{{{_MAIN}}}cellXfs")
        if cell_xfs is None:
            return frozenset()
        for index, xf in enumerate(cell_xfs.findall(f"{{{_MAIN}}}xf")):
            fmt_id = int(xf.get("numFmtId", "0"))
            if fmt_id in custom:
                if _is_date_format(custom[fmt_id]):
                    date_styles.add(index)
            elif fmt_id in _BUILTIN_DATE_FORMATS:
                date_styles.add(index)
        return frozenset(date_styles)

    def _shared_strings(self) -> SharedStrings:
        name = "xl/sharedStrings.xml"
        if name not in self.names:
            return SharedStrings()
        strings = SharedStrings()
        blocks = _shared_blocks(self.zip, name, strings)
        try:
            next(blocks)  # the first block now: a DTD or a part not in UTF-8 shows here
        except StopIteration:
            return strings
        except _NotUtf8:
            with self.zip.open(name) as handle:
                return expat_shared_strings(handle)
        strings.more = blocks
        return strings

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(1-based row number, cells) for every row element of the sheet, in order."""
        try:
            with self.zip.open(self.sheet_path) as handle:
                yield from _sheet_rows(handle, self.shared, self.date_styles)
        except _NotUtf8:  # raised before the first row
            with self.zip.open(self.sheet_path) as handle:
                yield from expat_sheet_rows(handle, self.shared, self.date_styles)


def _convert(kind: str | None, raw: str, style: int, shared: SharedStrings,
             date_styles: frozenset[int]) -> Any:
    if kind == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            return ""
    if kind in ("inlineStr", "str", "e"):
        return raw
    if kind == "b":
        return raw.strip() == "1"
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
    raw = raw.strip()
    if not raw:
        return None
    try:
        number: int | float = int(raw) if raw.lstrip("-").isdigit() else float(raw)
    except ValueError:
        return raw
    if style in date_styles:
        try:
            return excel_serial_to_date(number)
        except (OverflowError, ValueError):
            return number
    return number


# --- the fast path: regular expressions over large blocks ------------------------------------
#
# The sheet's XML is read in blocks of ~1 MB, cut after the last `</row>` of each, and every
# row and cell of a block is pulled out by ONE compiled regular expression (`findall` runs in
# C); Python code then runs once per cell, not once per XML event as with expat's callbacks
# (~25,000 rows/s for 12 columns). The expression admits exactly what Excel, openpyxl,
# xlsxwriter and calamine's writers produce inside <sheetData> — rows, cells with r/s/t and
# other attributes, <f>, <v>, simple inline strings, whitespace between elements, the five
# predefined entities and character references — and ends in a catch-all: a block holding
# anything else (comments, CDATA, rich inline strings, phonetic runs, carriage returns, control
# characters, single-quoted attributes, unknown entities …) is parsed by expat instead, with
# the very callbacks this module used alone before, so such files read as they always did and
# malformed XML is still an error. What lies outside <sheetData> (and <sst>) goes through
# expat too: the DTD refusal and well-formedness of the rest are unchanged.

_BLOCK = 1 << 20
_WS = r"[ \t\r\n]"
# text of an element: no markup, no carriage return (expat folds CR LF into LF), none of the
# control characters and non-characters XML forbids (the bytes pattern of the shared strings
# cannot name U+FFFE/U+FFFF in a class: their blocks are checked for those apart); entities
# only the five XML predefines and character references
_TEXT_BYTES = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
_TEXT_CHARS = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
_REFS = "&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
_TEXT = f"{_TEXT_CHARS}(?:{_REFS}{_TEXT_CHARS})*"
_ATTR = '="[^"<&]*"'
_ENTITY = re.compile(r"&(?:(amp)|(lt)|(gt)|(quot)|(apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_ENTITY_TEXT = {1: "&", 2: "<", 3: ">", 4: '"', 5: "'"}


def _entity(match: re.Match[str]) -> str:
    index = match.lastindex or 0
    if index <= 5:
        return _ENTITY_TEXT[index]
    code = int(match.group(index), 10 if index == 6 else 16)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or \
            0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise expat.ExpatError("reference to invalid character number")


def unescape(text: str) -> str:
    return _ENTITY.sub(_entity, text)


class _Patterns:
    """The expressions for one namespace prefix ("" or e.g. "x:").

    `rows` finds, in a block of rows, as 6-tuples: the common cell (1 column letters, 2 style,
    3 type, 4 the <v> text without entities: `<c r="B7" s="3" t="s"><v>12</v></c>`), any other
    regular cell (5, its whole text, taken apart by `cell`), a row's start (6, its whole tag),
    or a row's end (all empty). `strings` finds, in a block of <si>, the common string (1 its
    text) or any other <si> (2 its whole text: `simple_string` or expat take it apart). Nothing
    else is matched: a block where the matches do not account for every `<` and `&` holds
    something these expressions do not know and goes to expat whole.
    """

    def __init__(self, prefix: str) -> None:
        p = re.escape(prefix)
        ws, attr, text = _WS, _ATTR, _TEXT
        name = r"[A-Za-z_][\w:.-]*"
        common = (f'<{p}c r="([A-Z]+)[0-9]+"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?>'
                  f"<{p}v>([^<&\\r\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]*)</{p}v></{p}c>")
        cell = (
            f'<{p}c(?:{ws}+(?:r="([A-Z]*)[0-9]*"|s="([0-9]*)"|t="([A-Za-z]*)"'
            f"|(?![rst]=){name}{attr}))*{ws}*"
            f"(?:/>|>{ws}*"
            f"(?:<{p}f(?:{ws}+{name}{attr})*{ws}*(?:/>|>{text}</{p}f>){ws}*)?"
            f"(?:<{p}v>({text})</{p}v>|<{p}v{ws}*/>)?{ws}*"
            f'(?:<{p}is>{ws}*<{p}t(?:{ws}+xml:space="[a-z]*")?{ws}*>({text})</{p}t>{ws}*'
            f"</{p}is>{ws}*)?</{p}c>)"
        )
        self.cell = re.compile(cell)
        other = cell.replace("(", "(?:").replace("(?:?", "(?")  # the same without groups
        start = f"<{p}row(?:{ws}+{name}{attr})*{ws}*/?>"
        self.rows = re.compile(f"{common}|({other})|({start})|</{p}row{ws}*>")
        self.row_number = re.compile(f'{ws}r="([0-9]+)"')
        t_open = f'<{p}t(?:{ws}+xml:space="[a-z]*")?{ws}*'
        plain = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
        self.strings = re.compile(
            f"<{p}si><{p}t>({plain})</{p}t></{p}si>|(<{p}si{ws}*/>|<{p}si{ws}*>.*?</{p}si{ws}*>)"
            .encode(), re.DOTALL)
        bytes_text = f"{_TEXT_BYTES}(?:{_REFS}{_TEXT_BYTES})*"
        self.simple_string = re.compile(
            f"<{p}si{ws}*(?:/>|>{ws}*(?:{t_open}/>|{t_open}>({bytes_text})</{p}t>)?{ws}*"
            f"</{p}si{ws}*>)".encode())


class _NotUtf8(Exception):
    """The part is not in UTF-8 (XML allows UTF-16 and declared encodings): expat reads it."""


_DECLARED = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def _not_utf8(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:1] == b"\x00" or head[1:2] == b"\x00":
        return True
    declared = _DECLARED.match(head.lstrip(b"\xef\xbb\xbf"))
    return bool(declared) and declared.group(1).lower() not in (b"utf-8", b"utf8")  # type: ignore[union-attr]


def _segments(handle: IO[bytes], container: bytes, item: bytes) -> Iterator[tuple[str, bytes]]:
    """(namespace prefix, block) of the children of `container` (sheetData, sst), each block
    ending with an `</item>`. The document around them is parsed by expat — a DTD is refused,
    malformed XML is an error — but never sees the children."""
    outer = expat.ParserCreate()
    outer.StartDoctypeDeclHandler = _no_doctype
    opening = re.compile(rb"<([A-Za-z_][\w.\-]*:)?" + container + rb"(?=[ \t\r\n/>])[^>]*>")
    buffer = b""
    while True:
        block = handle.read(_BLOCK)
        if not buffer and _not_utf8(block):
            raise _NotUtf8
        buffer += block
        found = opening.search(buffer)
        if found or not block:
            break
    if not found:
        outer.Parse(buffer, True)  # no rows at all (or not XML: expat says so)
        return
    outer.Parse(buffer[:found.end()], False)
    buffer = buffer[found.end():]
    if found.group(0).endswith(b"/>"):
        prefix = b""
        closing = b""
    else:
        prefix = found.group(1) or b""
        closing = b"</" + prefix + container
    end = b"</" + prefix + item + b">"
    text_prefix = prefix.decode()
    while closing:
        stop = buffer.find(closing)
        if stop >= 0:
            if stop:
                yield text_prefix, buffer[:stop]
            buffer = buffer[stop:]
            break
        cut = buffer.rfind(end)
        if cut >= 0 and len(buffer) >= _BLOCK:
            cut += len(end)
            yield text_prefix, buffer[:cut]
            buffer = buffer[cut:]
        block = handle.read(_BLOCK)
        if not block:
            if buffer.strip():
                yield text_prefix, buffer  # no end tag: expat below says what is wrong
            buffer = b""
            break
        buffer += block
    outer.Parse(buffer, False)
    while block := handle.read(_BLOCK):
        outer.Parse(block, False)
    outer.Parse(b"", True)


def _decode(block: bytes) -> str:
    try:
        return block.decode()
    except UnicodeDecodeError as exc:
        raise expat.ExpatError(f"not well-formed (invalid token): {exc}") from None


def read_shared_strings(handle: IO[bytes]) -> SharedStrings:
    """The shared-strings table of an open `xl/sharedStrings.xml`, whole."""
    strings = SharedStrings()
    for _block in _fill(handle, strings):
        pass
    return strings


def _shared_blocks(archive: zipfile.ZipFile, name: str, strings: SharedStrings
                   ) -> Iterator[None]:
    with archive.open(name) as handle:
        yield from _fill(handle, strings)


def _fill(handle: IO[bytes], strings: SharedStrings) -> Iterator[None]:
    """Adds the strings to `strings` block by block, yielding after each."""
    patterns: dict[str, _Patterns] = {}
    for prefix, block in _segments(handle, b"sst", b"si"):
        pattern = patterns.get(prefix)
        if pattern is None:
            pattern = patterns[prefix] = _Patterns(prefix)
        decoded = _decode(block)  # UTF-8 as expat would check it
        tokens = pattern.strings.findall(block)
        others = [other for _text, other in tokens if other]
        if ("\ufffe" in decoded or "\uffff" in decoded
                or decoded.count("<") != 4 * (len(tokens) - len(others))
                + sum(other.count(b"<") for other in others)
                or decoded.count("&") != sum(other.count(b"&") for other in others)):
            strings.extend_utf8([t.encode() for t in _expat_shared_strings(
                b"<x>" + block + b"</x>", fragment=True)])
            yield
            continue
        texts = [text for text, _other in tokens]
        if others:
            for index, (_text, other) in enumerate(tokens):
                if other:
                    texts[index] = _other_string(other, pattern)
        strings.extend_utf8(texts)
        yield


def _other_string(element: bytes, pattern: _Patterns) -> bytes:
    """One <si> that is not `<si><t>text</t></si>`: with xml:space, entities, empty; rich
    text and phonetic runs through expat."""
    simple = pattern.simple_string.fullmatch(element)
    if simple is None:
        return "".join(_expat_shared_strings(b"<x>" + element + b"</x>", fragment=True)).encode()
    text = simple.group(1) or b""
    return unescape(text.decode()).encode() if b"&" in text else text


def _sheet_rows(handle: IO[bytes], shared: SharedStrings,
                date_styles: frozenset[int]) -> Iterator[tuple[int, list[Any]]]:
    patterns: dict[str, _Patterns] = {}
    columns: dict[str, int] = {}
    data, bounds, count = shared.data, shared.bounds, len(shared)
    number = 0
    for prefix, block in _segments(handle, b"sheetData", b"row"):
        pattern = patterns.get(prefix)
        if pattern is None:
            pattern = patterns[prefix] = _Patterns(prefix)
        text = _decode(block)
        tokens = pattern.rows.findall(text)
        ready: list[tuple[int, list[Any]]] = []
        row: list[Any] = []
        start = number
        marks = 0  # the `<` of row tags and other cells
        amps = 0
        uncommon = 0  # matches that are not the common cell
        regular = True
        inside = False  # between a row's start and its end
        for letters, style, kind, value, other, tag in tokens:
            if letters:
                # the common cell: <c r="B7" s="3" t="s"><v>12</v></c>
                if not value:
                    value = None
                elif kind == "s":
                    try:
                        index = int(value)
                    except ValueError:
                        index = -1
                    if 0 <= index < count:
                        value = data[bounds[index]:bounds[index + 1]].decode()
                    else:
                        value = shared[index] if shared.load(index) else ""
                        count = len(shared)
                elif kind != "inlineStr" and kind != "str":
                    value = _convert(kind or None, value, int(style) if style else 0, shared,
                                     date_styles)
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = _column_index(letters)
            elif other:
                uncommon += 1
                marks += other.count("<")
                amps += other.count("&")
                column, value = _other_cell(other, pattern, shared, date_styles, columns, row)
            elif tag:
                uncommon += 1
                marks += 1
                if inside:
                    regular = False  # a row inside a row: expat says what is wrong
                    break
                row = []
                found = pattern.row_number.search(tag)
                number = int(found.group(1)) if found else number + 1
                if tag.endswith("/>"):
                    ready.append((number, row))
                else:
                    inside = True
                continue
            else:
                uncommon += 1
                marks += 1
                if not inside:
                    regular = False
                    break
                ready.append((number, row))
                inside = False
                continue
            if column >= MAX_COLUMNS:
                # a styled empty cell far right is harmless; content there is refused
                if value is None or value == "":
                    continue
                raise too_wide(column + 1)
            size = len(row)
            if column == size:
                row.append(value)
            elif column > size:
                row.extend([None] * (column - size))
                row.append(value)
            else:
                row[column] = value
        if not regular or inside or text.count("&") != amps or text.count("<") != marks + 4 * (
                len(tokens) - uncommon):
            rows = _ExpatRows(shared, date_styles, number=start)
            rows.parse(b"<x>" + block + b"</x>", final=True)
            ready = rows.ready
            number = rows.state[0]
        yield from ready


def _other_cell(element: str, pattern: _Patterns, shared: SharedStrings,
                date_styles: frozenset[int], columns: dict[str, int], row: list[Any]
                ) -> tuple[int, Any]:
    """(column, value) of a cell in any regular form but the common one."""
    letters, style, kind, value, inline = pattern.cell.fullmatch(element).groups(  # type: ignore[union-attr]
        "")
    text = value + inline if inline else value
    if "&" in text:
        text = unescape(text)
    if letters:
        column = columns.get(letters)
        if column is None:
            column = columns[letters] = _column_index(letters)
    else:
        column = len(row)
    if not text:
        return column, None
    if kind == "inlineStr" or kind == "str":
        return column, text
    return column, _convert(kind or None, text, int(style) if style else 0, shared, date_styles)


# --- expat: the reference reader, and the fallback for irregular blocks ----------------------


def _expat_shared_strings(data: bytes, *, fragment: bool = False) -> list[str]:
    """The strings of `<si>` elements with expat: a whole sharedStrings.xml, or a fragment
    (blocks of <si> wrapped in one element: no namespace declarations there, so element names
    are taken apart at their prefix)."""
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "phonetic": 0}

    def start(tag: str, _attrs: dict) -> None:
        tag = tag.rsplit(":", 1)[-1] if fragment else _local(tag)
        if tag == "t":
            state["text"] = state["phonetic"] == 0
        elif tag == "si":
            parts.clear()
        elif tag == "rPh":
            state["phonetic"] += 1

    def end(tag: str) -> None:
        tag = tag.rsplit(":", 1)[-1] if fragment else _local(tag)
        if tag == "t":
            state["text"] = False
        elif tag == "si":
            strings.append("".join(parts))
        elif tag == "rPh":
            state["phonetic"] -= 1

    def chars(text: str) -> None:
        if state["text"]:
            parts.append(text)

    parser = expat.ParserCreate() if fragment else expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(data, True)
    return strings


def expat_shared_strings(handle: IO[bytes]) -> SharedStrings:
    """The shared-strings table as this module read it before the fast path (the tests'
    reference)."""
    strings = SharedStrings()
    for text in _expat_shared_strings(handle.read()):
        strings.append(text)
    return strings


# element kinds the row parser cares about; names may carry any namespace prefix ("x:c")
_ROW, _CELL, _VALUE, _PHONETIC, _OTHER = 1, 2, 3, 4, 0
_KINDS = {"row": _ROW, "c": _CELL, "v": _VALUE, "t": _VALUE, "rPh": _PHONETIC}


class _Kinds(dict):
    def __missing__(self, tag: str) -> int:
        kind = _KINDS.get(tag.rsplit(":", 1)[-1], _OTHER)
        self[tag] = kind
        return kind


def _cell_value(kind: str | None, style: str | None, text: list[str], shared: SharedStrings,
                date_styles: frozenset[int]) -> Any:
    """A cell's value from its type attribute (`t`), style (`s`) and text pieces."""
    if not text:
        return None
    if kind == "inlineStr" or kind == "str":
        return "".join(text)
    if kind == "s":
        return _convert("s", "".join(text), 0, shared, date_styles)
    return _convert(kind, "".join(text), int(style) if style else 0, shared, date_styles)


class _ExpatRows:
    """The rows of sheet XML with expat callbacks: a whole sheet (the reference reader), or a
    block of rows wrapped in one element (the fast path's fallback), counting rows without an
    `r` attribute on from `number`."""

    def __init__(self, shared: SharedStrings, date_styles: frozenset[int], *,
                 number: int = 0) -> None:
        self.ready: list[tuple[int, list[Any]]] = []
        row: list[Any] = []
        text: list[str] = []
        kinds = _Kinds()
        columns: dict[str, int] = {}
        # [row number, cell column, cell type, cell style, collecting text?, inside <rPh>]
        state: list[Any] = [number, 0, None, 0, False, 0]
        self.state = state
        ready = self.ready

        def start(tag: str, attrs: dict[str, str]) -> None:
            kind = kinds[tag]
            if kind == _CELL:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = _column_index(letters)
                    state[1] = column if column >= 0 else len(row)
                else:
                    state[1] = len(row)
                state[2] = attrs.get("t")
                state[3] = attrs.get("s")
                text.clear()
            elif kind == _VALUE:
                state[4] = state[5] == 0
            elif kind == _ROW:
                row.clear()
                number = attrs.get("r")
                state[0] = int(number) if number else state[0] + 1
            elif kind == _PHONETIC:
                state[5] += 1

        def end(tag: str) -> None:
            kind = kinds[tag]
            if kind == _CELL:
                column = state[1]
                value = _cell_value(state[2], state[3], text, shared, date_styles)
                if column >= MAX_COLUMNS:
                    # a styled empty cell far right is harmless; content there is refused
                    if value is None or value == "":
                        return
                    raise too_wide(column + 1)
                if column == len(row):
                    row.append(value)
                elif column > len(row):
                    row.extend([None] * (column - len(row)))
                    row.append(value)
                else:
                    row[column] = value
            elif kind == _VALUE:
                state[4] = False
            elif kind == _ROW:
                ready.append((state[0], list(row)))
            elif kind == _PHONETIC:
                state[5] -= 1

        def chars(data: str) -> None:
            if state[4]:
                text.append(data)

        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _no_doctype
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        self.parser = parser

    def parse(self, data: bytes, *, final: bool = False) -> None:
        self.parser.Parse(data, final)


def expat_sheet_rows(handle: IO[bytes], shared: SharedStrings,
                     date_styles: frozenset[int]) -> Iterator[tuple[int, list[Any]]]:
    """The rows as this module read them before the fast path: expat callbacks over the whole
    sheet (the tests' reference)."""
    rows = _ExpatRows(shared, date_styles)
    while True:
        chunk = handle.read(1 << 18)
        rows.parse(chunk, final=not chunk)
        if rows.ready:
            yield from rows.ready
            rows.ready.clear()
        if not chunk:
            break
