"""Pages and API of 建账, year-end closing and bank reconciliation: what they do, scoping, and
the auditor's read-only access (every denial changes nothing)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.funds.models import (
    BankMatch,
    BankStatement,
    Book,
    ClosedPeriod,
    LedgerTransaction,
    YearClosing,
)
from gonghui.funds.services import post_income
from gonghui.funds.services.bank import matches_of, statement_import

D = Decimal
API = "/api/v1/funds"
AFTER = dt.date(2027, 1, 5)
CSV = "交易日期,金额,流水号\n2026-03-02,200.00,B1\n"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def world(tree, city_admin):
    union = tree["SH-A-1-1"]
    post_income(union=union, date=dt.date(2026, 3, 1), account_code="4101", amount=D("200.00"),
                memo="会费", idempotency_key="dues", actor=city_admin)
    statement = statement_import(union=union, upload=io.BytesIO(CSV.encode()), file_name="s.csv",
                                 actor=city_admin)
    return {"union": union, "statement": statement}


def state() -> tuple:
    return (LedgerTransaction.objects.count(), YearClosing.objects.count(),
            ClosedPeriod.objects.count(), BankStatement.objects.count(),
            BankMatch.objects.count(), list(Book.objects.values_list("voucher_scheme", flat=True)),
            AuditEvent.objects.filter(action__startswith="funds.").count())


def test_treasurer_sets_up_the_book_on_the_page(client, tree, treasurer):
    union = tree["SH-A-1-1"]
    login(client, treasurer)
    assert client.get(f"/funds/{union.pk}/setup/").status_code == 200
    bad = client.post(f"/funds/{union.pk}/setup/", {"form": "opening", "date": "2026-01-01",
                                                   "d_1002": "100.00", "c_330202": "99.00"})
    assert bad.status_code == 400
    assert "相差 1.00 元" in bad.content.decode()
    ok = client.post(f"/funds/{union.pk}/setup/", {"form": "opening", "date": "2026-01-01",
                                                  "d_1002": "100.00", "c_330202": "100.00"})
    assert ok.status_code == 302
    page = client.get(f"/funds/{union.pk}/setup/").content.decode()
    assert "2026-01 记-0001" in page
    scheme = client.post(f"/funds/{union.pk}/setup/", {"form": "scheme",
                                                      "voucher_scheme": "split"})
    assert scheme.status_code == 302
    assert Book.objects.get(union=union).voucher_scheme == "split"


def test_year_close_and_reopen_on_the_page(client, tree, city_admin, treasurer, world):
    union = world["union"]
    login(client, treasurer)
    with clock.frozen(AFTER):
        assert client.post(f"/funds/{union.pk}/close/year/", {"year": "2026"}).status_code == 302
        page = client.get(f"/funds/{union.pk}/close/").content.decode()
        assert "2026-结账 记-0001" in page
        assert "反结账原因" not in page  # the treasurer cannot reopen
        assert client.post(f"/funds/{union.pk}/close/reopen/",
                           {"year": "2026", "reason": "x"}).status_code == 403
        login(client, city_admin)
        assert client.post(f"/funds/{union.pk}/close/reopen/",
                           {"year": "2026", "reason": "补记"}).status_code == 302
    closing = YearClosing.objects.get()
    assert (closing.reopen_reason, closing.reversal.voucher_label) == ("补记", "2026-结账 记-0002")


def test_subtree_close_from_the_page_shows_progress_and_failures(
        client, tree, city_admin, settings, django_capture_on_commit_callbacks):
    from gonghui.funds.services import finding_add

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for code in ("SH-A-1-1", "SH-A-1-2"):
        post_income(union=tree[code], date=dt.date(2026, 3, 1), account_code="4101",
                    amount=D("1.00"), memo="会费", idempotency_key="k", actor=city_admin)
    from conftest import make_user

    auditor = make_user("aud_x", org=tree["SH"], role="auditor")
    finding_add(union=tree["SH-A-1-2"], text="待查", severity="note", actor=auditor)
    login(client, city_admin)
    with clock.frozen(AFTER), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/funds/{tree['SH-A-1'].pk}/close/year/",
                               {"year": "2026", "subtree": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已处理 2 / 2 个工会" in page
    assert "甲二公司工会" in page
    assert "有 1 条审计意见尚未关闭。" in page


def test_bank_pages_import_match_and_export(client, tree, treasurer, world):
    union = world["union"]
    login(client, treasurer)
    upload = SimpleUploadedFile("二月.csv", "日期,发生额\n2026-03-05,-1.00\n".encode(),
                                content_type="text/csv")
    response = client.post(f"/funds/{union.pk}/bank/", {
        "upload": upload, "opening_balance": "0", "col_date": "日期", "col_amount": "发生额"})
    assert response.status_code == 302
    statement = world["statement"]
    assert client.post(f"/funds/bank/{statement.pk}/auto-match/").status_code == 302
    assert matches_of(statement).count() == 1
    page = client.get(f"/funds/bank/{statement.pk}/").content.decode()
    assert "银行存款余额调节表" in page
    assert "调节后余额相符。" in page
    xlsx = client.get(f"/funds/bank/{statement.pk}/reconciliation.xlsx")
    assert xlsx.status_code == 200
    match = BankMatch.objects.get()
    assert client.post(f"/funds/bank/match/{match.pk}/undo/").status_code == 302
    assert BankMatch.objects.count() == 0


def test_api_opening_close_and_bank(client, tree, treasurer, world):
    login(client, treasurer)
    union = tree["SH-A-1-1"]
    bad = post_json(client, f"{API}/unions/{union.code}/opening", {
        "date": "2026-01-01", "lines": [{"account": "1002", "debit": "10.00"},
                                        {"account": "2201", "credit": "9.90"}]})
    assert bad.status_code == 400
    assert bad.json()["code"] == "opening_unbalanced"
    ok = post_json(client, f"{API}/unions/{union.code}/opening", {
        "date": "2026-01-01", "lines": [{"account": "1002", "debit": "10.00"},
                                        {"account": "2201", "credit": "10.00"}]})
    assert (ok.status_code, ok.json()["voucher"]) == (201, "2026-01 记-0001")
    with clock.frozen(AFTER):
        first = post_json(client, f"{API}/unions/SH-A-1-1/year-close", {"year": 2026})
        again = post_json(client, f"{API}/unions/SH-A-1-1/year-close", {"year": 2026})
    assert (first.status_code, first.json()["surplus"], first.json()["voucher"]) == (
        201, "200.00", "2026-结账 记-0001")
    assert (again.status_code, again.json()["created"]) == (200, False)
    sid = world["statement"].pk
    assert client.post(f"{API}/bank/statements/{sid}/auto-match").json() == {"matched": 1}
    rec = client.get(f"{API}/bank/statements/{sid}/reconciliation").json()
    # the 10.00 opening balance is in the books, not on this statement (opening balance 0)
    assert rec["rows"][0] == ["单位银行存款日记账余额", "210.00", "银行对账单余额", "200.00"]
    gaps = client.get(f"{API}/unions/SH-A-1-1/voucher-gaps?year=2026").json()
    assert gaps == []


@pytest.mark.parametrize(("persona", "status"), [("funds_auditor", 403),
                                                 ("other_district_cadre", 404)])
def test_denials_change_nothing(request, client, tree, world, persona, status):
    union = world["union"]
    sid = world["statement"].pk
    login(client, request.getfixturevalue(persona))
    before = state()
    with clock.frozen(AFTER):
        answers = [
            client.post(f"/funds/{union.pk}/setup/", {"form": "scheme",
                                                      "voucher_scheme": "split"}).status_code,
            client.post(f"/funds/{union.pk}/close/year/", {"year": "2026"}).status_code,
            client.post(f"/funds/{union.pk}/close/reopen/",
                        {"year": "2026", "reason": "x"}).status_code,
            client.post(f"/funds/{union.pk}/bank/", {}).status_code,
            client.post(f"/funds/bank/{sid}/auto-match/").status_code,
            post_json(client, f"{API}/unions/SH-A-1-1/year-close", {"year": 2026}).status_code,
            post_json(client, f"{API}/unions/SH-A-1-1/opening", {
                "date": "2026-01-01", "lines": []}).status_code,
            client.post(f"{API}/bank/statements/{sid}/auto-match").status_code,
            post_json(client, f"{API}/unions/SH-A-1-1/voucher-scheme",
                      {"voucher_scheme": "split"}).status_code,
        ]
    assert answers == [status] * len(answers)
    assert state() == before


@pytest.mark.parametrize(("persona", "status"), [("funds_auditor", 200),
                                                 ("other_district_cadre", 404)])
def test_reads_are_scoped_and_open_to_the_auditor(request, client, tree, world, persona,
                                                  status):
    union = world["union"]
    sid = world["statement"].pk
    login(client, request.getfixturevalue(persona))
    urls = [f"/funds/{union.pk}/setup/", f"/funds/{union.pk}/bank/", f"/funds/bank/{sid}/",
            f"/funds/bank/{sid}/reconciliation.xlsx", f"/funds/{union.pk}/close/",
            f"{API}/unions/SH-A-1-1/year-closings", f"{API}/bank/statements/{sid}",
            f"{API}/bank/statements/{sid}/reconciliation",
            f"{API}/unions/SH-A-1-1/voucher-gaps", f"{API}/unions/SH-A-1-1/bank/statements"]
    assert [client.get(u).status_code for u in urls] == [status] * len(urls)


def test_auditor_sees_voucher_gaps_and_refused_late_postings(client, tree, city_admin,
                                                             funds_auditor):
    from gonghui.core.errors import ApplicationError
    from gonghui.funds.services import period_close

    union = tree["SH-A-1-1"]
    post_income(union=union, date=dt.date(2026, 3, 1), account_code="4101", amount=D("1.00"),
                memo="会费", idempotency_key="a", actor=city_admin)
    with clock.frozen(dt.date(2026, 4, 2)):
        period_close(union=union, year=2026, month=3, actor=city_admin)
        with pytest.raises(ApplicationError):
            post_income(union=union, date=dt.date(2026, 3, 5), account_code="4101",
                        amount=D("2.00"), memo="迟到的会费", idempotency_key="late",
                        actor=city_admin)
    event = AuditEvent.objects.get(action="funds.late_posting_refused")
    assert event.note == "2026-03-05 迟到的会费"
    login(client, funds_auditor)
    with clock.frozen(dt.date(2026, 4, 2)):
        page = client.get(f"/funds/{union.pk}/findings/").content.decode()
    assert "无断号" in page
    assert "2026-03-05 迟到的会费" in page
