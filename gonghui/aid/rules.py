"""Pure rules of 困难职工帮扶: category proposal, the exit line, month arithmetic.

No database, no side effects: services and selectors call these, tests pin their edges.

Edges (docs/aid.md):
- per-capita income = household monthly income / household size, rounded half-up to the fen;
  the rounded figure is the one compared, so the page's numbers explain the decision exactly;
- 深度困难: per-capita < 低保 line (strictly below; exactly at the line is *not* 深度);
- 相对困难: line <= per-capita < line × multiple (exactly at the multiple is *not* 相对);
- 意外致困: a sudden event (accident, serious illness, disaster) whatever the income, unless the
  income is below the 低保 line, where 深度困难 — the deeper category — is proposed;
- otherwise no category: the household is not in income hardship.
The exit line (解困脱困) and the relapse line (返贫) are the upper edge of 相对困难
(line × multiple): a household between the line and the multiple is still 相对困难.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import FEN, to_money

DEFAULT_MULTIPLE = Decimal("1.50")


class Category(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    SUDDEN = "sudden", _("意外致困")


@dataclass(frozen=True)
class Proposal:
    category: str  # a Category value, or "" when the household is not in hardship
    per_capita: Decimal
    line: Decimal
    upper: Decimal  # line × multiple, rounded to the fen: the upper edge of 相对困难

    @property
    def label(self) -> str:
        return category_label(self.category)


def category_label(category: str) -> str:
    """The label of a (proposed) category; "" means not in hardship."""
    return str(Category(category).label) if category else str(_("不符合困难条件"))


def per_capita(total_monthly: Decimal, household_size: int) -> Decimal:
    if household_size < 1:
        raise ValueError("a household has at least one person")
    return (Decimal(total_monthly) / household_size).quantize(FEN, rounding=ROUND_HALF_UP)


def upper_line(line: Decimal, multiple: Decimal = DEFAULT_MULTIPLE) -> Decimal:
    return to_money(Decimal(line) * Decimal(multiple))


def propose(
    *,
    total_monthly: Decimal,
    household_size: int,
    line: Decimal,
    multiple: Decimal = DEFAULT_MULTIPLE,
    sudden: bool = False,
) -> Proposal:
    """The category Gonghui proposes; the cadre confirms (or overrides it with a reason)."""
    if multiple < 1:
        raise ValueError("the multiple of the line is at least 1")
    pc = per_capita(total_monthly, household_size)
    upper = upper_line(line, multiple)
    category: str
    if pc < line:
        category = Category.DEEP
    elif sudden:
        category = Category.SUDDEN
    elif pc < upper:
        category = Category.RELATIVE
    else:
        category = ""
    return Proposal(category=str(category), per_capita=pc, line=to_money(line), upper=upper)


def above_exit_line(per_capita_income: Decimal, line: Decimal, multiple: Decimal) -> bool:
    """At or above line × multiple: out of income hardship (the exit and relapse line)."""
    return per_capita_income >= upper_line(line, multiple)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later; the 31st becomes the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def exit_eligible_on(above_since: dt.date | None, months: int) -> dt.date | None:
    """First day a household above the exit line since `above_since` may exit (解困脱困)."""
    return None if above_since is None else add_months(above_since, months)
