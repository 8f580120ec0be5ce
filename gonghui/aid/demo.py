"""Demo data for 困难职工帮扶 (filled in below)."""

from __future__ import annotations

from typing import Any


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: Any = None) -> None:
    return None
