"""Demo data for 建功立业 (the demo.seed hook) — filled in below."""

from __future__ import annotations

from typing import Any


def seed(**kwargs: Any) -> None:
    return None
