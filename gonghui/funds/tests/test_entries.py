from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.funds.models import Budget, Evidence, LedgerTransaction, PayrollAllocation
from gonghui.funds.selectors import account_balances
from gonghui.funds.services import (
    allocation_record,
    allocation_remit,
    allocation_rule_set,
    budget_set,
    expense_record,
    income_record,
    kept_ratio_for,
)
from gonghui.funds.services.rules import allocation_split
from gonghui.funds.tests.conftest import PNG_BYTES, invoice

D = Decimal
DAY = dt.date(2026, 3, 12)


def test_allocation_default_split_keeps_60_percent(tree, treasurer):
    union = tree["SH-A-1-1"]
    a = allocation_record(union=union, date=DAY, employer_name="甲一公司",
                          payroll=D("1234567.89"), idempotency_key="alloc-3", actor=treasurer)
    # 2% of 1,234,567.89 = 24,691.3578 → 24,691.36; 60% → 14,814.816 → 14,814.82
    assert (a.total, a.kept, a.passed_up, a.kept_ratio) == (
        D("24691.36"), D("14814.82"), D("9876.54"), D("0.6000"))
    assert account_balances(union) == {"1002": D("24691.36"), "4201": D("-14814.82"),
                                       "2201": D("-9876.54")}
    again = allocation_record(union=union, date=DAY, employer_name="甲一公司",
                              payroll=D("1234567.89"), idempotency_key="alloc-3", actor=treasurer)
    assert again.pk == a.pk
    assert PayrollAllocation.objects.count() == 1


def test_allocation_split_whose_parts_add_up_inexactly_in_floating_point(tree, treasurer):
    """The split check in the database is exact on both databases: SQLite adds the two parts
    as floats (148.15 + 98.76 = 246.91000000000003) and refused this correct split before the
    check rounded the sum to the fen (funds migration 0011)."""
    union = tree["SH-A-1-1"]
    a = allocation_record(union=union, date=DAY, employer_name="甲一公司",
                          payroll=D("12345.67"), idempotency_key="alloc-float", actor=treasurer)
    a.refresh_from_db()
    # 2% of 12,345.67 = 246.9134 → 246.91; 60% → 148.146 → 148.15; the rest 98.76
    assert (a.total, a.kept, a.passed_up) == (D("246.91"), D("148.15"), D("98.76"))
    assert PayrollAllocation.objects.count() == 1


def test_allocation_ratio_is_configurable_per_subtree_nearest_rule_wins(tree, city_admin):
    allocation_rule_set(org=tree["SH"], kept_ratio=D("0.55"), note="市总", actor=city_admin)
    allocation_rule_set(org=tree["SH-A-1"], kept_ratio=D("0.70"), note="街道", actor=city_admin)
    assert kept_ratio_for(tree["SH-A-1-1"])[0] == D("0.7000")
    assert kept_ratio_for(tree["SH-A-1"])[0] == D("0.7000")
    assert kept_ratio_for(tree["SH-B-1-1"])[0] == D("0.5500")
    a = allocation_record(union=tree["SH-B-1-1"], date=DAY, employer_name="乙一",
                          payroll=D("100000.00"), idempotency_key="x", actor=city_admin)
    assert (a.total, a.kept, a.passed_up) == (D("2000.00"), D("1100.00"), D("900.00"))


@pytest.mark.parametrize(("payroll", "ratio", "expected"), [
    ("0.25", "0.60", ("0.01", "0.01", "0.00")),
    ("0.74", "0.60", ("0.01", "0.01", "0.00")),
    ("100.00", "0.6", ("2.00", "1.20", "0.80")),
    ("33.33", "0.3333", ("0.67", "0.22", "0.45")),
    ("99999.99", "1", ("2000.00", "2000.00", "0.00")),
    ("99999.99", "0", ("2000.00", "0.00", "2000.00")),
])
def test_allocation_split_is_exact(payroll, ratio, expected):
    total, kept, up = allocation_split(D(payroll), D(ratio))
    assert (total, kept, up) == tuple(D(x) for x in expected)
    assert kept + up == total


def test_allocation_ratio_must_be_between_0_and_1(tree, city_admin, treasurer):
    with pytest.raises(ApplicationError):
        allocation_rule_set(org=tree["SH"], kept_ratio=D("1.01"), note="", actor=city_admin)
    with pytest.raises(Forbidden):
        allocation_rule_set(org=tree["SH-A-1-1"], kept_ratio=D("0.5"), note="", actor=treasurer)


