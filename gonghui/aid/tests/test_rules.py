"""Category computation at its edges, and the month arithmetic of exit and relapse watch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.aid import rules
from gonghui.aid.rules import Category

LINE = Decimal("1510.00")  # 上海 2024 城乡低保标准, 元/人/月


def _category(total: str, size: int = 1, *, sudden: bool = False,
              multiple: str = "1.5") -> str:
    return rules.propose(total_monthly=Decimal(total), household_size=size, line=LINE,
                         multiple=Decimal(multiple), sudden=sudden).category


@pytest.mark.parametrize(("total", "size", "expected"), [
    ("1509.99", 1, Category.DEEP),        # one fen below the line
    ("1510.00", 1, Category.RELATIVE),    # exactly at the line: not 深度
    ("1510.01", 1, Category.RELATIVE),
    ("2264.99", 1, Category.RELATIVE),    # one fen below 1.5 × line (2265.00)
    ("2265.00", 1, ""),                   # exactly at the multiple: not 相对
    ("2265.01", 1, ""),
    ("0.00", 3, Category.DEEP),
    ("4529.97", 3, Category.DEEP),        # 1509.99 each
    ("4530.00", 3, Category.RELATIVE),    # 1510.00 each
    ("6795.00", 3, ""),                   # 2265.00 each
    ("6794.97", 3, Category.RELATIVE),    # 2264.99 each
])
def test_category_edges(total, size, expected):
    assert _category(total, size) == expected


def test_per_capita_rounds_half_up_and_the_rounded_figure_decides():
    # 4529.99 / 3 = 1509.9966… → 1510.00 shown, and compared: at the line → 相对困难
    proposal = rules.propose(total_monthly=Decimal("4529.99"), household_size=3, line=LINE)
    assert proposal.per_capita == Decimal("1510.00")
    assert proposal.category == Category.RELATIVE
    # 4529.98 / 3 = 1509.9933… → 1509.99 → 深度困难
    assert _category("4529.98", 3) == Category.DEEP


def test_sudden_hardship_whatever_the_income_unless_below_the_line():
    assert _category("9000.00", 1, sudden=True) == Category.SUDDEN
    assert _category("2265.00", 1, sudden=True) == Category.SUDDEN
    assert _category("1510.00", 1, sudden=True) == Category.SUDDEN
    # below the 低保 line the deeper category is proposed
    assert _category("1509.99", 1, sudden=True) == Category.DEEP


def test_configurable_multiple():
    assert rules.upper_line(LINE, Decimal("2.0")) == Decimal("3020.00")
    assert _category("3019.99", multiple="2.0") == Category.RELATIVE
    assert _category("3020.00", multiple="2.0") == ""
    # a multiple of 1 leaves no room for 相对困难
    assert _category("1510.00", multiple="1.0") == ""


def test_upper_line_rounds_to_the_fen():
    assert rules.upper_line(Decimal("1333.33"), Decimal("1.5")) == Decimal("2000.00")  # 1999.995
    assert rules.upper_line(Decimal("1333.33"), Decimal("1.25")) == Decimal("1666.66")  # .6625


def test_exit_line_is_the_upper_edge():
    assert rules.above_exit_line(Decimal("2265.00"), LINE, Decimal("1.5")) is True
    assert rules.above_exit_line(Decimal("2264.99"), LINE, Decimal("1.5")) is False


def test_household_size_must_be_positive():
    with pytest.raises(ValueError, match="at least one"):
        rules.per_capita(Decimal("100"), 0)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2025, 3, 15), 12, dt.date(2026, 3, 15)),
    (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
    (dt.date(2025, 12, 1), 1, dt.date(2026, 1, 1)),
    (dt.date(2025, 5, 5), 24, dt.date(2027, 5, 5)),
])
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


@given(total=st.decimals(min_value=0, max_value=100000, places=2),
       size=st.integers(min_value=1, max_value=12),
       line=st.decimals(min_value=1, max_value=5000, places=2),
       multiple=st.decimals(min_value=1, max_value=3, places=2))
def test_proposal_is_consistent_with_its_figures(total, size, line, multiple):
    p = rules.propose(total_monthly=total, household_size=size, line=line, multiple=multiple)
    if p.category == Category.DEEP:
        assert p.per_capita < line
    elif p.category == Category.RELATIVE:
        assert line <= p.per_capita < p.upper
    else:
        assert p.per_capita >= p.upper
    assert rules.above_exit_line(p.per_capita, line, multiple) is (p.category == "")


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
       a=st.integers(min_value=0, max_value=60), b=st.integers(min_value=0, max_value=60))
def test_add_months_never_goes_backwards(day, a, b):
    assert rules.add_months(day, a) <= rules.add_months(day, a + b)
    assert rules.add_months(day, a).day <= day.day
