from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.idnumber import (
    PROVINCE_CODES,
    IDNumberError,
    mask,
    normalize,
    parse,
    with_check_digit,
)

VALID = "11010519491231002X"  # the GB 11643 example number


def test_known_valid_number():
    parsed = parse(VALID)
    assert parsed.number == VALID
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.province == "11"


@pytest.mark.parametrize(("raw", "expected"), [
    (" 11010519491231002x ", VALID),
    ("１１０１０５１９４９１２３１００２Ｘ", VALID),  # full-width digits
    ("110105 19491231 002X", VALID),
    ("110105194912310028.0".replace("28.0", "2X"), VALID),
])
def test_normalisation(raw, expected):
    assert parse(raw).number == expected


@pytest.mark.parametrize(("raw", "code"), [
    ("", "empty"),
    ("3.10101E+17", "scientific"),
    ("1101051949123100", "length"),
    ("11010519491231002A", "format"),
    ("99010519491231002X", "province"),
    ("110105194902300021", "birth_date"),
    ("110105194912310021", "checksum"),
])
def test_rejections(raw, code):
    with pytest.raises(IDNumberError) as exc:
        parse(raw)
    assert exc.value.code == code


def test_historical_region_codes_are_accepted():
    # 310103 卢湾区 (merged into 黄浦区 in 2011), 310108 闸北区 (into 静安区, 2015),
    # 310102 南市区 (into 黄浦区, 2000): people keep these numbers.
    for region in ("310103", "310108", "310102"):
        number = with_check_digit(f"{region}19800101123")
        assert parse(number).number == number


def test_mask():
    assert mask("31010119800101123X") == "310***********123X"


birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31))


@given(province=st.sampled_from(sorted(PROVINCE_CODES)),
       region=st.integers(min_value=0, max_value=9999), birth=birth_dates,
       seq=st.integers(min_value=0, max_value=999))
def test_any_well_formed_number_round_trips(province, region, birth, seq):
    number = with_check_digit(f"{province}{region:04d}{birth:%Y%m%d}{seq:03d}")
    parsed = parse(number)
    assert parsed.birth_date == birth
    assert parsed.gender == ("M" if seq % 2 else "F")
    # messy forms of the same number normalise to it
    messy = " " + number.lower().translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "\t"
    assert parse(messy).number == number


@given(province=st.sampled_from(sorted(PROVINCE_CODES)), birth=birth_dates,
       seq=st.integers(min_value=0, max_value=999), position=st.integers(0, 16),
       delta=st.integers(1, 9))
def test_any_single_digit_change_is_caught(province, birth, seq, position, delta):
    number = with_check_digit(f"{province}0101{birth:%Y%m%d}{seq:03d}")
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(IDNumberError):
        parse("".join(digits))


@given(st.text(max_size=30))
def test_parse_never_crashes(raw):
    try:
        parsed = parse(raw)
    except IDNumberError as exc:
        assert exc.message  # noqa: PT017 (any input: either an error with a message…)
    else:
        assert len(parsed.number) == 18
        assert normalize(parsed.number) == parsed.number
