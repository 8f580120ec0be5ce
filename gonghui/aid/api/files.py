"""JSON API of the hardship files: list, open, household and incomes, the review chain, the
logged ID reveal, assistance, and the due lists. ID numbers are masked except through the
reveal service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid import selectors
from gonghui.aid.api.schemas import (
    AssistanceIn,
    AssistanceOut,
    CategoryIn,
    EvidenceIn,
    FileFilter,
    FileIn,
    FileOut,
    FilePatch,
    FileRow,
    FollowupIn,
    FollowupOut,
    HouseholdMemberIn,
    IncomeIn,
    NoteIn,
    ReasonIn,
    RevealedOut,
    RevealIn,
    ReviewIn,
)
from gonghui.aid.models import Assistance, HardshipFile
from gonghui.aid.permissions import (
    access_aid_org,
    access_file,
    access_file_beneficiary,
    access_income,
    access_member,
)
from gonghui.aid.services import files as file_services
from gonghui.aid.services import watch
from gonghui.aid.services.assistance import assistance_record
from gonghui.core import clock
from gonghui.core.cells import CellError, parse_id_number
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body

router = Router()


def file_row(f: HardshipFile) -> dict[str, Any]:
    return {name: getattr(f, name) for name in FileRow.model_fields if name != "union"} | {
        "union": f.union.code}


def assistance_out(a: Assistance) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "amount": a.amount, "given_on": a.given_on,
            "programme": a.programme.name if a.programme_id and a.programme else None,
            "description": a.description, "ledger_transaction_id": a.ledger_transaction_id,
            "created": getattr(a, "was_created", None)}


def _detail(f: HardshipFile) -> dict[str, Any]:
    # the whole file: no list of the API response is cut (the page shows the latest 200)
    parts = selectors.file_parts(f, limit=None)
    out = file_row(f) | {name: getattr(f, name) for name in (
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
    out["assistance"] = [assistance_out(a) for a in parts["assistance"]]
    out["activities"] = [{"kind": a.kind, "at": a.at, "actor": a.actor_name,
                          "status_from": a.from_status, "status_to": a.to_status,
                          "reason": a.reason} for a in parts["activities"]]
    return out


def _fresh(request: HttpRequest, file_id: int) -> dict[str, Any]:
    return _detail(access_file(request.user, file_id))


@router.get("/files", response=Page[FileRow])
def list_files(request: HttpRequest, filters: Query[FileFilter], paging: Query[PageParams]):
    """Files of the caller's subtrees; `within` (org code) narrows to one subtree."""
    require_capability(request.user, Capability.AID_READ)
    within = access_aid_org(request.user, filters.within) if filters.within else None
    queryset = selectors.file_list(viewer=request.user, q=filters.q, status=filters.status,
                                   category=filters.category, cause=filters.cause,
                                   within=within, flagged=filters.flagged)
    return paginate(request, queryset, paging, item=file_row)


@router.post("/files", response={201: FileOut}, openapi_extra=body_schema(FileIn))
def open_file(request: HttpRequest):
    require_capability(request.user, Capability.AID_WRITE)
    payload = parse_body(request, FileIn)
    try:
        number = parse_id_number(payload.id_number, today=clock.today()).number
    except CellError as exc:
        raise ApplicationError(exc.message, code=exc.code) from exc
    membership = selectors.applicant_lookup(viewer=request.user, number=number)
    if membership is None:
        raise NotFound(_("在您管辖的工会中没有找到该身份证号码的在册会员。"))
    f = file_services.file_open(person=membership.person, actor=request.user,
                                address=payload.address, phone=payload.phone, work=payload.work)
    return Status(201, _fresh(request, f.pk))


@router.get("/files/{file_id}", response=FileOut)
def get_file(request: HttpRequest, file_id: int):
    return _fresh(request, file_id)


@router.patch("/files/{file_id}", response=FileOut, openapi_extra=body_schema(FilePatch))
def update_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, FilePatch)
    data = payload.dict(exclude_unset=True)
    causes = data.pop("causes", None)
    file_services.file_update(file=f, actor=request.user, causes=causes, **data)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/members", response={201: FileOut},
             openapi_extra=body_schema(HouseholdMemberIn))
def add_member(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, HouseholdMemberIn)
    data = payload.dict()
    file_services.member_add(file=f, actor=request.user, id_number=data.pop("id_number"), **data)
    return Status(201, _fresh(request, file_id))


@router.delete("/files/{file_id}/members/{member_id}", response=FileOut)
def remove_member(request: HttpRequest, file_id: int, member_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.member_remove(member=access_member(request.user, f, member_id),
                                actor=request.user)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/incomes", response={201: FileOut},
             openapi_extra=body_schema(IncomeIn))
def add_income(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, IncomeIn)
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


