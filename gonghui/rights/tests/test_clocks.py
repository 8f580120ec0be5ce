"""Every legal clock at its edges, on the official calendar (with 调休)."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.rights import clocks

pytestmark = pytest.mark.django_db

D = dt.date


def test_mediation_day_14_15_16():
    applied = D(2026, 6, 1)
    assert clocks.mediation_deadline(applied) == D(2026, 6, 16)
    assert clocks.mediation_overdue(applied, D(2026, 6, 15)) is False   # day 14
    assert clocks.mediation_overdue(applied, D(2026, 6, 16)) is False   # day 15: the last day
    assert clocks.mediation_overdue(applied, D(2026, 6, 17)) is True    # day 16: may arbitrate


def test_arbitration_45_and_extension_15_rolls_over_labour_day():
    accepted = D(2026, 3, 2)
    assert clocks.arbitration_deadline(accepted) == D(2026, 4, 16)
    # 45 + 15 = 60 days → 2026-05-01, 劳动节 (1–5 May): the period ends on the next working day
    assert clocks.arbitration_deadline(accepted, extended=True) == D(2026, 5, 6)


def test_filing_received_on_a_friday_before_national_day():
    received = D(2026, 9, 18)                       # Friday
    # 15 days → Saturday 3 October, inside 国庆 (1–7 October): rolls to Thursday 8 October
    assert clocks.objection_deadline(received) == D(2026, 10, 8)
    assert clocks.effective_on(received) == D(2026, 10, 9)


def test_working_day_reply_period_skips_national_day():
    # 15 working days after Friday 25 September 2026: 28, 29, 30 Sep, 8, 9, 10 (调休 Saturday),
    # 12–16 and 19–22 October
    assert clocks.period_end(D(2026, 9, 25), 15, working_days=True) == D(2026, 10, 22)


def test_renewal_window_first_and_last_day():
    end = D(2026, 12, 31)
    assert clocks.renewal_window(end) == (D(2026, 10, 1), D(2026, 12, 31))
    assert clocks.in_renewal_window(end, D(2026, 9, 30)) is False
    assert clocks.in_renewal_window(end, D(2026, 10, 1)) is True
    assert clocks.in_renewal_window(end, D(2026, 12, 31)) is True
    assert clocks.in_renewal_window(end, D(2027, 1, 1)) is False


def test_limitation_one_year():
    assert clocks.limitation_end(D(2025, 6, 3)) == D(2026, 6, 3)
    # 2025-10-01 + 1 year is inside 国庆 2026: the next working day
    assert clocks.limitation_end(D(2025, 10, 1)) == D(2026, 10, 8)


def test_term_one_to_three_years():
    start = D(2026, 1, 1)
    assert clocks.term_years_ok(start, D(2026, 12, 31)) is True
    assert clocks.term_years_ok(start, D(2028, 12, 31)) is True
    assert clocks.term_years_ok(start, D(2029, 1, 1)) is False
    assert clocks.term_years_ok(start, D(2026, 12, 30)) is False


def test_quorum_and_majority_edges():
    assert clocks.quorum_met(20, 30) is True      # exactly two thirds
    assert clocks.quorum_met(19, 30) is False
    assert clocks.majority_of_all(15, 30) is False   # exactly half of ALL is not enough
    assert clocks.majority_of_all(16, 30) is True
    assert clocks.majority_of_all(15, 29) is True


def test_unknown_calendar_year_keeps_the_calendar_day():
    # 2027 is not in the installed calendar: the limitation ends on its calendar day, unrolled
    assert clocks.limitation_end(D(2026, 10, 1)) == D(2027, 10, 1)
