"""Numbers as every page writes them, in both languages: thousands separated by commas
(12,345.50; 1,234 人), never a float, and kept on one line so a phone never splits an amount in
the middle (the wrapper is a `.gh-num` span with `white-space: nowrap`).

    {% load gh_numbers %}
    ¥{{ amount|money }}        → 12,345.50
    {{ count|num }}            → 1,234
    {{ amount|money_nowrap }}  → <span class="gh-num">¥12,345.50</span>
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


def grouped(value: Any, places: int | None = None) -> str:
    """`value` with comma thousands separators; `places` decimals (money: 2), or as many as it
    has. Text that is not a number comes back unchanged; None and "" as ""."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None or value == "" else str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{rounded:,.{places}f}"
    if number == number.to_integral_value() and "." not in str(value):
        return f"{int(number):,}"
    return f"{number:,f}"


@register.filter
def money(value: Any) -> str:
    """1234.5 → 1,234.50 (fen exact, Decimal)."""
    return grouped(value, 2)


@register.filter
def num(value: Any) -> str:
    """12345 → 12,345; 0.5 → 0.5."""
    return grouped(value)


@register.filter
def money_nowrap(value: Any) -> str:
    """¥ and the amount in one unbreakable span."""
    if value is None or value == "":
        return ""
    return format_html('<span class="gh-num">¥{}</span>', grouped(value, 2))
