"""Demo data for evaluation (the demo.seed hook): filled in below."""

from __future__ import annotations

from typing import Any, TextIO


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    return None
