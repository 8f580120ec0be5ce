"""Bank reconciliation (银行对账)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core.colocated import same_union
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.funds.models import BankMatch, BankStatement
from gonghui.funds.services import post_expense, post_income
from gonghui.funds.services.bank import (
    auto_match,
    match_manual,
    matches_of,
    reconciliation,
    statement_import,
    unmatched,
)

D = Decimal

CSV = """交易日期,摘要,收入金额,支出金额,流水号
2026-03-02,会费,200.00,,B001
2026-03-09,慰问品,,80.00,B002
2026-03-10,慰问品,,80.00,B003
2026-03-20,利息,1.25,,B004
"""


def _ledger(union, actor):
    post_income(union=union, date=dt.date(2026, 3, 1), account_code="4101", amount=D("200.00"),
                memo="三月会费", idempotency_key="dues", actor=actor)
    # two equal amounts a day apart, the second one's memo naming the bank reference
    post_expense(union=union, date=dt.date(2026, 3, 10), account_code="510101",
                 amount=D("80.00"), memo="慰问品 B003", idempotency_key="e2", actor=actor)
    post_expense(union=union, date=dt.date(2026, 3, 9), account_code="510101",
                 amount=D("80.00"), memo="慰问品", idempotency_key="e1", actor=actor)
    post_expense(union=union, date=dt.date(2026, 3, 30), account_code="540101",
                 amount=D("50.00"), memo="培训费", idempotency_key="e3", actor=actor)


def _import(union, actor, data: str = CSV) -> BankStatement:
    return statement_import(union=union, upload=io.BytesIO(data.encode("gb18030")),
                            file_name="三月.csv", opening_balance=D("1000.00"), actor=actor)


def test_auto_match_pairs_equal_amounts_by_reference_and_date(tree, treasurer, city_admin):
    union = tree["SH-A-1-1"]
    _ledger(union, city_admin)
    statement = _import(union, treasurer)
    assert (statement.date_from, statement.date_to, statement.lines.count()) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 20), 4)
    assert auto_match(union=union, statement=statement, actor=treasurer) == 3
    pairs = {m.statement_line.reference: m.ledger_line.transaction.idempotency_key
             for m in matches_of(statement)}
    assert pairs == {"B001": "dues", "B002": "e1", "B003": "e2"}
    bank, ledger = unmatched(union, statement)
    assert [(s.reference, s.amount) for s in bank] == [("B004", D("1.25"))]
    assert ledger == []  # 3-30 is after the statement's last day
    # matching again finds nothing new
    assert auto_match(union=union, statement=statement, actor=treasurer) == 0


def test_reconciliation_statement_balances(tree, treasurer, city_admin):
    union = tree["SH-A-1-1"]
    _ledger(union, city_admin)
    statement = _import(union, treasurer, CSV.replace("2026-03-10,慰问品,,80.00,B003\n", ""))
    auto_match(union=union, statement=statement, actor=treasurer)
    report = reconciliation(union, statement)
    # book: 200 − 80 − 80 = 40 at 3-20; bank: 1000 + 200 − 80 + 1.25 = 1121.25
    assert [r.cells for r in report.rows] == [
        ["单位银行存款日记账余额", D("40.00"), "银行对账单余额", D("1121.25")],
        ["加：银行已收、单位未收", D("1.25"), "加：单位已收、银行未收", D("0.00")],
        ["减：银行已付、单位未付", D("0.00"), "减：单位已付、银行未付", D("80.00")],
        ["调节后余额", D("41.25"), "调节后余额", D("1041.25")]]
    assert report.notes[-1] == "调节后余额不符，相差 -1000.00 元。"


def test_manual_match_and_refusals(tree, treasurer, funds_auditor, city_admin):
    union = tree["SH-A-1-1"]
    _ledger(union, city_admin)
    statement = _import(union, treasurer)
    line = statement.lines.get(reference="B004")
    from gonghui.funds.models import LedgerLine

    wrong = LedgerLine.objects.get(same_union("transaction"), same_union("account"),
                                   transaction__idempotency_key="dues", account__code="1002")
    with pytest.raises(ApplicationError) as exc:
        match_manual(statement_line=line, ledger_line=wrong, actor=treasurer)
    assert exc.value.message == "金额不一致：对账单 1.25，账簿 200.00。"
    with pytest.raises(Forbidden):
        match_manual(statement_line=statement.lines.get(reference="B001"), ledger_line=wrong,
                     actor=funds_auditor)
    assert BankMatch.objects.count() == 0
    match_manual(statement_line=statement.lines.get(reference="B001"), ledger_line=wrong,
                 actor=treasurer)
    assert AuditEvent.objects.filter(action="funds.bank_match").count() == 1


def test_statement_import_denied_outside_scope_and_to_auditor(tree, funds_auditor,
                                                              other_district_cadre):
    union = tree["SH-A-1-1"]
    with pytest.raises(Forbidden):
        _import(union, funds_auditor)
    with pytest.raises(NotFound):
        _import(union, other_district_cadre)
    assert BankStatement.objects.count() == 0


def test_column_mapping_and_bad_rows(tree, treasurer):
    union = tree["SH-A-1-1"]
    data = "日期,发生额,备注\n2026/3/5,-12.50,手续费\n"
    statement = statement_import(union=union, upload=io.BytesIO(data.encode()), file_name="x.csv",
                                 actor=treasurer, mapping={"date": "日期", "amount": "发生额",
                                                           "description": "备注"})
    assert [(s.date, s.amount, s.description) for s in statement.lines.all()] == [
        (dt.date(2026, 3, 5), D("-12.50"), "手续费")]
    with pytest.raises(ApplicationError) as exc:
        _import(union, treasurer, "交易日期,金额\n2026-02-30,5\n")
    assert exc.value.code == "bad_rows"


def test_import_statement_cli(tree, tmp_path, city_admin):
    from django.core.management import call_command

    union = tree["SH-A-1-1"]
    _ledger(union, city_admin)
    path = tmp_path / "stmt.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("funds", "import-statement", str(path), "--union", union.code, "--match",
                 stdout=out)
    assert out.getvalue().splitlines()[-1] == "matched: 3"