@router.post("/files/{file_id}/submit", response=FileOut, openapi_extra=body_schema(CategoryIn))
def submit_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, CategoryIn)
    file_services.file_submit(file=f, actor=request.user, category=payload.category,
                              note=payload.note)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/verify", response=FileOut, openapi_extra=body_schema(NoteIn))
def verify_file(request: HttpRequest, file_id: int):
    # aid.write over the file (a verifier holds it above); the service adds the verifier rule
    f = access_file(request.user, file_id, write=True)
    file_services.file_verify(file=f, actor=request.user, note=parse_body(request, NoteIn).note)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/return", response=FileOut, openapi_extra=body_schema(ReasonIn))
def return_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.file_return(file=f, actor=request.user,
                              reason=parse_body(request, ReasonIn).reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/reject", response=FileOut, openapi_extra=body_schema(ReasonIn))
def reject_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.file_reject(file=f, actor=request.user,
                              reason=parse_body(request, ReasonIn).reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/close", response=FileOut, openapi_extra=body_schema(ReasonIn))
def close_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.file_close(file=f, actor=request.user,
                             reason=parse_body(request, ReasonIn).reason)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/visits", response={201: FileOut}, openapi_extra=body_schema(NoteIn))
def record_visit(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    file_services.visit_record(file=f, actor=request.user, note=parse_body(request, NoteIn).note)
    return Status(201, _fresh(request, file_id))


@router.post("/files/{file_id}/review", response=FileOut, openapi_extra=body_schema(ReviewIn))
def review_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, ReviewIn)
    watch.review_record(file=f, actor=request.user, category=payload.category, note=payload.note,
                        evidence=payload.evidence)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/exit", response=FileOut, openapi_extra=body_schema(EvidenceIn))
def exit_file(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    watch.file_exit(file=f, actor=request.user, evidence=parse_body(request, EvidenceIn).evidence)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/followups", response={201: FollowupOut},
             openapi_extra=body_schema(FollowupIn))
def record_followup(request: HttpRequest, file_id: int):
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, FollowupIn)
    assessment, relapse = watch.followup_record(
        file=f, actor=request.user,
        household_size=payload.household_size, monthly_income=payload.monthly_income,
        note=payload.note)
    return Status(201, {"per_capita_income": assessment.per_capita_income,
                        "upper_line": assessment.upper_line, "relapse": relapse})


@router.post("/files/{file_id}/reopen", response=FileOut)
def reopen_file(request: HttpRequest, file_id: int):
    watch.file_reopen(file=access_file(request.user, file_id, write=True), actor=request.user)
    return _fresh(request, file_id)


@router.post("/files/{file_id}/reveal", response=list[RevealedOut],
             openapi_extra=body_schema(RevealIn))
def reveal_ids(request: HttpRequest, file_id: int):
    """The household's full ID numbers (aid.reveal) for the stated purpose; every call is
    logged. The reveal service decides: aid.reveal (403), then a purpose (400)."""
    f = access_file(request.user, file_id)
    pairs = file_services.household_ids_reveal(file=f, actor=request.user,
                                               purpose=parse_body(request, RevealIn).purpose)
    return [{"name": m.name, "relation": m.relation, "id_number": n} for m, n in pairs]


@router.post("/files/{file_id}/assistance", response={201: AssistanceOut, 200: AssistanceOut},
             openapi_extra=body_schema(AssistanceIn))
def record_assistance(request: HttpRequest, file_id: int):
    """Record help given; the same `idempotency_key` again returns the first record (200)."""
    f = access_file(request.user, file_id, write=True)
    payload = parse_body(request, AssistanceIn)
    beneficiary = (access_file_beneficiary(request.user, f, payload.beneficiary_id)
                   if payload.beneficiary_id else None)
    record = assistance_record(file=f, actor=request.user, kind=payload.kind,
                               amount=payload.amount, idempotency_key=payload.idempotency_key,
                               given_on=payload.given_on, description=payload.description,
                               beneficiary=beneficiary)
    return Status(201 if record.was_created else 200, assistance_out(record))


# ---- due lists -------------------------------------------------------------------------------

@router.get("/due/reviews", response=Page[FileRow])
def due_reviews(request: HttpRequest, paging: Query[PageParams], within: str = ""):
    require_capability(request.user, Capability.AID_READ)
    org = access_aid_org(request.user, within) if within else None
    return paginate(request, selectors.review_due(viewer=request.user, within=org), paging,
                    item=file_row)


@router.get("/due/followups", response=Page[FileRow])
def due_followups(request: HttpRequest, paging: Query[PageParams], within: str = ""):
    require_capability(request.user, Capability.AID_READ)
    org = access_aid_org(request.user, within) if within else None
    return paginate(request, selectors.followup_due(viewer=request.user, within=org), paging,
                    item=file_row)
