"""The awards API's request and response schemas (the endpoints are in `api.py`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gonghui.core.bounds import Day, Days, Year, Years


class SchemeIn(Schema):
    org: str
    kind: str
    year: Year
    title: str
    notice_working_days: Days = 5
    min_frontline_pct: int | None = None
    min_technical_pct: int | None = None
    max_manager_pct: int | None = None
    min_women_pct: int | None = None
    exclusion_years: Years = 0
    nomination_deadline: Day | None = None


class QuotaOut(Schema):
    org: str
    org_name: str
    quota: int
    used: int


class AwardSchemeOut(Schema):
    id: int
    org: str
    kind: str
    year: int
    title: str
    level: str
    notice_working_days: int
    min_frontline_pct: int | None
    min_technical_pct: int | None
    max_manager_pct: int | None
    min_women_pct: int | None
    exclusion_years: int


class SchemeDetail(AwardSchemeOut):
    quotas: list[QuotaOut]
    counts: dict[str, int]


class QuotaIn(Schema):
    org: str
    quota: int = Field(..., ge=0)


class NominationIn(Schema):
    union: str
    person_id: int | None = None
    name: str = ""
    unit_name: str = ""
    category: str = ""
    job_title: str = ""
    deeds: str
    deeds_summary: str


class HistoryOut(Schema):
    from_status: str
    to_status: str
    level_name: str
    rank: int | None
    reason: str
    actor_name: str
    at: dt.datetime


class NominationOut(Schema):
    id: int
    scheme_id: int
    name: str
    unit_name: str
    nominee_type: str
    category: str
    gender: str
    union: str
    at_org: str
    status: str
    rank: int | None
    deeds_summary: str


class NominationDetail(NominationOut):
    deeds: str
    history: list[HistoryOut]


class ForwardIn(Schema):
    org: str
    nominations: list[int] = Field(..., min_length=1)
    note: str = ""


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1)


class ResubmitIn(Schema):
    deeds: str = ""
    deeds_summary: str = ""
    note: str = Field(..., min_length=1)


class PublishIn(Schema):
    start_date: Day | None = None


class AwardNoticeOut(Schema):
    id: int
    title: str
    start_date: dt.date
    end_date: dt.date
    working_days: int
    status: str


class CountOut(Schema):
    count: int


class ModelWorkerOut(Schema):
    id: int
    name: str
    unit_name: str
    union: str
    monthly_allowance: Decimal
    deceased: bool


class HonourOut(Schema):
    year: int
    title: str
    kind: str
    level: str


class CareOut(Schema):
    id: int
    kind: str
    on: dt.date
    amount: Decimal
    note: str
    aid_file_id: int | None


class ModelWorkerDetail(ModelWorkerOut):
    honours: list[HonourOut]
    care: list[CareOut]


class CareIn(Schema):
    kind: str
    on: Day
    amount: Decimal = Decimal("0")
    note: str = ""


class HardshipIn(Schema):
    note: str = Field(..., min_length=1)


class CriterionIn(Schema):
    name: str
    max_score: Decimal
    weight: Decimal = Decimal("1")


class CompetitionIn(Schema):
    org: str
    title: str
    kind: str
    year: Year
    team: bool = False
    trade: str = ""
    min_age: int | None = None
    max_age: int | None = None
    tie_rule: str = "criteria"
    criteria: list[CriterionIn] = Field(..., min_length=1)


class CompetitionOut(Schema):
    id: int
    org: str
    title: str
    kind: str
    team: bool
    year: int
    status: str
    tie_rule: str


class RankOut(Schema):
    entry_id: int
    name: str
    rank: int
    total: Decimal
    by_criterion: list[Decimal]


class CompetitionDetail(CompetitionOut):
    criteria: list[dict[str, Any]]
    ranking: list[RankOut]


class EntryIn(Schema):
    person_id: int | None = None
    union: str = ""
    team_name: str = ""
    team_members: str = ""


class EntryOut(Schema):
    id: int
    name: str
    union: str


class ScoreIn(Schema):
    entry_id: int
    criterion_id: int
    score: Decimal


class AdvanceIn(Schema):
    to: str = Field(..., min_length=1)
    finalists: int | None = None


class StudioIn(Schema):
    org: str
    name: str
    level: str
    lead_name: str = ""
    lead_id: int | None = None
    members: str = ""
    field: str = ""
    founded_year: Year


class StudioOut(Schema):
    id: int
    org: str
    name: str
    level: str
    lead_name: str
    rating: str
    rated_year: int | None


class RatingIn(Schema):
    year: Year
    rating: str
    achievements: str = ""


class ResultIn(Schema):
    org: str
    title: str
    year: Year
    people: str
    studio_id: int | None = None
    award: str = ""
    benefit: str = ""


class ResultOut(Schema):
    id: int
    org: str
    title: str
    year: int
    people: str
    studio_id: int | None
    award: str
