"""JSON API of 困难职工帮扶 at /api/v1/aid: files, household, review chain, assistance,
programmes, standards, dashboard. Same services, selectors and access functions as the pages;
ID numbers are masked except through the logged reveal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gonghui.accounts.scoping import capabilities_anywhere
from gonghui.aid import selectors
from gonghui.aid.models import Beneficiary, HardshipFile, Programme
from gonghui.aid.permissions import (
    access_aid_org,
    access_beneficiary,
    access_file,
    access_income,
    access_member,
    access_programme,
)
from gonghui.aid.services import files as file_services
from gonghui.aid.services import programmes as programme_services
from gonghui.aid.services import watch
from gonghui.aid.services.assistance import assistance_record
from gonghui.aid.services.standards import standard_save
from gonghui.aid.services.standards_import import resolve_region
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound

router = Router()


# ---- schemas ---------------------------------------------------------------------------------

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


class FilePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[FileRow]


class MemberOut(Schema):
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


class ActivityOut(Schema):
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
    household: list[MemberOut]
    incomes: list[IncomeOut]
    assistance: list[AssistanceOut]
    activities: list[ActivityOut]


class FileFilter(Schema):
    q: str = ""
    status: str = ""
    category: str = ""
    cause: str = ""
    within: str = ""
    flagged: bool = False
    page: int = 1
    page_size: int = 50


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
    sudden_on: dt.date | None = None
    sudden_description: str | None = None
    causes: list[str] | None = None


class MemberIn(Schema):
    name: str
    relation: str
    id_number: str
    health: str = "healthy"
    health_note: str = ""
    work: str
    education: str = ""
    university_entry_year: int | None = None
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
    purpose: str


class RevealedOut(Schema):
    name: str
    relation: str
    id_number: str


class AssistanceIn(Schema):
    kind: str
    amount: Decimal = Decimal("0")
    given_on: dt.date | None = None
    description: str = ""
    idempotency_key: str
    beneficiary_id: int | None = None


class ProgrammeIn(Schema):
    org: str
    name: str
    kind: str
    year: int
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
    year: int
    monthly_line: Decimal
    effective_from: dt.date | None = None
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


# ---- helpers ---------------------------------------------------------------------------------

def _row(f: HardshipFile) -> dict[str, Any]:
    return {name: getattr(f, name) for name in FileRow.model_fields if name != "union"} | {
        "union": f.union.code}


def _detail(f: HardshipFile) -> dict[str, Any]:
    parts = selectors.file_parts(f)
    out = _row(f) | {name: getattr(f, name) for name in (
        "line", "line_year", "upper_line", "category_note", "sudden", "housing", "needs",
        "address", "above_line_since", "exited_on", "watch_until", "relapse_found")}
    out["causes"] = sorted(f.causes.values_list("cause", flat=True))
    out["household"] = [{"id": m.pk, "name": m.name, "relation": m.relation,
                         "id_number_masked": m.id_masked, "gender": m.gender,
                         "birth_date": m.birth_date, "health": m.health, "work": m.work,
                         "education": m.education,
                         "university_entry_year": m.university_entry_year}
                        for m in parts["household"]]
    out["incomes"] = [{"id": i.pk, "kind": i.kind, "member_id": i.member_id,
                       "monthly_amount": i.monthly_amount, "description": i.description}
                      for i in parts["incomes"]]
    out["assistance"] = [_assistance(a) for a in parts["assistance"]]
    out["activities"] = [{"kind": a.kind, "at": a.at, "actor": a.actor_name,
                          "status_from": a.status_from, "status_to": a.status_to,
                          "reason": a.reason} for a in parts["activities"]]
    return out


def _assistance(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "amount": a.amount, "given_on": a.given_on,
            "programme": a.programme.name if a.programme_id else None,
            "description": a.description, "ledger_transaction_id": a.ledger_transaction_id,
            "created": getattr(a, "was_created", None)}


def _fresh(request: HttpRequest, file_id: int) -> dict[str, Any]:
    return _detail(access_file(request.user, file_id))


def _programme(p: Programme, *, beneficiaries: bool = False) -> dict[str, Any]:
    out = {name: getattr(p, name) for name in ProgrammeOut.model_fields
           if name not in ("org", "committed")}
    out["org"], out["committed"] = p.org.code, programme_services.committed(p)
    if beneficiaries:
        rows = p.beneficiaries.select_related("file").order_by("union_path", "id")
        out["beneficiaries"] = [_beneficiary(b) for b in rows]
    return out


def _beneficiary(b: Beneficiary) -> dict[str, Any]:
    return {"id": b.pk, "file_id": b.file_id, "file_number": b.file.number,
            "applicant_name": b.file.applicant_name, "amount": b.amount, "status": b.status}


def _require(request: HttpRequest, cap: str) -> None:
    if cap not in capabilities_anywhere(request.user):
        raise NotFound()


# ---- files -----------------------------------------------------------------------------------

@router.get("/files", response=FilePage)
def list_files(request: HttpRequest, filters: Query[FileFilter]):
    """Files of the caller's subtrees; `within` (org code) narrows to one subtree."""
    within = access_aid_org(request.user, filters.within) if filters.within else None
    queryset = selectors.file_list(viewer=request.user, q=filters.q, status=filters.status,
                                   category=filters.category, cause=filters.cause,
                                   within=within, flagged=filters.flagged)
    size, page = max(1, min(filters.page_size, 500)), max(1, filters.page)
    items = list(queryset[(page - 1) * size: page * size])
    return {"count": queryset.count(), "page": page, "page_size": size,
            "items": [_row(f) for f in items]}


