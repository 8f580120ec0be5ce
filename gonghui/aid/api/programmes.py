"""JSON API of the seasonal programmes: list, create, beneficiary list, approve, pay."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid import selectors
from gonghui.aid.api.files import assistance_out
from gonghui.aid.api.schemas import (
    AssistanceOut,
    BeneficiaryIn,
    BeneficiaryOut,
    CountOut,
    NoteIn,
    PayAllOut,
    ProgrammeDetail,
    ProgrammeIn,
    ProgrammeOut,
)
from gonghui.aid.models import Beneficiary, Programme
from gonghui.aid.permissions import (
    access_aid_org,
    access_beneficiary,
    access_file,
    access_programme,
)
from gonghui.aid.services import programmes as programme_services
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body

router = Router()


def _programme(p: Programme, *, viewer: Any = None) -> dict[str, Any]:
    out = {name: getattr(p, name) for name in ProgrammeOut.model_fields
           if name not in ("org", "committed")}
    out["org"], out["committed"] = p.org.code, programme_services.committed(p)
    if viewer is not None:  # the list as this viewer may see it (a union below: its own rows)
        rows = (selectors.programme_rows_for(p, viewer).select_related("file")
                .order_by("union_path", "id"))
        out["beneficiaries"] = [_beneficiary(b) for b in rows]
    return out


def _beneficiary(b: Beneficiary) -> dict[str, Any]:
    return {"id": b.pk, "file_id": b.file_id, "file_number": b.file.number,
            "applicant_name": b.file.applicant_name, "amount": b.amount, "status": b.status}


@router.get("/programmes", response=Page[ProgrammeOut])
def list_programmes(request: HttpRequest, paging: Query[PageParams], year: str = "",
                    kind: str = "", status: str = ""):
    require_capability(request.user, Capability.AID_READ)
    queryset = selectors.programme_list(viewer=request.user, year=year, kind=kind, status=status)
    return paginate(request, queryset, paging, item=_programme)


@router.post("/programmes", response={201: ProgrammeOut}, openapi_extra=body_schema(ProgrammeIn))
def create_programme(request: HttpRequest):
    require_capability(request.user, Capability.AID_WRITE)
    data = parse_body(request, ProgrammeIn).dict()
    org = access_aid_org(request.user, data.pop("org"))
    return Status(201, _programme(programme_services.programme_create(
        org=org, actor=request.user, **data)))


@router.get("/programmes/{programme_id}", response=ProgrammeDetail)
def get_programme(request: HttpRequest, programme_id: int):
    return _programme(access_programme(request.user, programme_id), viewer=request.user)


@router.post("/programmes/{programme_id}/generate", response=CountOut)
def generate_list(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    return {"count": programme_services.beneficiaries_generate(programme=p, actor=request.user)}


@router.post("/programmes/{programme_id}/beneficiaries", response={201: BeneficiaryOut},
             openapi_extra=body_schema(BeneficiaryIn))
def add_beneficiary(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    f = access_file(request.user, parse_body(request, BeneficiaryIn).file_id)
    row = programme_services.beneficiary_add(programme=p, file=f, actor=request.user)
    return Status(201, _beneficiary(row))


@router.post("/programmes/{programme_id}/approve", response=ProgrammeOut,
             openapi_extra=body_schema(NoteIn))
def approve_programme(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    return _programme(programme_services.programme_approve(
        programme=p, actor=request.user, note=parse_body(request, NoteIn).note))


@router.post("/programmes/{programme_id}/close", response=ProgrammeOut)
def close_programme(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    return _programme(programme_services.programme_close(programme=p, actor=request.user))


@router.post("/programmes/{programme_id}/beneficiaries/{beneficiary_id}/pay",
             response=AssistanceOut)
def pay_beneficiary(request: HttpRequest, programme_id: int, beneficiary_id: int):
    p = access_programme(request.user, programme_id)  # the service: the programme's or the row's union
    row = access_beneficiary(request.user, p, beneficiary_id)
    return assistance_out(programme_services.beneficiary_pay(beneficiary=row, actor=request.user))


@router.post("/programmes/{programme_id}/pay-all", response=PayAllOut)
def pay_all(request: HttpRequest, programme_id: int):
    p = access_programme(request.user, programme_id, write=True)
    paid, problems = programme_services.programme_pay_all(programme=p, actor=request.user)
    return {"paid": paid, "problems": problems}
