"""core.cells: the one set of cell parsers every importer uses. Property tests live here, once."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.cells import (
    EXCEL_EPOCH,
    CellError,
    cell_text,
    decode_text,
    detect_encoding,
    from_excel_serial,
    parse_bool,
    parse_date,
    parse_id_number,
    parse_money,
    parse_phone,
)
from gonghui.core.testing import synthetic_id_number

dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31))


@given(dates)
def test_every_written_form_of_a_date_parses_to_that_date(day):
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}年{day.month}月{day.day}",
        f"{day:%Y%m%d}",
        f"{day.isoformat()} 08:30:00",
        f"{day.isoformat()}T08:30",
        f" {day.isoformat()} ",
        # full-width digits as typed by an input method
        day.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
    ]
    for text in forms:
        assert parse_date(text) == day, text
    assert parse_date(dt.datetime.combine(day, dt.time(9))) == day
    assert parse_date(day) == day


@given(dates)
def test_excel_serials_round_trip_within_the_stated_range(day):
    serial = (day - EXCEL_EPOCH).days
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day
    if serial >= 10000:  # as text only the 5-digit serials (since 1927-05-18): "2018" is a year
        assert parse_date(str(serial)) == day
        assert parse_date(f"{serial}.0") == day
    assert parse_date(Decimal(serial)) == day


def test_serials_outside_1900_2099_are_refused_never_guessed():
    assert from_excel_serial(61) == dt.date(1900, 3, 1)
    assert parse_date(43122) == dt.date(2018, 1, 22)
    assert parse_date(73050) == dt.date(2099, 12, 31)
    for bad in (0, -5, 60, 73051, 80000, 2958465, 43122.5, float("nan"), float("inf")):
        with pytest.raises(CellError) as caught:
            parse_date(bad)
        assert caught.value.code == "date_serial"
    assert parse_date(20180122) == dt.date(2018, 1, 22)  # a yyyymmdd number cell


def test_bad_dates_say_how_to_write_them():
    with pytest.raises(CellError) as caught:
        parse_date("明年春天")
    assert caught.value.code == "date_format"
    assert caught.value.message == (
        "日期“明年春天”无法识别，请写成 2018-01-22、2018/1/22、2018.1.22 或 2018年1月22日。")
    with pytest.raises(CellError) as caught:
        parse_date("2018-02-30")
    assert caught.value.code == "date_invalid"
    assert caught.value.message == "日期“2018-02-30”不存在（请核对月份和日）。"
    with pytest.raises(CellError) as caught:
        parse_date(True)
    assert caught.value.code == "date_format"


def test_blank_dates():
    assert parse_date("", required=False) is None
    assert parse_date(None, required=False) is None
    with pytest.raises(CellError) as caught:
        parse_date("  ")
    assert caught.value.code == "date_empty"


@given(st.integers(min_value=0, max_value=10**11))
def test_money_forms_parse_to_the_fen(fen):
    amount = Decimal(fen) / 100
    plain = f"{amount:.2f}"
    grouped = f"{amount:,.2f}"
    for text in (plain, grouped, f"¥{plain}", f"￥{grouped}", f"{plain}元", f" {plain} ",
                 f"RMB{plain}", plain.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))):
        assert parse_money(text) == amount, text
    assert parse_money(amount) == amount
    assert parse_money(float(plain)) == amount


def test_money_options_and_messages():
    assert parse_money(0.1) == Decimal("0.10")  # Excel's 0.1 is 0.1, not 0.1000000000000000055…
    assert parse_money("5000") == Decimal("5000.00")
    assert parse_money("", required=False) is None
    cases = [
        ("12.345", {}, "money_precision", "金额最多两位小数（精确到分）。"),
        ("-3", {}, "money_negative", "金额不能为负数。"),
        ("0", {"allow_zero": False}, "money_zero", "金额必须大于零。"),
        ("abc", {}, "money_format", "金额“abc”无法识别，请只填数字，例如 6500.00。"),
        ("NaN", {}, "money_format", "金额“NaN”无法识别，请只填数字，例如 6500.00。"),
        ("", {}, "money_empty", "金额不能为空。"),
        ("200000", {"maximum": Decimal("100000")}, "money_range",
         "金额 200000 元超出合理范围（应小于 100000 元），请核对单位是否为元。"),
    ]
    for value, options, code, message in cases:
        with pytest.raises(CellError) as caught:
            parse_money(value, **options)
        assert (caught.value.code, caught.value.message) == (code, message), value
    assert parse_money("-3.50", allow_negative=True) == Decimal("-3.50")
    with pytest.raises(CellError):
        parse_money(True)


@given(st.integers(min_value=0, max_value=10**6))
def test_id_numbers_from_cells(seq):
    number = synthetic_id_number(seq)
    for raw in (number, f" {number.lower()} ",
                number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))):
        assert parse_id_number(raw, today=dt.date(2026, 12, 5)).number == number


def test_id_number_lost_digits_are_unrecoverable():
    with pytest.raises(CellError) as caught:
        parse_id_number("3.10101E+17")
    assert caught.value.code == "id_scientific"
    with pytest.raises(CellError) as caught:
        parse_id_number("31010119850314001")
    assert caught.value.code == "id_length"
    assert caught.value.message == "身份证号码应为 18 位，这里是 17 位。"


def test_phones():
    for raw in ("13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678",
                "008613812345678", "8613812345678", 13812345678.0, "１３８１２３４５６７８"):
        assert parse_phone(raw) == "13812345678", raw
    for raw in ("12812345678", "1381234567", "021-12345678", ""):
        with pytest.raises(CellError) as caught:
            parse_phone(raw)
        assert caught.value.code == "phone"


def test_booleans():
    for raw in ("是", "有", "Y", "yes", "TRUE", "1", 1, "√", True):
        assert parse_bool(raw) is True, raw
    for raw in ("否", "无", "N", "no", "false", "0", 0, "×", False):
        assert parse_bool(raw) is False, raw
    assert parse_bool("") is None
    with pytest.raises(CellError) as caught:
        parse_bool("也许")
    assert caught.value.message == "“也许”应填写“是”或“否”。"
    with pytest.raises(CellError):
        parse_bool(None, required=True)


TEXTS = st.text(alphabet=st.sampled_from("工会会员张伟李娜，。、0123456789abcXYZ ,;\n"), max_size=200)


@given(TEXTS)
def test_encodings_are_detected_and_decode_back(text):
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(text.encode("utf-8")) == text
    # A GB18030 file with a real header line (two-byte GB sequences of a few characters can be
    # valid UTF-8 by chance, a header of several is not).
    roster = "姓名,身份证号码,工作单位\n" + text
    assert detect_encoding(roster.encode("gb18030")) == "gb18030"
    assert decode_text(roster.encode("gb18030")) == roster


def test_a_sample_cut_inside_a_character_is_still_utf8():
    data = "会员名册".encode()
    assert detect_encoding(data[:-1]) == "utf-8"
    assert detect_encoding("会员名册".encode("gb18030")) == "gb18030"
    assert detect_encoding(codecs.BOM_UTF16_LE + "名册".encode("utf-16-le")) == "utf-16"


def test_cell_text():
    assert cell_text(12.0) == "12"
    assert cell_text("  ＡＢＣ１２ ") == "ABC12"
    assert cell_text(None) == ""


def test_a_year_alone_is_not_a_serial_and_huge_money_is_a_range_error():
    with pytest.raises(CellError) as caught:
        parse_date("2018")
    assert caught.value.code == "date_format"
    assert parse_date("43122") == dt.date(2018, 1, 22)
    for huge in ("1e26", 1e26, "1000000000000"):
        with pytest.raises(CellError) as caught:
            parse_money(huge)
        assert caught.value.code == "money_range"
    assert parse_money("999999999999.99") == Decimal("999999999999.99")
