"""Mutual aid over JSON (/api/v1/mutualaid/…): the same services, selectors and access rules as
the pages. Amounts are decimal strings (yuan, two places)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.bounds import Day, Year
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_form
from gonghui.mutualaid import presenters, selectors, services, tasks
from gonghui.mutualaid.models import Payout, PayoutBatch, Plan, SettlementImport
from gonghui.mutualaid.permissions import (
    access_batch,
    access_import,
    access_payout,
    access_plan,
    access_union,
)

router = Router()


class VersionOut(Schema):
    number: int
    plan_year: int
    year_starts_on: dt.date
    year_ends_on: dt.date
    effective_on: dt.date
    contribution: Decimal
    waiting_days: int
    deductible: Decimal
    deductible_days: int
    ratio: Decimal
    per_day: Decimal
    lump_sum: Decimal
    per_claim_cap: Decimal | None
    per_year_cap: Decimal | None
    auto_approve_limit: Decimal | None
    note: str


class MutualAidPlanOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    org: str
    status: str
    versions: list[VersionOut]


def _plan(plan: Plan) -> dict[str, Any]:
    return {"id": plan.pk, "code": plan.code, "name": plan.name, "kind": plan.kind,
            "org": plan.org.code, "status": plan.status,
            "versions": list(selectors.plan_versions(plan))}


@router.get("/plans", response=Page[MutualAidPlanOut])
def list_plans(request: HttpRequest, paging: Query[PageParams]):
    require_capability(request.user, Capability.MUTUALAID_READ)
    plans = selectors.plan_list(viewer=request.user).select_related("org")
    return paginate(request, plans, paging, item=_plan)


@router.get("/plans/{plan_id}", response=MutualAidPlanOut)
def get_plan(request: HttpRequest, plan_id: str):
    return _plan(access_plan(request.user, plan_id))


class EnrolIn(Schema):
    union: str
    plan_year: Year
    person_ids: list[int] | None = None
    enrolled_on: Day | None = None


class EnrolOut(Schema):
    id: int
    enrolled_count: int
    skipped_count: int
    amount: Decimal


@router.post("/plans/{plan_id}/enrol", response={201: EnrolOut},
             openapi_extra=body_schema(EnrolIn))
def enrol(request: HttpRequest, plan_id: str):
    plan = access_plan(request.user, plan_id)
    require_capability(request.user, Capability.MUTUALAID_WRITE)
    payload = parse_body(request, EnrolIn)
    union = access_union(request.user, payload.union)
    run = services.enrol_members(plan=plan, plan_year=payload.plan_year, union=union,
                                 actor=request.user, person_ids=payload.person_ids,
                                 enrolled_on=payload.enrolled_on)
    return Status(201, run)


class CalculationLineOut(Schema):
    step: str
    text: str
    amount: str | None


class PayoutOut(Schema):
    id: int
    reference: str
    plan: str
    plan_year: int
    version: int
    union: str
    person_name: str
    settlement_no: str
    amount: Decimal
    status: str
    decline: str
    fail_reason: str
    paid_on: dt.date | None


class EventOut(Schema):
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class PayoutDetail(PayoutOut):
    computation: list[CalculationLineOut]
    history: list[EventOut]


def _payout(p: Payout) -> dict[str, Any]:
    return {"id": p.pk, "reference": p.reference, "plan": p.plan.code, "plan_year": p.plan_year,
            "version": p.version.number, "union": p.union.code, "person_name": p.person.name,
            "settlement_no": p.settlement.settlement_no, "amount": p.amount,
            "status": p.status, "decline": p.decline, "fail_reason": p.fail_reason,
            "paid_on": p.paid_on}


def _payout_detail(p: Payout) -> dict[str, Any]:
    return {**_payout(p), "computation": presenters.lines(p.computation),
            "history": [{"at": e.at, "actor": e.actor_name, "from_status": e.from_status,
                         "to_status": e.to_status, "note": e.reason}
                        for e in selectors.payout_history(p)]}


class PayoutFilter(Schema):
    q: str = ""
    status: str = ""
    plan: str = ""
    year: Year | None = None
    within: str = ""


@router.get("/payouts", response=Page[PayoutOut])
def list_payouts(request: HttpRequest, filters: Query[PayoutFilter],
                 paging: Query[PageParams]):
    require_capability(request.user, Capability.MUTUALAID_READ)
    within = access_union(request.user, filters.within) if filters.within else None
    queryset = selectors.payout_list(viewer=request.user, q=filters.q, status=filters.status,
                                     plan=filters.plan, year=filters.year, within=within
                                     ).select_related("version")
    return paginate(request, queryset, paging, item=_payout)


@router.get("/payouts/{payout_id}", response=PayoutDetail)
def get_payout(request: HttpRequest, payout_id: int):
    return _payout_detail(access_payout(request.user, payout_id))


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class AccountIn(Schema):
    holder_name: str
    bank_name: str
    account_number: str


class RequeueIn(Schema):
    note: str = ""
    account: AccountIn | None = None


@router.post("/payouts/{payout_id}/approve", response=PayoutDetail,
             openapi_extra=body_schema(NoteIn))
def approve_payout(request: HttpRequest, payout_id: int):
    payout = access_payout(request.user, payout_id, write=True)
    payload = parse_body(request, NoteIn)
    services.payout_approve(payout=payout, actor=request.user, note=payload.note)
    return _payout_detail(access_payout(request.user, payout_id))


@router.post("/payouts/{payout_id}/reject", response=PayoutDetail,
             openapi_extra=body_schema(ReasonIn))
def reject_payout(request: HttpRequest, payout_id: int):
    payout = access_payout(request.user, payout_id, write=True)
    payload = parse_body(request, ReasonIn)
    services.payout_reject(payout=payout, actor=request.user, reason=payload.reason)
    return _payout_detail(access_payout(request.user, payout_id))


@router.post("/payouts/{payout_id}/requeue", response=PayoutDetail,
             openapi_extra=body_schema(RequeueIn))
def requeue_payout(request: HttpRequest, payout_id: int):
    payout = access_payout(request.user, payout_id, write=True)
    payload = parse_body(request, RequeueIn)
    services.payout_requeue(payout=payout, actor=request.user, note=payload.note,
                            account=payload.account.dict() if payload.account else None)
    return _payout_detail(access_payout(request.user, payout_id))


class SettlementImportOut(Schema):
    id: int
    file_name: str
    status: str
    total_rows: int
    processed_rows: int
    inserted: int
    already_imported: int
    duplicates: int
    invalid: int
    error: str
    created_at: dt.datetime


class IssueOut(Schema):
    row_no: int
    column: str
    code: str
    message: str
    settlement_no: str


class ImportDetail(SettlementImportOut):
    records: dict[str, int]
    payouts: dict[str, dict[str, str]]
    # the first ISSUES_SHOWN refused rows; issues_count says how many there are in all
    issues: list[IssueOut]
    issues_count: int


ISSUES_SHOWN = 1000


class UploadIn(Schema):
    org: str = Field(min_length=1, description="code or id of the org")


def _upload_body(*, org: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary"}}
    if org:
        properties["org"] = {"type": "string", "description": "code or id of the org"}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": properties, "required": sorted(properties)}}}}}



def _import_detail(source: SettlementImport) -> dict[str, Any]:
    outcome = selectors.import_outcome(source)
    return {**{f: getattr(source, f) for f in SettlementImportOut.model_fields if f != "id"},
            "id": source.pk, "records": outcome["records"],
            "payouts": {k: {"count": str(v["count"]), "amount": str(v["amount"])}
                        for k, v in outcome["payouts"].items()},
            "issues": list(source.issues.all()[:ISSUES_SHOWN]),
            "issues_count": source.issues.count()}


@router.get("/imports", response=Page[SettlementImportOut])
def list_imports(request: HttpRequest, paging: Query[PageParams], status: str = ""):
    require_capability(request.user, Capability.MUTUALAID_READ)
    return paginate(request, selectors.import_list(viewer=request.user, status=status), paging)


@router.get("/imports/{import_id}", response=ImportDetail)
def get_import(request: HttpRequest, import_id: int):
    return _import_detail(access_import(request.user, import_id))


@router.post("/imports", response={202: SettlementImportOut}, openapi_extra=_upload_body(org=True))
def create_import(request: HttpRequest):
    """Upload a settlement CSV (multipart: `org`, `file`); it is imported and paid in the
    background (poll the import)."""
    require_capability(request.user, Capability.MUTUALAID_WRITE)
    form = parse_form(request, UploadIn, files=("file",))
    union = access_union(request.user, form.org.strip())
    upload = cast(UploadedFile, request.FILES["file"])
    return Status(202, tasks.settlement_upload(org=union, upload=upload, actor=request.user))


class BatchOut(Schema):
    id: int
    code: str
    org: str
    status: str
    items_count: int
    total: Decimal
    paid_count: int
    failed_count: int
    note: str
    result_state: str
    created_at: dt.datetime


def _batch(b: PayoutBatch) -> dict[str, Any]:
    return {**{f: getattr(b, f) for f in BatchOut.model_fields if f not in ("org", "code")},
            "code": b.code, "org": b.org.code}


class BatchIn(Schema):
    org: str
    plan: str = ""
    note: str = ""


@router.get("/batches", response=Page[BatchOut])
def list_batches(request: HttpRequest, paging: Query[PageParams], status: str = ""):
    require_capability(request.user, Capability.MUTUALAID_READ)
    return paginate(request, selectors.batch_list(viewer=request.user, status=status), paging,
                    item=_batch)


@router.get("/batches/{batch_id}", response=BatchOut)
def get_batch(request: HttpRequest, batch_id: int):
    return _batch(access_batch(request.user, batch_id))


@router.post("/batches", response={201: BatchOut}, openapi_extra=body_schema(BatchIn))
def create_batch(request: HttpRequest):
    require_capability(request.user, Capability.MUTUALAID_WRITE)
    payload = parse_body(request, BatchIn)
    org = access_union(request.user, payload.org)
    plan = access_plan(request.user, payload.plan) if payload.plan else None
    batch = services.batch_create(org=org, actor=request.user, plan=plan, note=payload.note)
    return Status(201, _batch(batch))


@router.post("/batches/{batch_id}/export")
def export_batch(request: HttpRequest, batch_id: int):
    """The bank transfer file (CSV). Carries full account numbers: the read is logged."""
    batch = access_batch(request.user, batch_id, write=True)
    response = HttpResponse(services.batch_export(batch=batch, actor=request.user),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.code}.csv"'
    return response


@router.post("/batches/{batch_id}/results", response={202: BatchOut},
             openapi_extra=_upload_body(org=False))
def upload_results(request: HttpRequest, batch_id: int):
    """The bank's result file (multipart: `file`), applied in the background."""
    batch = access_batch(request.user, batch_id, write=True)
    parse_form(request, Schema, files=("file",))
    upload = cast(UploadedFile, request.FILES["file"])
    return Status(202, _batch(tasks.batch_results_upload(batch=batch, upload=upload,
                                                         actor=request.user)))


@router.post("/batches/{batch_id}/cancel", response=BatchOut,
             openapi_extra=body_schema(ReasonIn))
def cancel_batch(request: HttpRequest, batch_id: int):
    batch = access_batch(request.user, batch_id, write=True)
    payload = parse_body(request, ReasonIn)
    return _batch(services.batch_cancel(batch=batch, actor=request.user, reason=payload.reason))


@router.get("/dashboard")
def dashboard(request: HttpRequest, org: str, year: Year):
    """Figures of an org's subtree for a plan year, by plan and by child org."""
    union = access_union(request.user, org)
    data = selectors.dashboard(org=union, plan_year=year)
    return _plain(data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


@router.get("/my/payouts", response=Page[PayoutDetail])
def my_payouts(request: HttpRequest, paging: Query[PageParams]):
    """The signed-in member's own payouts (member portal)."""
    person = selectors.portal_person(request.user)
    payouts = (selectors.member_payouts(person).select_related("union", "person")
               if person is not None else Payout.objects.none())
    return paginate(request, payouts, paging, item=_payout_detail)
