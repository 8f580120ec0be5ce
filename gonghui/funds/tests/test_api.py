from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import login
from gonghui.core import clock
from gonghui.funds.models import Finding, LedgerTransaction
from gonghui.funds.tests.conftest import invoice

TODAY = dt.date(2026, 5, 20)
API = "/api/v1/funds"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_journal_entry_is_idempotent_and_readable(client, tree, treasurer):
    login(client, treasurer)
    body = {"date": "2026-05-04", "memo": "现金存入银行", "idempotency_key": "cash-1",
            "lines": [{"account": "1002", "amount": "500.00"},
                      {"account": "1001", "amount": "-500.00"}]}
    first = post_json(client, f"{API}/unions/SH-A-1-1/transactions", body)
    assert first.status_code == 201
    data = first.json()
    assert data["created"] is True
    assert data["lines"] == [
        {"account": "1002", "account_name": "银行存款", "amount": "500.00"},
        {"account": "1001", "account_name": "库存现金", "amount": "-500.00"}]
    again = post_json(client, f"{API}/unions/SH-A-1-1/transactions", body)
    assert (again.status_code, again.json()["id"], again.json()["created"]) == (
        200, data["id"], False)
    assert LedgerTransaction.objects.count() == 1
    got = client.get(f"{API}/transactions/{data['id']}").json()
    assert (got["memo"], got["reversed_by"]) == ("现金存入银行", None)
    page = client.get(f"{API}/unions/SH-A-1-1/transactions?q=现金").json()
    assert (page["count"], page["items"][0]["id"]) == (1, data["id"])


def test_unbalanced_journal_entry_is_400_with_the_reason(client, tree, treasurer):
    login(client, treasurer)
    response = post_json(client, f"{API}/unions/SH-A-1-1/transactions", {
        "date": "2026-05-04", "memo": "x", "idempotency_key": "k",
        "lines": [{"account": "1002", "amount": "500.00"},
                  {"account": "1001", "amount": "-499.99"}]})
    assert response.status_code == 400
    assert response.json() == {"detail": "借贷不平衡：借方合计与贷方合计相差 0.01 元。",
                               "code": "unbalanced"}
    assert LedgerTransaction.objects.count() == 0


def test_spending_must_go_through_expenses_with_evidence(client, tree, treasurer):
    login(client, treasurer)
    response = post_json(client, f"{API}/unions/SH-A-1-1/transactions", {
        "date": "2026-05-04", "memo": "x", "idempotency_key": "k",
        "lines": [{"account": "510102", "amount": "5.00"}, {"account": "1002", "amount": "-5"}]})
    assert (response.status_code, response.json()["code"]) == (400, "use_expense_endpoint")
    response = client.post(f"{API}/unions/SH-A-1-1/expenses", {
        "date": "2026-05-04", "account_code": "510102", "amount": "5.00", "memo": "球赛",
        "idempotency_key": "e1", "evidence": invoice()})
    assert response.status_code == 201
    assert response.json()["evidence"] == ["发票.pdf"]


def test_reports_and_accounts(client, tree, treasurer, district_cadre):
    login(client, treasurer)
    client.post(f"{API}/unions/SH-A-1-1/expenses", {
        "date": "2026-05-04", "account_code": "510102", "amount": "5.00", "memo": "球赛",
        "idempotency_key": "e1", "evidence": invoice()})
    login(client, district_cadre)
    report = client.get(f"{API}/unions/SH-A/reports/income?year=2026&rollup=true").json()
    assert report["rows"][-1] == ["三、收支结余", "", "-5.00", "-5.00"]
    assert report["org"] == "SH-A"
    accounts = client.get(f"{API}/unions/SH-A-1-1/accounts").json()["items"]
    bank = next(a for a in accounts if a["code"] == "1002")
    assert (bank["balance"], bank["postable"]) == ("-5.00", True)
    assert next(a for a in accounts if a["code"] == "5101")["postable"] is False


@pytest.mark.parametrize(("persona", "status"), [
    ("other_district_cadre", 404), ("member_user", 404), ("funds_auditor", 403),
    ("grassroots_cadre", 403),
])
def test_api_denials_change_nothing(request, client, tree, treasurer, persona, status):
    login(client, treasurer)
    tx_id = post_json(client, f"{API}/unions/SH-A-1-1/transactions", {
        "date": "2026-05-04", "memo": "x", "idempotency_key": "k",
        "lines": [{"account": "1002", "amount": "5"}, {"account": "1001", "amount": "-5"}]},
    ).json()["id"]
    login(client, request.getfixturevalue(persona))
    before = LedgerTransaction.objects.count()
    with clock.frozen(TODAY):
        responses = [
            post_json(client, f"{API}/unions/SH-A-1-1/transactions", {
                "date": "2026-05-04", "memo": "y", "idempotency_key": "k2",
                "lines": [{"account": "1002", "amount": "1"}, {"account": "1001",
                                                               "amount": "-1"}]}),
            post_json(client, f"{API}/transactions/{tx_id}/reverse", {}),
            post_json(client, f"{API}/unions/SH-A-1-1/close", {"year": 2026, "month": 4}),
            client.post(f"{API}/unions/SH-A-1-1/expenses", {
                "date": "2026-05-04", "account_code": "510102", "amount": "5.00", "memo": "x",
                "idempotency_key": "e1", "evidence": invoice()}),
        ]
    assert [r.status_code for r in responses] == [status] * 4
    assert LedgerTransaction.objects.count() == before
    read = client.get(f"{API}/transactions/{tx_id}").status_code
    assert read == (404 if status == 404 else 200)


def test_auditor_adds_finding_through_the_api(client, tree, funds_auditor, treasurer):
    login(client, treasurer)
    before = Finding.objects.count()
    assert post_json(client, f"{API}/unions/SH-A-1-1/findings",
                     {"severity": "note", "text": "x"}).status_code == 403
    assert Finding.objects.count() == before
    login(client, funds_auditor)
    response = post_json(client, f"{API}/unions/SH-A-1-1/findings",
                         {"severity": "issue", "text": "账实不符，请核对库存现金"})
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    listed = client.get(f"{API}/unions/SH-A-1-1/findings").json()
    assert [f["text"] for f in listed["items"]] == ["账实不符，请核对库存现金"]
    assert (listed["count"], listed["next"]) == (1, None)


def test_anonymous_api_is_401(client, tree):
    assert client.get(f"{API}/unions/SH-A-1-1/accounts").status_code == 401


def test_decimal_strings_only(client, tree, treasurer):
    login(client, treasurer)
    response = post_json(client, f"{API}/unions/SH-A-1-1/transactions", {
        "date": "2026-05-04", "memo": "x", "idempotency_key": "k",
        "lines": [{"account": "1002", "amount": "0.001"}, {"account": "1001",
                                                           "amount": "-0.001"}]})
    assert (response.status_code, response.json()["code"]) == (400, "bad_amount")
    assert Decimal(0) == LedgerTransaction.objects.count()
