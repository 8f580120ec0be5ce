"""Route-matrix entries of funds' book set-up, year-end closing and bank reconciliation
(issue 21): reads need funds.read over the union, writes funds.write, reopening a year
funds.reopen (administrators)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, ids, op, post
from tests.matrix.world import UNION, Obj, World, admin, builder

PAGES = {
    "funds:journal_export": get(C.FUNDS_READ, "org", kw=ids(pk="pk", fmt="=xlsx")),
    "funds:setup": form(C.FUNDS_WRITE, "org", read_cap=C.FUNDS_READ),
    "funds:year_close": post(C.FUNDS_WRITE, "org"),
    "funds:year_reopen": post(C.FUNDS_REOPEN, "org"),
    "funds:year_run": get(C.FUNDS_READ, "year_run"),
    "funds:bank": form(C.FUNDS_WRITE, "org", read_cap=C.FUNDS_READ),
    "funds:statement": get(C.FUNDS_READ, "bank_statement"),
    "funds:auto_match": post(C.FUNDS_WRITE, "bank_statement", ok=302),
    "funds:manual_match": post(C.FUNDS_WRITE, "bank_statement"),
    "funds:reconciliation": get(C.FUNDS_READ, "bank_statement", kw=ids(pk="pk", fmt="=xlsx")),
    "funds:match_undo": post(C.FUNDS_WRITE, "bank_match", ok=302),
}

API = {
    "POST /funds/unions/{org_id}/voucher-scheme": op(C.FUNDS_WRITE, "org"),
    "GET /funds/unions/{org_id}/voucher-gaps": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/opening": op(C.FUNDS_WRITE, "org"),
    "POST /funds/unions/{org_id}/opening/import": op(C.FUNDS_WRITE, "org"),
    "GET /funds/unions/{org_id}/year-closings": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/year-close": op(C.FUNDS_WRITE, "org"),
    "POST /funds/unions/{org_id}/year-reopen": op(C.FUNDS_REOPEN, "org"),
    "GET /funds/year-runs/{run_id}": op(C.FUNDS_READ, "year_run"),
    "GET /funds/unions/{org_id}/bank/statements": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/bank/statements": op(C.FUNDS_WRITE, "org"),
    "GET /funds/bank/statements/{statement_id}": op(C.FUNDS_READ, "bank_statement"),
    "POST /funds/bank/statements/{statement_id}/auto-match": op(C.FUNDS_WRITE, "bank_statement",
                                                                ok=200),
    "POST /funds/bank/statements/{statement_id}/matches": op(C.FUNDS_WRITE, "bank_statement"),
    "DELETE /funds/bank/matches/{match_id}": op(C.FUNDS_WRITE, "bank_match", ok=204),
    "GET /funds/bank/statements/{statement_id}/reconciliation": op(C.FUNDS_READ,
                                                                   "bank_statement"),
    "POST /funds/unions/{org_id}/level-split": op(C.POLICY_WRITE, "org", read=C.FUNDS_READ),
    "POST /funds/unions/{org_id}/remit-levels": op(C.FUNDS_WRITE, "org"),
}

STATEMENT = "交易日期,金额,流水号\n2026-10-08,250.00,M1\n2026-10-09,-30.00,M2\n"


@builder("year_run")
def _runs(world: World) -> dict[str, Obj]:
    from gonghui.funds.models import RunStatus, YearCloseRun

    out = {}
    for s in ("A", "B"):
        run = YearCloseRun.objects.create(org=world.orgs[UNION[s]], year=2025,
                                          status=RunStatus.DONE, total=1, processed=1, closed=1)
        out[s] = Obj(run.pk, UNION[s])
    return out


def _statement(world: World, s: str, name: str):  # type: ignore[no-untyped-def]
    from gonghui.funds.services.bank import statement_import

    return statement_import(union=world.orgs[UNION[s]], file_name=name, actor=admin(world),
                            upload=io.BytesIO(STATEMENT.encode()),
                            opening_balance=Decimal("0"))


@builder("bank_statement")
def _statements(world: World) -> dict[str, Obj]:
    return {s: Obj(_statement(world, s, "matrix.csv").pk, UNION[s]) for s in ("A", "B")}


@builder("bank_match")
def _matches(world: World) -> dict[str, Obj]:
    from gonghui.funds.models import LedgerLine
    from gonghui.funds.services import post_income
    from gonghui.funds.services.bank import match_manual

    out = {}
    for s in ("A", "B"):
        union = world.orgs[UNION[s]]
        tx = post_income(union=union, date=dt.date(2026, 10, 8), account_code="4901",
                         amount=Decimal("250.00"), memo="矩阵 M1", idempotency_key="matrix-bank",
                         actor=admin(world))
        statement = _statement(world, s, "matrix-match.csv")
        match = match_manual(statement_line=statement.lines.get(reference="M1"),
                             ledger_line=LedgerLine.objects.select_related("account").get(
                                 transaction=tx, account__code="1002"), actor=admin(world))
        out[s] = Obj(match.pk, UNION[s])
    return out
