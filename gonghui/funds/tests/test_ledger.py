from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.models import Account, LedgerLine, LedgerTransaction, PeriodBalance
from gonghui.funds.services import (
    chart_ensure,
    period_close,
    post_expense,
    post_income,
    post_transaction,
    reverse_transaction,
)
from gonghui.funds.tests.conftest import refused_at_commit

D = Decimal
DAY = dt.date(2026, 3, 10)


def balances(union) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in PeriodBalance.objects.filter(union=union):
        out[row.account_code] = out.get(row.account_code, D("0")) + row.debit - row.credit
    return {k: v for k, v in out.items() if v}


def test_chart_is_created_once_with_the_five_classes(tree):
    union = tree["SH-A-1-1"]
    chart_ensure(union)
    chart_ensure(union)
    accounts = Account.objects.filter(union=union)
    assert accounts.count() == 50
    assert set(accounts.values_list("category", flat=True)) == {
        "asset", "liability", "net_assets", "income", "expense"}
    assert accounts.get(code="4101").name == "会费收入"
    assert accounts.get(code="2201").name == "应付上级经费"


def test_post_income_writes_lines_balances_and_audit(tree, city_admin):
    union = tree["SH-A-1-1"]
    tx = post_income(union=union, date=DAY, account_code="4101", amount=D("123.45"),
                     memo="3 月会费", idempotency_key="dues:2026-03", actor=city_admin)
    assert tx.was_created is True
    assert tx.period == 202603
    assert sorted(tx.lines_with_accounts().values_list("account__code", "amount")) == [
        ("1002", D("123.45")), ("4101", D("-123.45"))]
    assert balances(union) == {"1002": D("123.45"), "4101": D("-123.45")}
    event = AuditEvent.objects.get(action="funds.post")
    assert event.org_path == union.path
    assert event.after["lines"] == [["1002", "123.45"], ["4101", "-123.45"]]


def test_same_key_posts_once(tree, city_admin):
    union = tree["SH-A-1-1"]
    kwargs = {"union": union, "date": DAY, "account_code": "530104", "amount": D("500.00"),
              "memo": "困难帮扶", "idempotency_key": "aid:42", "actor": city_admin}
    first = post_expense(**kwargs)
    second = post_expense(**kwargs)
    assert second.pk == first.pk
    assert second.was_created is False
    assert LedgerTransaction.objects.count() == 1
    assert balances(union) == {"530104": D("500.00"), "1002": D("-500.00")}


def test_same_key_different_lines_is_a_conflict(tree, city_admin):
    union = tree["SH-A-1-1"]
    post_expense(union=union, date=DAY, account_code="530104", amount=D("500.00"), memo="帮扶",
                 idempotency_key="aid:1", actor=city_admin)
    with pytest.raises(Conflict) as exc:
        post_expense(union=union, date=DAY, account_code="530104", amount=D("500.01"),
                     memo="帮扶", idempotency_key="aid:1", actor=city_admin)
    assert exc.value.code == "idempotency_mismatch"


def test_same_key_in_another_union_is_another_event(tree, city_admin):
    for code in ("SH-A-1-1", "SH-A-1-2"):
        post_income(union=tree[code], date=DAY, account_code="4901", amount=D("1.00"),
                    memo="其他", idempotency_key="k", actor=city_admin)
    assert LedgerTransaction.objects.count() == 2


@pytest.mark.parametrize(("lines", "code"), [
    ([("1002", D("10.00")), ("4101", D("-9.99"))], "unbalanced"),
    ([("1002", D("10.00"))], "too_few_lines"),
    ([("1002", D("10.001")), ("4101", D("-10.001"))], "bad_amount"),
    ([("1002", 10.0), ("4101", -10.0)], "float_amount"),
    ([("1002", D("0")), ("4101", D("0"))], "zero_line"),
    ([("1002", D("1")), ("9999", D("-1"))], "unknown_account"),
    ([("1002", D("1")), ("5101", D("-1"))], "header_account"),
])
def test_invalid_lines_change_nothing(tree, city_admin, lines, code):
    union = tree["SH-A-1-1"]
    with pytest.raises(ApplicationError) as exc:
        post_transaction(union=union, date=DAY, memo="x", lines=lines, idempotency_key="bad",
                         actor=city_admin)
    assert exc.value.code == code
    assert LedgerTransaction.objects.count() == 0
    assert PeriodBalance.objects.count() == 0


