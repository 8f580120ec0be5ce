"""Voucher numbers (凭证号): gap-free per union, period and voucher type, assigned at posting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from gonghui.audit.models import AuditEvent
from gonghui.core.errors import NotFound
from gonghui.funds.models import Book, LedgerTransaction
from gonghui.funds.services import (
    chart_ensure,
    post_expense,
    post_income,
    post_transaction,
    reverse_transaction,
    voucher_scheme_set,
)

D = Decimal
DAY = dt.date(2026, 3, 10)


def _income(union, actor, key: str, day: dt.date = DAY) -> LedgerTransaction:
    return post_income(union=union, date=day, account_code="4101", amount=D("10.00"),
                       memo=key, idempotency_key=key, actor=actor)


def test_single_sequence_numbers_each_month_from_one(tree, city_admin):
    union = tree["SH-A-1-1"]
    a = _income(union, city_admin, "a")
    b = post_expense(union=union, date=DAY, account_code="530104", amount=D("3.00"), memo="b",
                     idempotency_key="b", actor=city_admin)
    c = _income(union, city_admin, "c", dt.date(2026, 4, 1))
    other = _income(tree["SH-A-1-2"], city_admin, "a")
    assert [(t.voucher_type, t.voucher_no) for t in (a, b, c, other)] == [
        ("general", 1), ("general", 2), ("general", 1), ("general", 1)]
    assert a.voucher_label == "2026-03 记-0001"
    assert c.voucher_label == "2026-04 记-0001"
    # posting the same key again gives the same voucher, no new number
    again = _income(union, city_admin, "a")
    assert (again.pk, again.voucher_no, again.was_created) == (a.pk, 1, False)


def test_split_scheme_numbers_receipts_payments_and_transfers_apart(tree, city_admin):
    union = tree["SH-A-1-1"]
    voucher_scheme_set(union=union, scheme="split", actor=city_admin)
    r1 = _income(union, city_admin, "r1")
    p1 = post_expense(union=union, date=DAY, account_code="530104", amount=D("3.00"),
                      memo="p1", idempotency_key="p1", actor=city_admin)
    t1 = post_transaction(union=union, date=DAY, memo="t1", idempotency_key="t1",
                          lines=[("1301", D("5.00")), ("4901", D("-5.00"))], actor=city_admin)
    cash_to_bank = post_transaction(union=union, date=DAY, memo="存现", idempotency_key="cb",
                                    lines=[("1002", D("5.00")), ("1001", D("-5.00"))],
                                    actor=city_admin)
    r2 = _income(union, city_admin, "r2")
    assert [t.voucher_label for t in (r1, p1, t1, cash_to_bank, r2)] == [
        "2026-03 收-0001", "2026-03 付-0001", "2026-03 转-0001", "2026-03 付-0002",
        "2026-03 收-0002"]
    event = AuditEvent.objects.get(action="funds.voucher_scheme")
    assert (event.before, event.after) == ({"voucher_scheme": "single"},
                                           {"voucher_scheme": "split"})


def test_reversal_gets_its_own_number_and_names_the_original(tree, city_admin):
    union = tree["SH-A-1-1"]
    tx = _income(union, city_admin, "x")
    rev = reverse_transaction(tx=tx, actor=city_admin, date=DAY, memo="录错金额")
    assert rev.voucher_label == "2026-03 记-0002"
    assert rev.memo == "冲销 2026-03 记-0001：录错金额"
    assert rev.reversal_of_id == tx.pk


def test_voucher_scheme_denied_to_the_auditor_changes_nothing(tree, funds_auditor,
                                                              other_district_cadre):
    from gonghui.core.errors import Forbidden

    union = tree["SH-A-1-1"]
    chart_ensure(union)
    with pytest.raises(Forbidden):
        voucher_scheme_set(union=union, scheme="split", actor=funds_auditor)
    with pytest.raises(NotFound):
        voucher_scheme_set(union=union, scheme="split", actor=other_district_cadre)
    assert Book.objects.get(union=union).voucher_scheme == "single"
    assert not AuditEvent.objects.filter(action="funds.voucher_scheme").exists()


def test_journal_page_and_exports_show_voucher_numbers(client, tree, city_admin):
    union = tree["SH-A-1-1"]
    tx = _income(union, city_admin, "会费三月")
    client.force_login(city_admin)
    page = client.get(f"/funds/{union.pk}/journal/")
    assert "2026-03 记-0001" in page.content.decode()
    detail = client.get(f"/funds/tx/{tx.pk}/")
    assert "2026-03 记-0001" in detail.content.decode()
    api = client.get(f"/api/v1/funds/transactions/{tx.pk}")
    assert (api.json()["voucher"], api.json()["voucher_no"]) == ("2026-03 记-0001", 1)
    xlsx = client.get(f"/funds/{union.pk}/journal/export.xlsx")
    assert xlsx.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "2026-03 记-0001" in values
    assert "会费三月" in values
    pdf = client.get(f"/funds/{union.pk}/journal/export.pdf")
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")


@pytest.mark.parametrize(("who", "status"), [("other_district_cadre", 404), ("funds_auditor", 200)])
def test_journal_export_is_scoped(client, tree, city_admin, who, status, request):
    union = tree["SH-A-1-1"]
    _income(union, city_admin, "x")
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/funds/{union.pk}/journal/export.xlsx").status_code == status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_threads_posting_at_once_get_numbers_one_to_n(tree, city_admin):
    import threading

    union = tree["SH-A-1-1"]
    chart_ensure(union)
    per_thread = 5
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                _income(union, city_admin, f"t{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(LedgerTransaction.objects.filter(union=union, period=202603)
                     .values_list("voucher_no", flat=True))
    assert numbers == list(range(1, 6 * per_thread + 1))
