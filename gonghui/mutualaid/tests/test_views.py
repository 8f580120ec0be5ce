"""Pages: every page renders for the city, the whole payout path works through the browser forms
(uploads run as immediate tasks here), district B gets 404 on district A's payouts and nothing
changes, list pages keep their query count, and a member sees only their own payouts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.mutualaid.models import (
    BatchItem,
    PayeeAccount,
    Payout,
    PayoutBatch,
    PayoutEvent,
    PayoutStatus,
    SettlementRecord,
)
from gonghui.mutualaid.services import (
    batch_create,
    batch_export,
    payee_account_set,
    process_queue,
)

from .conftest import enrol, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(tree, plans, members, cadre_a11, other_district_cadre, city_admin):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["ratio"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["allowance"], tree["SH-B-1-1"], other_district_cadre)
    rows = [
        {"no": "A1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 4},
        {"no": "A2", "id": id_number(1), "admitted": dt.date(2026, 6, 1), "days": 3,
         "self_paid": "6000.00"},
        {"no": "A3", "id": id_number(3), "admitted": dt.date(2026, 7, 1), "days": 2},
        {"no": "B1", "id": id_number(101), "admitted": dt.date(2026, 5, 1), "days": 5},
    ]
    import_bytes(settlement_csv(rows), tree["SH"])
    process_queue()
    a1 = members["a"][0]
    return {
        "a_approved": Payout.objects.get(settlement__settlement_no="A1", plan__code="ZYJT"),
        "a_pending": Payout.objects.get(settlement__settlement_no="A2", plan__code="ZFBZ"),
        "b_payout": Payout.objects.get(settlement__settlement_no="B1"),
        "a1": a1,
    }


def test_every_page_renders_for_the_city(client, tree, world, city_admin, plans):
    login(client, city_admin)
    payee_account_set(person=world["a1"], actor=city_admin, holder_name="甲会员1",
                      bank_name="工商银行", account_number="6222020200112233445")
    batch = batch_create(org=tree["SH"], actor=city_admin)
    source = SettlementRecord.objects.first().source
    pages = [
        reverse("mutualaid:home"), reverse("mutualaid:home") + "?org=SH-A&year=2026",
        reverse("mutualaid:plans"), reverse("mutualaid:plan_create"),
        reverse("mutualaid:plan", args=[plans["allowance"].pk]),
        reverse("mutualaid:version_create", args=[plans["allowance"].pk]),
        reverse("mutualaid:enrol", args=[plans["allowance"].pk, tree["SH-A-1-1"].pk]),
        reverse("mutualaid:imports"), reverse("mutualaid:import", args=[source.pk]),
        reverse("mutualaid:import_progress", args=[source.pk]),
        reverse("mutualaid:payouts"), reverse("mutualaid:payouts") + "?q=A1&status=approved",
        reverse("mutualaid:payout", args=[world["a_approved"].pk]),
        reverse("mutualaid:batches"), reverse("mutualaid:batch", args=[batch.pk]),
        reverse("mutualaid:batch_progress", args=[batch.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get(reverse("mutualaid:home")).content.decode()
    assert "echarts.min.js" in home
    detail = client.get(reverse("mutualaid:payout", args=[world["a_approved"].pk])).content.decode()
    assert "住院 4 天 − 免赔 0 天 = 4 天 × 每天 50.00 元" in detail
    assert "6222020200112233445" not in detail
    assert "622************3445" in detail


def test_payout_path_through_the_pages(client, tree, world, city_admin, cadre_a11,
                                      django_capture_on_commit_callbacks):
    login(client, cadre_a11)
    pending = world["a_pending"]
    response = client.post(reverse("mutualaid:payout_approve", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == PayoutStatus.APPROVED
    response = client.post(reverse("mutualaid:payee_account", args=[pending.pk]), {
        "holder_name": "甲会员1", "bank_name": "建设银行", "account_number": "6217 0000 1000 2000 300"})
    assert response.status_code == 302
    url = reverse("mutualaid:account_reveal", args=[pending.pk])
    refused = client.post(url, {"purpose": "  "})
    assert refused.status_code == 400
    assert "这个字段是必填项。" in refused.content.decode()
    assert "6217000010002000300" not in refused.content.decode()
    assert SensitiveRead.objects.count() == 0
    reveal = client.post(url, {"purpose": "核对收款账户"})
    assert reveal.content.decode().strip() == "<code>6217000010002000300</code>"
    assert list(SensitiveRead.objects.filter(field="account_number")
                .values_list("actor__username", "purpose", "subject_type")) == [
        ("cadre_a11", "核对收款账户", "mutualaid.payeeaccount")]

    login(client, city_admin)
    response = client.post(reverse("mutualaid:batches"), {"org": tree["SH"].pk, "plan": "",
                                                          "note": "十月第一批"})
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302
    assert batch.items_count == 4  # a1's four payouts (a3 has no account yet)
    export = client.post(reverse("mutualaid:batch_export", args=[batch.pk]))
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert "6217000010002000300" in export.content.decode("utf-8-sig")
    items = list(BatchItem.objects.filter(batch=batch).order_by("id"))
    result = "付款参考号,处理结果,失败原因\n" + "".join(
        f"{i.reference},{'失败' if n == 0 else '成功'},{'户名不符' if n == 0 else ''}\n"
        for n, i in enumerate(items))
    upload = io.BytesIO(result.encode("gb18030"))
    upload.name = "回盘.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mutualaid:batch_results", args=[batch.pk]),
                               {"file": upload})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.paid_count, batch.failed_count, batch.result_state) == (
        "settled", 3, 1, "done")
    failed = Payout.objects.get(pk=items[0].payout_id)
    assert failed.status == PayoutStatus.FAILED
    response = client.post(reverse("mutualaid:payout_requeue", args=[failed.pk]), {
        "note": "户名更正", "change_account": "on", "holder_name": "甲会员一",
        "bank_name": "建设银行", "account_number": "6217000010002000301"})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == PayoutStatus.APPROVED


def test_upload_settlement_file_in_the_browser(client, tree, plans, members, cadre_a11,
                                                city_admin, django_capture_on_commit_callbacks):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    login(client, city_admin)
    upload = io.BytesIO(settlement_csv([
        {"no": "U1", "id": id_number(2), "admitted": dt.date(2026, 8, 1), "days": 6},
        {"no": "U2", "id": "not-a-number"},
    ], encoding="gb18030"))
    upload.name = "医保结算.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mutualaid:imports"), {"org": tree["SH"].pk,
                                                              "file": upload})
    assert response.status_code == 302
    source = SettlementRecord.objects.get().source
    assert (source.status, source.inserted, source.invalid) == ("done", 1, 1)
    payout = Payout.objects.get()
    assert (payout.amount, payout.status) == (D("300.00"), PayoutStatus.APPROVED)
    page = client.get(reverse("mutualaid:import", args=[source.pk])).content.decode()
    assert "身份证号码应为 18 位，这里是 10 位。" in page


def _state():
    return (
        list(Payout.objects.order_by("pk").values_list("pk", "status", "amount", "batch_id")),
        PayoutEvent.objects.count(), AuditEvent.objects.count(), SensitiveRead.objects.count(),
        PayeeAccount.objects.count(), PayoutBatch.objects.count(),
    )


ACTIONS = [
    ("get", "mutualaid:payout", {}),
    ("post", "mutualaid:payout_approve", {}),
    ("post", "mutualaid:payout_reject", {"reason": "不符合条件"}),
    ("post", "mutualaid:payout_requeue", {"note": "x"}),
    ("post", "mutualaid:payee_account", {"holder_name": "x", "bank_name": "y",
                                         "account_number": "6222020200112233445"}),
    ("post", "mutualaid:account_reveal", {"purpose": "核对收款账户"}),
]


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS)
def test_district_b_cannot_see_or_act_on_district_a(client, world, other_district_cadre,
                                                    method, name, data):
    payout = world["a_pending"]
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(
        reverse(name, args=[payout.pk]), data)
    assert response.status_code == 404
    assert "甲" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS[1:])
def test_auditor_reads_but_cannot_act(client, world, auditor, method, name, data):
    payout = world["a_pending"]
    before = _state()
    assert login(client, auditor).get(reverse("mutualaid:payout",
                                              args=[payout.pk])).status_code == 200
    response = getattr(client, method)(reverse(name, args=[payout.pk]), data)
    assert response.status_code == 403
    assert _state() == before


def test_city_batches_and_imports_are_invisible_to_districts(client, tree, world, city_admin,
                                                             district_cadre):
    payee_account_set(person=world["a1"], actor=city_admin, holder_name="甲会员1",
                      bank_name="工商银行", account_number="6222020200112233445")
    batch = batch_create(org=tree["SH"], actor=city_admin)
    batch_export(batch=batch, actor=city_admin)
    source = SettlementRecord.objects.first().source
    before = _state()
    login(client, district_cadre)
    for method, url, data in [
        ("get", reverse("mutualaid:batch", args=[batch.pk]), {}),
        ("post", reverse("mutualaid:batch_export", args=[batch.pk]), {}),
        ("post", reverse("mutualaid:batch_cancel", args=[batch.pk]), {"reason": "x"}),
        ("get", reverse("mutualaid:import", args=[source.pk]), {}),
        ("get", reverse("mutualaid:import_progress", args=[source.pk]), {}),
    ]:
        assert getattr(client, method)(url, data).status_code == 404, url
    assert _state() == before


def test_lists_show_only_the_viewers_subtree(client, world, district_cadre, other_district_cadre):
    page = login(client, district_cadre).get(reverse("mutualaid:payouts")).content.decode()
    assert page.count("甲会员") == 6
    assert "乙会员" not in page
    page = login(client, other_district_cadre).get(reverse("mutualaid:payouts")).content.decode()
    assert page.count("乙会员1") == 1
    assert "甲会员" not in page


def test_payout_list_query_count(client, world, city_admin, django_assert_max_num_queries):
    login(client, city_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("mutualaid:payouts") + "?per_page=100")
    assert response.status_code == 200


def test_member_sees_own_payouts_only(client, world, tree):
    member = make_user("member_a1")
    person = world["a1"]
    person.user = member
    person.save(update_fields=["user"])
    response = login(client, member).get(reverse("mutualaid:portal"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("gh-payout-card") == 4
    assert "住院 4 天 − 免赔 0 天 = 4 天 × 每天 50.00 元" in page
    assert "乙会员" not in page
    stranger = make_user("stranger")
    page = login(client, stranger).get(reverse("mutualaid:portal")).content.decode()
    assert "您的账户尚未关联会员信息" in page


def test_district_b_cannot_enrol_district_a(client, tree, plans, members, other_district_cadre):
    from gonghui.mutualaid.models import Enrolment

    url = reverse("mutualaid:enrol", args=[plans["allowance"].pk, tree["SH-A-1-1"].pk])
    login(client, other_district_cadre)
    assert client.get(url).status_code == 404
    response = client.post(url, {"plan": plans["allowance"].pk, "plan_year": 2026,
                                 "scope": "all"})
    assert response.status_code == 404
    assert Enrolment.objects.count() == 0


def test_enrol_chosen_members_through_the_page(client, tree, plans, members, cadre_a11):
    from gonghui.funds.models import LedgerLine
    from gonghui.mutualaid.models import Enrolment

    url = reverse("mutualaid:enrol", args=[plans["ratio"].pk, tree["SH-A-1-1"].pk])
    login(client, cadre_a11)
    page = client.get(url).content.decode()
    assert page.count('name="person"') == 3
    response = client.post(url, {"plan": plans["ratio"].pk, "plan_year": 2026,
                                 "scope": "chosen", "enrolled_on": "2026-02-01"})
    assert "请至少勾选一名会员" in response.content.decode()
    response = client.post(url, {"plan": plans["ratio"].pk, "plan_year": 2026,
                                 "scope": "chosen", "enrolled_on": "2026-02-01",
                                 "person": [members["a"][0].pk, members["a"][1].pk]})
    assert response.status_code == 302
    assert Enrolment.objects.count() == 2
    paid = LedgerLine.objects.filter(union=tree["SH-A-1-1"], account__code="530107")
    assert [line.amount for line in paid] == [D("80.00")]


def test_import_and_batch_lists_query_count(client, tree, world, city_admin,
                                            django_assert_max_num_queries):
    payee_account_set(person=world["a1"], actor=city_admin, holder_name="甲会员1",
                      bank_name="工商银行", account_number="6222020200112233445")
    batch = batch_create(org=tree["SH"], actor=city_admin)
    login(client, city_admin)
    for url in (reverse("mutualaid:imports"), reverse("mutualaid:batches"),
                reverse("mutualaid:batch", args=[batch.pk])):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
