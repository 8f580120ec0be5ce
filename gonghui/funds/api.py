"""JSON API of union funds at /api/v1/funds: accounts, transactions (postings), reports,
findings. Same services, selectors, scoping and access functions as the pages.

Writes check access first and read the body after (`core.payload.parse_body`): a request the
user may not make answers 404/403 whatever it carries, exactly like the pages (access, then the
form). The request bodies are documented through `openapi_extra`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.core import clock
from gonghui.core.bounds import Day, Month, Year
from gonghui.core.colocated import select_related_in_union
from gonghui.core.errors import ApplicationError
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_form
from gonghui.funds import reports, selectors, services
from gonghui.funds.chart import HEADER_CODES
from gonghui.funds.dues_reports import dues_collection
from gonghui.funds.models import Finding, LedgerTransaction
from gonghui.funds.permissions import access_finding, access_transaction, access_union

router = Router()


class AccountOut(Schema):
    code: str
    name: str
    category: str
    parent_code: str
    postable: bool
    balance: Decimal


class ReportLineOut(Schema):
    account: str
    account_name: str
    amount: Decimal


class TransactionOut(Schema):
    id: int
    union: str
    date: dt.date
    period: int
    voucher: str = ""  # 凭证号, e.g. "2026-03 收-0007"
    voucher_type: str = ""
    voucher_no: int | None = None
    memo: str
    source: str
    source_label: str = ""
    source_url: str = ""
    idempotency_key: str
    reversal_of: int | None
    reversed_by: int | None
    created_by: str
    lines: list[ReportLineOut]
    evidence: list[str]
    created: bool | None = None


class TransactionFilter(Schema):
    q: str = ""
    date_from: Day | None = None
    date_to: Day | None = None
    source: str = ""
    account: str = ""
    rollup: bool = False


class LineIn(Schema):
    account: str
    amount: Decimal


class TransactionIn(Schema):
    date: Day
    memo: str
    lines: list[LineIn]
    idempotency_key: str


class ExpenseIn(Schema):
    date: Day
    account_code: str
    amount: Decimal
    memo: str
    idempotency_key: str
    paid_from: str = "1002"
    confirm_warnings: bool = False


class ReverseIn(Schema):
    date: Day | None = None
    # the reason, required like on the page (冲销原因): a reversal says why
    memo: str = Field(..., min_length=1, max_length=200)


class CloseIn(Schema):
    year: Year
    month: Month


class FundsReportOut(Schema):
    kind: str
    title: str
    org: str
    rollup: bool
    period: str
    columns: list[str]
    rows: list[list[str | int | Decimal | None]]
    notes: list[str]


class ReportFilter(Schema):
    year: Year | None = None  # the current year, like the report pages
    month_from: Month = 1
    month_to: Month = 12
    month: Month = 12
    rollup: bool = False


class FindingIn(Schema):
    severity: str
    text: str
    transaction: int | None = None


class FindingOut(Schema):
    id: int
    union: str
    transaction: int | None
    severity: str
    status: str
    text: str
    response: str
    created_by: str
    created_at: dt.datetime



def _expense_body() -> dict[str, Any]:
    schema = ExpenseIn.model_json_schema()
    schema["properties"]["evidence"] = {"type": "string", "format": "binary"}
    schema["required"] = [*schema.get("required", []), "evidence"]
    return {"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": schema}}}}


def _tx_out(tx: LedgerTransaction, *, created: bool | None = None) -> dict[str, Any]:
    lines = tx.lines.all()
    try:
        reversed_by: int | None = tx.reversed_by.pk
    except LedgerTransaction.DoesNotExist:
        reversed_by = None
    return {
        "id": tx.pk, "union": tx.union.code, "date": tx.date, "period": tx.period,
        "voucher": tx.voucher_label, "voucher_type": tx.voucher_type,
        "voucher_no": tx.voucher_no, "memo": tx.memo, "source": tx.source, "source_label": tx.source_label,
        "source_url": tx.source_url, "idempotency_key": tx.idempotency_key,
        "reversal_of": tx.reversal_of_id, "reversed_by": reversed_by,
        "created_by": tx.created_by_name,
        "lines": [{"account": ln.account.code, "account_name": ln.account.name,
                   "amount": ln.amount} for ln in lines],
        "evidence": [e.original_name for e in tx.evidence.all()], "created": created,
    }


def _reload(tx: LedgerTransaction) -> LedgerTransaction:
    return (select_related_in_union(LedgerTransaction.objects.select_related("union"),
                                    "reversed_by")
            .prefetch_related("lines__account", "evidence").get(pk=tx.pk, union=tx.union_id))


@router.get("/unions/{org_id}/accounts", response=Page[AccountOut])
def list_accounts(request: HttpRequest, org_id: str, paging: Query[PageParams]):
    """The union's chart with each account's balance (debit positive, credit negative)."""
    union = access_union(request.user, org_id)
    services.chart_ensure(union)
    balances = selectors.account_balances(union)

    def out(a: Any) -> dict[str, Any]:
        return {"code": a.code, "name": a.name, "category": a.category,
                "parent_code": a.parent_code, "postable": a.code not in HEADER_CODES,
                "balance": balances.get(a.code, Decimal("0.00"))}

    return paginate(request, selectors.accounts_of(union), paging, item=out)


@router.get("/unions/{org_id}/transactions", response=Page[TransactionOut])
def list_transactions(request: HttpRequest, org_id: str, filters: Query[TransactionFilter],
                      paging: Query[PageParams]):
    union = access_union(request.user, org_id)
    queryset = selectors.journal(viewer=request.user, union=union, q=filters.q,
                                 date_from=filters.date_from, date_to=filters.date_to,
                                 source=filters.source, account=filters.account,
                                 rollup=filters.rollup)
    return paginate(request, queryset, paging, item=_tx_out)


@router.get("/transactions/{tx_id}", response=TransactionOut)
def get_transaction(request: HttpRequest, tx_id: int):
    return _tx_out(_reload(access_transaction(request.user, tx_id)))


@router.post("/unions/{org_id}/transactions", response={201: TransactionOut, 200: TransactionOut},
             openapi_extra=body_schema(TransactionIn))
def create_transaction(request: HttpRequest, org_id: str):
    """A journal entry (e.g. a transfer between bank and cash, a subsidy receivable). Spending
    is recorded through POST …/expenses, which needs evidence and checks policy limits.
    Idempotent by `idempotency_key`: 201 when posted now, 200 when posted before."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, TransactionIn)
    tx = services.journal_entry_record(
        union=union, date=payload.date, memo=payload.memo,
        lines=[(line.account, line.amount) for line in payload.lines],
        idempotency_key=payload.idempotency_key, actor=request.user)
    return Status(201 if tx.was_created else 200, _tx_out(_reload(tx), created=tx.was_created))


