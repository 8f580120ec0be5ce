"""Opening balances (期初余额) and year-end closing (年终结账)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.funds import reports
from gonghui.funds.models import ClosedPeriod, LedgerTransaction, PeriodBalance, YearClosing
from gonghui.funds.services import (
    OpeningRow,
    opening_balances_import,
    opening_balances_post,
    post_expense,
    post_income,
    reverse_transaction,
    year_close,
    year_close_subtree,
    year_reopen,
)

D = Decimal
AFTER = dt.date(2027, 1, 5)


def balances(union, upto: int = 299913) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in PeriodBalance.objects.filter(union=union, period__lte=upto):
        out[row.account_code] = out.get(row.account_code, D("0")) + row.debit - row.credit
    return {k: v for k, v in out.items() if v}


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "期初.xlsx"
    return buffer


# --- opening balances -----------------------------------------------------------------------


def test_opening_balances_posted_as_one_entry(tree, treasurer):
    union = tree["SH-A-1-1"]
    tx = opening_balances_post(union=union, date=dt.date(2026, 1, 1), actor=treasurer, rows=[
        OpeningRow("1002", D("12000.50"), D("0")), OpeningRow("1001", D("300.00"), D("0")),
        OpeningRow("2201", D("0"), D("2300.50")), OpeningRow("330202", D("0"), D("10000.00"))])
    assert (tx.source, tx.voucher_label, tx.memo) == (
        "funds.opening", "2026-01 记-0001", "期初余额 2026-01-01")
    assert balances(union) == {"1002": D("12000.50"), "1001": D("300.00"),
                               "2201": D("-2300.50"), "330202": D("-10000.00")}
    assert AuditEvent.objects.filter(action="funds.opening").count() == 1
    with pytest.raises(Conflict) as exc:
        opening_balances_post(union=union, date=dt.date(2026, 1, 1), actor=treasurer,
                              rows=[OpeningRow("1002", D("1"), D("0")),
                                    OpeningRow("330202", D("0"), D("1"))])
    assert exc.value.message == "已录入期初余额（凭证 2026-01 记-0001）；如需更正，请先冲销该凭证再重新录入。"
    # corrected by reversing it, then entering the balances again
    with clock.frozen(dt.date(2026, 1, 2)):
        reverse_transaction(tx=tx, actor=treasurer, memo="余额录错")
    again = opening_balances_post(union=union, date=dt.date(2026, 1, 1), actor=treasurer,
                                  rows=[OpeningRow("1002", D("1"), D("0")),
                                        OpeningRow("330202", D("0"), D("1"))])
    assert again.idempotency_key == "funds.opening:1"
    assert balances(union) == {"1002": D("1.00"), "330202": D("-1.00")}


def test_unbalanced_opening_refused_with_the_exact_difference(tree, treasurer):
    union = tree["SH-A-1-1"]
    with pytest.raises(ApplicationError) as exc:
        opening_balances_post(union=union, date=dt.date(2026, 1, 1), actor=treasurer, rows=[
            OpeningRow("1002", D("12000.50"), D("0")),
            OpeningRow("2201", D("0"), D("2300.00")),
            OpeningRow("330202", D("0"), D("9700.49"))])
    assert exc.value.code == "opening_unbalanced"
    assert exc.value.message == ("期初余额不平衡：资产合计 12,000.50 元，负债和净资产合计 "
                                 "12,000.49 元，相差 0.01 元。")
    assert exc.value.extra == {"difference": "0.01"}
    assert LedgerTransaction.objects.count() == 0


def test_opening_import_from_xlsx_and_refusals(tree, treasurer, funds_auditor):
    union = tree["SH-A-1-1"]
    bad = xlsx([["科目编码", "科目名称", "借方余额", "贷方余额"], ["1002", "银行存款", 500, None],
                ["330202", "累计结余", None, "499.90"]])
    with pytest.raises(ApplicationError) as exc:
        opening_balances_import(union=union, date=dt.date(2026, 1, 1), upload=bad,
                                actor=treasurer)
    assert "相差 0.10 元" in exc.value.message
    with pytest.raises(Forbidden):
        opening_balances_import(union=union, date=dt.date(2026, 1, 1), actor=funds_auditor,
                                upload=xlsx([["科目编码", "借方余额", "贷方余额"]]))
    good = xlsx([["科目编码", "科目名称", "借方余额", "贷方余额"], ["1002", "银行存款", 500, None],
                 ["330202", "累计结余", None, "500.00"]])
    tx = opening_balances_import(union=union, date=dt.date(2026, 1, 1), upload=good,
                                 actor=treasurer)
    assert balances(union) == {"1002": D("500.00"), "330202": D("-500.00")}
    assert tx.lines.count() == 2


def test_import_opening_cli(tree, tmp_path):
    from django.core.management import call_command

    union = tree["SH-A-1-1"]
    path = tmp_path / "opening.xlsx"
    path.write_bytes(xlsx([["科目编码", "借方余额", "贷方余额"], ["1002", "80", ""],
                           ["2201", "", "80"]]).getvalue())
    out = io.StringIO()
    call_command("funds", "import-opening", str(path), "--union", union.code,
                 "--date", "2026-01-01", stdout=out)
    assert "2026-01 记-0001" in out.getvalue()
    assert balances(union) == {"1002": D("80.00"), "2201": D("-80.00")}


# --- year-end closing -----------------------------------------------------------------------


def _year_of_postings(union, actor) -> None:
    post_income(union=union, date=dt.date(2026, 3, 1), account_code="4101", amount=D("1000.00"),
                memo="会费", idempotency_key="i1", actor=actor)
    post_income(union=union, date=dt.date(2026, 6, 1), account_code="4301", amount=D("250.35"),
                memo="补助", idempotency_key="i2", actor=actor)
    post_expense(union=union, date=dt.date(2026, 9, 1), account_code="510101",
                 amount=D("600.10"), memo="节日慰问", idempotency_key="e1", actor=actor)


def test_year_close_carries_income_and_spending_into_net_assets(tree, city_admin):
    union = tree["SH-A-1-1"]
    _year_of_postings(union, city_admin)
    with clock.frozen(AFTER):
        before = reports.balance_sheet(viewer=city_admin, org=union, year=2026)
        income = reports.income_statement(viewer=city_admin, org=union, year=2026)
        result = year_close(union=union, year=2026, actor=city_admin)
        assert result.created is True
        assert result.closing.surplus == D("650.25")
        tx = result.closing.transaction
        assert (tx.period, tx.date, tx.voucher_label) == (202613, dt.date(2026, 12, 31),
                                                          "2026-结账 记-0001")
        assert sorted((ln.account.code, ln.amount) for ln in tx.lines_with_accounts()) \
            == [("330201", D("-650.25")), ("330201", D("650.25")), ("330202", D("-650.25")),
                ("4101", D("1000.00")), ("4301", D("250.35")), ("510101", D("-600.10"))]
        assert balances(union) == {"1002": D("650.25"), "330202": D("-650.25")}
        # the year's statements are unchanged; the next year opens from the carried net assets
        assert [r.cells for r in reports.balance_sheet(
            viewer=city_admin, org=union, year=2026).rows] == [r.cells for r in before.rows]
        assert [r.cells for r in reports.income_statement(
            viewer=city_admin, org=union, year=2026).rows] == [r.cells for r in income.rows]
        trial = reports.trial_balance(viewer=city_admin, org=union, year=2027)
        assert [r.cells for r in trial.rows] == [
            ["1002", "银行存款", D("650.25"), 0, 0, 0, D("650.25"), 0],
            ["3302", "工会资金结余", 0, D("650.25"), 0, 0, 0, D("650.25")],
            ["330202", "累计结余", 0, D("650.25"), 0, 0, 0, D("650.25")],
            ["合计", "", D("650.25"), D("650.25"), 0, 0, D("650.25"), D("650.25")]]
        assert ClosedPeriod.objects.filter(union=union, year=2026, month=0).exists()
        # idempotent: closing twice changes nothing
        again = year_close(union=union, year=2026, actor=city_admin)
        assert (again.created, again.closing.pk) == (False, result.closing.pk)
        assert LedgerTransaction.objects.filter(union=union).count() == 4
        # the year is locked
        with pytest.raises(ApplicationError) as exc:
            post_income(union=union, date=dt.date(2026, 5, 1), account_code="4101",
                        amount=D("1.00"), memo="迟到", idempotency_key="late", actor=city_admin)
        assert exc.value.code == "period_closed"
    assert AuditEvent.objects.filter(action="funds.year_close").count() == 1


def test_year_not_ended_and_open_findings_block_closing(tree, city_admin, funds_auditor):
    from gonghui.funds.services import finding_add

    union = tree["SH-A-1-1"]
    with clock.frozen(dt.date(2026, 12, 31)), pytest.raises(ApplicationError) as exc:
        year_close(union=union, year=2026, actor=city_admin)
    assert exc.value.code == "period_not_ended"
    finding_add(union=union, tx=None, text="票据不全", severity="issue", actor=funds_auditor)
    with clock.frozen(AFTER), pytest.raises(ApplicationError) as exc:
        year_close(union=union, year=2026, actor=city_admin)
    assert exc.value.code == "cannot_close"
    assert exc.value.extra == {"reasons": ["有 1 条审计意见尚未关闭。"]}
    assert not YearClosing.objects.exists()
    assert not ClosedPeriod.objects.exists()


def test_reopen_is_an_administrators_logged_action(tree, city_admin, treasurer, funds_auditor):
    union = tree["SH-A-1-1"]
    _year_of_postings(union, city_admin)
    with clock.frozen(AFTER):
        closing = year_close(union=union, year=2026, actor=treasurer).closing
        for who in (treasurer, funds_auditor):
            with pytest.raises(Forbidden):
                year_reopen(union=union, year=2026, reason="补记", actor=who)
        assert ClosedPeriod.objects.filter(union=union, year=2026, month=0).exists()
        reopened = year_reopen(union=union, year=2026, reason="补记漏记的会费", actor=city_admin)
        assert reopened.reversal.reversal_of_id == closing.transaction_id
        assert reopened.reversal.voucher_label == "2026-结账 记-0002"
        assert not ClosedPeriod.objects.filter(union=union, year=2026, month=0).exists()
        assert balances(union)["4101"] == D("-1000.00")
        event = AuditEvent.objects.get(action="funds.year_reopen")
        assert event.note == "补记漏记的会费"
        post_income(union=union, date=dt.date(2026, 12, 1), account_code="4101",
                    amount=D("9.75"), memo="补记", idempotency_key="late", actor=city_admin)
        second = year_close(union=union, year=2026, actor=city_admin)
        assert second.closing.surplus == D("660.00")
        assert balances(union) == {"1002": D("660.00"), "330202": D("-660.00")}


def test_closing_a_subtree_lists_the_unions_that_cannot_close(tree, city_admin, funds_auditor):
    from gonghui.funds.services import chart_ensure, finding_add

    district = tree["SH-A"]
    for code in ("SH-A-1-1", "SH-A-1-2"):
        post_income(union=tree[code], date=dt.date(2026, 2, 1), account_code="4101",
                    amount=D("5.00"), memo="会费", idempotency_key="k", actor=city_admin)
    chart_ensure(district)
    finding_add(union=tree["SH-A-1-2"], tx=None, text="待查", severity="note",
                actor=funds_auditor)
    seen: list[int] = []
    with clock.frozen(AFTER):
        outcome = year_close_subtree(root=district, year=2026, actor=city_admin,
                                     progress=lambda done, _o: seen.append(done))
    assert (outcome.total, outcome.closed, outcome.already) == (3, 2, 0)
    assert outcome.failures == [{"code": "SH-A-1-2", "name": tree["SH-A-1-2"].name,
                                 "reasons": ["有 1 条审计意见尚未关闭。"]}]
    assert seen == [1, 2, 3]


def test_close_year_cli(tree):
    from django.core.management import call_command

    union = tree["SH-A-1-1"]
    post_income(union=union, date=dt.date(2026, 2, 1), account_code="4101", amount=D("5.00"),
                memo="会费", idempotency_key="k", actor=None)
    out = io.StringIO()
    with clock.frozen(AFTER):
        call_command("funds", "close-year", "--union", union.code, "--year", "2026", stdout=out)
    assert "closed: 1, already closed: 0, cannot close: 0" in out.getvalue()
    assert balances(union) == {"1002": D("5.00"), "330202": D("-5.00")}


ACCOUNTS = ["4101", "4301", "4901", "510101", "530104", "540101", "5901"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.integers(1, 10_000_000),
                          st.integers(1, 12)), min_size=1, max_size=12))
def test_property_close_zeroes_income_and_expense(tree, city_admin, postings):
    from django.db import transaction

    union = tree["SH-A-1-1"]
    sid = transaction.savepoint()
    try:
        surplus = D("0.00")
        for i, (code, fen, month) in enumerate(postings):
            amount = D(fen) / 100
            lines = ([("1002", amount), (code, -amount)] if code.startswith("4")
                     else [(code, amount), ("1002", -amount)])
            surplus += amount if code.startswith("4") else -amount
            from gonghui.funds.services import post_transaction

            post_transaction(union=union, date=dt.date(2026, month, 1), memo="p", lines=lines,
                             idempotency_key=f"p{i}", actor=city_admin)
        net_before = -sum((v for k, v in balances(union).items() if k.startswith("3")), D(0))
        with clock.frozen(AFTER):
            result = year_close(union=union, year=2026, actor=city_admin)
            after = balances(union)
            assert [k for k in after if k[0] in "45"] == []
            net_after = -sum((v for k, v in after.items() if k.startswith("3")), D(0))
            assert net_after - net_before == surplus == result.closing.surplus
            trial = reports.trial_balance(viewer=city_admin, org=union, year=2027)
            assert trial.notes == ["借贷平衡。"]
            assert sum(after.values(), D(0)) == 0
    finally:
        transaction.savepoint_rollback(sid)


def _closing_of(union):
    closing = YearClosing.objects.get(union=union, year=2026, reopened_at__isnull=True)
    tx = closing.transaction
    return (closing.surplus, tx.voucher_label, tx.memo, tx.idempotency_key, tx.date, tx.period,
            sorted((ln.account.code, ln.amount) for ln in tx.lines_with_accounts()))


@pytest.mark.parametrize("chunk", [1, 250])
def test_batched_subtree_closing_equals_the_per_union_closing(tree, city_admin, monkeypatch,
                                                              chunk):
    """The subtree run closes a chunk of unions with set queries and bulk inserts; its result
    is exactly the per-union `year_close`'s (lines, voucher number, memo, key, surplus), also
    after a reopening (attempt 1) and in the 收/付/转 scheme."""
    from gonghui.funds.models import Book
    from gonghui.funds.services import chart_ensure, yearend_batch

    monkeypatch.setattr(yearend_batch, "CHUNK", chunk)
    alone, batched = tree["SH-A-1-1"], tree["SH-B-1-1"]
    for union in (alone, batched):
        chart_ensure(union)
        Book.objects.filter(union=union).update(voucher_scheme="split")
        for i, (code, amount) in enumerate([("4101", "1200.05"), ("4301", "300.10"),
                                            ("4901", "0.01")]):
            post_income(union=union, date=dt.date(2026, 3, 1 + i), account_code=code,
                        amount=D(amount), memo="收入", idempotency_key=f"in{i}", actor=city_admin)
        for i, (code, amount) in enumerate([("510101", "450.33"), ("530104", "99.99")]):
            post_expense(union=union, date=dt.date(2026, 5, 1 + i), account_code=code,
                         amount=D(amount), memo="支出", idempotency_key=f"out{i}",
                         actor=city_admin)
    with clock.frozen(AFTER):
        year_close(union=alone, year=2026, actor=city_admin)
        year_reopen(union=alone, year=2026, reason="补记", actor=city_admin)
        year_close(union=alone, year=2026, actor=city_admin)
        first = year_close_subtree(root=tree["SH-B"], year=2026, actor=city_admin)
        year_reopen(union=batched, year=2026, reason="补记", actor=city_admin)
        outcome = year_close_subtree(root=tree["SH-B"], year=2026, actor=city_admin)
        again = year_close_subtree(root=tree["SH-B"], year=2026, actor=city_admin)
    assert (first.total, first.closed, first.already, first.failures) == (1, 1, 0, [])
    assert (outcome.closed, again.closed, again.already) == (1, 0, 1)
    assert _closing_of(batched) == _closing_of(alone) == (
        D("949.84"), "2026-结账 转-0003", "2026 年度结账：收支结转本年结余，转入累计结余",
        "funds.year_close:2026:1", dt.date(2026, 12, 31), 202613,
        sorted([("4101", D("1200.05")), ("4301", D("300.10")), ("4901", D("0.01")),
                ("510101", D("-450.33")), ("530104", D("-99.99")), ("330201", D("-949.84")),
                ("330201", D("949.84")), ("330202", D("-949.84"))]))
    assert balances(batched) == balances(alone) == {"1002": D("949.84"),
                                                      "330202": D("-949.84")}
    assert ClosedPeriod.objects.filter(union=batched, year=2026, month=0).count() == 1
    audit = AuditEvent.objects.filter(action="funds.year_close", object_repr__startswith=
                                      batched.name).order_by("-id").first()
    assert audit.after["voucher"] == "2026-结账 转-0003"
    assert audit.after["surplus"] == "949.84"
