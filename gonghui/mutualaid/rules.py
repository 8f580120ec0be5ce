"""The benefit rules of a mutual-aid plan (职工互助保障给付规则) as one pure function.

`compute()` takes the rules of one plan version, one settlement (the claim), the member's
enrolment facts and what the member's plan year has already used, and returns the amount with
every step of the computation. Nothing here touches the database: the same inputs give the same
result today and in ten years, which is what lets a stored payout be recomputed and checked
(`services.payout_recompute`).

Order of the steps (each one a line of the stored computation):
1. does the plan cover this kind of stay at all (an accident plan ignores an illness);
2. coverage start: a renewal (enrolled in the same plan the year before) is covered from the
   first day of the plan year; a first enrolment from the enrolment date, and for illness only
   after the waiting period (等待期: 意外伤害无等待期);
3. the gross benefit of the plan kind: per hospital day above the deductible days (住院津贴), a
   ratio of the self-paid part above the deductible (自付医疗费补助, 意外医疗), a lump sum
   (重大疾病);
4. the per-claim cap, then what is left of the per-year cap (a claim that meets the end of the
   year cap is paid the remainder, the next one nothing).

Money is Decimal rounded half up to the fen (core.money.to_money).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import ZERO, to_money


class PlanKind(models.TextChoices):
    HOSPITAL_ALLOWANCE = "hospital_allowance", _("住院津贴")
    SELF_PAID_RATIO = "self_paid_ratio", _("住院自付医疗费补助")
    ACCIDENT = "accident", _("意外伤害医疗")
    CRITICAL_ILLNESS = "critical_illness", _("重大疾病")


class Category(models.TextChoices):
    """What the medical-insurance settlement says the stay was for."""

    ILLNESS = "illness", _("疾病住院")
    ACCIDENT = "accident", _("意外伤害")
    CRITICAL = "critical", _("重大疾病")


class Decline(models.TextChoices):
    """Why a computed payout pays nothing."""

    WAITING_PERIOD = "waiting_period", _("入院日期在保障起始日之前（等待期内）")
    BELOW_DEDUCTIBLE = "below_deductible", _("未超过免赔额，无给付")
    CAP_REACHED = "cap_reached", _("本计划年度给付已达年度限额")


# Which settlement categories each plan kind pays for.
COVERS: dict[str, frozenset[str]] = {
    PlanKind.HOSPITAL_ALLOWANCE: frozenset(Category.values),
    PlanKind.SELF_PAID_RATIO: frozenset(Category.values),
    PlanKind.ACCIDENT: frozenset({Category.ACCIDENT}),
    PlanKind.CRITICAL_ILLNESS: frozenset({Category.CRITICAL}),
}


@dataclass(frozen=True)
class Rules:
    """The rule fields of one plan version (models.PlanVersion.rules())."""

    kind: str
    waiting_days: int = 0
    deductible: Decimal = ZERO  # amount, for the ratio kinds (免赔额)
    deductible_days: int = 0  # days, for the hospital allowance (免赔天数)
    ratio: Decimal = Decimal("0")  # 0–1, for the ratio kinds (给付比例)
    per_day: Decimal = ZERO  # 住院津贴 per hospital day
    lump_sum: Decimal = ZERO  # 重大疾病 amount
    per_claim_cap: Decimal | None = None  # None: no cap
    per_year_cap: Decimal | None = None


@dataclass(frozen=True)
class Claim:
    """The facts of one settlement record that the rules use."""

    admitted_on: dt.date
    discharged_on: dt.date
    total: Decimal
    insurance_paid: Decimal
    self_paid: Decimal
    category: str = Category.ILLNESS


@dataclass(frozen=True)
class Cover:
    """The member's enrolment facts and the plan year's use before this claim."""

    enrolled_on: dt.date
    year_starts_on: dt.date
    renewal: bool = False
    year_used: Decimal = ZERO


@dataclass(frozen=True)
class Line:
    step: str
    amount: Decimal | None = None
    args: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"step": self.step}
        if self.amount is not None:
            data["amount"] = str(self.amount)
        if self.args:
            data["args"] = {k: _plain(v) for k, v in self.args.items()}
        return data


@dataclass(frozen=True)
class Outcome:
    amount: Decimal
    decline: str  # "" when something is paid, else a Decline value
    lines: tuple[Line, ...]

    def lines_json(self) -> list[dict[str, Any]]:
        return [line.as_json() for line in self.lines]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def covers(kind: str, category: str) -> bool:
    return category in COVERS.get(kind, frozenset())


def hospital_days(admitted_on: dt.date, discharged_on: dt.date) -> int:
    """入院当日起算、出院当日不计; a same-day stay counts as one day."""
    return max(1, (discharged_on - admitted_on).days)


def covered_from(rules: Rules, claim: Claim, cover: Cover) -> dt.date:
    if cover.renewal:
        return cover.year_starts_on
    if claim.category == Category.ACCIDENT:
        return cover.enrolled_on
    return cover.enrolled_on + dt.timedelta(days=rules.waiting_days)


def compute(rules: Rules, claim: Claim, cover: Cover) -> Outcome | None:
    """The benefit of one claim under one plan version; None when the plan does not cover
    this category of stay (no payout is created then)."""
    if not covers(rules.kind, claim.category):
        return None
    lines: list[Line] = []
    start = covered_from(rules, claim, cover)
    lines.append(Line("coverage", args={
        "enrolled_on": cover.enrolled_on, "renewal": cover.renewal,
        "waiting_days": 0 if cover.renewal or claim.category == Category.ACCIDENT
        else rules.waiting_days,
        "covered_from": start, "admitted_on": claim.admitted_on,
    }))  # fmt: skip
    if claim.admitted_on < start:
        return Outcome(ZERO, Decline.WAITING_PERIOD, (*lines, Line("result", ZERO)))

    gross = _gross(rules, claim, lines)
    if gross <= ZERO:
        return Outcome(ZERO, Decline.BELOW_DEDUCTIBLE, (*lines, Line("result", ZERO)))
    amount = gross
    if rules.per_claim_cap is not None and amount > rules.per_claim_cap:
        amount = rules.per_claim_cap
        lines.append(Line("claim_cap", amount, {"cap": rules.per_claim_cap}))
    if rules.per_year_cap is not None:
        left = max(ZERO, rules.per_year_cap - cover.year_used)
        lines.append(Line("year_left", left, {"cap": rules.per_year_cap,
                                              "used": cover.year_used}))
        if left <= ZERO:
            return Outcome(ZERO, Decline.CAP_REACHED, (*lines, Line("result", ZERO)))
        if amount > left:
            amount = left
            lines.append(Line("year_cap", amount))
    amount = to_money(amount)
    lines.append(Line("result", amount))
    return Outcome(amount, "", tuple(lines))


def _gross(rules: Rules, claim: Claim, lines: list[Line]) -> Decimal:
    if rules.kind == PlanKind.HOSPITAL_ALLOWANCE:
        days = hospital_days(claim.admitted_on, claim.discharged_on)
        payable = max(0, days - rules.deductible_days)
        gross = to_money(rules.per_day * payable)
        lines.append(Line("allowance", gross, {
            "days": days, "deductible_days": rules.deductible_days, "payable_days": payable,
            "per_day": rules.per_day,
        }))  # fmt: skip
        return gross
    if rules.kind == PlanKind.CRITICAL_ILLNESS:
        gross = to_money(rules.lump_sum)
        lines.append(Line("lump_sum", gross))
        return gross
    # SELF_PAID_RATIO and ACCIDENT: a ratio of the self-paid part above the deductible
    base = max(ZERO, claim.self_paid - rules.deductible)
    lines.append(Line("self_paid_base", base, {"self_paid": claim.self_paid,
                                               "deductible": rules.deductible}))
    gross = to_money(base * rules.ratio)
    lines.append(Line("ratio", gross, {"base": base, "ratio": rules.ratio}))
    return gross


def uncapped(rules: Rules, claim: Claim) -> Decimal:
    """The per-claim-capped benefit before the year cap (used by tests and the benchmark to
    state the expected total independently of processing order)."""
    gross = _gross(rules, claim, [])
    if gross <= ZERO:
        return ZERO
    if rules.per_claim_cap is not None:
        gross = min(gross, rules.per_claim_cap)
    return to_money(gross)
