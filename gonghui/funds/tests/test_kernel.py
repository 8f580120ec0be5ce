"""Funds on the shared kernel: every write service checks its permission (one status policy) and
its eligibility (a merged or dissolved union's book takes nothing new), system actors, money
through core.cells, the limit's transition table, pages answering 400/409, API paging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import SYSTEM, system_actor
from gonghui.core.errors import ApplicationError, Forbidden, InvalidTransition, NotFound
from gonghui.core.workflow import transition
from gonghui.funds.models import (
    AllocationRule,
    Budget,
    ClosedPeriod,
    DuesList,
    Evidence,
    LedgerTransaction,
    PolicyLimit,
)
from gonghui.funds.services import (
    allocation_rule_set,
    budget_set,
    dues_list_generate,
    evidence_attach,
    income_record,
    journal_entry_record,
    period_close,
    policy_limit_create,
    policy_limit_deactivate,
    post_income,
    reverse_transaction,
    to_amount,
)
from gonghui.funds.tests.conftest import invoice
from gonghui.orgs.models import ORG_TRANSITIONS, OrgStatus

D = Decimal
DAY = dt.date(2026, 3, 12)


def counts() -> tuple[int, ...]:
    return (LedgerTransaction.objects.count(), Budget.objects.count(), DuesList.objects.count(),
            PolicyLimit.objects.count(), AllocationRule.objects.count(),
            ClosedPeriod.objects.count(), Evidence.objects.count(),
            AuditEvent.objects.filter(action__startswith="funds.").count())


def _merge(union) -> None:
    with transaction.atomic():
        transition(union, OrgStatus.MERGED, transitions=ORG_TRANSITIONS, actor=SYSTEM,
                   extra_fields={"merged_into_id": type(union).objects.get_parent(union).pk})


@pytest.mark.parametrize("call", [
    lambda u, a: income_record(union=u, date=DAY, account_code="4301", amount=D("1.00"),
                               memo="补助", idempotency_key="i", actor=a),
    lambda u, a: budget_set(union=u, year=2026, amounts={"4101": D("100")}, actor=a),
    lambda u, a: dues_list_generate(union=u, year=2026, month=3, actor=a),
    lambda u, a: policy_limit_create(org=u, name="x", account_code="510101", kind="per_entry",
                                     amount=D("1"), action="block", actor=a),
    lambda u, a: allocation_rule_set(org=u, kept_ratio=D("0.5"), note="", actor=a),
    lambda u, a: journal_entry_record(union=u, date=DAY, memo="存现", idempotency_key="j",
                                      lines=[("1002", D("5")), ("1001", D("-5"))], actor=a),
])
@pytest.mark.parametrize("actor", ["city_admin", "cli"])
def test_a_merged_union_takes_nothing_new(request, tree, call, actor):
    union = tree["SH-A-1-2"]
    _merge(union)
    who = system_actor("cli") if actor == "cli" else request.getfixturevalue(actor)
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        call(union, who)
    assert (exc.value.code, exc.value.message) == (
        "union_closed", "“甲二公司工会”已合并或撤销，不能再记账。")
    assert counts() == before


def test_a_merged_unions_book_can_still_be_closed(tree, city_admin):
    union = tree["SH-A-1-2"]
    _merge(union)
    with clock.frozen(dt.date(2026, 4, 2)):
        closed = period_close(union=union, year=2026, month=3, actor=system_actor("cli"))
    assert (closed.year, closed.month, closed.closed_by_id) == (2026, 3, None)


def test_a_system_actor_posts_under_its_name(tree):
    tx = post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("3.00"),
                     memo="会费", idempotency_key="d", actor=system_actor("task:dues"))
    assert (tx.created_by_id, tx.created_by_name) == (None, "task:dues")
    event = AuditEvent.objects.get(action="funds.post")
    assert (event.actor_id, event.actor_name) == (None, "task:dues")


@pytest.mark.parametrize(("persona", "error"), [
    ("funds_auditor", Forbidden), ("grassroots_cadre", Forbidden),
    ("other_district_cadre", NotFound), ("member_user", NotFound),
])
def test_reversal_and_evidence_check_their_own_permission(request, tree, treasurer, persona,
                                                          error):
    tx = post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("3.00"),
                     memo="会费", idempotency_key="d", actor=treasurer)
    actor = request.getfixturevalue(persona)
    before = counts()
    with clock.frozen(DAY), pytest.raises(error):
        reverse_transaction(tx=tx, actor=actor)
    with pytest.raises(error):
        evidence_attach(tx=tx, upload=invoice(), actor=actor)
    with pytest.raises(error):
        journal_entry_record(union=tree["SH-A-1-1"], date=DAY, memo="存现",
                             idempotency_key="j", lines=[("1002", D("5")), ("1001", D("-5"))],
                             actor=actor)
    assert counts() == before


def test_journal_entries_refuse_spending(tree, treasurer):
    with pytest.raises(ApplicationError) as exc:
        journal_entry_record(union=tree["SH-A-1-1"], date=DAY, memo="x", idempotency_key="k",
                             lines=[("510102", D("5")), ("1002", D("-5"))], actor=treasurer)
    assert exc.value.code == "use_expense_endpoint"
    tx = journal_entry_record(union=tree["SH-A-1-1"], date=DAY, memo="现金存入银行",
                              idempotency_key="k", lines=[("1002", "5"), ("1001", "-5")],
                              actor=treasurer)
    assert (tx.source, tx.was_created) == ("funds.api", True)


@pytest.mark.parametrize(("value", "expected"), [
    (D("12.30"), D("12.30")), ("1,234.50", D("1234.50")), ("¥8", D("8.00")), (7, D("7.00")),
    ("-0.01", D("-0.01")),
])
def test_amounts_follow_core_cells(value, expected):
    assert to_amount(value) == expected


@pytest.mark.parametrize(("value", "code"), [
    (0.1, "float_amount"), ("0.001", "bad_amount"), ("abc", "bad_amount"), ("", "bad_amount"),
    (D("1000000000000"), "bad_amount"), (D("NaN"), "bad_amount"),
])
def test_amounts_refused(value, code):
    with pytest.raises(ApplicationError) as exc:
        to_amount(value)
    assert exc.value.code == code


def test_a_limit_is_switched_off_once(tree, city_admin):
    limit = policy_limit_create(org=tree["SH"], name="慰问品", account_code="510101",
                                kind="per_entry", amount=D("100"), action="block",
                                actor=city_admin)
    policy_limit_deactivate(limit=limit, actor=city_admin)
    before = counts()
    with pytest.raises(InvalidTransition) as exc:
        policy_limit_deactivate(limit=PolicyLimit.objects.get(pk=limit.pk), actor=city_admin)
    assert exc.value.message == "规则“慰问品”已停用。"
    assert counts() == before
    assert PolicyLimit.objects.get(pk=limit.pk).is_active is False


def test_pages_answer_400_for_an_invalid_form_and_409_for_a_conflict(client, tree, treasurer):
    union = tree["SH-A-1-1"]
    login(client, treasurer)
    before = counts()
    response = client.post(reverse("funds:income_new", args=[union.pk]), {
        "date": "2026-05-20", "account_code": "4301", "into": "1002", "amount": "",
        "memo": "补助", "idempotency_key": "w1"})
    assert response.status_code == 400
    assert 'id="id_amount"' in response.content.decode()
    with clock.frozen(dt.date(2026, 5, 20)):
        response = client.post(reverse("funds:close", args=[union.pk]),
                               {"year": "2026", "month": "5"})
        assert response.status_code == 400
        assert "期间尚未结束，不能结账。" in response.content.decode()
        assert counts() == before
        assert client.post(reverse("funds:close", args=[union.pk]),
                           {"year": "2026", "month": "4"}).status_code == 302
        response = client.post(reverse("funds:close", args=[union.pk]),
                               {"year": "2026", "month": "4"})
    assert response.status_code == 409
    assert "期间 2026-04 已结账。" in response.content.decode()
    assert ClosedPeriod.objects.count() == 1


def test_reverse_and_evidence_forms_come_back_with_400(client, tree, treasurer):
    tx = post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("3.00"),
                     memo="会费", idempotency_key="d", actor=treasurer)
    login(client, treasurer)
    before = counts()
    response = client.post(reverse("funds:tx_reverse", args=[tx.pk]), {"date": "2026-03-12"})
    assert response.status_code == 400
    assert "冲销本凭证" in response.content.decode()
    assert client.post(reverse("funds:evidence_add", args=[tx.pk]), {}).status_code == 400
    response = client.post(reverse("funds:evidence_add", args=[tx.pk]),
                           {"evidence": invoice("a.pdf", b"plain text")})
    assert response.status_code == 400
    assert "凭证文件只能是 PDF、PNG、JPEG 或 WebP 格式。" in response.content.decode()
    assert counts() == before


def test_expense_over_a_warning_limit_asks_for_confirmation(client, tree, city_admin, treasurer):
    policy_limit_create(org=tree["SH-A"], name="单次文体活动", account_code="510102",
                        kind="per_entry", amount=D("100.00"), action="warn", actor=city_admin)
    login(client, treasurer)
    before = counts()
    response = client.post(reverse("funds:expense_new", args=[tree["SH-A-1-1"].pk]), {
        "date": "2026-03-12", "account_code": "510102", "paid_from": "1002",
        "amount": "100.01", "memo": "球赛", "idempotency_key": "e1",
        "evidence": invoice()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "超出提醒性限额：请核实后勾选“仍然记账”并重新上传凭证。" in page
    assert "每笔上限 ¥100.00，本次 ¥100.01 超出 ¥0.01。" in page
    assert counts() == before


API = "/api/v1/funds"


def test_api_lists_are_pages_with_a_next_link(client, tree, treasurer):
    for i in range(3):
        post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("1.00"),
                    memo=f"会费{i}", idempotency_key=f"d{i}", actor=treasurer)
    login(client, treasurer)
    first = client.get(f"{API}/unions/SH-A-1-1/transactions?limit=2").json()
    assert ([t["memo"] for t in first["items"]], first["count"], first["offset"]) == (
        ["会费2", "会费1"], 3, 0)
    assert first["next"] == f"{API}/unions/SH-A-1-1/transactions?limit=2&offset=2"
    second = client.get(first["next"]).json()
    assert ([t["memo"] for t in second["items"]], second["next"]) == (["会费0"], None)
    accounts = client.get(f"{API}/unions/SH-A-1-1/accounts?page_size=10").json()
    assert (len(accounts["items"]), accounts["count"], accounts["items"][0]["code"]) == (
        10, 50, "1001")
    assert client.get(f"{API}/unions/SH-A-1-1/transactions?page_size=500").status_code == 400


def test_incomplete_requests_answer_400_and_change_nothing(client, tree, treasurer,
                                                           city_admin, member_user):
    from gonghui.funds.tests.conftest import add_members

    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin)
    dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
    login(client, treasurer)
    before = counts()
    response = client.post(reverse("funds:dues_pay", args=[union.pk, dues_list.pk]), {})
    assert response.status_code == 400
    assert "请勾选已缴费的会员。" in response.content.decode()
    response = client.post(reverse("funds:budget", args=[union.pk, 2026]), {})
    assert response.status_code == 400
    assert "请至少填写一个科目的预算金额。" in response.content.decode()
    assert client.post(reverse("funds:close", args=[union.pk]), {}).status_code == 400
    assert counts() == before
    login(client, member_user)
    assert client.get(reverse("funds:home")).status_code == 403  # a capability held nowhere (issue 13 item 14)


def test_api_writes_check_access_before_the_payload(client, tree, treasurer, funds_auditor,
                                                    other_district_cadre):
    tx = post_income(union=tree["SH-A-1-1"], date=DAY, account_code="4101", amount=D("3.00"),
                     memo="会费", idempotency_key="d", actor=treasurer)
    url = f"{API}/transactions/{tx.pk}/reverse"
    for user, status in ((other_district_cadre, 404), (funds_auditor, 403), (treasurer, 400)):
        login(client, user)
        response = client.post(url, {}, content_type="application/json")
        assert response.status_code == status
    assert response.json()["errors"] == [
        {"type": "missing", "loc": ["body", "memo"], "msg": "必须填写。", "field": "memo"}]
    assert LedgerTransaction.objects.count() == 1
    with clock.frozen(DAY):
        response = client.post(url, {"memo": "误记"}, content_type="application/json")
    # the reversal's memo names the original voucher, then the reason (issue 21)
    assert (response.status_code, response.json()["memo"]) == (201, "冲销 2026-03 记-0001：误记")
    with clock.frozen(DAY):
        report = client.get(f"{API}/unions/SH-A-1-1/reports/income").json()
    assert (report["period"], report["rows"][-1]) == ("2026 年度",
                                                      ["三、收支结余", "", "0.00", "0.00"])
