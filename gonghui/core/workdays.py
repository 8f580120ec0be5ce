"""THE working-day calendar: every "N working days" rule (公示期, 答复期限, 复核期限) counts here.

A day's status comes from, in this order:
1. an administrator's override (`core.WorkdayOverride`: a local holiday, or a year the library
   does not know yet — the State Council publishes next year's 放假安排 each November/December);
2. the `chinesecalendar` library (official holidays *and* 调休 adjusted working days, e.g.
   Saturday 2026-02-14 is a working day before 春节);
3. nothing else: a date in a year the library does not cover and for which no override exists
   raises `UnknownCalendarYear` — an unknown year is never silently treated as Mon–Fri. A year
   outside the library becomes known as soon as any override for it is entered; then its days
   are Mon–Fri plus the overrides, so enter (or import) the whole year's 放假安排 at once.

Counting convention (the one every app uses):
- `add_working_days(d, n)` is the n-th working day *after* d: counting starts the next day, so
  `add_working_days(Friday, 1)` is the following Monday and `add_working_days(d, 0) == d`.
- `working_days_between(a, b)` counts the working days in (a, b] — after a, up to and including
  b — so `working_days_between(d, add_working_days(d, n)) == n`; negative when b < a.
- A period of N working days *starting on* `start` (the day counts when it is a working day)
  ends on `add_working_days(start - 1 day, N)`: see `period_end`.

    from gonghui.core import workdays
    workdays.is_working_day(date(2026, 2, 14))             # True: 调休 Saturday
    workdays.add_working_days(date(2026, 9, 30), 1)        # date(2026, 10, 8): after 国庆
    workdays.period_end(date(2026, 3, 2), 5)               # date(2026, 3, 6)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import chinese_calendar
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from gonghui.core.errors import ApplicationError
from gonghui.core.models import WorkdayOverride

# Never loop for ever on a bad argument: 5 years of calendar days is far beyond any rule.
MAX_SPAN_DAYS = 5 * 366


class UnknownCalendarYear(ApplicationError):
    """The calendar cannot answer for a year: the library does not cover it and no administrator
    has entered that year's 放假安排."""

    def __init__(self, year: int) -> None:
        super().__init__(
            _("{year} 年的法定节假日安排尚未录入，无法计算工作日。请管理员在“工作日日历”中录入"
              "该年的放假与调休安排（或导入文件）。").format(year=year),
            code="calendar_year_unknown", extra={"year": year},
        )
        self.year = year


def library_years() -> tuple[int, int]:
    """The first and last year the installed `chinesecalendar` knows."""
    years = [d.year for d in chinese_calendar.constants.holidays]
    return min(years), max(years)


_GENERATION = "gh:workdays:generation"


def overrides_changed() -> None:
    """An override was written or deleted (core's AppConfig connects the signals): the cached
    overrides are read afresh at the next calculation — in every process when the cache is
    shared (GONGHUI_CACHE_URL), else in this one at once and in the others within
    GONGHUI_CALENDAR_CACHE_SECONDS."""
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not set yet in this cache
        cache.set(_GENERATION, 1, None)


def _override_rows(years: Iterable[int]) -> tuple[dict[dt.date, bool], set[int]]:
    """The overrides of a span of years, kept GONGHUI_CALENDAR_CACHE_SECONDS (0: read each time):
    a page that computes several deadlines (the home page's inbox: six) reads them once."""
    wanted = sorted(set(years))
    seconds = settings.GONGHUI_CALENDAR_CACHE_SECONDS
    if seconds <= 0:
        return _read_override_rows(wanted)
    key = f"gh:workdays:{cache.get(_GENERATION, 0)}:{wanted[0]}:{wanted[-1]}"
    value = cache.get(key)
    if value is None:
        value = _read_override_rows(wanted)
        cache.set(key, value, seconds)
    return value


def _read_override_rows(wanted: list[int]) -> tuple[dict[dt.date, bool], set[int]]:
    rows = WorkdayOverride.objects.filter(
        date__gte=dt.date(wanted[0], 1, 1), date__lte=dt.date(wanted[-1], 12, 31)
    ).values_list("date", "kind")
    days = {day: kind == WorkdayOverride.Kind.WORKING for day, kind in rows}
    return days, {day.year for day in days}


class _Calendar:
    """The days of a span of years, read with one query."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        if last < first:
            first, last = last, first
        self.overrides, self.override_years = _override_rows(range(first.year, last.year + 1))
        self.lib_first, self.lib_last = library_years()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if self.lib_first <= day.year <= self.lib_last:
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.override_years:
            return day.weekday() < 5
        raise UnknownCalendarYear(day.year)


def _check(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        raise TypeError("a date, not a datetime (convert in the display time zone first)")
    return day


def is_working_day(day: dt.date) -> bool:
    """True when `day` is a working day (调休 Saturdays included, holidays excluded)."""
    day = _check(day)
    return _Calendar(day, day).is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n ≥ 0; counting starts the next day; n = 0 → `day`)."""
    day = _check(day)
    if n < 0:
        raise ValueError("n must be ≥ 0")
    if n == 0:
        return day
    # One query per window; 5 working days never span more than ~12 calendar days (国庆).
    window = n * 2 + 14
    calendar_end = day + dt.timedelta(days=window)
    calendar = _Calendar(day, calendar_end)
    current, left = day, n
    for _step in range(MAX_SPAN_DAYS):
        current += dt.timedelta(days=1)
        if current > calendar_end:
            calendar_end = current + dt.timedelta(days=window)
            calendar = _Calendar(current, calendar_end)
        if calendar.is_working_day(current):
            left -= 1
            if left == 0:
                return current
    raise ValueError("span too long")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The number of working days in (start, end]; negative when end < start."""
    start, end = _check(start), _check(end)
    if end < start:
        return -working_days_between(end, start)
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValueError("span too long")
    calendar = _Calendar(start, end)
    return sum(
        1 for offset in range(1, (end - start).days + 1)
        if calendar.is_working_day(start + dt.timedelta(days=offset))
    )


def period_end(start: dt.date, n: int) -> dt.date:
    """The last day of a period of `n` working days (n ≥ 1) that starts on `start`; `start`
    itself is the first day when it is a working day, else the next working day is."""
    if n < 1:
        raise ValueError("n must be ≥ 1")
    return add_working_days(_check(start) - dt.timedelta(days=1), n)


def year_days(year: int) -> list[tuple[dt.date, bool, str]]:
    """Every day of `year` that is not an ordinary Mon–Fri working day or ordinary weekend:
    (date, is_working, source) with source "override" or "library". Raises UnknownCalendarYear
    for a year neither knows."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    calendar = _Calendar(first, last)
    calendar.is_working_day(first)  # raises for an unknown year
    out = []
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        if day in calendar.overrides or working != (day.weekday() < 5):
            out.append((day, working, "override" if day in calendar.overrides else "library"))
        day += dt.timedelta(days=1)
    return out
