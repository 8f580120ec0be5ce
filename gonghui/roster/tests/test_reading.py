"""Reading rosters: encodings, the streaming .xlsx reader (checked against calamine), header
detection, cell cleaning and the skip rules. No database."""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import string

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gonghui.roster import samples
from gonghui.roster.columns import (
    HeaderNotFound,
    clean_cell,
    detect_header,
    excel_general,
    row_fields,
    skip_reason,
)
from gonghui.roster.readers import RosterSource, UnreadableFile, detect_encoding


def _rows(path):
    return list(RosterSource(path))


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("utf-16", "utf-16"),
])
def test_csv_encodings(tmp_path, encoding, expected):
    path = tmp_path / "r.csv"
    path.write_text("姓名,身份证号码\n张三,11010519491231002X\n", encoding=encoding)
    source = RosterSource(path)
    assert _rows(path) == [(1, ["姓名", "身份证号码"]), (2, ["张三", "11010519491231002X"])]
    list(source)
    assert source.info.encoding == expected


def test_detect_encoding_cut_multibyte_character():
    text = "张三李四".encode()
    assert detect_encoding(text[:4]) == "utf-8"  # 张 whole, 三 cut after one byte
    assert detect_encoding("张三".encode("gb18030")) == "gb18030"
    assert detect_encoding(codecs.BOM_UTF8 + b"abc") == "utf-8-sig"


def test_tab_and_semicolon_delimiters(tmp_path):
    for delimiter in ("\t", ";"):
        path = tmp_path / "r.csv"
        path.write_text(f"姓名{delimiter}身份证号\n王五{delimiter}1\n", encoding="utf-8")
        assert _rows(path)[1] == (2, ["王五", "1"])


def test_unreadable_files(tmp_path):
    cases = {
        "r.pdf": b"%PDF-1.4", "r.xlsx": b"PK\x03\x04 broken", "r.csv": b"",
        "fake.csv": b"PK\x03\x04\x00\x00\x00\x00" * 10,
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(UnreadableFile):
            _rows(path)


def test_xlsx_stream_matches_calamine(tmp_path, messy_xlsx):
    """The streaming reader sees what calamine sees (calamine loads whole sheets, so it only
    reads .xls here; it is the reference for .xlsx)."""
    ours = {n: list(cells) for n, cells in RosterSource(messy_xlsx)}
    with CalamineWorkbook.from_path(str(messy_xlsx)) as book:
        sheet = book.get_sheet_by_index(0)
        theirs = {i + 1: row for i, row in enumerate(sheet.iter_rows())}
    assert set(ours) == {n for n, row in theirs.items() if any(v != "" for v in row)} | {16}
    for number, cells in ours.items():
        expected = [None if v == "" else v for v in theirs[number]]
        while expected and expected[-1] is None:
            expected.pop()
        while cells and cells[-1] is None:
            cells.pop()
        assert cells == expected, number


def test_xlsx_shared_strings_dates_and_gaps(tmp_path):
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path))  # shared strings, like Excel
    sheet = book.add_worksheet("A")
    hidden = book.add_worksheet("代码表")
    hidden.hide()
    date_format = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    sheet.write_row(0, 0, ["姓名", "身份证号码", "入会日期", "工资"])
    sheet.write_string(3, 0, "张&三<>")
    sheet.write_number(3, 1, 310101199001011234)
    sheet.write_datetime(3, 2, dt.datetime(2018, 1, 22), date_format)
    sheet.write_number(3, 3, 6500.5)
    sheet.write_string(3, 5, "末列")
    book.close()
    rows = _rows(path)
    assert rows == [(1, ["姓名", "身份证号码", "入会日期", "工资"]),
                    # Excel keeps numbers as doubles: 18 digits do not survive
                    (4, ["张&三<>", 3.101011990010113e+17, dt.date(2018, 1, 22), 6500.5, None,
                         "末列"])]
    assert RosterSource(path).estimate_rows() == 4


def test_xlsx_with_dtd_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
                         "<workbook/>")
    with pytest.raises(UnreadableFile):
        _rows(path)


def test_header_found_below_title_and_notes(messy_xlsx):
    mapping = detect_header(itertools.islice(iter(RosterSource(messy_xlsx)), 30))
    assert mapping.header_row == 3
    assert mapping.columns == {1: "name", 2: "id_number", 3: "gender", 4: "ethnicity",
                               5: "phone", 6: "education", 7: "political_status",
                               8: "household_type", 9: "employer_name", 10: "occupation",
                               11: "joined_on"}


