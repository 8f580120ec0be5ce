"""The workbench end to end: the role-adapted home page, the inbox (items come and go with the
underlying state, counts, overdue marks), the global search (each key, scoping, masking) and
the query counts of the home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock, todo
from gonghui.core.actor import system_actor
from gonghui.core.search import SearchHit, register, search, unregister
from gonghui.members import services as members
from gonghui.members.models import Application, ApplicationStatus
from gonghui.members.tests.factories import id_number, person_fields
from gonghui.notifications.services import notify
from gonghui.orgs.models import Employer
from gonghui.orgs.validation import make_uscc
from gonghui.workbench import selectors

pytestmark = pytest.mark.django_db


def add_member(union, actor, name="张伟", **fields):
    return members.member_add(union=union, fields=person_fields(name, **fields), actor=actor)


def submit(union, worker, name="李娜"):
    return members.application_submit(union=union, fields=person_fields(name), actor=worker)


# --- home -----------------------------------------------------------------------------------

def test_worker_with_membership_goes_to_the_portal(client, tree, city_admin, member_user):
    m = add_member(tree["SH-A-1-1"], city_admin)
    m.person.user = member_user
    m.person.save(update_fields=["user"])
    response = login(client, member_user).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:portal")


def test_user_without_role_or_membership_sees_a_plain_page(client, tree, member_user):
    response = login(client, member_user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "您目前没有在任何组织担任角色" in html
    assert 'id="home-inbox"' not in html


def test_auditor_home_is_the_funds_overview(client, tree, auditor):
    response = login(client, auditor).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-funds="SH"' in html
    assert "一、收入合计" in html
    assert [f["org"].code for f in response.context["funds"]] == ["SH"]


def test_cadre_home_shows_inbox_and_figures_of_the_subtree(client, tree, district_cadre,
                                                           city_admin, member_user):
    add_member(tree["SH-A-1-1"], city_admin, "张伟")
    add_member(tree["SH-A-1-2"], city_admin, "王芳", id_number=id_number(gender="F"))
    add_member(tree["SH-B-1-1"], city_admin, "赵强")
    Employer.objects.create(name="甲一公司", area=tree["SH-A-1"], union=tree["SH-A-1-1"],
                            employees_count=4)
    Employer.objects.create(name="甲三公司", area=tree["SH-A-1"], employees_count=6)
    submit(tree["SH-A-1-1"], member_user)
    response = login(client, district_cadre).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="home-inbox"' in html
    assert "入会申请待审批" in html
    assert "李娜" in html
    figures = response.context["figures"]
    assert [f.org.code for f in figures] == ["SH-A"]
    f = figures[0]
    assert (f.active, f.employers, f.covered, f.employees) == (2, 2, 1, 10)
    assert f.coverage_rate == 50.0
    assert f.membership_rate == 20.0
    assert response.context["total"] == 1


def test_an_approved_application_leaves_the_inbox(client, tree, district_cadre, member_user):
    application = submit(tree["SH-A-1-1"], member_user)
    kinds = {k.name: k.count for k in selectors.inbox_kinds(district_cadre)}
    assert kinds["members.applications"] == 1
    rows = selectors.inbox(district_cadre)
    assert [r.item.url for r in rows] == [reverse("members:application", args=[application.pk])]
    members.application_approve(application=application, actor=district_cadre)
    assert Application.objects.get().status == ApplicationStatus.APPROVED
    kinds = {k.name: k.count for k in selectors.inbox_kinds(district_cadre)}
    assert kinds["members.applications"] == 0
    assert selectors.inbox(district_cadre) == []


def test_inbox_is_scoped_to_the_subtree(tree, district_cadre, other_district_cadre, member_user):
    submit(tree["SH-A-1-1"], member_user)
    assert selectors.inbox(other_district_cadre) == []
    assert sum(k.count for k in selectors.inbox_kinds(other_district_cadre)) == 0


def test_inbox_page_filters_by_kind_and_marks_age(client, tree, district_cadre, member_user):
    submit(tree["SH-A-1-1"], member_user)
    Application.objects.update(created_at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    with clock.frozen(dt.datetime(2026, 3, 12, 9, 0)):
        login(client, district_cadre)
        response = client.get(reverse("workbench:home"), {"kind": "members.applications"})
        assert response.status_code == 200
        rows = response.context["rows"]
        assert len(rows) == 1
        assert rows[0].age_days == 10
        assert not rows[0].overdue
        assert "10 天前" in response.content.decode()
        # an unknown kind shows everything; the overdue filter hides an item without a due date
        assert len(client.get(reverse("workbench:home"), {"kind": "nope"}).context["rows"]) == 1
        assert client.get(reverse("workbench:home"), {"overdue": "1"}).context["rows"] == []


def test_overdue_item_is_marked(tree, city_admin):
    class Due:
        name = "zz.test"
        label = "测试事项"

        def items(self, user, *, limit):
            return [todo.TodoItem(app="zz", kind=self.name, title="到期事项", url="/x/",
                                  org_path="", due=dt.date(2026, 3, 1),
                                  created_at=clock.now() - dt.timedelta(days=3))]

        def count(self, user):
            return 1

    todo.register(Due())
    try:
        with clock.frozen(dt.datetime(2026, 3, 5, 9, 0)):
            rows = selectors.inbox(city_admin)
        assert [(r.item.title, r.overdue, r.overdue_days, r.age_days) for r in rows] == [
            ("到期事项", True, 4, 3)]
    finally:
        todo.unregister("zz.test")


def test_inbox_shows_notifications_and_unread_count(client, tree, district_cadre):
    notify(recipients=[district_cadre], kind="system", title="案件已转办", url="/",
           actor=system_actor("cli"))
    response = login(client, district_cadre).get(reverse("workbench:home"))
    assert response.context["unread"] == 1
    assert "案件已转办" in response.content.decode()


def test_home_query_count_does_not_grow_with_the_data(client, tree, district_cadre, city_admin):
    login(client, district_cadre)
    client.get("/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as before:
        assert client.get("/").status_code == 200
    for i, name in enumerate("甲乙丙丁戊己"):
        worker = make_user(f"w{i}")
        submit(tree["SH-A-1-1"], worker, name=f"李{name}")
        add_member(tree["SH-A-1-2"], city_admin, f"周{name}")
    with CaptureQueriesContext(connection) as after:
        assert client.get("/").status_code == 200
    assert len(after) <= len(before) + 2  # item rows come from one query per provider
    assert len(after) <= 60


# --- search ---------------------------------------------------------------------------------

def hits(user, q, kind="members"):
    return [h.title for g in search(user, q) if g.name == kind for h in g.hits]


def test_search_finds_a_member_by_each_key(tree, district_cadre, city_admin):
    number = id_number()
    m = add_member(tree["SH-A-1-1"], city_admin, "欧阳娜娜", id_number=number, phone="13900001111")
    add_member(tree["SH-A-1-1"], city_admin, "欧阳修")
    assert hits(district_cadre, number) == ["欧阳娜娜"]
    assert hits(district_cadre, number.lower()) == ["欧阳娜娜"]
    assert hits(district_cadre, m.card_number) == ["欧阳娜娜"]
    assert hits(district_cadre, "13900001111") == ["欧阳娜娜"]
    assert sorted(hits(district_cadre, "欧阳")) == ["欧阳修", "欧阳娜娜"]
    assert hits(district_cadre, "娜娜") == []  # a name matches from its beginning


def test_search_never_crosses_districts(tree, other_district_cadre, city_admin):
    number = id_number()
    m = add_member(tree["SH-A-1-1"], city_admin, "欧阳娜娜", id_number=number)
    for q in (number, m.card_number, "欧阳", "13812345678", "甲一公司工会", "SH-A-1-1"):
        assert search(other_district_cadre, q) == [], q


def test_search_results_mask_the_id_number(client, tree, district_cadre, city_admin):
    number = id_number()
    m = add_member(tree["SH-A-1-1"], city_admin, "欧阳娜娜", id_number=number, phone="13900001111")
    # a bare ID number in the URL: one hop to the sealed form (issue 13 item 4)
    response = login(client, district_cadre).get(reverse("workbench:search"), {"q": number},
                                                 follow=True)
    assert number not in response.redirect_chain[-1][0]
    html = response.content.decode()
    assert response.status_code == 200
    results = html[html.index('data-group="members"'):]
    assert "欧阳娜娜" in results
    assert m.person.masked_id in results
    assert number not in results
    assert "13900001111" not in results
    assert "139****1111" in results


def test_search_finds_unions_and_employers_by_name_code_and_uscc(tree, district_cadre):
    uscc = make_uscc("91310101MA1FL0000")
    tree["SH-A-1-1"].uscc = make_uscc("81310101MA1FL0001")
    tree["SH-A-1-1"].save(update_fields=["uscc"])
    Employer.objects.create(name="甲三科技有限公司", uscc=uscc, area=tree["SH-A-1"])
    Employer.objects.create(name="乙三科技有限公司", area=tree["SH-B-1"])
    assert hits(district_cadre, "SH-A-1-1", "orgs") == ["甲一公司工会"]
    assert hits(district_cadre, tree["SH-A-1-1"].uscc, "orgs") == ["甲一公司工会"]
    assert hits(district_cadre, "公司工会", "orgs") == ["甲一公司工会", "甲二公司工会"]
    assert hits(district_cadre, uscc, "employers") == ["甲三科技有限公司"]
    # three characters or more: anywhere in the name; fewer: its beginning (orgs.search)
    assert hits(district_cadre, "科技有限", "employers") == ["甲三科技有限公司"]
    assert hits(district_cadre, "甲三", "employers") == ["甲三科技有限公司"]
    assert hits(district_cadre, "科技", "employers") == []
    assert hits(district_cadre, "乙三", "employers") == []  # another district's employer


def test_search_groups_say_when_there_are_more(tree, city_admin):
    class Many:
        name = "zz.many"
        label = "很多"
        order = 99

        def search(self, user, q, *, limit):
            return [SearchHit(kind=self.name, title=str(i), url="/") for i in range(limit + 1)]

    register(Many())
    try:
        group = next(g for g in search(city_admin, "x", limit=3) if g.name == "zz.many")
        assert [h.title for h in group.hits] == ["0", "1", "2"]
        assert group.more
    finally:
        unregister("zz.many")


def test_search_page_without_query_and_for_anonymous(client, tree, district_cadre):
    assert client.get(reverse("workbench:search"), {"q": "x"}).status_code == 302
    response = login(client, district_cadre).get(reverse("workbench:search"))
    assert response.status_code == 200
    assert response.context["groups"] == []
    response = client.get(reverse("workbench:search"), {"q": "没有这个人"})
    assert "没有找到与“没有这个人”相符的结果。" in response.content.decode()
