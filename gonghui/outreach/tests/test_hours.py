""""Open now": the weekly pattern, intervals past midnight, and the day's exceptions."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.outreach.hours import DaySchedule, format_weekly, is_open, parse_weekly

T = dt.time
FRI = dt.date(2026, 7, 10)
SAT = dt.date(2026, 7, 11)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hh, mm))


NIGHT = {4: [(T(22), T(6))]}   # Friday 22:00 – Saturday 06:00


@pytest.mark.parametrize(("moment", "expected"), [
    (at(FRI, 21, 59), False), (at(FRI, 22), True), (at(FRI, 23, 59), True),
    (at(SAT, 0), True), (at(SAT, 5, 59), True), (at(SAT, 6), False), (at(SAT, 22), False),
])
def test_an_interval_past_midnight_runs_into_the_next_morning(moment, expected):
    assert is_open(moment, NIGHT, {}) is expected


def test_a_closed_exception_on_friday_also_closes_saturday_morning():
    exceptions = {FRI: DaySchedule(closed=True)}
    assert is_open(at(FRI, 23), NIGHT, exceptions) is False
    assert is_open(at(SAT, 1), NIGHT, exceptions) is False


def test_an_exception_on_saturday_keeps_fridays_night_open():
    exceptions = {SAT: DaySchedule(closed=True)}
    assert is_open(at(SAT, 1), NIGHT, exceptions) is True
    assert is_open(at(SAT, 12), {5: [(T(8), T(20))]}, exceptions) is False


def test_an_exception_with_its_own_hours_replaces_the_pattern():
    weekly = {4: [(T(8), T(20))]}
    exceptions = {FRI: DaySchedule(intervals=((T(10), T(12)),))}
    assert is_open(at(FRI, 9), weekly, exceptions) is False
    assert is_open(at(FRI, 11), weekly, exceptions) is True
    assert is_open(at(FRI, 13), weekly, exceptions) is False


def test_all_day_and_two_intervals():
    assert is_open(at(FRI, 3), parse_weekly("每天 00:00-24:00"), {}) is True
    weekly = parse_weekly("周一至周五 08:00-11:30; 周一至周五 13:00-17:00")
    assert is_open(at(FRI, 12), weekly, {}) is False
    assert is_open(at(FRI, 13), weekly, {}) is True
    assert is_open(at(SAT, 13), weekly, {}) is False


def test_parse_and_format_round_trip():
    weekly = parse_weekly("周一至周三 08:00-20:00；周六 22:00-06:00")
    assert weekly == {0: [(T(8), T(20))], 1: [(T(8), T(20))], 2: [(T(8), T(20))],
                      5: [(T(22), T(6))]}
    assert parse_weekly(format_weekly(weekly)) == weekly


@pytest.mark.parametrize("text", ["", "周八 08:00-20:00", "周一 8点到9点", "周五至周一 08:00-09:00"])
def test_unreadable_hours_are_refused_with_a_sentence(text):
    with pytest.raises(ValueError) as caught:
        parse_weekly(text)
    assert "请" in str(caught.value)
