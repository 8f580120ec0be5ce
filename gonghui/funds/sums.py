"""Database sums as exact amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gonghui.core.money import FEN

ZERO = Decimal("0.00")


def fen(value: Any) -> Decimal:
    """A SUM() of money as an exact amount. PostgreSQL sums `numeric` exactly; SQLite stores and
    sums decimals as binary floats, so its sums carry errors around 1e-12 that rounding to the
    fen removes (they stay far below half a fen for any realistic ledger)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
