"""Money: Decimal with two places (fen-exact). Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round half up to the fen (the usual rule for RMB amounts). Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def format_yuan(value: Decimal) -> str:
    return f"¥{to_money(value):,.2f}"


class MoneyField(models.DecimalField):
    """An amount in yuan with fen precision: up to 999,999,999,999.99."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "gonghui.core.money.MoneyField", args, kwargs
