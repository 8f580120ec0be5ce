"""To-do providers: the registry, the merged order, the JSON endpoint, and per provider that a
district-B cadre sees none of district A's items (each through its app's own selectors)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from conftest import login, make_user
from gonghui.core import clock, todo
from gonghui.core.actor import SYSTEM

D = dt.date
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _item(title, due=None, created=NOON, priority=0):
    return todo.TodoItem(app="t", kind="t", title=title, url="/", org_path="", due=due,
                         created_at=created, priority=priority)


class FakeProvider:
    name = "test.fake"
    label = "测试"

    def __init__(self, rows):
        self.rows = rows

    def items(self, user, *, limit):
        # a provider hands over its most urgent rows (its selectors order them)
        return sorted(self.rows, key=lambda i: todo.sort_key(i, D(2026, 3, 2)))[:limit]

    def count(self, user):
        return len(self.rows)


@pytest.fixture
def fake():
    provider = FakeProvider([
        _item("later", due=D(2026, 3, 20)),
        _item("no due, old", created=NOON - dt.timedelta(days=3)),
        _item("overdue", due=D(2026, 2, 27)),
        _item("no due, new", created=NOON + dt.timedelta(hours=1)),
        _item("soon", due=D(2026, 3, 3)),
        _item("soon but urgent", due=D(2026, 3, 10), priority=todo.PRIORITY_HIGH),
    ])
    saved = dict(todo._PROVIDERS)
    todo._PROVIDERS.clear()
    todo.register(provider)
    yield provider
    todo._PROVIDERS.clear()
    todo._PROVIDERS.update(saved)


def test_every_app_provider_is_discovered():
    assert [p.name for p in todo.providers()] == [
        "aid.followup_due", "aid.review_due", "awards.review", "democracy.ballot",
        "democracy.proposals", "democracy.results_to_approve", "democracy.terms_due",
        "evaluation.rerating_due", "evaluation.review", "evaluation.survey",
        "members.applications", "members.overdue_applications", "members.overdue_transfers",
        "members.transfers", "mutualaid.failed_payouts", "notices.objections",
        "outreach.inspection_due", "outreach.upcoming",
        "rights.mediation_overdue", "rights.requests", "rights.risk_alerts", "workplan.due"]


def test_register_refuses_what_is_not_a_provider():
    with pytest.raises(TypeError):
        todo.register(object())  # type: ignore[arg-type]


def test_collect_orders_overdue_priority_due_then_newest(fake):
    titles = [i.title for i in todo.collect(None, limit=10, today=D(2026, 3, 2))]
    assert titles == ["overdue", "soon but urgent", "soon", "later", "no due, new",
                      "no due, old"]
    assert [i.title for i in todo.collect(None, limit=2, today=D(2026, 3, 2))] == [
        "overdue", "soon but urgent"]
    assert todo.counts(None) == {"test.fake": 6}


def test_api_pages_and_counts(client, fake, member_user):
    assert client.get("/api/v1/todo").status_code == 401
    login(client, member_user)
    with clock.frozen(D(2026, 3, 2)):
        data = client.get("/api/v1/todo", {"page_size": 4}).json()
        assert [i["title"] for i in data["items"]] == ["overdue", "soon but urgent", "soon",
                                                       "later"]
        assert data["items"][0]["overdue"] is True
        assert (data["count"], data["next"]) == (6, "/api/v1/todo?offset=4&limit=4")
        data = client.get("/api/v1/todo", {"offset": 4, "limit": 4}).json()
        assert [i["title"] for i in data["items"]] == ["no due, new", "no due, old"]
        assert data["next"] is None
    assert client.get("/api/v1/todo/counts").json() == {
        "total": 6, "providers": [{"name": "test.fake", "label": "测试", "count": 6}]}


class _OrgsTodo(todo.QueryTodo):
    """A queryset provider over orgs (the shape of every app's inbox provider)."""

    def __init__(self, name, rows):
        self.name, self.label, self._rows = name, name, rows

    def rows(self, user):
        return self._rows()

    def item(self, org):
        return _item(org.name)


def test_counts_of_queryset_providers_come_in_one_statement(tree, django_assert_num_queries):
    from gonghui.orgs.models import Org  # the test's own rows: orgs of the tree fixture

    providers = [
        _OrgsTodo("t.a_subtree", lambda: Org.objects.filter(path__startswith=tree["SH-A"].path)
                  .order_by("-path")),
        _OrgsTodo("t.distinct", lambda: Org.objects.filter(code__startswith="SH-")
                  .distinct()),
        _OrgsTodo("t.empty", lambda: Org.objects.none()),
        _OrgsTodo("t.no_capability", lambda: None),
        _OrgsTodo("t.nothing_matches", lambda: Org.objects.filter(code="NONE")),
        FakeProvider([_item("x"), _item("y")]),
    ]
    saved = dict(todo._PROVIDERS)
    todo._PROVIDERS.clear()
    try:
        for provider in providers:
            todo.register(provider)
        one_by_one = {p.name: p.count(None) for p in todo.providers()}
        assert one_by_one == {"t.a_subtree": 4, "t.distinct": 7, "t.empty": 0,
                              "t.no_capability": 0, "t.nothing_matches": 0, "test.fake": 2}
        with django_assert_num_queries(1):
            assert todo.counts(None) == one_by_one
    finally:
        todo._PROVIDERS.clear()
        todo._PROVIDERS.update(saved)


def _provider(name):
    return next(p for p in todo.providers() if p.name == name)


def _seen(name, user):
    provider = _provider(name)
    return provider.count(user), [i.title for i in provider.items(user, limit=10)]


# --- members -----------------------------------------------------------------------------

def test_members_providers_are_scoped(tree, district_cadre, other_district_cadre, auditor,
                                      member_user):
    from gonghui.members.services import application_submit, member_add, transfer_start
    from gonghui.members.tests.factories import person_fields

    application_submit(union=tree["SH-A-1-1"], fields=person_fields("申请人甲"),
                       actor=member_user)
    membership = member_add(union=tree["SH-B-1-1"], fields=person_fields("转会人乙"),
                            actor=SYSTEM, joined_on=D(2020, 1, 1))
    transfer_start(membership=membership, to_union=tree["SH-A-1-1"], actor=other_district_cadre)

    assert _seen("members.applications", district_cadre) == (
        1, ["入会申请：申请人甲（甲一公司工会）"])
    assert _seen("members.applications", other_district_cadre) == (0, [])
    assert _seen("members.transfers", district_cadre) == (
        1, ["转会待接收：转会人乙（乙一公司工会 → 甲一公司工会）"])
    assert _seen("members.transfers", other_district_cadre) == (0, [])
    # read-only roles have nothing to do
    assert _seen("members.applications", auditor) == (0, [])
    assert _seen("members.applications", member_user) == (0, [])


# --- aid ---------------------------------------------------------------------------------

def test_aid_providers_are_scoped(tree, city_admin, district_cadre, other_district_cadre):
    from gonghui.aid.services.standards import standard_save
    from gonghui.aid.tests.conftest import active_file, make_person

    aid_cadre = make_user("aid_a11", org=tree["SH-A-1-1"], role="cadre")
    street = make_user("street_a1", org=tree["SH-A-1"], role="cadre")
    with clock.frozen(D(2026, 3, 2)):
        standard_save(org=tree["SH"], year=2026, monthly_line=Decimal("1510"), actor=city_admin)
        file = active_file(make_person(tree["SH-A-1-1"], "困难甲"), aid_cadre, street)
    due = file.next_review_due
    assert due == D(2027, 3, 2)  # verified on 2026-03-02, reviewed every 12 months
    with clock.frozen(due):
        assert _seen("aid.review_due", district_cadre) == (1, ["困难档案待复核：困难甲（甲一公司工会）"])
        assert _provider("aid.review_due").items(district_cadre, limit=5)[0].due == due
        assert _seen("aid.review_due", other_district_cadre) == (0, [])
        assert _seen("aid.followup_due", other_district_cadre) == (0, [])


# --- workplan ----------------------------------------------------------------------------

def test_workplan_provider_is_scoped(tree):
    from gonghui.workplan.models import Department, DepartmentMembership
    from gonghui.workplan.services.breakdown import milestone_create
    from gonghui.workplan.tests.conftest import district_plan

    with clock.frozen(D(2018, 6, 1)):
        plan_a = district_plan(tree["SH-A"])
        plan_b = district_plan(tree["SH-B"])
        for plan, title in ((plan_a, "甲区节点"), (plan_b, "乙区节点")):
            milestone_create(item=plan.items.get(number=2), title=title,
                             due_date=D(2018, 6, 5), actor=SYSTEM)
            milestone_create(item=plan.items.get(number=2), title=title + "（远期）",
                             due_date=D(2018, 9, 30), actor=SYSTEM)
        user_a = make_user("jiceng_a", org=tree["SH-A"], role="viewer")
        user_b = make_user("jiceng_b", org=tree["SH-B"], role="viewer")
        DepartmentMembership.objects.create(
            department=Department.objects.get(org=tree["SH-A"], name="基层工作部"), user=user_a)
        # district B's cadre works in B's department and, by mistake, in A's as well
        for org in (tree["SH-B"], tree["SH-A"]):
            DepartmentMembership.objects.create(
                department=Department.objects.get(org=org, name="基层工作部"), user=user_b)
        count, titles = _seen("workplan.due", user_a)
        assert (count, [t for t in titles if "甲区" in t]) == (1, ["节点：甲区节点（推进楼宇工会建设）"])
        count, titles = _seen("workplan.due", user_b)
        assert count == 1
        assert all("甲区" not in t for t in titles)


# --- mutual aid --------------------------------------------------------------------------

def test_mutualaid_provider_is_scoped(tree, city_admin, district_cadre, other_district_cadre):
    from gonghui.mutualaid import services
    from gonghui.mutualaid.models import BatchItem
    from gonghui.mutualaid.services.processing import process_queue
    from gonghui.mutualaid.tests import conftest as ma

    with clock.frozen(dt.datetime(2026, 10, 15, 10, 0, tzinfo=dt.UTC)):
        cadre = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
        from decimal import Decimal

        from gonghui.mutualaid.services import plan_create

        plan = plan_create(code="ZYJT", name="住院津贴", kind="hospital_allowance",
                           contribution=Decimal("30.00"), waiting_days=90,
                           per_day=Decimal("50.00"), deductible_days=0,
                           per_claim_cap=Decimal("1000.00"), per_year_cap=Decimal("1500.00"),
                           plan_year=2026, year_starts_on=D(2026, 1, 1),
                           year_ends_on=D(2026, 12, 31), org=tree["SH"], actor=city_admin)
        person = ma.add_member(tree["SH-A-1-1"], "甲会员", ma.id_number(1))
        ma.enrol(plan, tree["SH-A-1-1"], cadre)
        ma.import_bytes(ma.settlement_csv([{"no": "S1", "id": ma.id_number(1),
                                            "admitted": D(2026, 5, 1), "days": 4}]), tree["SH"])
        process_queue()
        services.payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                                   bank_name="工商银行", account_number="6222020200112233445")
        batch = services.batch_create(org=tree["SH"], actor=city_admin)
        services.batch_export(batch=batch, actor=city_admin)
        item = BatchItem.objects.get(batch=batch)
        result = ("付款参考号,处理结果,失败原因,金额\n"
                  f"{item.reference},失败,账户已销户,{item.amount}\n").encode()
        services.batch_apply_results(batch=batch, binary=io.BytesIO(result), actor=city_admin)
        assert _seen("mutualaid.failed_payouts", district_cadre) == (
            1, ["支付失败：甲会员（甲一公司工会）"])
        assert _seen("mutualaid.failed_payouts", other_district_cadre) == (0, [])


# --- notices -----------------------------------------------------------------------------

def test_notices_provider_is_scoped(tree, district_cadre, other_district_cadre, member_user):
    from gonghui.notices.services import NoticeItemIn, notice_publish, objection_submit

    with clock.frozen(D(2026, 3, 2)):
        notice = notice_publish(kind="k", title="甲区公示", org=tree["SH-A"],
                                items=[NoticeItemIn(text="甲")], working_days=5,
                                actor=district_cadre)
        objection_submit(notice=notice, text="异议", actor=member_user)
        assert _seen("notices.objections", district_cadre) == (1, ["公示异议：甲区公示"])
        assert _seen("notices.objections", other_district_cadre) == (0, [])
        assert _seen("notices.objections", member_user) == (0, [])
