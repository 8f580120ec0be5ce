"""Bounded input types for API schemas: every number and date a client sends has a range, so a
year like 10^22 or a date in year 5135 is a 400 that names the field, never a crash deep in a
service or the database (issue 13).

    class PlanPatch(Schema):
        year: Year | None = None          # 1949–2100
        issued_on: Day | None = None      # 1900-01-01 – 2100-12-31
        stale_days: Days | None = None    # 0–3660

Years start at the People's Republic (1949): no plan, standard, scheme or dashboard of this
platform is older. Dates reach back to 1900 (a union founded before 1949 keeps its date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

MIN_YEAR = 1949
MAX_YEAR = 2100
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise ValueError(f"must fall between {FIRST_DAY} and {LAST_DAY}")
    return value


Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Month = Annotated[int, Field(ge=1, le=12)]
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY, json_schema_extra={
    "formatMinimum": FIRST_DAY.isoformat(), "formatMaximum": LAST_DAY.isoformat()})]
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range), Field(json_schema_extra={
    "formatMinimum": f"{FIRST_DAY.isoformat()}T00:00:00Z",
    "formatMaximum": f"{LAST_DAY.isoformat()}T23:59:59Z"})]
Days = Annotated[int, Field(ge=0, le=3660)]            # a span of days: up to ten years
Years = Annotated[int, Field(ge=0, le=100)]            # a span of years
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]  # a head count: a 32-bit column



@dataclass(frozen=True)
class OneOf:
    """A text field limited to a model's choices, `Annotated[str, OneOf(Org.Level.values)]`:
    anything else is a 400 naming the field, never a lookup that fails in the service."""

    values: tuple[str, ...]

    def __init__(self, values: Iterable[str]) -> None:
        object.__setattr__(self, "values", tuple(values))

    def _check(self, value: str) -> str:
        if value not in self.values:
            raise ValueError(f"not one of {', '.join(self.values)}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        out = handler(schema)
        out["enum"] = list(self.values)
        return out
