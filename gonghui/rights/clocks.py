"""The legal clocks of rights work, as pure functions of dates.

Counting convention (民法典 on counting periods; 劳动争议调解仲裁法 and 集体合同规定 follow it): a
period of N days starts the day *after* the event, so it ends on `event + N days`; when that
last day is not a working day (a weekend or statutory holiday of the official calendar, with
调休), the period ends on the next working day. Calendar days are counted where the law says
"日"; working days only where a rule says "工作日" (a federation may set the 两书 reply period
in working days). The official calendar is `gonghui.core.workdays` (chinesecalendar plus the
administrators' overrides), so an unknown year raises `UnknownCalendarYear` (a 400).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonghui.core import workdays

# 劳动争议调解仲裁法 Art. 14: no agreement within 15 days of the application → arbitration.
MEDIATION_DAYS = 15
# Art. 43: the arbitration tribunal ends the case within 45 days of accepting it, extendable
# once by at most 15 days.
ARBITRATION_DAYS = 45
ARBITRATION_EXTENSION_DAYS = 15
# Art. 27: the limitation period of arbitration is one year.
LIMITATION_YEARS = 1
# 集体合同规定 Art. 32: the other side answers a written request within 20 days.
NEGOTIATION_ANSWER_DAYS = 20
# Art. 42: the contract is filed with the labour bureau within 10 days of signing.
FILING_DAYS = 10
# Art. 47: it takes effect when the bureau has not objected within 15 days of receiving it.
OBJECTION_DAYS = 15
# Art. 38: term 1–3 years; renewal may be asked in the last 3 months.
TERM_MIN_YEARS = 1
TERM_MAX_YEARS = 3
RENEWAL_WINDOW_MONTHS = 3
# the "two letters": default reply period of a 劳动法律监督意见书 (a federation may change it)
DEFAULT_REPLY_DAYS = 15
# 企业民主管理规定 (2012): a congress session at least once a year (article not cited: no
# checked text at hand; the rule itself is issue 14's)
CONGRESS_SESSION_MONTHS = 12
DUE_SOON_DAYS = 7


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def roll_to_working_day(day: dt.date) -> dt.date:
    """民法典 on periods: a period whose last day is a rest day ends on the next working day.

    A year the official calendar does not know yet (next year's 放假安排 is published each
    November/December) is not guessed: the period then ends on its calendar day, the earlier and
    so the safe date for a worker, until the year is imported (`gonghui workdays import`)."""
    try:
        while not workdays.is_working_day(day):
            day += dt.timedelta(days=1)
    except workdays.UnknownCalendarYear:
        return day
    return day


def period_end(event: dt.date, days: int, *, working_days: bool = False) -> dt.date:
    """The last day of a period of `days` days after `event` (the event's day not counted)."""
    if working_days:
        return workdays.add_working_days(event, days)
    return roll_to_working_day(event + dt.timedelta(days=days))


def mediation_deadline(applied_on: dt.date) -> dt.date:
    return period_end(applied_on, MEDIATION_DAYS)


def mediation_overdue(applied_on: dt.date, today: dt.date) -> bool:
    """True from the day after the 15-day period: the worker may now apply for arbitration."""
    return today > mediation_deadline(applied_on)


def arbitration_deadline(accepted_on: dt.date, *, extended: bool = False) -> dt.date:
    days = ARBITRATION_DAYS + (ARBITRATION_EXTENSION_DAYS if extended else 0)
    return period_end(accepted_on, days)


def limitation_end(known_on: dt.date) -> dt.date:
    """Art. 27: one year from the day the worker knew (or should have known) of the breach."""
    return roll_to_working_day(add_years(known_on, LIMITATION_YEARS))


def negotiation_answer_due(requested_on: dt.date) -> dt.date:
    return period_end(requested_on, NEGOTIATION_ANSWER_DAYS)


def filing_due(signed_on: dt.date) -> dt.date:
    return period_end(signed_on, FILING_DAYS)


def objection_deadline(received_on: dt.date) -> dt.date:
    return period_end(received_on, OBJECTION_DAYS)


def effective_on(received_on: dt.date) -> dt.date:
    """Art. 47: in force the day after the bureau's 15-day objection period has run out."""
    return objection_deadline(received_on) + dt.timedelta(days=1)


def term_years_ok(start: dt.date, end: dt.date) -> bool:
    """Art. 38: a term of 1 to 3 years (end is the term's last day)."""
    last_min = add_years(start, TERM_MIN_YEARS) - dt.timedelta(days=1)
    last_max = add_years(start, TERM_MAX_YEARS) - dt.timedelta(days=1)
    return last_min <= end <= last_max


def renewal_window(term_end: dt.date) -> tuple[dt.date, dt.date]:
    """Art. 38: the last 3 months of the term, both days included."""
    return add_months(term_end, -RENEWAL_WINDOW_MONTHS) + dt.timedelta(days=1), term_end


def in_renewal_window(term_end: dt.date, today: dt.date) -> bool:
    first, last = renewal_window(term_end)
    return first <= today <= last


def quorum_met(present: int, total: int) -> bool:
    """集体合同规定 Art. 36, 企业民主管理规定: at least two thirds of all delegates present."""
    return total > 0 and 3 * present >= 2 * total


def majority_of_all(yes: int, total: int) -> bool:
    """More than half of ALL delegates (not of those present): exactly half is not enough."""
    return total > 0 and 2 * yes > total


@dataclass(frozen=True)
class Clock:
    """One running clock for lists and the `gonghui rights due` command."""

    kind: str
    label: str
    due: dt.date
    subject: str
    url: str
    org_path: str

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days
