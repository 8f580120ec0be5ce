"""The whole path on either database: plans → enrolment (ledger) → settlement file → payouts →
bank batch → results (ledger) → correction → later batch."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from gonghui.core.errors import ApplicationError
from gonghui.funds.models import LedgerLine, LedgerTransaction
from gonghui.mutualaid import services
from gonghui.mutualaid.models import (
    BatchItem,
    BatchStatus,
    Payout,
    PayoutStatus,
    RecordStatus,
    SettlementRecord,
)
from gonghui.mutualaid.services.processing import process_queue

from .conftest import enrol, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = pytest.mark.django_db


def _rows():
    return [
        {"no": "S001", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 10,
         "self_paid": "3000.00"},
        {"no": "S002", "id": id_number(1), "admitted": dt.date(2026, 6, 1), "days": 20,
         "self_paid": "6000.00"},
        {"no": "S003", "id": id_number(2), "admitted": dt.date(2026, 2, 1), "days": 5},
        {"no": "S004", "id": id_number(101), "admitted": dt.date(2026, 5, 1)},
        {"no": "S005", "id": id_number(999), "admitted": dt.date(2026, 5, 1)},
        {"no": "S006", "id": id_number(3)[:17] + ("0" if id_number(3)[17] != "0" else "1")},
        {"no": "S001", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 10,
         "self_paid": "3000.00"},
        {"no": "S008", "id": id_number(3), "admitted": dt.date(2026, 3, 1), "days": 10,
         "self_paid": "1500.00", "category": "意外"},
    ]


def _ledger_sum(union) -> Decimal:
    return sum(LedgerLine.objects.filter(union=union).values_list("amount", flat=True), D(0))


def _account(person, number="6222020200112233445"):
    return {"holder_name": person.name, "bank_name": "工商银行上海分行",
            "account_number": number}


def test_enrol_import_process_pay(tree, plans, members, cadre_a11, city_admin):
    union = tree["SH-A-1-1"]
    run1 = enrol(plans["allowance"], union, cadre_a11)
    run2 = enrol(plans["ratio"], union, cadre_a11)
    assert (run1.enrolled_count, run1.amount) == (3, D("90.00"))
    assert (run2.enrolled_count, run2.amount) == (3, D("120.00"))
    # contribution: the union pays, the city (plan's federation) receives; both books balance
    paid = LedgerLine.objects.filter(union=union, account__code="530107")
    assert sum(paid.values_list("amount", flat=True), D(0)) == D("210.00")
    assert _ledger_sum(union) == 0
    assert _ledger_sum(tree["SH"]) == 0
    # issue 12 item 12: each contribution voucher links back to its plan
    plan = plans["allowance"]
    vouchers = LedgerTransaction.objects.filter(
        idempotency_key__startswith=f"mutualaid.contribution.{run1.pk}.")
    assert sorted(vouchers.values_list("union__code", "source_url", "source_label")) == [
        ("SH", f"/mutualaid/plans/{plan.pk}/", f"互助保障缴费 {plan.name} 2026 年度"),
        ("SH-A-1-1", f"/mutualaid/plans/{plan.pk}/", f"互助保障缴费 {plan.name} 2026 年度")]
    with pytest.raises(ApplicationError) as exc:
        enrol(plans["allowance"], union, cadre_a11)
    assert exc.value.message == "没有可参保的会员：所选会员均已参加 2026 年度该计划。"

    source = import_bytes(settlement_csv(_rows()), tree["SH"])
    assert (source.status, source.processed_rows, source.inserted, source.already_imported,
            source.duplicates, source.invalid) == ("done", 8, 6, 0, 1, 1)
    issues = {(i.row_no, i.code) for i in source.issues.all()}
    assert issues == {(7, "id_checksum"), (8, "duplicate_in_file")}

    total = process_queue(batch_size=4)
    assert total.claimed == 6
    records = dict(SettlementRecord.objects.values_list("settlement_no", "status"))
    assert records == {"S001": "matched", "S002": "matched", "S003": "matched",
                       "S004": RecordStatus.NOT_ENROLLED, "S005": RecordStatus.NOT_MEMBER,
                       "S008": "matched"}
    got = {(p.settlement.settlement_no, p.plan.code): (p.amount, p.status, p.decline)
           for p in Payout.objects.select_related("settlement", "plan")}
    assert got == {
        ("S001", "ZYJT"): (D("500.00"), "approved", ""),
        ("S001", "ZFBZ"): (D("1250.00"), "approved", ""),
        # 20 days × 50 = 1000 (per-claim cap 1000), year cap 1500 − 500 used = 1000
        ("S002", "ZYJT"): (D("1000.00"), "approved", ""),
        # (6000 − 500) × 50% = 2750 > the automatic limit 2000: a cadre reviews it
        ("S002", "ZFBZ"): (D("2750.00"), "pending", ""),
        ("S003", "ZYJT"): (D("0.00"), "declined", "waiting_period"),
        ("S003", "ZFBZ"): (D("0.00"), "declined", "waiting_period"),
        # an accident has no waiting period: 10 days × 50; (1500 − 500) × 50%
        ("S008", "ZYJT"): (D("500.00"), "approved", ""),
        ("S008", "ZFBZ"): (D("500.00"), "approved", ""),
    }
    # every payout recomputes to what is stored
    for payout in Payout.objects.all():
        outcome = services.payout_recompute(payout)
        assert outcome.amount == payout.amount
        assert outcome.lines_json() == payout.computation["lines"]

    # the same file again: nothing new, nothing paid twice
    again = import_bytes(settlement_csv(_rows()), tree["SH"])
    assert (again.inserted, again.already_imported, again.duplicates) == (0, 6, 1)
    assert process_queue().claimed == 0
    assert Payout.objects.count() == 8


def test_bank_batch_failure_correction_and_ledger(tree, plans, members, cadre_a11, city_admin):
    union = tree["SH-A-1-1"]
    enrol(plans["allowance"], union, cadre_a11)
    a1, _a2, a3 = members["a"]
    rows = [
        {"no": "S101", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 4},
        {"no": "S102", "id": id_number(3), "admitted": dt.date(2026, 5, 3), "days": 6},
        {"no": "S103", "id": id_number(2), "admitted": dt.date(2026, 5, 3), "days": 2},
    ]
    import_bytes(settlement_csv(rows), tree["SH"])
    process_queue()
    assert sorted(Payout.objects.values_list("amount", flat=True)) == [
        D("100.00"), D("200.00"), D("300.00")]
    services.payee_account_set(person=a1, actor=city_admin, **_account(a1))
    services.payee_account_set(person=a3, actor=city_admin,
                               **_account(a3, "6217000010002000300"))
    batch = services.batch_create(org=tree["SH"], actor=city_admin)
    assert (batch.items_count, batch.total, batch.without_account) == (2, D("500.00"), 1)
    content = services.batch_export(batch=batch, actor=city_admin).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0] == "序号,付款参考号,收款人户名,收款账号,开户银行,金额,用途"
    assert "6222020200112233445" in content
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED

    items = list(BatchItem.objects.filter(batch=batch).select_related("payout__person"))
    paid_item = next(i for i in items if i.payout.person_id == a1.pk)
    failed_item = next(i for i in items if i.payout.person_id == a3.pk)
    result = ("付款参考号,处理结果,失败原因,金额\n"
              f"{paid_item.reference},成功,,{paid_item.amount}\n"
              f"{failed_item.reference},失败,账户已销户,{failed_item.amount}\n").encode()
    summary = services.batch_apply_results(batch=batch, binary=io.BytesIO(result),
                                           actor=city_admin)
    assert (summary.paid, summary.failed, summary.errors) == (1, 1, [])
    batch.refresh_from_db()
    assert (batch.status, batch.paid_count, batch.failed_count) == ("settled", 1, 1)
    # the same result file again changes nothing and posts nothing more
    again = services.batch_apply_results(batch=batch, binary=io.BytesIO(result),
                                         actor=city_admin)
    assert (again.paid, again.failed, again.already) == (0, 0, 2)
    city = tree["SH"]
    payout_lines = LedgerLine.objects.filter(union=city, account__code="530106")
    assert sum(payout_lines.values_list("amount", flat=True), D(0)) == D("200.00")
    assert _ledger_sum(city) == 0

    failed = Payout.objects.get(pk=failed_item.payout_id)
    assert (failed.status, failed.fail_reason) == (PayoutStatus.FAILED, "账户已销户")
    services.payout_requeue(payout=failed, actor=city_admin,
                            account=_account(a3, "6217000010002000399"))
    failed.refresh_from_db()
    assert failed.status == PayoutStatus.APPROVED
    second = services.batch_create(org=tree["SH"], actor=city_admin)
    assert second.items_count == 1
    assert "6217000010002000399" in services.batch_export(batch=second,
                                                          actor=city_admin).decode("utf-8-sig")
    item = second.items.get()
    services.batch_apply_results(batch=second, actor=city_admin, binary=io.BytesIO(
        f"付款参考号,处理结果\n{item.reference},成功\n".encode()))
    failed.refresh_from_db()
    assert failed.status == PayoutStatus.PAID
    assert sum(payout_lines.values_list("amount", flat=True), D(0)) == D("500.00")
    assert LedgerTransaction.objects.filter(union=city, source="mutualaid.payout").count() == 2
    # issue 12 item 12: the voucher links back to the payout it records
    voucher = LedgerTransaction.objects.get(idempotency_key=f"mutualaid.payout.{failed.pk}")
    assert (voucher.source_url, voucher.source_label) == (
        f"/mutualaid/payouts/{failed.pk}/", f"互助保障给付 {failed.reference}")
    history = list(failed.events.values_list("from_status", "to_status"))
    assert history == [("approved", "batched"), ("batched", "failed"), ("failed", "approved"),
                       ("approved", "batched"), ("batched", "paid")]


def test_a_record_put_back_in_the_queue_is_not_paid_twice(tree, plans, members, cadre_a11):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([
        {"no": "Q1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 3},
        {"no": "Q2", "id": id_number(2), "admitted": dt.date(2026, 5, 1), "days": 2},
    ]), tree["SH"])
    process_queue()
    SettlementRecord.objects.filter(settlement_no="Q1").update(status=RecordStatus.QUEUED,
                                                               payouts_count=0)
    import_bytes(settlement_csv([
        {"no": "Q3", "id": id_number(3), "admitted": dt.date(2026, 5, 1), "days": 4}]),
        tree["SH"])
    result = process_queue()
    assert (result.claimed, result.payouts) == (2, 1)
    assert sorted(Payout.objects.values_list("settlement__settlement_no", "amount")) == [
        ("Q1", D("150.00")), ("Q2", D("100.00")), ("Q3", D("200.00"))]
    assert dict(SettlementRecord.objects.values_list("settlement_no", "payouts_count")) == {
        "Q1": 1, "Q2": 1, "Q3": 1}
