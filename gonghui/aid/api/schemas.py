"""Schemas of the aid API (`gonghui.aid.api`): what goes in and out, nothing else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from gonghui.core.bounds import Day, Year


class FileRow(Schema):
    id: int
    number: str
    union: str
    applicant_name: str
    status: str
    category: str
    proposed_category: str
    household_size: int
    monthly_income: Decimal
    per_capita_income: Decimal
    needs_review: bool
    next_review_due: dt.date | None
    next_followup_due: dt.date | None


class HouseholdMemberOut(Schema):
    id: int
    name: str
    relation: str
    id_number_masked: str
    gender: str
    birth_date: dt.date | None
    health: str
    work: str
    education: str
    university_entry_year: int | None


class IncomeOut(Schema):
    id: int
    kind: str
    member_id: int | None
    monthly_amount: Decimal
    description: str


class AssistanceOut(Schema):
    id: int
    kind: str
    amount: Decimal
    given_on: dt.date
    programme: str | None
    description: str
    ledger_transaction_id: int | None
    created: bool | None = None


class FileActivityOut(Schema):
    kind: str
    at: dt.datetime
    actor: str
    status_from: str
    status_to: str
    reason: str


class FileOut(FileRow):
    line: Decimal | None
    line_year: int | None
    upper_line: Decimal | None
    category_note: str
    sudden: bool
    causes: list[str]
    housing: str
    needs: list[str]
    address: str
    above_line_since: dt.date | None
    exited_on: dt.date | None
    watch_until: dt.date | None
    relapse_found: bool
    household: list[HouseholdMemberOut]
    incomes: list[IncomeOut]
    assistance: list[AssistanceOut]
    activities: list[FileActivityOut]


class FileFilter(Schema):
    q: str = ""
    status: str = ""
    category: str = ""
    cause: str = ""
    within: str = ""
    flagged: bool = False


class FileIn(Schema):
    id_number: str
    address: str = ""
    phone: str = ""
    work: str = "employed"


class FilePatch(Schema):
    address: str | None = None
    phone: str | None = None
    housing: str | None = None
    housing_area: Decimal | None = None
    housing_note: str | None = None
    needs: list[str] | None = None
    needs_note: str | None = None
    sudden: bool | None = None
    sudden_on: Day | None = None
    sudden_description: str | None = None
    causes: list[str] | None = None


class HouseholdMemberIn(Schema):
    name: str
    relation: str
    id_number: str
    health: str = "healthy"
    health_note: str = ""
    work: str
    education: str = ""
    university_entry_year: Year | None = None
    note: str = ""


class IncomeIn(Schema):
    kind: str
    monthly_amount: Decimal
    member_id: int | None = None
    description: str = ""


class CategoryIn(Schema):
    category: str
    note: str = ""


class ReviewIn(CategoryIn):
    evidence: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class EvidenceIn(Schema):
    evidence: str


class FollowupIn(Schema):
    household_size: int
    monthly_income: Decimal
    note: str


class FollowupOut(Schema):
    per_capita_income: Decimal
    upper_line: Decimal
    relapse: bool


class RevealIn(Schema):
    purpose: str = ""  # required by the reveal service (400), after its capability check


class RevealedOut(Schema):
    name: str
    relation: str
    id_number: str


class AssistanceIn(Schema):
    kind: str
    amount: Decimal = Decimal("0")
    given_on: Day | None = None
    description: str = ""
    idempotency_key: str
    beneficiary_id: int | None = None


class ProgrammeIn(Schema):
    org: str
    name: str
    kind: str
    year: Year
    budget: Decimal
    amount_per_household: Decimal
    assistance_kind: str = "cash"
    rule: str = "categories"
    categories: list[str] = []
    note: str = ""


class BeneficiaryOut(Schema):
    id: int
    file_id: int
    file_number: str
    applicant_name: str
    amount: Decimal
    status: str


class ProgrammeOut(Schema):
    id: int
    org: str
    name: str
    kind: str
    year: int
    budget: Decimal
    amount_per_household: Decimal
    assistance_kind: str
    rule: str
    categories: list[str]
    status: str
    committed: Decimal


class ProgrammeDetail(ProgrammeOut):
    beneficiaries: list[BeneficiaryOut]


class CountOut(Schema):
    count: int


class PayAllOut(Schema):
    paid: int
    problems: list[str]


class BeneficiaryIn(Schema):
    file_id: int


class StandardIn(Schema):
    org: str
    year: Year
    monthly_line: Decimal
    effective_from: Day | None = None
    source: str = ""


class StandardOut(Schema):
    id: int
    org: str
    org_name: str
    year: int
    monthly_line: Decimal
    effective_from: dt.date | None
    source: str
    outcome: str | None = None


class DashboardOut(Schema):
    org: str
    year: int
    active: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_cause: dict[str, int]
    exits: int
    relapses: int
    money: list[dict[str, Any]]
    overdue_reviews: int
    flagged: int
    overdue_followups: int