def test_remit_moves_the_owed_share_into_the_parents_book(tree, city_admin, treasurer):
    union, street = tree["SH-A-1-1"], tree["SH-A-1"]
    allocation_record(union=union, date=DAY, employer_name="甲一", payroll=D("100000.00"),
                      idempotency_key="a", actor=treasurer)
    with pytest.raises(ApplicationError) as exc:
        allocation_remit(union=union, date=DAY, amount=D("800.01"), idempotency_key="r",
                         actor=treasurer)
    assert exc.value.message == "上解金额 ¥800.01 超过应付上级经费余额 ¥800.00。"
    here, there = allocation_remit(union=union, date=DAY, amount=D("800.00"),
                                   idempotency_key="r", actor=treasurer)
    assert account_balances(union) == {"1002": D("1200.00"), "4201": D("-1200.00")}
    assert account_balances(street) == {"1002": D("800.00"), "4201": D("-800.00")}
    assert (here.union_id, there.union_id) == (union.pk, street.pk)
    # a retry of the same remittance posts nothing more
    allocation_remit(union=union, date=DAY, amount=D("800.00"), idempotency_key="r",
                     actor=treasurer)
    assert LedgerTransaction.objects.count() == 3


def test_income_and_expense_entries(tree, treasurer):
    union = tree["SH-A-1-1"]
    income_record(union=union, date=DAY, account_code="4301", amount=D("5000.00"),
                  memo="上级补助", idempotency_key="i", actor=treasurer)
    income_record(union=union, date=DAY, account_code="4501", amount=D("800.50"),
                  memo="行政补助", idempotency_key="j", actor=treasurer, into="1001")
    tx = expense_record(union=union, date=DAY, account_code="530103", amount=D("1200.00"),
                        memo="法律援助律师费", idempotency_key="e", actor=treasurer,
                        evidence=invoice("律师费发票.png", PNG_BYTES))
    assert account_balances(union) == {"1002": D("3800.00"), "1001": D("800.50"),
                                       "4301": D("-5000.00"), "4501": D("-800.50"),
                                       "530103": D("1200.00")}
    ev = Evidence.objects.get(transaction=tx)
    assert (ev.original_name, ev.content_type, ev.size) == ("律师费发票.png", "image/png", 40)
    assert ev.file.name.startswith(f"funds/evidence/{union.pk}/")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"account_code": "4101"}, "请选择支出类别和明细。"),
    ({"account_code": "5101"}, "请选择支出类别和明细。"),
    ({"evidence": None}, "请上传发票或其他原始凭证。"),
    ({"evidence": "txt"}, "凭证文件只能是 PDF、PNG、JPEG 或 WebP 格式。"),
    ({"amount": D("-1.00")}, "金额必须大于零。"),
    ({"paid_from": "2201"}, "付款账户只能是银行存款或库存现金。"),
])
def test_expense_validation(tree, treasurer, kwargs, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"union": tree["SH-A-1-1"], "date": DAY, "account_code": "510102",
            "amount": D("10.00"), "memo": "x", "idempotency_key": "k", "actor": treasurer,
            "evidence": invoice()}
    data.update(kwargs)
    if data["evidence"] == "txt":
        data["evidence"] = SimpleUploadedFile("a.pdf", b"not really a pdf")
    with pytest.raises(ApplicationError) as exc:
        expense_record(**data)
    assert exc.value.message == message
    assert LedgerTransaction.objects.count() == 0


def test_auditor_and_other_district_cannot_enter(tree, funds_auditor, other_district_cadre):
    # the one status policy: visible but read-only → 403; outside the subtree → 404
    for actor, error in ((funds_auditor, Forbidden), (other_district_cadre, NotFound)):
        with pytest.raises(error):
            income_record(union=tree["SH-A-1-1"], date=DAY, account_code="4301",
                          amount=D("1.00"), memo="x", idempotency_key="i", actor=actor)
    assert LedgerTransaction.objects.count() == 0


def test_budget_set_and_update(tree, treasurer):
    union = tree["SH-A-1-1"]
    budget_set(union=union, year=2026, amounts={"4101": D("60000"), "5101": D("80000.50")},
               actor=treasurer)
    budget_set(union=union, year=2026, amounts={"5101": D("90000")}, actor=treasurer)
    assert dict(Budget.objects.values_list("account_code", "amount")) == {
        "4101": D("60000.00"), "5101": D("90000.00")}
    with pytest.raises(ApplicationError):
        budget_set(union=union, year=2026, amounts={"510101": D("1")}, actor=treasurer)
