"""validation.validate_person: the one check of a person's fields (forms, API, importer)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.idnumber import PROVINCE_CODES
from gonghui.core.testing import synthetic_id_number
from gonghui.members.validation import (
    PERSON_FIELDS,
    PersonInvalid,
    check_joined_on,
    check_person,
    field_for_header,
    id_hash,
    parse_date,
    validate_person,
)

TODAY = dt.date(2026, 5, 1)
ID = synthetic_id_number(123, birth="19850314")  # a man (17th digit 3 is odd), born 1985-03-14


def _errors(fields, **kw):
    person, errors = check_person(fields, today=TODAY, **kw)
    assert person is None
    return [(e.field, e.code) for e in errors]


def test_full_record_normalises_every_field():
    person = validate_person({
        "姓名": " 张  伟 ", "身份证号码": " " + ID.lower() + " ", "性别": "男", "民族": "汉",
        "手机号码": "+86 138-1234-5678", "文化程度": "本科", "政治面貌": "党员", "户口性质": "农业户口",
        "用工形式": "劳务派遣", "所属群体": "外卖骑手", "单位名称": "沪通即时配送有限公司",
        "岗位": "骑手", "技能等级": "四级", "月工资（元）": "¥6,500.5", "出生日期": "1985年3月14日",
    }, today=TODAY)
    assert person.name == "张 伟"
    assert person.id_number == ID
    assert person.id_hash == id_hash(ID)
    assert person.gender == "M"
    assert person.birth_date == dt.date(1985, 3, 14)
    assert person.ethnicity == "汉族"
    assert person.phone == "13812345678"
    assert person.education == "bachelor"
    assert person.political_status == "cpc"
    assert person.household_type == "rural"
    assert person.employment_form == "dispatch"
    assert person.new_employment_group == "food_delivery"
    assert person.employer_name == "沪通即时配送有限公司"
    assert person.skill_level == "intermediate"
    assert person.monthly_wage == Decimal("6500.50")


def test_field_names_work_as_keys_and_only_name_and_id_are_required():
    person = validate_person({"name": "李娜", "id_number": ID}, today=TODAY)
    assert (person.gender, person.phone, person.monthly_wage) == ("M", "", None)
    assert _errors({}) == [("name", "required"), ("id_number", "required")]
    assert _errors({"name": "李娜", "id_number": ID}, required=("phone",)) == [("phone", "required")]


def test_gender_and_birth_date_must_agree_with_the_id_number():
    with pytest.raises(PersonInvalid) as exc:
        validate_person({"name": "李娜", "id_number": ID, "gender": "女",
                         "birth_date": "1985-03-15"}, today=TODAY)
    assert exc.value.extra["errors"] == [
        ("gender", "gender_mismatch", "性别与身份证号码不符（号码第 17 位表示男），请核对性别或号码。"),
        ("birth_date", "birth_mismatch",
         "出生日期与身份证号码不符（号码中为 1985-03-14），请核对出生日期或号码。"),
    ]
    assert exc.value.message.startswith("性别：性别与身份证号码不符")


@pytest.mark.parametrize(("raw", "code"), [
    ("3.10101E+17", "id_scientific"),
    ("31010119850314123", "id_length"),
    ("99010119850314123X", "id_province"),
    (ID[:-1] + ("0" if ID[-1] != "0" else "1"), "id_checksum"),
])
def test_id_errors_carry_the_parser_code(raw, code):
    assert _errors({"name": "王芳", "id_number": raw}) == [("id_number", code)]


def test_under_sixteen_cannot_join():
    young = synthetic_id_number(123, birth="20120501")
    assert _errors({"name": "小明", "id_number": young}) == [("id_number", "too_young")]


@pytest.mark.parametrize(("value", "expected"), [
    (43122, dt.date(2018, 1, 22)),
    (43122.0, dt.date(2018, 1, 22)),
    ("43122", dt.date(2018, 1, 22)),
    ("2018.1.22", dt.date(2018, 1, 22)),
    ("2018年1月22日", dt.date(2018, 1, 22)),
    ("2018-01-22", dt.date(2018, 1, 22)),
    ("2018/1/22", dt.date(2018, 1, 22)),
    ("20180122", dt.date(2018, 1, 22)),
    ("２０１８－０１－２２", dt.date(2018, 1, 22)),
    (dt.datetime(2018, 1, 22, 0, 0), dt.date(2018, 1, 22)),
    ("2018-01-22 00:00:00", dt.date(2018, 1, 22)),
])
def test_date_forms(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "code"), [
    ("2018-02-30", "date_invalid"), ("明年", "date_format"), ("2018.13.1", "date_invalid"),
    (float("inf"), "date_format"), (float("nan"), "date_format"), (43122.5, "date_format"),
])
def test_bad_dates(value, code):
    assert _errors({"name": "王芳", "id_number": ID, "birth_date": value}) == [("birth_date", code)]


@pytest.mark.parametrize(("value", "code"), [
    ("1381234567", "phone"), ("23812345678", "phone"), ("021-12345678", "phone"),
])
def test_bad_phones(value, code):
    assert _errors({"name": "王芳", "id_number": ID, "phone": value}) == [("phone", code)]


@pytest.mark.parametrize(("value", "code"), [
    ("-1", "money_negative"), ("abc", "money_format"), ("12.345", "money_precision"),
    ("1000000", "money_range"),
])
def test_bad_wages(value, code):
    assert _errors({"name": "王芳", "id_number": ID, "monthly_wage": value}) == [("monthly_wage", code)]


def test_float_wage_from_a_spreadsheet_is_exact():
    person = validate_person({"name": "王芳", "id_number": ID, "monthly_wage": 6500.1}, today=TODAY)
    assert person.monthly_wage == Decimal("6500.10")


def test_unknown_choice_lists_the_allowed_labels():
    _person, errors = check_person({"name": "王芳", "id_number": ID, "学历": "幼儿园"}, today=TODAY)
    assert errors[0].message == ("“幼儿园”不是可选值，请填写：研究生、大学本科、大学专科、中专/中技、高中、"
                                 "初中及以下。")


def test_name_with_digits_is_refused_minority_dot_accepted():
    assert _errors({"name": "张三1", "id_number": ID}) == [("name", "name")]
    assert validate_person({"name": "买买提•艾力", "id_number": ID}, today=TODAY).name == "买买提·艾力"


@pytest.mark.parametrize(("header", "field"), [
    ("身份证号", "id_number"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    (" 身份证 号码 ", "id_number"), ("身份证号码（18位）", "id_number"), ("手机号码", "phone"),
    ("月工资(元)", "monthly_wage"), ("入会时间", "joined_on"), ("姓名*", "name"), ("备注", None),
])
def test_headers(header, field):
    assert field_for_header(header) == field


def test_every_field_has_a_chinese_label_and_unique_headers():
    seen = {}
    for spec in PERSON_FIELDS:
        for header in (spec.label, *spec.headers):
            assert seen.setdefault(header, spec.name) == spec.name
    assert [s.name for s in PERSON_FIELDS][:2] == ["name", "id_number"]


def test_joined_on():
    birth = dt.date(1985, 3, 14)
    assert check_joined_on("2018.1.22", birth_date=birth, today=TODAY) == dt.date(2018, 1, 22)
    with pytest.raises(PersonInvalid) as exc:
        check_joined_on("2027-01-01", birth_date=birth, today=TODAY)
    assert exc.value.errors[0].code == "future"
    with pytest.raises(PersonInvalid) as exc:
        check_joined_on("2000-01-01", birth_date=birth, today=TODAY)
    assert exc.value.errors[0].code == "too_early"


# --- property-based ------------------------------------------------------------------------

births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31))
# Region codes that no longer exist: 310102 南市区, 310103 卢湾区, 310108 闸北区 (Shanghai),
# 320102 (南京玄武 before the 2013 merger of 白下), 110103 崇文区, 110104 宣武区 (Beijing).
HISTORICAL = ["310102", "310103", "310108", "320103", "110103", "110104", "440111", "510107"]


@given(region=st.sampled_from(HISTORICAL), birth=births, seq=st.integers(0, 999))
def test_historical_region_codes_validate(region, birth, seq):
    number = synthetic_id_number(seq, region=region, birth=birth)
    person = validate_person({"name": "测试", "id_number": number}, today=TODAY)
    assert person.id_number == number
    assert person.birth_date == birth
    assert person.gender == ("M" if seq % 2 else "F")


@given(province=st.sampled_from(sorted(PROVINCE_CODES)), region=st.integers(0, 9999),
       birth=births, seq=st.integers(0, 999),
       spaces=st.sampled_from(["", " ", "\t", "\u3000"]), lower=st.booleans(),
       fullwidth=st.booleans())
def test_messy_numbers_normalise_to_one_blind_index(province, region, birth, seq, spaces, lower,
                                                    fullwidth):
    number = synthetic_id_number(seq, region=f"{province}{region:04d}", birth=birth)
    messy = number.lower() if lower else number
    if fullwidth:
        messy = messy.translate(str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ"))
    messy = f"{spaces}{messy}{spaces}"
    person = validate_person({"name": "测试", "身份证号": messy}, today=TODAY)
    assert person.id_number == number
    assert person.id_hash == id_hash(number)


@given(province=st.sampled_from(sorted(PROVINCE_CODES)), birth=births, seq=st.integers(0, 999),
       gender=st.sampled_from(["男", "女", "M", "F"]))
def test_gender_given_is_accepted_iff_it_matches(province, birth, seq, gender):
    number = synthetic_id_number(seq, region=f"{province}0101", birth=birth)
    expected = "M" if seq % 2 else "F"
    given_code = {"男": "M", "女": "F"}.get(gender, gender)
    person, errors = check_person({"name": "测试", "id_number": number, "gender": gender},
                                  today=TODAY)
    if given_code == expected:
        assert errors == []
        assert person is not None
        assert person.gender == expected
    else:
        assert [(e.field, e.code) for e in errors] == [("gender", "gender_mismatch")]


@given(st.dictionaries(st.sampled_from(["name", "id_number", "phone", "birth_date", "学历",
                                        "monthly_wage", "民族", "性别"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True),
                                 st.none(), st.dates())))
def test_never_crashes(fields):
    person, errors = check_person(fields, today=TODAY)
    assert (person is None) == bool(errors)
    for error in errors:
        assert error.message