def test_unbalanced_message_says_by_how_much(tree, city_admin):
    with pytest.raises(ApplicationError) as exc:
        post_transaction(union=tree["SH-A-1-1"], date=DAY, memo="x",
                         lines=[("1002", D("10.00")), ("4101", D("-9.99"))],
                         idempotency_key="bad", actor=city_admin)
    assert exc.value.message == "借贷不平衡：借方合计与贷方合计相差 0.01 元。"


def test_closed_month_refuses_postings_and_reversal_goes_to_open_period(tree, city_admin):
    union = tree["SH-A-1-1"]
    tx = post_expense(union=union, date=DAY, account_code="510102", amount=D("800.00"),
                      memo="运动会", idempotency_key="e1", actor=city_admin)
    with clock.frozen(dt.date(2026, 4, 5)):
        period_close(union=union, year=2026, month=3, actor=city_admin)
        with pytest.raises(ApplicationError) as exc:
            post_income(union=union, date=dt.date(2026, 3, 31), account_code="4101",
                        amount=D("1.00"), memo="补录", idempotency_key="late", actor=city_admin)
        assert exc.value.message == "2026 年 3 月已结账，不能再记入该期间；请在未结账期间做冲销或更正分录。"
        with pytest.raises(ApplicationError):
            reverse_transaction(tx=tx, actor=city_admin, date=dt.date(2026, 3, 31))
        rev = reverse_transaction(tx=tx, actor=city_admin)
    assert rev.date == dt.date(2026, 4, 5)
    assert rev.reversal_of_id == tx.pk
    assert reverse_transaction(tx=tx, actor=city_admin).pk == rev.pk
    assert balances(union) == {}
    march = PeriodBalance.objects.get(union=union, period=202603, account_code="510102")
    assert (march.debit, march.credit) == (D("800.00"), D("0.00"))


def test_closed_year_refuses_every_month(tree, city_admin):
    union = tree["SH-A-1-1"]
    with clock.frozen(dt.date(2027, 1, 3)):
        period_close(union=union, year=2026, month=0, actor=city_admin)
        with pytest.raises(ApplicationError) as exc:
            post_income(union=union, date=dt.date(2026, 7, 1), account_code="4101",
                        amount=D("1.00"), memo="补录", idempotency_key="late", actor=city_admin)
        assert exc.value.code == "period_closed"
        with pytest.raises(Conflict):
            period_close(union=union, year=2026, month=7, actor=city_admin)


def test_a_period_must_have_ended_to_close(tree, city_admin):
    with clock.frozen(dt.date(2026, 3, 31)), pytest.raises(ApplicationError) as exc:
        period_close(union=tree["SH-A-1-1"], year=2026, month=3, actor=city_admin)
    assert exc.value.code == "period_not_ended"


def test_reversal_cannot_be_reversed(tree, city_admin):
    union = tree["SH-A-1-1"]
    tx = post_income(union=union, date=DAY, account_code="4101", amount=D("5.00"), memo="会费",
                     idempotency_key="d", actor=city_admin)
    with clock.frozen(DAY):
        rev = reverse_transaction(tx=tx, actor=city_admin)
    with pytest.raises(ApplicationError) as exc:
        reverse_transaction(tx=rev, actor=city_admin)
    assert exc.value.code == "reverse_reversal"


