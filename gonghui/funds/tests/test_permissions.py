"""Scoping and the read-only auditor on every page: 404 outside the subtree (and for users
without funds roles), 403 for a visible book the user may not write, and nothing changes on a
denial."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.funds.models import (
    Budget,
    ClosedPeriod,
    DuesList,
    Evidence,
    Finding,
    LedgerTransaction,
    PolicyLimit,
)
from gonghui.funds.services import expense_record, finding_add
from gonghui.funds.tests.conftest import add_members, invoice

TODAY = dt.date(2026, 5, 20)


@pytest.fixture
def book(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    add_members(union, 2, city_admin)
    with clock.frozen(TODAY):
        tx = expense_record(union=union, date=dt.date(2026, 5, 2), account_code="510102",
                            amount=Decimal("880.00"), memo="职工运动会", idempotency_key="e1",
                            actor=treasurer, evidence=invoice("运动会发票.pdf"))
    auditor = make_user("city_auditor", org=tree["SH"], role="auditor")
    finding = finding_add(union=union, tx=tx, severity="note", text="请补充签到表", actor=auditor)
    from gonghui.funds.services import dues_list_generate

    dues_list = dues_list_generate(union=union, year=2026, month=5, actor=treasurer)
    return {"union": union, "tx": tx, "evidence": Evidence.objects.get(transaction=tx),
            "finding": finding, "dues_list": dues_list}


def state() -> tuple:
    return (LedgerTransaction.objects.count(), PolicyLimit.objects.count(),
            Budget.objects.count(), ClosedPeriod.objects.count(), DuesList.objects.count(),
            Finding.objects.count(), list(Finding.objects.values_list("status", flat=True)),
            AuditEvent.objects.filter(action__startswith="funds.").count())


def reads(b) -> list[str]:
    u = b["union"].pk
    return [
        reverse("funds:union", args=[u]), reverse("funds:journal", args=[u]),
        reverse("funds:tx", args=[b["tx"].pk]), reverse("funds:evidence", args=[b["evidence"].pk]),
        reverse("funds:report", args=[u, "income"]) + "?year=2026",
        reverse("funds:report", args=[u, "trial"]) + "?year=2026&format=xlsx",
        reverse("funds:report", args=[u, "balance"]) + "?year=2026&format=pdf",
        reverse("funds:dues", args=[u]) + "?period=2026-05",
        reverse("funds:budget", args=[u, 2026]), reverse("funds:close", args=[u]),
        reverse("funds:limits", args=[u]), reverse("funds:findings", args=[u]),
        reverse("funds:policy_check", args=[u]) + "?account_code=510101&amount=10",
    ]


def writes(b) -> list[tuple[str, dict]]:
    u = b["union"].pk
    return [
        (reverse("funds:income_new", args=[u]), {"date": "2026-05-20", "account_code": "4301",
                                                  "into": "1002", "amount": "10.00",
                                                  "memo": "补助", "idempotency_key": "w1"}),
        (reverse("funds:expense_new", args=[u]), {"date": "2026-05-20", "account_code": "510102",
                                                   "paid_from": "1002", "amount": "10.00",
                                                   "memo": "x", "idempotency_key": "w2"}),
        (reverse("funds:allocation_new", args=[u]), {"date": "2026-05-20", "employer_name": "甲",
                                                      "payroll": "1000", "idempotency_key": "w3"}),
        (reverse("funds:remit_new", args=[u]), {"date": "2026-05-20", "amount": "1.00",
                                                 "idempotency_key": "w4"}),
        (reverse("funds:budget", args=[u, 2026]), {"b_4101": "100"}),
        (reverse("funds:close", args=[u]), {"year": "2026", "month": "4"}),
        (reverse("funds:limits", args=[u]), {"form": "limit", "name": "x", "account_code": "510101",
                                              "kind": "per_entry", "amount": "1",
                                              "action": "block"}),
        (reverse("funds:tx_reverse", args=[b["tx"].pk]), {"date": "2026-05-20", "memo": "错"}),
        (reverse("funds:evidence_add", args=[b["tx"].pk]), {"evidence": invoice("补.pdf")}),
        (reverse("funds:dues_generate", args=[u]) + "?period=2026-05", {}),
        (reverse("funds:dues_pay", args=[u, b["dues_list"].pk]), {"all": "1"}),
        (reverse("funds:finding_move", args=[b["finding"].pk, "answer"]), {"response": "已补"}),
    ]


@pytest.mark.parametrize("persona", ["other_district_cadre", "member_user"])
def test_outside_the_subtree_every_page_is_404_and_nothing_changes(
        request, client, book, persona):
    login(client, request.getfixturevalue(persona))
    before = state()
    for url in reads(book):
        assert client.get(url).status_code == 404, url
    for url, data in writes(book):
        assert client.post(url, data).status_code == 404, url
    assert client.post(reverse("funds:finding_add", args=[book["union"].pk]),
                       {"severity": "note", "text": "x"}).status_code == 404
    assert state() == before


def test_anonymous_is_sent_to_login(client, book):
    for url in reads(book):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["funds_auditor", "grassroots_cadre"])
def test_readers_without_funds_write_read_everything_and_get_403_on_writes(
        request, client, book, persona):
    login(client, request.getfixturevalue(persona))
    for url in reads(book):
        assert client.get(url).status_code == 200, url
    before = state()
    with clock.frozen(TODAY):
        for url, data in writes(book):
            assert client.post(url, data).status_code == 403, url
    assert state() == before


def test_auditor_adds_findings_but_the_treasurer_cannot(client, book, funds_auditor, treasurer):
    url = reverse("funds:finding_add", args=[book["union"].pk])
    login(client, treasurer)
    before = state()
    assert client.post(url, {"severity": "issue", "text": "x"}).status_code == 403
    assert state() == before
    login(client, funds_auditor)
    response = client.post(url, {"severity": "issue", "text": "慰问品无签收", "tx": book["tx"].pk})
    assert response.status_code == 302
    assert Finding.objects.filter(text="慰问品无签收", transaction=book["tx"]).count() == 1


def test_evidence_is_served_only_through_the_scoped_view(client, book, funds_auditor):
    from gonghui.audit.models import SensitiveRead

    evidence = book["evidence"]
    login(client, funds_auditor)
    response = client.get(reverse("funds:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert SensitiveRead.objects.filter(field="evidence", subject_id=str(evidence.pk)).count() == 1
    # no public URL for the stored file
    assert client.get(f"/media/{evidence.file.name}").status_code == 404


def test_treasurer_writes_and_sees_only_its_union(client, book, tree, treasurer):
    login(client, treasurer)
    assert client.get(reverse("funds:union", args=[tree["SH-A-1-2"].pk])).status_code == 404
    assert client.get(reverse("funds:union", args=[tree["SH-A-1"].pk])).status_code == 404
    with clock.frozen(TODAY):
        response = client.post(reverse("funds:income_new", args=[book["union"].pk]), {
            "date": "2026-05-20", "account_code": "4301", "into": "1002", "amount": "10.00",
            "memo": "上级补助", "idempotency_key": "w1"})
    assert response.status_code == 302
    tx = LedgerTransaction.objects.get(idempotency_key="w1")
    assert response.url == reverse("funds:tx", args=[tx.pk])


def test_home_lists_only_visible_books(client, tree, treasurer, district_cadre):
    login(client, treasurer)
    page = client.get(reverse("funds:home")).content.decode()
    assert "甲一公司工会" in page
    assert "甲二公司工会" not in page
    login(client, district_cadre)
    page = client.get(reverse("funds:home")).content.decode()
    assert "甲二公司工会" in page
    assert "乙一公司工会" not in page


def test_journal_page_query_count_does_not_grow_with_rows(client, book, treasurer,
                                                          django_assert_max_num_queries):
    union = book["union"]
    with clock.frozen(TODAY):
        for i in range(30):
            expense_record(union=union, date=dt.date(2026, 5, 3), account_code="510199",
                           amount=Decimal("1.00"), memo=f"x{i}", idempotency_key=f"q{i}",
                           actor=treasurer, evidence=invoice())
    login(client, treasurer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("funds:journal", args=[union.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="bi bi-paperclip"') == 25


def test_treasurer_attaches_more_evidence_later(client, book, treasurer):
    login(client, treasurer)
    response = client.post(reverse("funds:evidence_add", args=[book["tx"].pk]),
                           {"evidence": invoice("签到表.pdf")})
    assert response.status_code == 302
    assert sorted(Evidence.objects.filter(transaction=book["tx"])
                  .values_list("original_name", flat=True)) == ["签到表.pdf", "运动会发票.pdf"]
