"""JSON API for setting up a book, year-end closing and bank reconciliation (mounted into
`gonghui.funds.api`'s router at /api/v1/funds). Same services and access functions as the
pages; writes check access first and read the body after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.core import clock
from gonghui.core.bounds import Day, Year
from gonghui.core.colocated import same_union
from gonghui.core.errors import NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_form
from gonghui.funds import selectors, services
from gonghui.funds.models import BankStatement, BankStatementLine, LedgerLine, YearClosing
from gonghui.funds.permissions import access_match, access_run, access_statement, access_union
from gonghui.funds.services import bank as bank_services
from gonghui.funds.services.levels import allocation_remit_levels, level_split_set

router = Router()


class VoucherSchemeIn(Schema):
    voucher_scheme: str = Field(..., max_length=8)


class OpeningLineIn(Schema):
    account: str = Field(..., max_length=16)
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")


class OpeningIn(Schema):
    date: Day
    lines: list[OpeningLineIn] = Field(..., max_length=500)


class OpeningFileIn(Schema):
    date: Day


class VoucherOut(Schema):
    id: int
    voucher: str
    date: dt.date
    memo: str


class YearCloseIn(Schema):
    year: Year
    subtree: bool = False


class YearReopenIn(Schema):
    year: Year
    reason: str = Field(..., min_length=1, max_length=255)


class ClosingOut(Schema):
    year: int
    surplus: Decimal
    voucher: str
    closed_by: str
    closed_at: dt.datetime
    reopened_at: dt.datetime | None
    reopen_reason: str
    reversal: str
    created: bool | None = None


class RunOut(Schema):
    id: int
    org: str
    year: int
    status: str
    total: int
    processed: int
    closed: int
    already: int
    failures: list[dict[str, Any]]


class GapOut(Schema):
    period: int
    voucher_type: str
    missing: list[int]


class StatementFileIn(Schema):
    opening_balance: Decimal = Decimal("0")
    col_date: str = Field("", max_length=50)
    col_amount: str = Field("", max_length=50)
    col_income: str = Field("", max_length=50)
    col_expense: str = Field("", max_length=50)
    col_reference: str = Field("", max_length=50)
    col_description: str = Field("", max_length=50)


class StatementLineOut(Schema):
    id: int
    row_no: int
    date: dt.date
    amount: Decimal
    reference: str
    description: str
    matched_ledger_line: int | None = None


class LedgerBankLineOut(Schema):
    id: int
    date: dt.date
    amount: Decimal
    voucher: str
    memo: str


class StatementOut(Schema):
    id: int
    union: str
    file_name: str
    opening_balance: Decimal
    date_from: dt.date
    date_to: dt.date
    lines: int
    unmatched_bank: list[StatementLineOut]
    unmatched_ledger: list[LedgerBankLineOut]


class MatchIn(Schema):
    statement_line: int
    ledger_line: int


class MatchOut(Schema):
    id: int
    statement_line: int
    ledger_line: int
    kind: str


class ReconciliationOut(Schema):
    title: str
    period: str
    columns: list[str]
    rows: list[list[str | int | Decimal | None]]
    notes: list[str]


def _voucher(tx: Any) -> dict[str, Any]:
    return {"id": tx.pk, "voucher": tx.voucher_label, "date": tx.date, "memo": tx.memo}


def _closing(c: YearClosing, created: bool | None = None) -> dict[str, Any]:
    return {"year": c.year, "surplus": c.surplus,
            "voucher": c.transaction.voucher_label if c.transaction else "",
            "closed_by": c.closed_by_name, "closed_at": c.closed_at,
            "reopened_at": c.reopened_at, "reopen_reason": c.reopen_reason,
            "reversal": c.reversal.voucher_label if c.reversal else "", "created": created}


def _run(run: Any) -> dict[str, Any]:
    return {"id": run.pk, "org": run.org.code, "year": run.year, "status": run.status,
            "total": run.total, "processed": run.processed, "closed": run.closed,
            "already": run.already, "failures": run.failures}


@router.post("/unions/{org_id}/voucher-scheme", response={200: dict},
             openapi_extra=body_schema(VoucherSchemeIn))
def voucher_scheme(request: HttpRequest, org_id: str):
    """凭证字: "single" (记) or "split" (收/付/转)."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, VoucherSchemeIn)
    book = services.voucher_scheme_set(union=union, scheme=payload.voucher_scheme,
                                       actor=request.user)
    return {"voucher_scheme": book.voucher_scheme}


