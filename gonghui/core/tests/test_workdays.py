"""The working-day calendar with real dates: 春节, 国庆 and 调休 Saturdays of 2025/2026."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core import workdays
from gonghui.core.models import WorkdayOverride

D = dt.date


@pytest.mark.parametrize(("day", "working"), [
    (D(2026, 2, 14), True),    # Saturday: 调休 working day before 春节
    (D(2026, 2, 28), True),    # Saturday: 调休 after 春节
    (D(2026, 2, 16), False),   # Monday in 春节
    (D(2026, 2, 23), False),   # Monday, last day of 春节 2026
    (D(2026, 2, 24), True),    # Tuesday after 春节
    (D(2026, 10, 1), False),   # 国庆
    (D(2026, 10, 7), False),
    (D(2026, 10, 8), True),
    (D(2026, 10, 10), True),   # Saturday: 调休
    (D(2026, 3, 7), False),    # an ordinary Saturday
    (D(2026, 3, 9), True),     # an ordinary Monday
    (D(2025, 1, 26), True),    # Sunday: 调休 before 春节 2025
    (D(2025, 1, 28), False),   # 除夕 2025
    (D(2025, 2, 4), False),
    (D(2025, 2, 8), True),     # Saturday: 调休
    (D(2025, 9, 28), True),    # Sunday: 调休 before 国庆 2025
    (D(2025, 10, 8), False),
    (D(2025, 10, 11), True),   # Saturday: 调休
])
def test_is_working_day(db, day, working):
    assert workdays.is_working_day(day) is working


def test_add_working_days_counts_from_the_next_day(db):
    assert workdays.add_working_days(D(2026, 3, 6), 0) == D(2026, 3, 6)
    assert workdays.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)     # Friday → Monday
    assert workdays.add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)
    # 国庆 2026: 9-30 (Wed) + 1 → 10-8 (Thu); the 调休 Saturday 10-10 counts.
    assert workdays.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert workdays.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    # 春节 2026: Friday 2-13 + 1 → Saturday 2-14 (调休); + 2 → 2-24 after the holiday.
    assert workdays.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # 春节 2025 spans the year boundary of the library data: 2024-12-31 + 1 → 2025-01-02.
    assert workdays.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 2)


def test_add_working_days_refuses_negative(db):
    with pytest.raises(ValueError, match="n must be"):
        workdays.add_working_days(D(2026, 3, 6), -1)


def test_working_days_between(db):
    assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert workdays.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert workdays.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    # 2026: 365 − 104 weekend days − 19 holidays on weekdays + 6 调休 weekend days = 248.
    assert workdays.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_period_end_counts_the_start_day(db):
    assert workdays.period_end(D(2026, 3, 2), 5) == D(2026, 3, 6)    # Mon..Fri
    assert workdays.period_end(D(2026, 3, 7), 1) == D(2026, 3, 9)    # starts on a Saturday
    assert workdays.period_end(D(2026, 9, 28), 5) == D(2026, 10, 9)  # across 国庆
    with pytest.raises(ValueError, match="n must be"):
        workdays.period_end(D(2026, 3, 2), 0)


def test_unknown_year_is_an_error_not_mon_to_fri(db):
    first, last = workdays.library_years()
    assert (first, last) == (2004, 2026)
    with pytest.raises(workdays.UnknownCalendarYear) as caught:
        workdays.is_working_day(D(2027, 3, 1))
    assert caught.value.year == 2027
    assert caught.value.code == "calendar_year_unknown"
    assert "2027 年的法定节假日安排尚未录入" in caught.value.message
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.add_working_days(D(2026, 12, 30), 5)
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.working_days_between(D(2026, 12, 1), D(2027, 1, 10))


def test_overrides_make_a_year_known_and_beat_the_library(db):
    WorkdayOverride.objects.create(date=D(2027, 1, 1), kind="holiday", note="元旦")
    WorkdayOverride.objects.create(date=D(2027, 2, 6), kind="working", note="调休")
    assert workdays.is_working_day(D(2027, 1, 1)) is False     # a Friday, declared off
    assert workdays.is_working_day(D(2027, 2, 6)) is True      # a Saturday, declared working
    assert workdays.is_working_day(D(2027, 3, 1)) is True      # an ordinary Monday
    assert workdays.is_working_day(D(2027, 3, 6)) is False     # an ordinary Saturday
    # across the year boundary now works
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    # a local holiday in a known year beats the library
    WorkdayOverride.objects.create(date=D(2026, 3, 9), kind="holiday", note="本地")
    assert workdays.is_working_day(D(2026, 3, 9)) is False
    assert workdays.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)


def test_year_days_lists_holidays_and_adjusted_days(db):
    days = {d: (w, s) for d, w, s in workdays.year_days(2026)}
    assert days[D(2026, 2, 14)] == (True, "library")
    assert days[D(2026, 10, 1)] == (False, "library")
    assert D(2026, 3, 7) not in days  # an ordinary weekend is not special
    # six 调休 working days in 2026: 1-4, 2-14, 2-28, 5-9, 9-20, 10-10
    assert sorted(d for d, (w, _s) in days.items() if w) == [
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
        D(2026, 10, 10)]
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.year_days(2027)


def test_one_query_per_call(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        workdays.add_working_days(D(2026, 1, 1), 20)
    with django_assert_num_queries(1):
        workdays.working_days_between(D(2026, 1, 1), D(2026, 6, 30))


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30)),
       n=st.integers(min_value=0, max_value=60))
@pytest.mark.django_db
def test_add_and_between_agree(start, n):
    end = workdays.add_working_days(start, n)
    assert workdays.working_days_between(start, end) == n
    if n:
        assert workdays.is_working_day(end) is True


def test_datetime_is_refused(db):
    with pytest.raises(TypeError):
        workdays.is_working_day(dt.datetime(2026, 3, 2, 9, 0))


def test_cached_overrides_are_read_once_and_afresh_after_a_write(db, settings,
                                                                  django_assert_num_queries):
    """GONGHUI_CALENDAR_CACHE_SECONDS: a page computing several deadlines reads the overrides
    once; an override saved or deleted is seen by the next calculation."""
    from django.core.cache import cache  # the calendar's cache, emptied around the test

    settings.GONGHUI_CALENDAR_CACHE_SECONDS = 60
    cache.clear()
    try:
        with django_assert_num_queries(1):
            assert workdays.is_working_day(D(2026, 3, 9)) is True
            assert workdays.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
            assert workdays.is_working_day(D(2026, 3, 10)) is True
        local = WorkdayOverride.objects.create(date=D(2026, 3, 9), kind="holiday", note="本地")
        with django_assert_num_queries(1):
            assert workdays.is_working_day(D(2026, 3, 9)) is False
            assert workdays.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
        local.delete()
        assert workdays.is_working_day(D(2026, 3, 9)) is True
        settings.GONGHUI_CALENDAR_CACHE_SECONDS = 0
        with django_assert_num_queries(2):
            assert workdays.is_working_day(D(2026, 3, 9)) is True
            assert workdays.is_working_day(D(2026, 3, 9)) is True
    finally:
        cache.clear()
