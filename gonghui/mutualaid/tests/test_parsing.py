"""Settlement files as they come: encodings, title lines, header synonyms, messy dates and
amounts, and a precise reason for every refused row. Parsers under hypothesis."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.cells import detect_encoding, parse_date
from gonghui.core.errors import ApplicationError
from gonghui.core.testing import synthetic_id_number
from gonghui.mutualaid.bankfiles import ResultError, ResultLine, read_result_file
from gonghui.mutualaid.parsing import ParsedRow, open_text, parse_amount, read_rows

TODAY = dt.date(2026, 10, 15)
ID = synthetic_id_number(123, birth=dt.date(1980, 1, 1))


def _read(text: str, encoding: str = "utf-8") -> list:
    return list(read_rows(open_text(io.BytesIO(text.encode(encoding))), today=TODAY))


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}",
                        "{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d} 08:30:00"]))
def test_parse_date_reads_every_format(day, pattern):
    assert parse_date(pattern.format(y=day.year, m=day.month, d=day.day)) == day


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2),
       st.sampled_from(["{v}", "¥{v}", "{v}元", " {v} ", "{c}"]))
def test_parse_amount_round_trips(value, pattern):
    text = pattern.format(v=value, c=f"{value:,}")
    assert parse_amount(text) == value


# core.cells' messages (one set for every importer), and the reversal record of this domain
@pytest.mark.parametrize(("raw", "message"), [
    ("-12.00", "金额“-12.00”为负数（冲销记录），不予受理。"),
    ("12.345", "金额最多两位小数（精确到分）。"),
    ("", "金额不能为空。"),
    ("abc", "金额“abc”无法识别，请只填数字，例如 6500.00。"),
])
def test_parse_amount_refuses_with_reason(raw, message):
    with pytest.raises(ValueError) as exc:
        parse_amount(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize(("raw", "message"), [
    ("2026-02-30", "日期“2026-02-30”不存在（请核对月份和日）。"),
    ("2026-13-01", "日期“2026-13-01”不存在（请核对月份和日）。"),
    ("yesterday", "日期“yesterday”无法识别，请写成 2018-01-22、2018/1/22、2018.1.22 或 2018年1月22日。"),
    ("20261301", "日期“20261301”不存在（请核对月份和日）。"),
    ("99999", "日期“99999.0”无法识别（不是 1900–2099 年间的 Excel 日期），请写成 2018-01-22。"),
])
def test_parse_date_refuses(raw, message):
    """The settlement file's dates are read by core.cells: its messages, its Excel range."""
    with pytest.raises(ValueError) as exc:
        parse_date(raw)
    assert str(exc.value) == message


def test_a_bad_date_cell_is_a_row_error_with_the_core_message():
    header = "结算单号,身份证号码,医疗机构,入院日期,出院日期,医疗总费用,统筹支付,个人自付\n"
    rows = _read(header + f"S1,{ID},瑞金医院,2026-02-30,2026-03-02,100.00,60.00,40.00\n")
    assert [(e.column, e.code, e.message) for e in rows[0]] == [
        ("入院日期", "date", "日期“2026-02-30”不存在（请核对月份和日）。")]


def test_title_lines_synonyms_tabs_and_gb18030():
    text = ("上海市医疗保障局住院结算明细\t\t\n导出时间 2026-10-01\t\t\n"
            "结算流水号\t公民身份号码\t定点医疗机构\t入院时间\t出院时间\t费用总额\t基金支付\t个人负担\t就诊类别\n"
            f"S1\t{ID.lower()[:-1] + ID[-1].lower()}\t瑞金医院\t2026年5月1日\t2026.5.11\t"
            "¥10,000.00\t7,000.00\t3000\t意外伤害\n"
            "合计\t\t\t\t\t10000.00\t7000.00\t3000.00\t\n")
    rows = _read(text, "gb18030")
    assert rows == [ParsedRow(
        row_no=4, settlement_no="S1", id_number=ID, patient_name="", hospital="瑞金医院",
        admitted_on=dt.date(2026, 5, 1), discharged_on=dt.date(2026, 5, 11),
        total=Decimal("10000.00"), insurance_paid=Decimal("7000.00"),
        self_paid=Decimal("3000.00"), category="accident")]
    assert detect_encoding("结算单号".encode("gb18030")) == "gb18030"
    assert detect_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"


def test_every_refused_row_says_which_column_and_why():
    header = "结算单号,身份证号码,医疗机构,入院日期,出院日期,医疗总费用,统筹支付,个人自付,类别\n"
    rows = _read(header
                 + f"S1,{ID},瑞金医院,2026-05-10,2026-05-01,100.00,60.00,40.00,疾病\n"
                 + f"S2,{ID},瑞金医院,2026-05-01,2026-05-03,100.00,60.00,30.00,疾病\n"
                 + "S3,3.10101E+17,,2026-05-01,2026-11-03,100.00,60.00,40.00,门诊\n")
    assert [[(e.row_no, e.column, e.code) for e in row] for row in rows] == [
        [(2, "出院日期", "dates_order")],
        [(3, "医疗总费用", "unbalanced")],
        [(4, "身份证号码", "id_scientific"), (4, "医疗机构", "required"),
         (4, "类别", "category"), (4, "出院日期", "future")],
    ]
    assert rows[1][0].message == "医疗总费用 100.00 不等于统筹支付 60.00 与个人自付 30.00 之和。"
    assert rows[2][2].message == "类别“门诊”无法识别，应为 疾病、意外 或 重大疾病。"


def test_a_file_without_header_is_refused_whole():
    with pytest.raises(ApplicationError) as exc:
        _read("a,b,c\n1,2,3\n")
    assert exc.value.message == ("文件前 10 行中没有找到表头。表头须包含：结算单号、身份证号码、医疗机构、"
                                 "入院日期、出院日期、医疗总费用、统筹支付、个人自付。")


def test_bank_result_file():
    text = ("付款参考号,处理结果,失败原因,金额,交易日期\n"
            "B3-17,成功,,120.00,2026-10-09\n"
            "b3-18,失败,,80.00,\n"
            "X9,成功,,1,\n"
            "B3-19,处理中,,1,\n")
    lines = list(read_result_file(io.BytesIO(text.encode())))
    assert lines == [
        ResultLine(2, "B3-17", 3, 17, True, "", Decimal("120.00"), "", dt.date(2026, 10, 9)),
        ResultLine(3, "B3-18", 3, 18, False, "银行未说明原因", Decimal("80.00"), "", None),
        ResultError(4, "付款参考号“X9”格式不正确。"),
        ResultError(5, "处理结果“处理中”无法识别，应为“成功”或“失败”。"),
    ]