def test_header_not_found():
    rows = [(1, ["会员名册"]), (2, ["姓名", "电话"]), (3, ["张三", "1"])]
    with pytest.raises(HeaderNotFound):
        detect_header(rows)


HEADER_VARIANTS = {
    "name": ["姓名", " 姓 名 ", "姓名*", "职工姓名"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "身份证号码（18位）", "身份证号（必填）",
                  "ｓ身份证号"[1:], "身份证号码\n"],
    "phone": ["手机号", "手机号码", "联系电话", "手 机"],
    "union_code": ["工会代码", "组织代码 "],
}


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    junk=st.lists(st.lists(st.text(alphabet=string.ascii_letters + "会员名册单位日期：", max_size=8),
                           max_size=4), max_size=5),
    name=st.sampled_from(HEADER_VARIANTS["name"]),
    id_header=st.sampled_from(HEADER_VARIANTS["id_number"]),
    phone=st.sampled_from(HEADER_VARIANTS["phone"]),
    fullwidth=st.booleans(),
)
def test_header_detection_property(junk, name, id_header, phone, fullwidth):
    """Whatever title lines come first and however the headers are written, the header row
    and its columns are found."""
    if fullwidth:
        name = name.translate(str.maketrans(" ", "\u3000"))
    header = ["序号", name, id_header, phone]
    rows = [(i + 1, r) for i, r in enumerate(junk)] + [(len(junk) + 1, header)]
    mapping = detect_header(rows)
    assert mapping.header_row == len(junk) + 1
    assert mapping.columns == {1: "name", 2: "id_number", 3: "phone"}


def test_excel_general():
    assert excel_general(310101199001011234.0) == "3.10101E+17"
    assert excel_general(3.1e17) == "3.1E+17"


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (310101199001011234.0, "id", "3.10101E+17"),  # digits lost: shown as Excel shows it
    ("  11010519491231002x\u3000", "id", "11010519491231002x"),
    (13812345678.0, "phone", "13812345678"),
    (13812345678, "phone", "13812345678"),
    (43122, "date", 43122),  # serials stay numbers: validation reads them as dates
    (dt.datetime(2018, 1, 22), "date", dt.date(2018, 1, 22)),
    (dt.date(2018, 1, 22), "text", "2018-01-22"),
    (6500.5, "money", 6500.5),
    ("", "text", None),
    (None, "text", None),
    (True, "text", "是"),
])
def test_clean_cell(value, kind, expected):
    assert clean_cell(value, kind) == expected


@given(st.integers(min_value=10**15, max_value=10**18 - 1))
def test_big_numbers_in_id_columns_never_pass_as_ids(number):
    """Any number cell of 16+ digits in the ID column comes out in scientific form, which the
    validation refuses: Excel has rounded it, the person cannot be known."""
    from gonghui.core.idnumber import IDNumberError, parse

    cleaned = clean_cell(float(number), "id")
    assert cleaned.endswith(("E+15", "E+16", "E+17", "E+18"))
    with pytest.raises(IDNumberError) as error:
        parse(cleaned, today=dt.date(2026, 1, 1))
    assert error.value.code == "scientific"


def test_skip_rules(messy_xlsx):
    rows = list(RosterSource(messy_xlsx))
    mapping = detect_header(rows[:30])
    reasons = {n: skip_reason(c, mapping) for n, c in rows if n > mapping.header_row}
    assert {n: r for n, r in reasons.items() if r} == {16: "blank", 19: "totals", 20: "note"}
    repeated = [None, "姓名", "身份证号码", "性别"]
    assert skip_reason(repeated, mapping) == "header"


def test_row_fields_first_non_blank_of_two_columns(messy_xlsx):
    rows = [(1, ["姓名", "手机", "联系电话", "身份证号"]), (2, ["张三", "", "13812345678", "1"])]
    mapping = detect_header(rows)
    assert mapping.columns == {0: "name", 1: "phone", 2: "phone", 3: "id_number"}
    assert row_fields(rows[1][1], mapping) == {"name": "张三", "phone": "13812345678",
                                               "id_number": "1"}


def test_samples_are_valid_and_distinct():
    from gonghui.core.idnumber import parse

    numbers = [samples.id_number(i) for i in range(0, 3_000_000, 997)]
    assert len(set(numbers)) == len(numbers)
    assert all(parse(n, today=dt.date(2026, 1, 1)).number == n for n in numbers)