@router.post("/unions/{org_id}/expenses", response={201: TransactionOut, 200: TransactionOut},
             openapi_extra=_expense_body())
def create_expense(request: HttpRequest, org_id: str):
    """Spending with its evidence file (multipart: the fields of ExpenseIn and `evidence`).
    Limits: "block" → 400 policy_blocked; "warn" → 400 policy_warning unless
    confirm_warnings=true."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_form(request, ExpenseIn, files=("evidence",))
    evidence = request.FILES["evidence"]
    tx = services.expense_record(
        union=union, date=payload.date, account_code=payload.account_code,
        amount=payload.amount, memo=payload.memo, idempotency_key=payload.idempotency_key,
        actor=request.user, evidence=evidence, paid_from=payload.paid_from,
        confirm_warnings=payload.confirm_warnings)
    return Status(201 if tx.was_created else 200, _tx_out(_reload(tx), created=tx.was_created))


@router.post("/transactions/{tx_id}/reverse", response={201: TransactionOut, 200: TransactionOut},
             openapi_extra=body_schema(ReverseIn))
def reverse(request: HttpRequest, tx_id: int):
    """The exact opposite of the transaction, dated `date` (default today) in an open period;
    `memo` is the reason. Reversing again returns the first reversal (200)."""
    tx = access_transaction(request.user, tx_id, write=True)
    payload = parse_body(request, ReverseIn)
    rev = services.reverse_transaction(tx=tx, actor=request.user, date=payload.date,
                                       memo=payload.memo)
    return Status(201 if rev.was_created else 200, _tx_out(_reload(rev), created=rev.was_created))


@router.post("/unions/{org_id}/close", response={201: dict}, openapi_extra=body_schema(CloseIn))
def close(request: HttpRequest, org_id: str):
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, CloseIn)
    closed = services.period_close(union=union, year=payload.year, month=payload.month,
                                   actor=request.user)
    return Status(201, {"year": closed.year, "month": closed.month})


@router.get("/unions/{org_id}/reports/{kind}", response=FundsReportOut)
def report(request: HttpRequest, org_id: str, kind: str, filters: Query[ReportFilter]):
    """kind: income (收入支出表), trial (科目余额表), balance (资产负债表), budget (预算执行),
    dues (会费收缴率; month 0 = whole year). Amounts as decimal strings."""
    union = access_union(request.user, org_id)
    viewer, year, rollup = request.user, filters.year or clock.today().year, filters.rollup
    if kind in ("income", "trial"):
        month_to = min(max(filters.month_to, 1), 12)
        build = reports.income_statement if kind == "income" else reports.trial_balance
        result = build(viewer=viewer, org=union, year=year, rollup=rollup,
                       month_from=min(max(filters.month_from, 1), month_to), month_to=month_to)
    elif kind == "balance":
        result = reports.balance_sheet(viewer=viewer, org=union, year=year, rollup=rollup,
                                       month=min(max(filters.month, 1), 12))
    elif kind == "budget":
        result = reports.budget_vs_actual(viewer=viewer, org=union, year=year, rollup=rollup)
    elif kind == "dues":
        result = dues_collection(viewer=viewer, org=union, year=year, rollup=rollup,
                                 month=min(max(filters.month, 0), 12))
    else:
        raise ApplicationError(_("未知报表：{kind}").format(kind=kind), code="unknown_report")
    return {"kind": result.kind, "title": result.title, "org": union.code,
            "rollup": result.rollup, "period": result.period_label, "columns": result.columns,
            "rows": [row.cells for row in result.rows], "notes": result.notes}


def _finding_out(f: Finding) -> dict[str, Any]:
    return {"id": f.pk, "union": f.union.code, "transaction": f.transaction_id,
            "severity": f.severity, "status": f.status, "text": f.text, "response": f.response,
            "created_by": str(f.created_by), "created_at": f.created_at}


@router.get("/unions/{org_id}/findings", response=Page[FindingOut])
def list_findings(request: HttpRequest, org_id: str, paging: Query[PageParams],
                  status: str = ""):
    union = access_union(request.user, org_id)
    return paginate(request, selectors.finding_list(viewer=request.user, union=union,
                                                    status=status), paging, item=_finding_out)


@router.post("/unions/{org_id}/findings", response={201: FindingOut},
             openapi_extra=body_schema(FindingIn))
def add_finding(request: HttpRequest, org_id: str):
    union = access_union(request.user, org_id, write=True, cap=Capability.FUNDS_AUDIT)
    payload = parse_body(request, FindingIn)
    tx = access_transaction(request.user, payload.transaction) if payload.transaction else None
    finding = services.finding_add(union=union, tx=tx, text=payload.text,
                                   severity=payload.severity, actor=request.user)
    return Status(201, _finding_out(access_finding(request.user, finding.pk)))


# Setting up a book, year-end closing and bank reconciliation (issue 21): their own module.
from gonghui.funds.api_yearend import router as _yearend_router  # noqa: E402

router.add_router("", _yearend_router)

# The employer remittance register (issue 21): its own module.
from gonghui.funds.api_remittance import router as _remittance_router  # noqa: E402

router.add_router("", _remittance_router)
