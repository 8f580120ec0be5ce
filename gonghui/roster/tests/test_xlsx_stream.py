"""The fast .xlsx reader (regular expressions over large blocks) reads every sheet exactly as
the expat reader it replaced — kept in `xlsx_stream` as `expat_sheet_rows` /
`expat_shared_strings`, the reference here. No database."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from gonghui.core.cells import CellError
from gonghui.roster import xlsx_stream
from gonghui.roster.readers import RosterSource, UnreadableFile
from gonghui.roster.xlsx_stream import (
    SharedStrings,
    XlsxError,
    XlsxStream,
    expat_shared_strings,
    expat_sheet_rows,
)


def reference(path: Path) -> tuple[list[str], list]:
    """Shared strings and rows as the expat reader reads them."""
    stream = XlsxStream(str(path), shared_strings=False)
    try:
        shared = SharedStrings()
        if "xl/sharedStrings.xml" in stream.names:
            with stream.zip.open("xl/sharedStrings.xml") as handle:
                shared = expat_shared_strings(handle)
        with stream.zip.open(stream.sheet_path) as handle:
            rows = list(expat_sheet_rows(handle, shared, stream.date_styles))
        return [shared[i] for i in range(len(shared))], rows
    finally:
        stream.close()


def fast(path: Path) -> tuple[list[str], list]:
    stream = XlsxStream(str(path))
    try:
        rows = list(stream.rows())
        stream.shared.load(1 << 60)  # the rest of the table (loaded as rows ask for strings)
        return [stream.shared[i] for i in range(len(stream.shared))], rows
    finally:
        stream.close()


def assert_same(path: Path, block: int) -> list:
    saved = xlsx_stream._BLOCK
    xlsx_stream._BLOCK = block  # small blocks: rows and strings cut at every possible place
    try:
        ours = fast(path)
    finally:
        xlsx_stream._BLOCK = saved
    assert ours == reference(path)
    return ours[1]


# messy text: every escape XML needs, CR and LF, tabs, leading/trailing blanks, CJK, a
# character outside the BMP, full-width digits — not the control characters XML forbids
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("&<>\"'\r\n\t ;#x0123456789Ａ１　张王𠮷_-.")),
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    ),
    max_size=12,
)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)),
    st.tuples(st.just("formula"), st.one_of(st.integers(-999, 999), TEXT)),
    st.tuples(st.just("rich"), TEXT, TEXT),
)
ROW = st.dictionaries(st.integers(min_value=0, max_value=14), VALUE, max_size=6)
SHEET = st.lists(st.tuples(st.integers(min_value=1, max_value=3), st.booleans(), ROW),
                 min_size=0, max_size=14)
BLOCK = st.sampled_from([17, 64, 200, 1000, 1 << 20])


def _cached_formulas(path: Path, cached: dict[str, str]) -> None:
    """openpyxl writes a formula without its cached value (`<f>…</f><v></v>`): put the value
    Excel would have saved there."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in cached.items():

        def with_value(match: re.Match[str], value: str = value) -> str:
            return f"{match.group(1)}<f>{match.group(2)}</f><v>{value}</v>"

        sheet = re.sub(f'(<c r="{ref}"[^>]*>)<f>(.*?)</f><v\\s*/?>(?:</v>)?', with_value, sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_openpyxl(path: Path, sheet: list) -> None:
    """Inline strings, rich text as inline runs, hidden rows, date formats, formulas."""
    book = openpyxl.Workbook()
    ws = book.active
    number, cached = 0, {}
    for step, hidden, cells in sheet:
        number += step
        if hidden:
            ws.row_dimensions[number].hidden = True
        for column, value in cells.items():
            cell = ws.cell(row=number, column=column + 1)
            if isinstance(value, tuple) and value[0] == "formula":
                cell.value = f"=ROW()+{column}"
                cached[cell.coordinate] = _escape(str(value[1]))
            elif isinstance(value, tuple):
                cell.value = CellRichText([value[1], TextBlock(InlineFont(b=True), value[2])]) \
                    if value[1] and value[2] else value[1] + value[2]
            else:
                cell.value = value
                if isinstance(value, dt.date) and column % 2:
                    cell.number_format = 'yyyy"年"m"月"d"日"'
    book.save(path)
    _cached_formulas(path, cached)


def write_xlsxwriter(path: Path, sheet: list) -> None:
    """Shared strings (as Excel saves), rich strings in the table, cached formula values."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas":
                                           False, "strings_to_urls": False})
    ws = book.add_worksheet("名册")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    bold = book.add_format({"bold": True})
    number = 0
    for step, hidden, cells in sheet:
        number += step
        if hidden:
            ws.set_row(number - 1, None, None, {"hidden": True})
        for column, value in cells.items():
            row = number - 1
            if isinstance(value, tuple) and value[0] == "formula":
                ws.write_formula(row, column, f"=ROW()+{column}", None, value[1])
            elif isinstance(value, tuple):
                if value[1] and value[2]:
                    ws.write_rich_string(row, column, value[1], bold, value[2])
                else:
                    ws.write_string(row, column, value[1] + value[2])
            elif isinstance(value, str):
                ws.write_string(row, column, value)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(row, column, value, time_format)
            elif isinstance(value, dt.date):
                ws.write_datetime(row, column, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, bool):
                ws.write_boolean(row, column, value)
            else:
                ws.write_number(row, column, value)
    book.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(sheet=SHEET, block=BLOCK, writer=st.sampled_from(["openpyxl", "xlsxwriter"]))
def test_fast_reader_equals_expat(tmp_path, sheet, block, writer):
    path = tmp_path / f"{writer}.xlsx"
    (write_openpyxl if writer == "openpyxl" else write_xlsxwriter)(path, sheet)
    assert_same(path, block)


def _sheet_xml(rows: str, *, prefix: str = "", head: str = "", tail: str = "") -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    declaration = f' xmlns:{prefix[:-1]}="{ns}"' if prefix else f' xmlns="{ns}"'
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<{prefix}worksheet{declaration}>'
            f"<{prefix}sheetData>{rows}</{prefix}sheetData>{tail}</{prefix}worksheet>").encode()


def write_raw(path: Path, sheet: bytes, shared: bytes | None = None, styles: bytes = b"") -> Path:
    """An .xlsx from raw part XML (what other writers than Excel produce)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
        if styles:
            archive.writestr("xl/styles.xml", styles)
    return path


SHARED = (
    '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>张三</t></si><si><t xml:space=\"preserve\"> a&amp;b &#x4E09;&#20320; </t></si>"
    "<si><r><rPr><b/></rPr><t>rich </t></r><r><t>text</t></r></si>"
    "<si><t>王</t><rPh sb=\"0\" eb=\"1\"><t>おう</t></rPh></si><si/><si><t/></si>"
    "<si><t>line\r\nbreak</t></si></sst>"
)
STYLES = (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>'
    '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs>'
    "</styleSheet>"
)


@pytest.mark.parametrize("block", [7, 50, 1 << 20])
def test_every_kind_of_cell_and_string(tmp_path, block):
    """Shared strings plain, escaped, rich and phonetic; inline strings; numbers, dates by
    custom and built-in format, booleans, errors, ISO dates; gaps, cells without `r`, rows
    without `r`, empty rows, formulas with cached values, whitespace between elements."""
    rows = (
        '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c>'
        '<c r="D1" t="s"><v>2</v></c><c r="E1" t="s"><v>3</v></c><c r="F1" t="s"><v>4</v></c>'
        '<c r="G1" t="s"><v>5</v></c><c r="H1" t="s"><v>6</v></c><c r="I1" t="s"><v>99</v></c></row>'
        '<row r="3" hidden="1" customHeight="1" ht="0">\n  <c r="A3" s="1"><v>43122</v></c>\n'
        '  <c r="B3" s="2"><v>43122.5</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e">'
        '<v>#N/A</v></c><c r="E3" t="d"><v>2018-01-22T00:00:00</v></c><c r="F3" s="1" '
        't="n"><v>1e400</v></c><c><v>-12</v></c><c t="str"><f>A1&amp;"x"</f><v>张三x</v></c>'
        '<c r="Z3" s="2"/></row>'
        '<row><c r="B4" t="inlineStr"><is><t xml:space="preserve"> 内联 &lt;&gt; </t></is></c>'
        '<c r="A4"><v> 3.10101199001011E+17 </v></c><c r="C4"><f>1+1</f><v>2</v></c></row>'
        '<row r="6"/><row r="7"><c r="A7" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr>'
        "<t>文本</t></r></is></c></row>"
        '<row r="8"><c r="A8" t="inlineStr"><is><t>a\r\nb</t></is></c><!-- note --></row>'
        '<row r="9"><c r="A9" t="s"><v>0</v></c></row>'
    )
    path = write_raw(tmp_path / "kinds.xlsx", _sheet_xml(rows, tail="<mergeCells count=\"0\"/>"),
                     SHARED.encode(), STYLES.encode())
    got = assert_same(path, block)
    assert got == [
        (1, ["张三", None, " a&b 三你 ", "rich text", "王", "", "", "line\nbreak", ""]),
        (3, [dt.date(2018, 1, 22), dt.datetime(2018, 1, 22, 12), True, "#N/A",
             dt.datetime(2018, 1, 22), float("1e400"), -12, "张三x"] + [None] * 18),
        (4, [3.10101199001011e17, " 内联 <> ", 2]),
        (6, []),
        (7, ["富文本"]),
        (8, ["a\nb"]),
        (9, ["张三"]),
    ]


@pytest.mark.parametrize("block", [11, 1 << 20])
def test_prefixed_names(tmp_path, block):
    """Some writers put the spreadsheet namespace on a prefix (`x:row`, `x:c`)."""
    rows = ('<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c>'
            '<x:c r="C2"><x:v>7</x:v></x:c></x:row><x:row><x:c><x:v>1.5</x:v></x:c></x:row>')
    path = write_raw(tmp_path / "prefixed.xlsx", _sheet_xml(rows, prefix="x:"))
    assert assert_same(path, block) == [(2, [None, "甲", 7]), (3, [1.5])]


def test_dtd_and_entities_are_refused(tmp_path):
    entity = write_raw(tmp_path / "entity.xlsx", _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&bomb;</t></is></c></row>',
        head='<!DOCTYPE worksheet [<!ENTITY bomb "boom">]>'))
    with pytest.raises(UnreadableFile):
        list(RosterSource(entity))
    undefined = write_raw(tmp_path / "undefined.xlsx", _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>'))
    with pytest.raises(UnreadableFile):
        list(RosterSource(undefined))
    shared_dtd = write_raw(tmp_path / "shared.xlsx", _sheet_xml(""), (
        b'<!DOCTYPE sst [<!ENTITY a "b">]><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><si><t>&a;</t></si></sst>'))
    with pytest.raises(XlsxError):
        XlsxStream(str(shared_dtd))


def test_malformed_rows_are_an_error(tmp_path):
    for rows in ('<row r="1"><c r="A1"><v>1</v></row>',  # unclosed cell
                 '<row r="1"><c r="A1"><v>1</v></c></row><row r="2">',  # sheet cut off
                 '<row r="1"><c r="A1" t="inlineStr"><is><t>\x01</t></is></c></row>'):
        path = write_raw(tmp_path / "bad.xlsx", _sheet_xml(rows))
        with pytest.raises(UnreadableFile):
            list(RosterSource(path))


def test_content_beyond_the_last_column_is_refused(tmp_path):
    styled = write_raw(tmp_path / "styled.xlsx", _sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="3"/></row>'))
    assert list(RosterSource(styled)) == [(1, [1])]
    wide = write_raw(tmp_path / "wide.xlsx", _sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>'))
    with pytest.raises((UnreadableFile, CellError)):
        list(RosterSource(wide))


def test_large_sheet_crosses_blocks(tmp_path):
    """The bench's kind of file (shared strings, `r` on every cell), over many 1 MB blocks."""
    path = tmp_path / "large.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    ws = book.add_worksheet()
    for row in range(12_000):
        ws.write_row(row, 0, [f"姓名{row}", f"3101011990{row:08d}", row, "男&女"])
    book.close()
    rows = assert_same(path, 1 << 20)
    assert len(rows) == 12_000
    assert rows[11_999] == (12_000, ["姓名11999", "310101199000011999", 11_999, "男&女"])


def test_shared_strings_are_read_as_far_as_the_rows_need(tmp_path, monkeypatch):
    """The header detection and the preview read the first rows: the shared strings of the
    rest of the file stay unread."""
    path = tmp_path / "lazy.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    for row in range(3000):
        ws.write_row(row, 0, [f"姓名{row}", f"号码{row}"])
    book.close()
    monkeypatch.setattr(xlsx_stream, "_BLOCK", 4096)
    stream = XlsxStream(str(path))
    try:
        first = next(iter(stream.rows()))
        assert first == (1, ["姓名0", "号码0"])
        assert 0 < len(stream.shared) < 1000
        assert stream.shared[5999] == "号码2999"  # asked for: read on to it
        assert len(stream.shared) == 6000
    finally:
        stream.close()