@router.get("/unions/{org_id}/voucher-gaps", response=list[GapOut])
def voucher_gaps(request: HttpRequest, org_id: str, year: Year | None = None):
    """经审: the numbers missing from each voucher sequence of the year (there must be none)."""
    union = access_union(request.user, org_id)
    year = year or clock.today().year
    return [{"period": p, "voucher_type": t, "missing": m}
            for p, t, m in selectors.voucher_gaps(union, year)]


@router.post("/unions/{org_id}/opening", response={201: VoucherOut},
             openapi_extra=body_schema(OpeningIn))
def opening(request: HttpRequest, org_id: str):
    """Opening balances of the balance-sheet accounts; refused (400 opening_unbalanced, with
    `difference`) unless assets = liabilities + net assets."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, OpeningIn)
    tx = services.opening_balances_post(
        union=union, date=payload.date, actor=request.user,
        rows=[services.OpeningRow(ln.account, ln.debit, ln.credit) for ln in payload.lines])
    return Status(201, _voucher(tx))


@router.post("/unions/{org_id}/opening/import", response={201: VoucherOut})
def opening_import(request: HttpRequest, org_id: str):
    """Multipart: `date` and `file` (.xlsx with 科目编码, 借方余额, 贷方余额)."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_form(request, OpeningFileIn, files=("file",))
    tx = services.opening_balances_import(union=union, date=payload.date,
                                          upload=request.FILES["file"], actor=request.user)
    return Status(201, _voucher(tx))


@router.get("/unions/{org_id}/year-closings", response=list[ClosingOut])
def year_closings(request: HttpRequest, org_id: str):
    union = access_union(request.user, org_id)
    return [_closing(c) for c in selectors.year_closings(union)]


@router.post("/unions/{org_id}/year-close", response={201: ClosingOut, 200: ClosingOut,
                                                      202: RunOut},
             openapi_extra=body_schema(YearCloseIn))
def year_close(request: HttpRequest, org_id: str):
    """Close the year: 201 closed now, 200 closed before (nothing changed); with
    `subtree` 202 and the background run (follow it at GET year-runs/{id})."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, YearCloseIn)
    if payload.subtree:
        run = services.year_close_run_start(root=union, year=payload.year, actor=request.user)
        run.refresh_from_db()
        return Status(202, _run(run))
    result = services.year_close(union=union, year=payload.year, actor=request.user)
    return Status(201 if result.created else 200, _closing(result.closing, result.created))


@router.post("/unions/{org_id}/year-reopen", response={200: ClosingOut},
             openapi_extra=body_schema(YearReopenIn))
def year_reopen(request: HttpRequest, org_id: str):
    """反结账 (funds.reopen): reverses the closing entry; the reason is logged."""
    union = access_union(request.user, org_id, write=True, cap=Capability.FUNDS_REOPEN)
    payload = parse_body(request, YearReopenIn)
    closing = services.year_reopen(union=union, year=payload.year, reason=payload.reason,
                                   actor=request.user)
    return _closing(closing)


@router.get("/year-runs/{run_id}", response=RunOut)
def year_run(request: HttpRequest, run_id: int):
    return _run(access_run(request.user, run_id))


@router.get("/unions/{org_id}/bank/statements", response=Page[StatementOut])
def statements(request: HttpRequest, org_id: str, paging: Query[PageParams]):
    union = access_union(request.user, org_id)
    return paginate(request, bank_services.statements_of(union), paging,
                    item=lambda s: _statement(s, details=False))


def _statement(statement: BankStatement, *, details: bool = True) -> dict[str, Any]:
    bank, ledger = (bank_services.unmatched(statement.union, statement) if details
                    else ([], []))
    return {
        "id": statement.pk, "union": statement.union.code, "file_name": statement.file_name,
        "opening_balance": statement.opening_balance, "date_from": statement.date_from,
        "date_to": statement.date_to, "lines": statement.lines.count(),
        "unmatched_bank": [{"id": s.pk, "row_no": s.row_no, "date": s.date, "amount": s.amount,
                            "reference": s.reference, "description": s.description}
                           for s in bank],
        "unmatched_ledger": [{"id": ln.pk, "date": ln.transaction.date, "amount": ln.amount,
                              "voucher": ln.transaction.voucher_label,
                              "memo": ln.transaction.memo} for ln in ledger],
    }


@router.post("/unions/{org_id}/bank/statements", response={201: StatementOut})
def statement_import(request: HttpRequest, org_id: str):
    """Multipart: `file` (.csv/.xlsx), `opening_balance`, optional column names `col_date`,
    `col_amount` (or `col_income` and `col_expense`), `col_reference`, `col_description`."""
    union = access_union(request.user, org_id, write=True)
    payload = parse_form(request, StatementFileIn, files=("file",))
    upload = request.FILES["file"]
    mapping = {k[4:]: v for k, v in payload.dict().items() if k.startswith("col_") and v}
    statement = bank_services.statement_import(
        union=union, upload=upload, file_name=getattr(upload, "name", "") or "statement",
        actor=request.user,
        opening_balance=payload.opening_balance, mapping=mapping or None)
    return Status(201, _statement(statement))


@router.get("/bank/statements/{statement_id}", response=StatementOut)
def statement(request: HttpRequest, statement_id: int):
    """The statement with the unmatched items on both sides."""
    return _statement(access_statement(request.user, statement_id))


@router.post("/bank/statements/{statement_id}/auto-match", response={200: dict})
def auto_match(request: HttpRequest, statement_id: int):
    statement = access_statement(request.user, statement_id, write=True)
    return {"matched": bank_services.auto_match(union=statement.union, statement=statement,
                                                actor=request.user)}


@router.post("/bank/statements/{statement_id}/matches", response={201: MatchOut},
             openapi_extra=body_schema(MatchIn))
def manual_match(request: HttpRequest, statement_id: int):
    statement = access_statement(request.user, statement_id, write=True)
    payload = parse_body(request, MatchIn)
    line = BankStatementLine.objects.filter(pk=payload.statement_line, statement=statement,
                                            union=statement.union_id).first()
    ledger_line = LedgerLine.objects.select_related("account").filter(
        same_union("account"), pk=payload.ledger_line, union=statement.union).first()
    if line is None or ledger_line is None:
        raise NotFound()
    match = bank_services.match_manual(statement_line=line, ledger_line=ledger_line,
                                       actor=request.user)
    return Status(201, {"id": match.pk, "statement_line": line.pk, "ledger_line": ledger_line.pk,
                        "kind": match.kind})


@router.delete("/bank/matches/{match_id}", response={204: None})
def match_undo(request: HttpRequest, match_id: int):
    match = access_match(request.user, match_id)
    bank_services.match_undo(match=match, actor=request.user)
    return Status(204, None)


@router.get("/bank/statements/{statement_id}/reconciliation", response=ReconciliationOut)
def reconciliation(request: HttpRequest, statement_id: int):
    """银行存款余额调节表 as of the statement's last day."""
    statement = access_statement(request.user, statement_id)
    report = bank_services.reconciliation(statement.union, statement)
    return {"title": report.title, "period": report.period_label, "columns": report.columns,
            "rows": [row.cells for row in report.rows], "notes": report.notes}


