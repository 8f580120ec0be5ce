"""Test data for the member registry: valid ID numbers and person fields."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from gonghui.core.testing import synthetic_id_number

_seq = itertools.count(1)


def id_number(*, region: str = "310101", birth: dt.date = dt.date(1985, 3, 14),
              seq: int | None = None, gender: str = "M") -> str:
    """A valid number (core.testing's generator), distinct per `seq`: past 500 numbers of one
    gender the birth date moves on a day."""
    n = next(_seq) if seq is None else seq
    return synthetic_id_number(n, region=region, birth=birth + dt.timedelta(days=n // 500),
                               gender=gender)


def person_fields(name: str = "张伟", **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": name, "id_number": id_number(), "phone": "13812345678", "ethnicity": "汉族",
        "education": "本科", "political_status": "群众", "household_type": "城镇",
        "employment_form": "劳动合同制", "employer_name": "甲一公司", "occupation": "钳工",
        "monthly_wage": "8000",
    }
    fields.update(overrides)
    return fields
