"""JSON API of the employer remittance register (拨缴经费台账) at /api/v1/funds (mounted into
`gonghui.funds.api`'s router). Same services, selectors and access functions as the pages;
writes check access first and read the body after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.core.bounds import Day
from gonghui.core.errors import ApplicationError
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_form
from gonghui.funds.models import LedgerTransaction
from gonghui.funds.permissions import access_transaction, access_union
from gonghui.funds.selectors_remittance import dunning_list, register
from gonghui.funds.services import remittance as services

router = Router()


class DeclarationOut(Schema):
    id: int
    employer_id: int
    employer: str
    uscc: str
    union: str
    period: str
    payroll: Decimal
    due: Decimal
    paid: Decimal
    arrears: Decimal


class RegisterFilter(Schema):
    q: str = Field("", max_length=100)
    start: str = Field("", max_length=10, description="e.g. 2026-01")
    end: str = Field("", max_length=10)
    arrears: bool = False


class DeclarationIn(Schema):
    employer: int
    period: str = Field(..., max_length=10, description="e.g. 2026-03")
    payroll: Decimal


class PaymentIn(Schema):
    employer: int
    period: str = Field(..., max_length=10)
    date: Day
    amount: Decimal | None = None
    idempotency_key: str = Field("", max_length=64)
    transaction: int | None = Field(None, description="link this allocation posting instead")
    note: str = Field("", max_length=255)


class PaymentOut(Schema):
    id: int
    declaration: DeclarationOut
    amount: Decimal
    paid_on: dt.date
    voucher: str
    transaction: int | None


class DunningMonthOut(Schema):
    period: str
    due: Decimal
    paid: Decimal
    arrears: Decimal


class DunningOut(Schema):
    employer_id: int
    employer: str
    union: str
    oldest: str
    total: Decimal
    months: list[DunningMonthOut]


def _declaration(d: Any) -> dict[str, Any]:
    return {"id": d.pk, "employer_id": d.employer_id, "employer": d.employer.name,
            "uscc": d.employer.uscc, "union": d.union.code, "period": d.period_label,
            "payroll": d.payroll, "due": d.due, "paid": d.paid, "arrears": d.arrears}


def _month(value: str) -> int | None:
    return services.parse_period(value) if value else None


@router.get("/unions/{org_id}/remittance", response=Page[DeclarationOut])
def remittance_register(request: HttpRequest, org_id: str, filters: Query[RegisterFilter],
                        paging: Query[PageParams]):
    """Declarations of the union's subtree, newest month first (400 bad_period on a month
    that is not like 2026-03)."""
    union = access_union(request.user, org_id)
    rows = register(viewer=request.user, union=union, q=filters.q, start=_month(filters.start),
                    end=_month(filters.end), arrears_only=filters.arrears)
    return paginate(request, rows, paging, item=_declaration)


@router.post("/unions/{org_id}/remittance/declarations", response={200: DeclarationOut},
             openapi_extra=body_schema(DeclarationIn))
def declare(request: HttpRequest, org_id: str):
    """Enter or correct an employer's payroll of a month (the due is 2 %, to the fen)."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, DeclarationIn)
    declaration = services.declaration_set(union=union, employer=payload.employer,
                                           period=payload.period, payroll=payload.payroll,
                                           actor=request.user)
    return _declaration(declaration)


@router.post("/unions/{org_id}/remittance/declarations/import", response={200: dict})
def declarations_import(request: HttpRequest, org_id: str):
    """Multipart `file`: .xlsx with 统一社会信用代码 (or 单位名称), 月份, 工资总额; all rows or
    none (400 bad_rows lists every bad row)."""
    union = access_union(request.user, org_id, write=True)
    parse_form(request, Schema, files=("file",))
    count = services.declarations_import(union=union, upload=request.FILES["file"],
                                         actor=request.user)
    return {"imported": count}


@router.post("/unions/{org_id}/remittance/payments", response={201: PaymentOut},
             openapi_extra=body_schema(PaymentIn))
def pay(request: HttpRequest, org_id: str):
    """A payment against a month's declaration: posted to the collecting union's book
    (`amount`, `idempotency_key`), or `transaction`: an allocation posting already there."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, PaymentIn)
    link: LedgerTransaction | None = None
    if payload.transaction is not None:
        link = access_transaction(request.user, payload.transaction)
    elif payload.amount is None:
        raise ApplicationError(_("请填写到账金额。"), code="amount_required")
    payment = services.payment_record(
        union=union, employer=payload.employer, period=payload.period, paid_on=payload.date,
        amount=payload.amount, idempotency_key=payload.idempotency_key, link=link,
        note=payload.note, actor=request.user)
    declaration = payment.declaration
    declaration.refresh_from_db()
    return Status(201, {"id": payment.pk, "declaration": _declaration(declaration),
                        "amount": payment.amount, "paid_on": payment.paid_on,
                        "voucher": payment.transaction.voucher_label if payment.transaction
                        else "", "transaction": payment.transaction_id})


@router.get("/unions/{org_id}/remittance/dunning", response=list[DunningOut])
def dunning(request: HttpRequest, org_id: str, q: str = "", end: str = ""):
    """催缴名单: employers in arrears, the longest overdue first, with their unpaid months."""
    union = access_union(request.user, org_id)
    items = dunning_list(viewer=request.user, union=union, q=q[:100], end=_month(end[:10]))
    return [{"employer_id": i.employer.pk, "employer": i.employer.name, "union": i.union.code,
             "oldest": i.months[0].period_label, "total": i.total,
             "months": [{"period": m.period_label, "due": m.due, "paid": m.paid,
                         "arrears": m.arrears} for m in i.months]} for i in items]