@router.post("/files", response={201: FileOut})
def open_file(request: HttpRequest, payload: FileIn):
    from gonghui.core.idnumber import IDNumberError, parse

    _require(request, "aid.write")
    try:
        number = parse(payload.id_number, today=clock.today()).number
    except IDNumberError as exc:
        raise ApplicationError(exc.message, code=f"id_{exc.code}") from exc
    membership = selectors.applicant_lookup(viewer=request.user, number=number)
    if membership is None:
        raise NotFound(_("在您管辖的工会中没有找到该身份证号码的在册会员。"))
    f = file_services.file_open(person=membership.person, actor=request.user,
                                address=payload.address, phone=payload.phone, work=payload.work)
    return Status(201, _fresh(request, f.pk))


@router.get("/files/{file_id}", response=FileOut)
def get_file(request: HttpRequest, file_id: int):
    return _fresh(request, file_id)


@router.patch("/files/{file_id}", response=FileOut)
def update_file(request: HttpRequest, file_id: int, payload: FilePatch):
    f = access_file(request.user, file_id, write=True)
    data = payload.dict(exclude_unset=True)
    causes = data.pop("causes", None)
    file_services.file_update(file=f, actor=request.user, causes=causes, **data)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/members", response={201: FileOut})
def add_member(request: HttpRequest, file_id: int, payload: MemberIn):
    f = access_file(request.user, file_id, write=True)
    data = payload.dict()
    file_services.member_add(file=f, actor=request.user, id_number=data.pop("id_number"), **data)
    return Status(201, _fresh(request, file_id))


