"""Pure rules of evaluation: the grade a total earns, the weighted yearly score, age bands,
reproducible sampling. No database, no side effects."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from gonghui.evaluation.models.ratings import GRADE_RANK

T = TypeVar("T")
CENT = Decimal("0.01")


def grade_for(total: Decimal, thresholds: Mapping[str, Decimal], *, vetoed: bool) -> str:
    """The highest grade whose minimum `total` reaches ("" for none). A veto (一票否决) rules
    out every grade whatever the score."""
    if vetoed:
        return ""
    reached = [g for g, minimum in thresholds.items() if total >= minimum]
    return min(reached, key=lambda g: GRADE_RANK[g]) if reached else ""


def is_lower(new: str, old: str) -> bool:
    """Is grade `new` below grade `old`?"""
    return GRADE_RANK[new] > GRADE_RANK[old]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Weights:
    self_weight: int
    satisfaction_weight: int
    third_party_weight: int


def weighted_score(*, self_score: Decimal | None, satisfaction: Decimal | None,
                   third_party: Decimal | None, weights: Weights) -> Decimal | None:
    """Σ weight% × component, each component on 0–100, exact to 0.01 (half up). A component
    with a non-zero weight that is missing leaves the score undefined (None): a union is never
    ranked on part of its figures."""
    parts = [(self_score, weights.self_weight), (satisfaction, weights.satisfaction_weight),
             (third_party, weights.third_party_weight)]
    total = Decimal("0")
    for value, weight in parts:
        if weight == 0:
            continue
        if value is None:
            return None
        total += Decimal(value) * Decimal(weight) / Decimal(100)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(total: Decimal, maximum: Decimal) -> Decimal:
    """A checklist total as a score out of 100, exact to 0.01."""
    if maximum <= 0:
        return Decimal("0.00")
    return (Decimal(total) * 100 / Decimal(maximum)).quantize(CENT, rounding=ROUND_HALF_UP)


AGE_BANDS = [(0, 25, "≤25"), (26, 35, "26-35"), (36, 45, "36-45"), (46, 55, "46-55"),
             (56, 200, "≥56")]


def age_band(birth: dt.date | None, today: dt.date) -> str:
    if birth is None:
        return ""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def draw_sample(population: Sequence[T], size: int | None, seed: int) -> list[T]:
    """A reproducible sample: the same population (in its given order) and seed always give the
    same members. No size (or a size ≥ the population) takes everyone."""
    if size is None or size >= len(population):
        return list(population)
    return random.Random(seed).sample(list(population), size)


def suppress(count: int, minimum: int) -> bool:
    """Small-group suppression: is a group of `count` answers too small to show?"""
    return count < minimum