def test_money_is_exact_to_the_fen(tree, city_admin):
    union = tree["SH-A-1-1"]
    for i in range(10):
        post_income(union=union, date=DAY, account_code="4101", amount=D("0.10"), memo="会费",
                    idempotency_key=f"d{i}", actor=city_admin)
    post_expense(union=union, date=DAY, account_code="510199", amount=D("0.30"), memo="x",
                 idempotency_key="e", actor=city_admin)
    assert balances(union) == {"1002": D("0.70"), "4101": D("-1.00"), "510199": D("0.30")}
    row = PeriodBalance.objects.get(union=union, account_code="1002")
    assert (row.debit, row.credit) == (D("1.00"), D("0.30"))


def test_inactive_union_refuses_postings(tree, city_admin):
    union = tree["SH-A-1-2"]
    union.status = "dissolved"
    union.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as exc:
        post_income(union=union, date=DAY, account_code="4101", amount=D("1.00"), memo="x",
                    idempotency_key="x", actor=city_admin)
    assert exc.value.code == "union_closed"


# --- PostgreSQL: the database itself enforces double entry and insert-only rows --------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_rejects_unbalanced_transaction_bypassing_the_service(tree, city_admin):
    union = tree["SH-A-1-1"]
    chart_ensure(union)
    bank = Account.objects.get(union=union, code="1002")
    dues = Account.objects.get(union=union, code="4101")

    def insert(key: str, credit: Decimal) -> None:
        with transaction.atomic():
            tx = LedgerTransaction.objects.create(union=union, date=DAY, period=202603,
                                                  memo=key, idempotency_key=key)
            LedgerLine.objects.create(transaction=tx, union=union, account=bank,
                                      amount=D("10.00"))
            LedgerLine.objects.create(transaction=tx, union=union, account=dues, amount=credit)

    with refused_at_commit() as refusal:
        insert("bypass", D("-9.99"))
    assert "is unbalanced: its lines sum to 0.01" in " ".join(refusal)
    assert LedgerTransaction.objects.count() == 0
    # a balanced bypass commits (the trigger checks balance, not who wrote it)
    insert("bypass2", D("-10.00"))
    assert LedgerLine.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_rejects_transaction_without_lines(tree):
    with refused_at_commit() as refusal, transaction.atomic():
        LedgerTransaction.objects.create(union=tree["SH-A-1-1"], date=DAY, period=202603,
                                         memo="empty", idempotency_key="empty")
    assert "has 0 line(s)" in " ".join(refusal)
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ledger_rows_are_insert_only(tree, city_admin):
    from django.db import OperationalError

    tx = post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("1.00"),
                     memo="x", idempotency_key="x", actor=city_admin)
    with pytest.raises(OperationalError), transaction.atomic():
        LedgerLine.objects.filter(transaction=tx).update(amount=D("2.00"))
    with pytest.raises(OperationalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_ledgertransaction WHERE id = %s", [tx.pk])
    assert sorted(LedgerLine.objects.values_list("amount", flat=True)) == [D("-1.00"), D("1.00")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_rejects_posting_into_a_closed_period_bypassing_the_service(tree, city_admin):
    from django.db import IntegrityError

    union = tree["SH-A-1-1"]
    with clock.frozen(dt.date(2026, 4, 2)):
        period_close(union=union, year=2026, month=3, actor=city_admin)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        LedgerTransaction.objects.create(union=union, date=DAY, period=202603, memo="late",
                                         idempotency_key="late")
    assert "is closed" in str(exc.value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posting_of_the_same_key_creates_one_transaction(tree, city_admin):
    import threading

    union = tree["SH-A-1-1"]
    chart_ensure(union)
    barrier = threading.Barrier(6)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            tx = post_expense(union=union, date=DAY, account_code="530106", amount=D("321.00"),
                              memo="住院津贴", idempotency_key="payout:settlement-77",
                              actor=city_admin, source="mutualaid.payout")
            results.append((tx.pk, tx.was_created))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({pk for pk, _c in results}) == 1
    assert sorted(c for _pk, c in results) == [False] * 5 + [True]
    assert LedgerTransaction.objects.count() == 1
    assert balances(union) == {"530106": D("321.00"), "1002": D("-321.00")}
