"""prepare_columns (the importer's column-wise stage one) gives, row for row, what the row-wise
prepare_rows gives: the same skips, the same rejections with the same columns and reasons, the
same accepted values (hypothesis: random messy roster rows, as a reader hands them over)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.idnumber import with_check_digit
from gonghui.members.tests.test_validation_columns import FIELD_STRATEGIES, id_numbers
from gonghui.roster.columns import Mapping, detect_header
from gonghui.roster.prepare import OK, REJECT, SKIP, prepare_rows
from gonghui.roster.prepare_columns import prepare_columns

AS_OF = dt.date(2026, 5, 1)
HEADERS = ["姓名", "身份证号码", "性别", "出生日期", "民族", "手机号", "联系电话", "学历",
           "工作单位", "月工资", "入会日期", "会员证号", "工会代码"]
FIELDS = ["name", "id_number", "gender", "birth_date", "ethnicity", "phone", "phone",
          "education", "employer_name", "monthly_wage", "joined_on", "card_number",
          "union_code"]


def _mapping(bulk: bool) -> Mapping:
    headers = HEADERS if bulk else HEADERS[:-1]
    return detect_header([(1, headers)])


def _cell(name: str) -> st.SearchStrategy[object]:
    if name == "id_number":
        return id_numbers()
    if name == "joined_on":
        return st.one_of(st.none(), st.sampled_from(["2010-09-01", "2027-01-01", "1990-01-01",
                                                     "43122", "2018年1月22日", "昨天"]),
                         st.integers(30000, 50000), st.dates(dt.date(1990, 1, 1), AS_OF))
    if name in ("card_number", "union_code"):
        return st.one_of(st.none(), st.sampled_from(["A-0001", " sh-hp-01 ", "x" * 21, ""]),
                         st.integers(0, 10**6))
    return FIELD_STRATEGIES[name]


SPECIAL = st.sampled_from([[], ["合计", "", "15"], ["填表人：张三"], list(HEADERS),
                           ["", "  ", "\u3000"], ["'=1+1", "'" + with_check_digit(
                               "31010119850314123")]])
ROW = st.one_of(st.tuples(*[_cell(n) for n in FIELDS]).map(list), SPECIAL)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=10), st.booleans(), st.integers(0, 13))
def test_column_wise_equals_row_wise(rows: list[list[object]], bulk: bool, width: int
                                     ) -> None:
    mapping = _mapping(bulk)
    numbered = [(n + 2, cells[:width] if n % 3 == 2 else cells) for n, cells in enumerate(rows)]
    expected = prepare_rows(numbered, mapping, as_of=AS_OF, with_cipher=False)
    assert prepare_columns(numbered, mapping, as_of=AS_OF) == expected


def test_a_chunk_with_each_outcome() -> None:
    good = with_check_digit("31010119850314123")
    other = with_check_digit("31010119900101002")
    rows = [
        (2, ["张伟", good, "男", "", "汉族", "13812345678", "", "本科", "申达快递", "6500",
             "2010-09-01", "", ""]),
        (3, ["合计", "", "", "", "", "", "", "", "", "", "", "", ""]),
        (4, ["李四", other, "男", "", "", "", "", "", "", "", "2027-01-01", "", ""]),
    ]
    mapping = _mapping(False)
    out = prepare_columns(rows, mapping, as_of=AS_OF)
    assert [r.kind for r in out] == [OK, SKIP, REJECT]
    assert out[0].values == {
        "name": "张伟", "gender": "M", "birth_date": dt.date(1985, 3, 14), "ethnicity": "汉族",
        "phone": "13812345678", "education": "bachelor", "political_status": "",
        "household_type": "", "employment_form": "", "new_employment_group": "",
        "employer_name": "申达快递", "occupation": "", "skill_level": "",
        "monthly_wage": out[0].values["monthly_wage"]}
    assert str(out[0].values["monthly_wage"]) == "6500.00"
    assert out[0].joined_on == dt.date(2010, 9, 1)
    assert out[0].cipher == b""
    assert out[1].reason == "totals"
    assert out[2].columns == "性别、入会日期"
    assert out[2].reason.startswith("【性别】性别与身份证号码不符")
