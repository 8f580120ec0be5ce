"""Opening hours: is a station open at a given moment? Pure functions over the weekly pattern
and the exceptions, so the rule is tested without a database.

An interval whose closing time is not after its opening time runs past midnight: 22:00–06:00 on
Friday is open Friday 22:00 to Saturday 06:00. 00:00–00:00 is open all day. A day's exception
(closed, or its own hours) replaces that day's pattern, including the part of it that would
have run past midnight into the next morning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

Interval = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class DaySchedule:
    closed: bool = False
    intervals: tuple[Interval, ...] = ()


def _spans(day: dt.date, intervals: Iterable[Interval]) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for opens, closes in intervals:
        start = dt.datetime.combine(day, opens)
        end = dt.datetime.combine(day, closes)
        if end <= start:  # past midnight (or all day when equal)
            end += dt.timedelta(days=1)
        out.append((start, end))
    return out


def schedule_for(day: dt.date, weekly: Mapping[int, Sequence[Interval]],
                 exceptions: Mapping[dt.date, DaySchedule]) -> DaySchedule:
    if day in exceptions:
        return exceptions[day]
    return DaySchedule(intervals=tuple(weekly.get(day.weekday(), ())))


def is_open(at: dt.datetime, weekly: Mapping[int, Sequence[Interval]],
            exceptions: Mapping[dt.date, DaySchedule]) -> bool:
    """`at` is a naive local (Asia/Shanghai) time."""
    today = at.date()
    for day in (today - dt.timedelta(days=1), today):
        schedule = schedule_for(day, weekly, exceptions)
        if schedule.closed:
            continue
        for start, end in _spans(day, schedule.intervals):
            if start <= at < end:
                return True
    return False


def station_is_open(station: object, at: dt.datetime) -> bool:
    """`station` with prefetched `hours` and `exceptions` (see selectors.with_hours)."""
    weekly: dict[int, list[Interval]] = {}
    for h in station.hours.all():  # type: ignore[attr-defined]
        weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
    exceptions = {
        e.day: DaySchedule(closed=e.closed,
                           intervals=() if e.closed else ((e.opens, e.closes),))
        for e in station.exceptions.all()  # type: ignore[attr-defined]
    }
    return is_open(at, weekly, exceptions)


def parse_weekly(text: str) -> dict[int, list[Interval]]:
    """"周一至周五 08:00-20:00; 周六 22:00-06:00" style text, as used by the import and the
    form. Also accepts "每天 00:00-24:00" (all day). Raises ValueError with a Chinese message."""
    names = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
    out: dict[int, list[Interval]] = {}
    for part in [p.strip() for p in text.replace("；", ";").replace("，", ";").split(";")]:
        if not part:
            continue
        try:
            days_text, times = part.rsplit(" ", 1)
            opens_text, closes_text = times.replace("—", "-").replace("~", "-").split("-")
            opens = _time(opens_text)
            closes = _time(closes_text)
        except ValueError:
            raise ValueError(_("无法识别开放时间“{part}”，请写成“周一至周五 08:00-20:00”。").format(
                part=part)) from None
        days_text = days_text.strip()
        if days_text in ("每天", "每日", "全周"):
            days = list(range(7))
        elif "至" in days_text:
            first, last = days_text.split("至")
            a, b = names.get(first.strip()[-1:]), names.get(last.strip()[-1:])
            if a is None or b is None or b < a:
                raise ValueError(_("无法识别开放日“{days}”，请写成“周一至周五”。").format(days=days_text))
            days = list(range(a, b + 1))
        else:
            d = names.get(days_text[-1:]) if days_text.startswith(("周", "星期")) else None
            if d is None:
                raise ValueError(_("无法识别开放日“{days}”，请写成“周一”或“每天”。").format(
                    days=days_text))
            days = [d]
        for d in days:
            out.setdefault(d, []).append((opens, closes))
    if not out:
        raise ValueError(_("请填写开放时间，例如“每天 08:00-20:00”。"))
    return out


def _time(text: str) -> dt.time:
    text = text.strip()
    if text in ("24:00", "24:00:00"):
        return dt.time(0, 0)
    return dt.time.fromisoformat(text.zfill(5))


def format_weekly(weekly: Mapping[int, Sequence[Interval]]) -> str:
    labels = "一二三四五六日"
    parts = []
    for d in range(7):
        for opens, closes in weekly.get(d, ()):
            parts.append(f"周{labels[d]} {opens:%H:%M}-{closes:%H:%M}")
    return "; ".join(parts)