# --- 拨缴经费 across the levels (分级上解) ------------------------------------------------------


class LevelSplitIn(Schema):
    year: Year
    shares: dict[str, Decimal] = Field(..., max_length=5)
    residue_level: str = Field(..., max_length=16)
    note: str = Field("", max_length=255)


class LevelSplitOut(Schema):
    org: str
    year: int
    shares: dict[str, str]
    residue_level: str


class RemitLevelsIn(Schema):
    date: Day
    amount: Decimal
    idempotency_key: str = Field(..., min_length=1, max_length=128)


@router.post("/unions/{org_id}/level-split", response={200: LevelSplitOut},
             openapi_extra=body_schema(LevelSplitIn))
def level_split(request: HttpRequest, org_id: str):
    """The year's split of the passed-up allocation across the levels (policy.write); shares
    of the whole allocation summing exactly to 1 − the kept ratio."""

    org = access_union(request.user, org_id, write=True, cap=Capability.POLICY_WRITE)
    payload = parse_body(request, LevelSplitIn)
    rule = level_split_set(org=org, year=payload.year, shares=payload.shares,
                           residue_level=payload.residue_level, note=payload.note,
                           actor=request.user)
    return {"org": org.code, "year": rule.year, "shares": rule.shares,
            "residue_level": rule.residue_level}


@router.post("/unions/{org_id}/remit-levels", response={201: dict},
             openapi_extra=body_schema(RemitLevelsIn))
def remit_levels(request: HttpRequest, org_id: str):
    """Pay 应付上级经费 up the levels by the year's split, every book in one transaction."""

    union = access_union(request.user, org_id, write=True)
    payload = parse_body(request, RemitLevelsIn)
    txs = allocation_remit_levels(union=union, date=payload.date, amount=payload.amount,
                                  idempotency_key=payload.idempotency_key, actor=request.user)
    return Status(201, {code: {"id": tx.pk, "voucher": tx.voucher_label,
                               "lines": [[ln.account.code, str(ln.amount)]
                                         for ln in tx.lines_with_accounts()]}
                        for code, tx in txs.items()})
