"""The benefit rules as a pure function: examples, then properties at the cap and waiting-period
edges (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gonghui.mutualaid.rules import (
    Category,
    Claim,
    Cover,
    Decline,
    PlanKind,
    Rules,
    compute,
    hospital_days,
    uncapped,
)

D = Decimal
YEAR_START = dt.date(2026, 1, 1)
ALLOWANCE = Rules(kind=PlanKind.HOSPITAL_ALLOWANCE, waiting_days=90, per_day=D("50.00"),
                  deductible_days=2, per_claim_cap=D("1500.00"), per_year_cap=D("3000.00"))
RATIO = Rules(kind=PlanKind.SELF_PAID_RATIO, waiting_days=90, deductible=D("500.00"),
              ratio=D("0.5"), per_claim_cap=D("5000.00"), per_year_cap=D("8000.00"))


def claim(admitted=dt.date(2026, 5, 1), days=10, self_paid="3000.00", category=Category.ILLNESS):
    self_paid = D(self_paid)
    return Claim(admitted_on=admitted, discharged_on=admitted + dt.timedelta(days=days),
                 total=self_paid + D("7000.00"), insurance_paid=D("7000.00"), self_paid=self_paid,
                 category=category)


def cover(enrolled=dt.date(2026, 1, 10), renewal=False, used="0.00"):
    return Cover(enrolled_on=enrolled, year_starts_on=YEAR_START, renewal=renewal,
                 year_used=D(used))


def test_hospital_allowance_pays_days_above_deductible_days():
    outcome = compute(ALLOWANCE, claim(days=10), cover())
    assert outcome.amount == D("400.00")  # (10 − 2) days × 50
    assert outcome.decline == ""
    steps = [line.step for line in outcome.lines]
    assert steps == ["coverage", "allowance", "year_left", "result"]
    assert outcome.lines[1].args == {"days": 10, "deductible_days": 2, "payable_days": 8,
                                     "per_day": D("50.00")}


def test_ratio_of_self_paid_above_deductible_rounds_half_up_to_the_fen():
    rules = Rules(kind=PlanKind.SELF_PAID_RATIO, deductible=D("100.00"), ratio=D("0.3333"))
    outcome = compute(rules, claim(self_paid="200.05"), cover())
    # (200.05 − 100.00) × 0.3333 = 33.346665 → 33.35
    assert outcome.amount == D("33.35")


def test_per_claim_cap_then_year_cap_remainder():
    outcome = compute(RATIO, claim(self_paid="20000.00"), cover(used="6000.00"))
    assert outcome.amount == D("2000.00")
    assert [line.step for line in outcome.lines] == [
        "coverage", "self_paid_base", "ratio", "claim_cap", "year_left", "year_cap", "result"]


def test_year_cap_used_up_declines_with_reason():
    outcome = compute(RATIO, claim(), cover(used="8000.00"))
    assert (outcome.amount, outcome.decline) == (D("0.00"), Decline.CAP_REACHED)


def test_below_deductible_declines():
    outcome = compute(RATIO, claim(self_paid="500.00"), cover())
    assert (outcome.amount, outcome.decline) == (D("0.00"), Decline.BELOW_DEDUCTIBLE)


def test_waiting_period_last_day_declined_next_day_paid():
    enrolled = dt.date(2026, 2, 1)
    first_covered = enrolled + dt.timedelta(days=90)
    late = compute(ALLOWANCE, claim(admitted=first_covered), cover(enrolled))
    early = compute(ALLOWANCE, claim(admitted=first_covered - dt.timedelta(days=1)),
                    cover(enrolled))
    assert late.amount == D("400.00")
    assert (early.amount, early.decline) == (D("0.00"), Decline.WAITING_PERIOD)
    assert early.lines[0].args["covered_from"] == first_covered


def test_renewal_has_no_waiting_period_and_accident_none_after_enrolment():
    enrolled = dt.date(2026, 3, 1)
    renewed = compute(ALLOWANCE, claim(admitted=YEAR_START), cover(enrolled, renewal=True))
    assert renewed.amount == D("400.00")
    accident = compute(ALLOWANCE, claim(admitted=enrolled, category=Category.ACCIDENT),
                       cover(enrolled))
    assert accident.amount == D("400.00")
    before = compute(ALLOWANCE, claim(admitted=enrolled - dt.timedelta(days=1),
                                      category=Category.ACCIDENT), cover(enrolled))
    assert before.decline == Decline.WAITING_PERIOD


def test_plans_ignore_stays_they_do_not_cover():
    accident_plan = Rules(kind=PlanKind.ACCIDENT, ratio=D("0.8"))
    critical_plan = Rules(kind=PlanKind.CRITICAL_ILLNESS, lump_sum=D("10000.00"))
    assert compute(accident_plan, claim(), cover()) is None
    assert compute(critical_plan, claim(category=Category.ACCIDENT), cover()) is None
    assert compute(critical_plan, claim(category=Category.CRITICAL),
                   cover()).amount == D("10000.00")


def test_same_day_stay_is_one_day():
    assert hospital_days(dt.date(2026, 5, 1), dt.date(2026, 5, 1)) == 1
    assert hospital_days(dt.date(2026, 5, 1), dt.date(2026, 5, 2)) == 1
    assert hospital_days(dt.date(2026, 5, 1), dt.date(2026, 5, 4)) == 3


# --- properties -------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.00"), max_value=D("200000.00"), places=2,
                    allow_nan=False, allow_infinity=False)
caps = st.one_of(st.none(), st.decimals(min_value=D("0.01"), max_value=D("50000.00"), places=2))


@st.composite
def rules_st(draw):
    kind = draw(st.sampled_from(PlanKind.values))
    return Rules(
        kind=kind, waiting_days=draw(st.integers(0, 365)),
        deductible=draw(st.decimals(min_value=D("0.00"), max_value=D("5000.00"), places=2)),
        deductible_days=draw(st.integers(0, 10)),
        ratio=draw(st.decimals(min_value=D("0.0001"), max_value=D("1.0000"), places=4)),
        per_day=draw(st.decimals(min_value=D("0.01"), max_value=D("500.00"), places=2)),
        lump_sum=draw(st.decimals(min_value=D("0.01"), max_value=D("100000.00"), places=2)),
        per_claim_cap=draw(caps), per_year_cap=draw(caps),
    )


@st.composite
def claim_st(draw, start=YEAR_START):
    admitted = start + dt.timedelta(days=draw(st.integers(0, 364)))
    own, ins = draw(money), draw(money)
    return Claim(admitted_on=admitted,
                 discharged_on=admitted + dt.timedelta(days=draw(st.integers(0, 120))),
                 total=own + ins, insurance_paid=ins, self_paid=own,
                 category=draw(st.sampled_from(Category.values)))


@given(rules_st(), claim_st(), st.integers(0, 200), st.booleans(), money)
@settings(max_examples=400)
def test_amount_is_fen_exact_and_within_every_cap(rules, claim_, enrolled_day, renewal, used):
    cover_ = Cover(enrolled_on=YEAR_START + dt.timedelta(days=enrolled_day),
                   year_starts_on=YEAR_START, renewal=renewal, year_used=used)
    outcome = compute(rules, claim_, cover_)
    if outcome is None:
        return
    assert outcome.amount >= 0
    assert outcome.amount == outcome.amount.quantize(D("0.01"))
    assert (outcome.amount == 0) == bool(outcome.decline)
    assert outcome.lines[-1].step == "result"
    assert outcome.lines[-1].amount == outcome.amount
    if rules.per_claim_cap is not None:
        assert outcome.amount <= rules.per_claim_cap
    if rules.per_year_cap is not None:
        assert outcome.amount <= max(D(0), rules.per_year_cap - used)
    if outcome.amount > 0:
        assert outcome.amount <= uncapped(rules, claim_)


@given(rules_st(), claim_st(), st.integers(0, 200))
@settings(max_examples=300)
def test_waiting_period_edge(rules, claim_, enrolled_day):
    """Admitted the day before cover starts: declined for the waiting period; on the day it
    starts: never declined for it."""
    assume(claim_.category != Category.ACCIDENT)
    enrolled = YEAR_START + dt.timedelta(days=enrolled_day)
    start = enrolled + dt.timedelta(days=rules.waiting_days)
    length = claim_.discharged_on - claim_.admitted_on
    cover_ = Cover(enrolled_on=enrolled, year_starts_on=YEAR_START)
    on_day = compute(rules, Claim(start, start + length, claim_.total, claim_.insurance_paid,
                                  claim_.self_paid, claim_.category), cover_)
    day_before = start - dt.timedelta(days=1)
    before = compute(rules, Claim(day_before, day_before + length, claim_.total,
                                  claim_.insurance_paid, claim_.self_paid, claim_.category),
                     cover_)
    if on_day is None:
        assert before is None
        return
    assert before.decline == Decline.WAITING_PERIOD
    assert before.amount == 0
    assert on_day.decline != Decline.WAITING_PERIOD


@given(rules_st(), st.lists(claim_st(), min_size=1, max_size=12), st.randoms())
@settings(max_examples=300)
def test_year_total_is_min_of_cap_and_sum_whatever_the_order(rules, claims, rnd):
    """Claims of one member in one year, processed in any order, together pay
    min(year cap, Σ per-claim-capped benefits) — to the fen. This is what lets concurrent
    workers be checked against an order-free expectation."""
    cover_base = Cover(enrolled_on=YEAR_START - dt.timedelta(days=400), year_starts_on=YEAR_START,
                       renewal=True)
    expected = sum((uncapped(rules, c) for c in claims if compute(rules, c, cover_base)
                    is not None), D("0.00"))
    if rules.per_year_cap is not None:
        expected = min(expected, rules.per_year_cap)
    order = list(claims)
    rnd.shuffle(order)
    used = D("0.00")
    for c in order:
        outcome = compute(rules, c, Cover(cover_base.enrolled_on, YEAR_START, True, used))
        if outcome is not None:
            used += outcome.amount
    assert used == expected


@given(st.decimals(min_value=D("0.01"), max_value=D("10000.00"), places=2),
       st.decimals(min_value=D("0.01"), max_value=D("10000.00"), places=2))
def test_year_cap_edge_last_fen(cap, gross):
    rules = Rules(kind=PlanKind.CRITICAL_ILLNESS, lump_sum=gross, per_year_cap=cap)
    c = claim(category=Category.CRITICAL)
    at_cap = compute(rules, c, Cover(YEAR_START, YEAR_START, True, cap))
    assert (at_cap.amount, at_cap.decline) == (D("0.00"), Decline.CAP_REACHED)
    one_fen_left = compute(rules, c, Cover(YEAR_START, YEAR_START, True, cap - D("0.01")))
    assert one_fen_left.amount == D("0.01")


@pytest.mark.parametrize("kind", PlanKind.values)
def test_every_kind_covers_illness_or_says_none(kind):
    rules = Rules(kind=kind, ratio=D("0.5"), per_day=D("10"), lump_sum=D("100"))
    outcome = compute(rules, claim(), cover(renewal=True))
    if kind in (PlanKind.ACCIDENT, PlanKind.CRITICAL_ILLNESS):
        assert outcome is None
    else:
        assert outcome.amount > 0
