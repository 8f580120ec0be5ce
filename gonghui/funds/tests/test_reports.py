from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core import clock
from gonghui.funds import reports
from gonghui.funds.exports import to_pdf, to_xlsx
from gonghui.funds.services import (
    allocation_record,
    budget_set,
    expense_record,
    income_record,
    reverse_transaction,
)
from gonghui.funds.tests.conftest import invoice

D = Decimal


@pytest.fixture
def books(tree, city_admin):
    """Two unions of district A and one of district B with a few months of entries."""
    a11, a12, b11 = tree["SH-A-1-1"], tree["SH-A-1-2"], tree["SH-B-1-1"]
    for union, factor in ((a11, 1), (a12, 2), (b11, 5)):
        income_record(union=union, date=dt.date(2025, 12, 10), account_code="4101",
                      amount=D("100.00") * factor, memo="去年会费", idempotency_key="d0",
                      actor=city_admin)
        allocation_record(union=union, date=dt.date(2026, 1, 10), employer_name="单位",
                          payroll=D("50000.00") * factor, idempotency_key="a1", actor=city_admin)
        income_record(union=union, date=dt.date(2026, 2, 10), account_code="4101",
                      amount=D("300.00") * factor, memo="会费", idempotency_key="d2",
                      actor=city_admin)
        expense_record(union=union, date=dt.date(2026, 2, 20), account_code="510102",
                       amount=D("250.25") * factor, memo="运动会", idempotency_key="e2",
                       actor=city_admin, evidence=invoice())
        tx = expense_record(union=union, date=dt.date(2026, 3, 5), account_code="540101",
                            amount=D("80.00") * factor, memo="培训", idempotency_key="e3",
                            actor=city_admin, evidence=invoice())
        with clock.frozen(dt.date(2026, 4, 2)):
            reverse_transaction(tx=tx, actor=city_admin)
    budget_set(union=a11, year=2026, amounts={"4101": D("1000"), "5101": D("1000")},
               actor=city_admin)
    return tree


def cells(report):
    return [row.cells for row in report.rows]


def test_income_statement_of_one_union(books, city_admin):
    r = reports.income_statement(viewer=city_admin, org=books["SH-A-1-1"], year=2026,
                                 month_from=2, month_to=3)
    assert cells(r) == [
        ["一、收入合计", "", D("300.00"), D("900.00")],
        ["会费收入", "4101", D("300.00"), D("300.00")],
        ["拨缴经费收入", "4201", D("0.00"), D("600.00")],
        ["二、支出合计", "", D("330.25"), D("330.25")],
        ["职工活动支出", "5101", D("250.25"), D("250.25")],
        ["文体活动", "510102", D("250.25"), D("250.25")],
        ["业务支出", "5401", D("80.00"), D("80.00")],
        ["培训", "540101", D("80.00"), D("80.00")],
        ["三、收支结余", "", D("-30.25"), D("569.75")],
    ]


def test_income_statement_rolled_up_over_district_a_only(books, district_cadre):
    r = reports.income_statement(viewer=district_cadre, org=books["SH-A"], year=2026,
                                 rollup=True)
    # A-1-1 and A-1-2 (factor 1 + 2), never district B; the March expense is reversed in April
    assert cells(r)[0] == ["一、收入合计", "", D("2700.00"), D("2700.00")]
    assert cells(r)[-1] == ["三、收支结余", "", D("1949.25"), D("1949.25")]


def test_rollup_by_a_viewer_of_another_subtree_is_empty(books, other_district_cadre):
    r = reports.income_statement(viewer=other_district_cadre, org=books["SH-A"], year=2026,
                                 rollup=True)
    assert cells(r) == [["一、收入合计", "", D("0.00"), D("0.00")],
                        ["二、支出合计", "", D("0.00"), D("0.00")],
                        ["三、收支结余", "", D("0.00"), D("0.00")]]


def test_trial_balance_balances_with_opening_balances(books, city_admin):
    r = reports.trial_balance(viewer=city_admin, org=books["SH"], year=2026, rollup=True)
    total = cells(r)[-1]
    # per unit of factor (1 + 2 + 5 = 8): period debits 1,710.25, closing balances 1,400.00
    assert total == ["合计", "", D("800.00"), D("800.00"), D("13682.00"), D("13682.00"),
                     D("11200.00"), D("11200.00")]
    assert r.notes == ["借贷平衡。"]
    bank = next(c for c in cells(r) if c[0] == "1002")
    assert bank == ["1002", "银行存款", D("800.00"), D("0.00"), D("11040.00"), D("2642.00"),
                    D("9198.00"), D("0.00")]


def test_balance_sheet_equation(books, city_admin):
    r = reports.balance_sheet(viewer=city_admin, org=books["SH-A-1-1"], year=2026, month=3)
    rows = {c[0]: c[2:] for c in cells(r)}
    assert rows["资产合计"] == [D("100.00"), D("1069.75")]
    assert rows["负债合计"] == [D("0.00"), D("400.00")]
    assert rows["累计收支结余"] == [D("100.00"), D("669.75")]
    assert rows["负债和净资产合计"] == rows["资产合计"]
    assert r.notes == ["资产合计等于负债和净资产合计。"]


def test_budget_vs_actual(books, city_admin):
    r = reports.budget_vs_actual(viewer=city_admin, org=books["SH-A-1-1"], year=2026)
    assert cells(r) == [
        ["收入", "", None, None, "", None],
        ["会费收入", "4101", D("1000.00"), D("300.00"), "30.0%", D("700.00")],
        ["拨缴经费收入", "4201", D("0.00"), D("600.00"), "—", D("-600.00")],
        ["支出", "", None, None, "", None],
        ["职工活动支出", "5101", D("1000.00"), D("250.25"), "25.0%", D("749.75")],
    ]


def test_exports_carry_the_same_figures(books, city_admin):
    import io

    import openpyxl

    r = reports.income_statement(viewer=city_admin, org=books["SH-A-1-1"], year=2026)
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(r))).active
    assert [c.value for c in sheet[5]] == ["项目", "科目编码", "本期金额", "本年累计"]
    assert [c.value for c in sheet[6]] == ["一、收入合计", None, 900, 900]
    pdf = to_pdf(r)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000
