"""Mutual aid on the kernel: every write service checks its permission and eligibility itself
(so pages, API, CLI and tasks answer alike), the payee's account is revealed only through
`audit.reveal` with a typed purpose, status changes write their history, list pages and
endpoints answer the one status policy. Every denial asserts that nothing changed."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.mutualaid import services
from gonghui.mutualaid.models import (
    PayeeAccount,
    Payout,
    PayoutEvent,
    PayoutStatus,
    Plan,
    PlanHistory,
    PlanStatus,
    SettlementImport,
)
from gonghui.orgs.models import Org

from .conftest import YEAR, enrol, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = pytest.mark.django_db

RULES = {"contribution": D("30.00"), "waiting_days": 0, "per_day": D("50.00")}
ACCOUNT = {"holder_name": "甲会员1", "bank_name": "工商银行",
           "account_number": "6222020200112233445"}


def _counts():
    return (Plan.objects.count(), SettlementImport.objects.count(),
            PayeeAccount.objects.count(), PayoutEvent.objects.count(),
            AuditEvent.objects.count(), SensitiveRead.objects.count())


@pytest.fixture
def payout(tree, plans, members, cadre_a11):
    enrol(plans["ratio"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([{"no": "K1", "id": id_number(1),
                                  "admitted": dt.date(YEAR, 5, 1), "days": 4,
                                  "self_paid": "6000.00"}]), tree["SH"])
    services.process_queue()
    return Payout.objects.get()


def test_a_dissolved_org_cannot_run_a_plan_or_import(tree, city_admin):
    Org.objects.filter(pk=tree["SH-A"].pk).update(status="dissolved")
    closed = Org.objects.get(pk=tree["SH-A"].pk)
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        services.plan_create(org=closed, code="X1", name="x", kind="hospital_allowance",
                             plan_year=YEAR, year_starts_on=dt.date(YEAR, 1, 1),
                             year_ends_on=dt.date(YEAR, 12, 31), actor=city_admin, **RULES)
    assert (exc.value.code, exc.value.message) == (
        "org_closed", "已合并或撤销的组织不能开办互助保障计划。")
    with pytest.raises(ApplicationError) as exc:
        services.settlement_import_create(org=closed, file_name="a.csv", sha256="0" * 64,
                                          actor=system_actor("cli"))
    assert exc.value.message == "已合并或撤销的组织不能导入结算数据。"
    assert _counts() == before


def test_the_cli_refuses_a_dissolved_org_like_the_page(tmp_path, tree):
    Org.objects.filter(pk=tree["SH-A"].pk).update(status="dissolved")
    path = tmp_path / "s.csv"
    path.write_bytes(settlement_csv([{"no": "C1", "id": id_number(1)}]))
    before = _counts()
    with pytest.raises(CommandError) as exc:
        call_command("import_settlements", str(path), "--org", "SH-A", "--json")
    assert str(exc.value) == "已合并或撤销的组织不能导入结算数据。"
    assert _counts() == before


def test_the_cli_imports_as_a_named_system_actor(tmp_path, tree, plans):
    path = tmp_path / "s.csv"
    path.write_bytes(settlement_csv([{"no": "C1", "id": id_number(1)}]))
    call_command("import_settlements", str(path), "--org", "SH", "--json", stdout=io.StringIO())
    source = SettlementImport.objects.get()
    assert (source.created_by, source.created_by_name, source.status) == (None, "cli", "done")
    assert list(AuditEvent.objects.filter(action__startswith="mutualaid.import")
                .values_list("action", "actor_name").order_by("id")) == [
        ("mutualaid.import.create", "cli"), ("mutualaid.import.run", "cli")]
    assert AuditEvent.objects.get(action="mutualaid.process").actor_name == (
        "task:process-settlements")


def test_payee_account_set_checks_its_own_permission(tree, members, other_district_cadre,
                                                     auditor, cadre_a11):
    person = members["a"][0]
    before = _counts()
    with pytest.raises(NotFound):
        services.payee_account_set(person=person, actor=other_district_cadre, **ACCOUNT)
    with pytest.raises(Forbidden):
        services.payee_account_set(person=person, actor=auditor, **ACCOUNT)
    assert _counts() == before
    account = services.payee_account_set(person=person, actor=cadre_a11, **ACCOUNT)
    assert (account.account_masked, account.created_by) == ("622************3445", cadre_a11)


def test_reveal_needs_the_capability_a_user_and_a_purpose(payout, members, cadre_a11,
                                                          other_district_cadre, auditor):
    services.payee_account_set(person=members["a"][0], actor=cadre_a11, **ACCOUNT)
    before = _counts()
    for actor, error in [(other_district_cadre, NotFound), (auditor, Forbidden),
                         (system_actor("cli"), Forbidden)]:
        with pytest.raises(error):
            services.payee_account_reveal(payout=payout, actor=actor, purpose="核对")
    with pytest.raises(ApplicationError) as exc:
        services.payee_account_reveal(payout=payout, actor=cadre_a11, purpose=" ")
    assert exc.value.message == "请填写查看完整信息的用途。"
    assert _counts() == before
    number = services.payee_account_reveal(payout=payout, actor=cadre_a11,
                                           purpose="回盘失败，核对账号")
    assert number == "6222020200112233445"
    assert list(SensitiveRead.objects.values_list(
        "actor_name", "field", "purpose", "org_path")) == [
        ("cadre_a11", "account_number", "回盘失败，核对账号", tree_path(payout))]


def tree_path(payout: Payout) -> str:
    return payout.union_path


def test_the_bank_file_is_a_revealed_read_with_its_purpose(payout, members, city_admin,
                                                           cadre_a11):
    services.payout_approve(payout=payout, actor=cadre_a11, note="核对无误")
    services.payee_account_set(person=members["a"][0], actor=cadre_a11, **ACCOUNT)
    batch = services.batch_create(org=payout.plan.org, actor=city_admin)
    content = services.batch_export(batch=batch, actor=city_admin).decode("utf-8-sig")
    assert "6222020200112233445" in content
    assert list(SensitiveRead.objects.values_list("subject_type", "purpose")) == [
        ("mutualaid.payoutbatch", "导出银行代发文件（1 笔）")]
    assert list(batch.events.values_list("from_status", "to_status", "actor_name", "reason")
                ) == [("", "open", "city_admin", ""),
                      ("open", "exported", "city_admin", "导出代发文件")]


def test_payout_history_rows_are_history_base_rows(payout, cadre_a11):
    services.payout_approve(payout=payout, actor=cadre_a11, note="核对无误")
    assert list(PayoutEvent.objects.values_list(
        "from_status", "to_status", "actor__username", "actor_name", "reason", "union_id")) == [
        ("pending", "approved", "cadre_a11", "cadre_a11", "核对无误", payout.union_id)]


def test_plan_close_is_a_transition_with_a_history_row(plans, city_admin, district_cadre):
    plan = plans["allowance"]
    before = _counts()
    with pytest.raises(Forbidden):  # visible to the district, not theirs to change
        services.plan_close(plan=plan, actor=district_cadre)
    assert _counts() == before
    services.plan_close(plan=plan, actor=city_admin, reason="并入新计划")
    services.plan_close(plan=plan, actor=city_admin)  # closing a closed plan changes nothing
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert list(PlanHistory.objects.values_list("plan_id", "from_status", "to_status",
                                                "actor_name", "reason")) == [
        (plan.pk, "active", "closed", "city_admin", "并入新计划")]


def test_enrolling_a_union_the_plan_is_not_offered_to_is_403_everywhere(
        client, tree, members, city_admin, cadre_a11):
    other = services.plan_create(org=tree["SH-B"], code="B-ONLY", name="乙区计划",
                                 kind="hospital_allowance", plan_year=YEAR,
                                 year_starts_on=dt.date(YEAR, 1, 1),
                                 year_ends_on=dt.date(YEAR, 12, 31), actor=city_admin, **RULES)
    login(client, city_admin)
    page = client.get(reverse("mutualaid:enrol", args=[other.pk, tree["SH-A-1-1"].pk]))
    assert page.status_code == 403
    response = client.post(f"/api/v1/mutualaid/plans/{other.code}/enrol",
                           json.dumps({"union": "SH-A-1-1", "plan_year": YEAR}),
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "该计划不面向“甲一公司工会”开办。"
    assert other.enrolments.count() == 0


LIST_PAGES = ["mutualaid:plans", "mutualaid:payouts", "mutualaid:imports",
              "mutualaid:batches"]
LIST_API = ["/api/v1/mutualaid/plans", "/api/v1/mutualaid/payouts",
            "/api/v1/mutualaid/imports", "/api/v1/mutualaid/batches"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_follow_the_policy(client, tree, name, member_user, auditor):
    assert login(client, member_user).get(reverse(name)).status_code == 403
    assert login(client, auditor).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("path", LIST_API)
def test_list_endpoints_are_pages(client, tree, plans, path, member_user, city_admin):
    assert login(client, member_user).get(path).status_code == 403
    data = login(client, city_admin).get(path + "?page_size=1").json()
    assert set(data) == {"items", "count", "page", "page_size", "offset", "next"}
    assert data["page_size"] == 1


def test_plan_list_pages_through_every_plan(client, plans, city_admin):
    login(client, city_admin)
    first = client.get("/api/v1/mutualaid/plans?page_size=1").json()
    assert ([p["code"] for p in first["items"]], first["count"]) == (["ZFBZ"], 2)
    second = client.get(first["next"]).json()
    assert ([p["code"] for p in second["items"]], second["next"]) == (["ZYJT"], None)


def test_new_plan_page_is_403_for_a_cadre_and_a_member(client, tree, cadre_a11, member_user):
    assert login(client, cadre_a11).get(reverse("mutualaid:plan_create")).status_code == 403
    assert login(client, member_user).get(reverse("mutualaid:plan_create")).status_code == 403


def test_an_invalid_form_is_400_with_the_form(client, payout, cadre_a11):
    login(client, cadre_a11)
    before = _counts()
    response = client.post(reverse("mutualaid:payout_reject", args=[payout.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()
    again = client.post(reverse("mutualaid:payout_approve", args=[payout.pk]))
    assert again.status_code == 302
    conflict = client.post(reverse("mutualaid:payout_approve", args=[payout.pk]))
    assert conflict.status_code == 409
    assert "当前状态“待支付”不能变为“待支付”。" in conflict.content.decode()
    assert _counts()[:3] == before[:3]
    assert Payout.objects.get().status == PayoutStatus.APPROVED
