"""validation_columns.check_people_columns: the column-wise check the roster importer uses must
accept exactly the rows `check_person` accepts, with the same values, and refuse the others
with the same error codes in the same order (hypothesis: random messy rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.idnumber import with_check_digit
from gonghui.members.validation import PERSON_FIELDS, check_person
from gonghui.members.validation_columns import check_people_columns

TODAY = dt.date(2026, 5, 1)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@st.composite
def id_numbers(draw: st.DrawFn) -> object:
    region = draw(st.sampled_from(["310101", "110105", "440305", "990101", "000000",
                                   "820000"]))
    birth = draw(st.one_of(
        st.dates(dt.date(1890, 1, 1), dt.date(2027, 12, 31)).map(lambda d: f"{d:%Y%m%d}"),
        st.sampled_from(["20100229", "19851301", "19850000", "00000101", "20120229",
                         "20100501", "20100502", "20100430"])))
    first17 = f"{region}{birth}{draw(st.integers(0, 999)):03d}"
    number = with_check_digit(first17)
    mess = draw(st.sampled_from(["as is", "as is", "lower", "full", "spaces", "dash", "dot0",
                                 "bad check", "short", "letters", "scientific", "float",
                                 "int", "blank", "none"]))
    if mess == "lower":
        return number.lower()
    if mess == "full":
        return number.translate(FULL_WIDTH)
    if mess == "spaces":
        return f" {number[:6]} {number[6:14]} {number[14:]} "
    if mess == "dash":
        return f"{number[:6]}-{number[6:]}"
    if mess == "dot0":
        return number + ".0"
    if mess == "bad check":
        return first17 + ("0" if number[17] != "0" else "1")
    if mess == "short":
        return number[:draw(st.integers(0, 17))]
    if mess == "letters":
        return number[:10] + "AB" + number[12:]
    if mess == "scientific":
        return "3.10101E+17"
    if mess == "float":
        return float(number[:15] + "000")
    if mess == "int":
        return int(number[:17])
    if mess == "blank":
        return draw(st.sampled_from(["", "  ", "\u3000", "\t"]))
    return None


def _anything() -> st.SearchStrategy[object]:
    return st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["", " ", "\u3000"]),
                     st.integers(-5, 80000), st.floats(allow_nan=False, allow_infinity=False),
                     st.dates(dt.date(1950, 1, 1), dt.date(2030, 1, 1)))


def _choice(*words: str) -> st.SearchStrategy[object]:
    return st.one_of(st.sampled_from(words), _anything())


FIELD_STRATEGIES: dict[str, st.SearchStrategy[object]] = {
    "name": st.one_of(st.sampled_from(["张三", "欧阳娜娜", " 张  伟 ", "阿依古丽·买买提",
                                       "Tom Lee", "王5", "张•三", "𠀀明", "张" * 65, ""]),
                      st.text(alphabet="张王李伟芳 ·1a", max_size=6), _anything()),
    "gender": _choice("男", "女", "M", "F", "男性", "女士", "未知"),
    "birth_date": st.one_of(
        st.dates(dt.date(1960, 1, 1), dt.date(2015, 1, 1)).flatmap(lambda d: st.sampled_from(
            [d, d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}",
             f"{d.year}.{d.month}.{d.day}", f"{d:%Y/%m/%d} 08:00"])),
        st.sampled_from(["1985-02-30", "31081", "2018", "1899-12-31"]), _anything()),
    "ethnicity": _choice("汉族", "汉", "回族", "维吾尔族", "火星族"),
    "phone": st.one_of(st.sampled_from(["13812345678", "+86 138-1234-5678", "008613812345678",
                                        "8613812345678", "12812345678", "1381234567",
                                        "13812345678.0", "１３８１２３４５６７８"]),
                       st.integers(10**10, 2 * 10**10), _anything()),
    "education": _choice("大学本科", "本科", "大专", "硕士", "小学", "博士后"),
    "political_status": _choice("群众", "中共党员", "党员", "共青团员"),
    "household_type": _choice("城镇户籍", "农村户籍", "农业户口"),
    "employment_form": _choice("劳务派遣", "劳动合同", "灵活就业"),
    "new_employment_group": _choice("快递员", "外卖骑手", "网约送餐员", "非新就业形态群体"),
    "employer_name": _choice("申达快递有限公司", " 申达 快递 ", "公" * 201),
    "occupation": _choice("快递员", "骑手", "岗" * 65),
    "skill_level": _choice("四级", "高级工", "一级"),
    "monthly_wage": st.one_of(
        st.sampled_from(["¥6,500.5", "6500", "6500.123", "-1", "0", "2000000", "RMB 3000元",
                         "abc", Decimal("4500.10")]),
        st.floats(0, 10**7, allow_nan=False), _anything()),
}
ROWS = st.lists(st.fixed_dictionaries(
    {"id_number": id_numbers()},
    optional=dict(FIELD_STRATEGIES.items())),
    min_size=1, max_size=12)


def _columns(rows: list[dict[str, object]]) -> dict[str, list[object]]:
    names = {name for row in rows for name in row}
    return {name: [row.get(name) for row in rows] for name in names}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
def test_column_wise_equals_row_wise(rows: list[dict[str, object]]) -> None:
    checked = check_people_columns(_columns(rows), rows=len(rows), today=TODAY)
    for index, row in enumerate(rows):
        person, errors = check_person(row, today=TODAY)
        assert checked.codes[index] == [(e.field, e.code) for e in errors], row
        if person is None:
            continue
        assert checked.id_numbers[index] == person.id_number
        for spec in PERSON_FIELDS:
            if spec.name != "id_number":
                assert checked.values[spec.name][index] == getattr(person, spec.name), (
                    spec.name, row)
        assert checked.values["gender"][index] == person.gender
        assert checked.values["birth_date"][index] == person.birth_date


def test_a_clean_column_and_its_refusals() -> None:
    """Exact values of a small batch: one canonical row, one messy row, three refusals."""
    good = with_check_digit("31010119850314123")  # a man born 1985-03-14
    young = with_check_digit("31010120120501002")  # 14 on TODAY
    rows = [
        {"name": "张伟", "id_number": good, "phone": "13812345678", "gender": "男"},
        {"name": " 王  芳 ", "id_number": f" {good.lower()} ", "monthly_wage": "¥6,500.5"},
        {"name": "李四", "id_number": good[:17] + ("0" if good[17] != "0" else "1")},
        {"name": "赵六", "id_number": good, "gender": "女", "birth_date": "1985-03-15"},
        {"name": "", "id_number": young},
    ]
    checked = check_people_columns(_columns(rows), rows=5, today=TODAY)
    assert checked.codes == [
        [], [], [("id_number", "id_checksum")],
        [("gender", "gender_mismatch"), ("birth_date", "birth_mismatch")],
        [("name", "required"), ("id_number", "too_young")],
    ]
    assert checked.id_numbers[:2] == [good, good]
    assert checked.values["name"][:2] == ["张伟", "王 芳"]
    assert checked.values["gender"][:2] == ["M", "M"]
    assert checked.values["birth_date"][:2] == [dt.date(1985, 3, 14)] * 2
    assert checked.values["monthly_wage"][:2] == [None, Decimal("6500.50")]
    assert checked.values["phone"][:2] == ["13812345678", ""]