@router.delete("/files/{file_id}/members/{member_id}", response=FileOut)
def remove_member(request: HttpRequest, file_id: int, member_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.member_remove(member=access_member(request.user, f, member_id),
                                actor=request.user)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/incomes", response={201: FileOut})
def add_income(request: HttpRequest, file_id: int, payload: IncomeIn):
    f = access_file(request.user, file_id, write=True)
    member = access_member(request.user, f, payload.member_id) if payload.member_id else None
    file_services.income_add(file=f, actor=request.user, kind=payload.kind,
                             monthly_amount=payload.monthly_amount, member=member,
                             description=payload.description)
    return Status(201, _fresh(request, file_id))


@router.delete("/files/{file_id}/incomes/{income_id}", response=FileOut)
def remove_income(request: HttpRequest, file_id: int, income_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.income_remove(income=access_income(request.user, f, income_id),
                                actor=request.user)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/submit", response=FileOut)
def submit_file(request: HttpRequest, file_id: int, payload: CategoryIn):
    f = access_file(request.user, file_id, write=True)
    file_services.file_submit(file=f, actor=request.user, category=payload.category,
                              note=payload.note)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/verify", response=FileOut)
def verify_file(request: HttpRequest, file_id: int, payload: NoteIn):
    file_services.file_verify(file=access_file(request.user, file_id), actor=request.user,
                              note=payload.note)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/return", response=FileOut)
def return_file(request: HttpRequest, file_id: int, payload: ReasonIn):
    file_services.file_return(file=access_file(request.user, file_id), actor=request.user,
                              reason=payload.reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/reject", response=FileOut)
def reject_file(request: HttpRequest, file_id: int, payload: ReasonIn):
    file_services.file_reject(file=access_file(request.user, file_id), actor=request.user,
                              reason=payload.reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/close", response=FileOut)
def close_file(request: HttpRequest, file_id: int, payload: ReasonIn):
    file_services.file_close(file=access_file(request.user, file_id, write=True),
                             actor=request.user, reason=payload.reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/visits", response={201: FileOut})
def record_visit(request: HttpRequest, file_id: int, payload: NoteIn):
    file_services.visit_record(file=access_file(request.user, file_id, write=True),
                               actor=request.user, note=payload.note)
    return Status(201, _fresh(request, file_id))


@router.post("/files/{file_id}/review", response=FileOut)
def review_file(request: HttpRequest, file_id: int, payload: ReviewIn):
    watch.review_record(file=access_file(request.user, file_id, write=True), actor=request.user,
                        category=payload.category, note=payload.note, evidence=payload.evidence)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/exit", response=FileOut)
def exit_file(request: HttpRequest, file_id: int, payload: EvidenceIn):
    watch.file_exit(file=access_file(request.user, file_id, write=True), actor=request.user,
                    evidence=payload.evidence)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/followups", response={201: FollowupOut})
def record_followup(request: HttpRequest, file_id: int, payload: FollowupIn):
    assessment, relapse = watch.followup_record(
        file=access_file(request.user, file_id, write=True), actor=request.user,
        household_size=payload.household_size, monthly_income=payload.monthly_income,
        note=payload.note)
    return Status(201, {"per_capita_income": assessment.per_capita_income,
                        "upper_line": assessment.upper_line, "relapse": relapse})


@router.post("/files/{file_id}/reopen", response=FileOut)
def reopen_file(request: HttpRequest, file_id: int):
    watch.file_reopen(file=access_file(request.user, file_id, write=True), actor=request.user)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/reveal", response=list[RevealedOut])
def reveal_ids(request: HttpRequest, file_id: int, payload: RevealIn):
    """The household's full ID numbers (aid.reveal); every call is logged."""
    pairs = file_services.household_ids_reveal(file=access_file(request.user, file_id),
                                               actor=request.user, purpose=payload.purpose)
    return [{"name": m.name, "relation": m.relation, "id_number": n} for m, n in pairs]


@router.post("/files/{file_id}/assistance", response={201: AssistanceOut, 200: AssistanceOut})
def record_assistance(request: HttpRequest, file_id: int, payload: AssistanceIn):
    """Record help given; the same `idempotency_key` again returns the first record (200)."""
    f = access_file(request.user, file_id, write=True)
    beneficiary = None
    if payload.beneficiary_id:
        beneficiary = Beneficiary.objects.filter(pk=payload.beneficiary_id, file=f).first()
        if beneficiary is None:
            raise NotFound()
    record = assistance_record(file=f, actor=request.user, kind=payload.kind,
                               amount=payload.amount, idempotency_key=payload.idempotency_key,
                               given_on=payload.given_on, description=payload.description,
                               beneficiary=beneficiary)
    return Status(201 if record.was_created else 200, _assistance(record))


# ---- due lists -------------------------------------------------------------------------------

@router.get("/due/reviews", response=list[FileRow])
def due_reviews(request: HttpRequest, within: str = ""):
    org = access_aid_org(request.user, within) if within else None
    return [_row(f) for f in selectors.review_due(viewer=request.user, within=org)[:500]]


@router.get("/due/followups", response=list[FileRow])
def due_followups(request: HttpRequest, within: str = ""):
    org = access_aid_org(request.user, within) if within else None
    return [_row(f) for f in selectors.followup_due(viewer=request.user, within=org)[:500]]


# ---- programmes ------------------------------------------------------------------------------

@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request: HttpRequest, year: str = "", kind: str = "", status: str = ""):
    return [_programme(p) for p in selectors.programme_list(
        viewer=request.user, year=year, kind=kind, status=status)[:500]]


@router.post("/programmes", response={201: ProgrammeOut})
def create_programme(request: HttpRequest, payload: ProgrammeIn):
    data = payload.dict()
    org = access_aid_org(request.user, data.pop("org"))
    return Status(201, _programme(programme_services.programme_create(
        org=org, actor=request.user, **data)))


@router.get("/programmes/{programme_id}", response=ProgrammeDetail)
def get_programme(request: HttpRequest, programme_id: int):
    return _programme(access_programme(request.user, programme_id), beneficiaries=True)


@router.post("/programmes/{programme_id}/generate", response=CountOut)
def generate_list(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    return {"count": programme_services.beneficiaries_generate(programme=p, actor=request.user)}


@router.post("/programmes/{programme_id}/beneficiaries", response={201: BeneficiaryOut})
def add_beneficiary(request: HttpRequest, programme_id: int, payload: BeneficiaryIn):
    p = access_programme(request.user, programme_id, write=True)
    f = access_file(request.user, payload.file_id)
    row = programme_services.beneficiary_add(programme=p, file=f, actor=request.user)
    return Status(201, _beneficiary(row))


@router.post("/programmes/{programme_id}/approve", response=ProgrammeOut)
def approve_programme(request: HttpRequest, programme_id: int, payload: NoteIn):
    p = access_programme(request.user, programme_id, write=True)
    return _programme(programme_services.programme_approve(programme=p, actor=request.user,
                                                           note=payload.note))


@router.post("/programmes/{programme_id}/close", response=ProgrammeOut)
def close_programme(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    return _programme(programme_services.programme_close(programme=p, actor=request.user))


@router.post("/programmes/{programme_id}/beneficiaries/{beneficiary_id}/pay",
             response=AssistanceOut)
def pay_beneficiary(request: HttpRequest, programme_id: int, beneficiary_id: int):
    p = access_programme(request.user, programme_id, write=True)
    row = access_beneficiary(request.user, p, beneficiary_id)
    return _assistance(programme_services.beneficiary_pay(beneficiary=row, actor=request.user))


@router.post("/programmes/{programme_id}/pay-all", response=PayAllOut)
def pay_all(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    paid, problems = programme_services.programme_pay_all(programme=p, actor=request.user)
    return {"paid": paid, "problems": problems}


# ---- standards and dashboard -----------------------------------------------------------------

def _standard(s: Any, outcome: str | None = None) -> dict[str, Any]:
    return {"id": s.pk, "org": s.org.code, "org_name": s.org.name, "year": s.year,
            "monthly_line": s.monthly_line, "effective_from": s.effective_from,
            "source": s.source, "outcome": outcome}


@router.get("/standards", response=list[StandardOut])
def list_standards(request: HttpRequest, year: str = ""):
    return [_standard(s) for s in selectors.standard_list(viewer=request.user, year=year)[:1000]]


@router.put("/standards", response=StandardOut)
def put_standard(request: HttpRequest, payload: StandardIn):
    """Create or change a region's standard for a year (policy.write); a change re-flags the
    affected files for review."""
    _require(request, "policy.write")
    org = resolve_region(payload.org)
    access_aid_org(request.user, org.pk)
    row, outcome = standard_save(org=org, year=payload.year, monthly_line=payload.monthly_line,
                                 actor=request.user, effective_from=payload.effective_from,
                                 source=payload.source)
    return _standard(row, outcome)


@router.get("/dashboard", response=DashboardOut)
def get_dashboard(request: HttpRequest, org: str = "", year: int | None = None):
    roots = list(selectors.aid_roots(request.user))
    target = access_aid_org(request.user, org) if org else (roots[0] if roots else None)
    if target is None:
        raise NotFound()
    year = year or clock.today().year
    data = selectors.dashboard(org=target, viewer=request.user, year=year)
    return {**{k: v for k, v in data.items() if k not in ("by_cause", "money", "by_category",
                                                          "by_status")},
            "org": target.code, "year": year,
            "by_status": data["by_status"],
            "by_category": {k: v for k, v in data["by_category"].items() if k},
            "by_cause": dict(data["by_cause"]),
            "money": [{"programme": name, "amount": str(total), "count": n}
                      for name, total, n in data["money"]]}
