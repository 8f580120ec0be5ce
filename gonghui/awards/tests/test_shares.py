"""Share rules (一线职工 / 专业技术人员 minimum, 管理人员 maximum, 女性 minimum) enforced when a
street's list takes its district's places (the outlook at the full quota), shown on the review
page and on the nominee picker, with query counts that do not grow with the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login, make_user
from gonghui.awards.models import Nomination, NominationStatus, Quota
from gonghui.awards.services import honours as svc
from gonghui.awards.services import shares
from gonghui.awards.tests.factories import SYSTEM, member, nominate, scheme
from gonghui.core import clock
from gonghui.core.errors import Conflict

DAY = dt.datetime(2026, 5, 6, 10, 0)
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with clock.frozen(DAY):
        yield


def _noms(s, union, specs):
    return [nominate(s, union, member(union, name, gender=g), category=c)
            for name, c, g in specs]


def _forward(s, org, rows):
    return svc.list_forward(scheme=s, org=org, nomination_ids=[n.pk for n in rows], actor=SYSTEM)


def test_street_list_with_one_manager_too_many_is_refused_and_changes_nothing(tree, frozen):
    s = scheme(tree["SH"], max_manager_pct=20)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=10, actor=SYSTEM)   # at most 2 managers
    a11 = tree["SH-A-1-1"]
    two = _noms(s, a11, [("经理一", "manager", "M"), ("经理二", "manager", "M")])
    _forward(s, tree["SH-A-1"], two)                                   # exactly at the limit
    third = _noms(s, a11, [("经理三", "manager", "M")])
    with pytest.raises(Conflict) as exc:
        _forward(s, tree["SH-A-1"], third)
    assert exc.value.message == (
        "报送后甲区总工会的名单将无法符合评选条件：甲区总工会名额 10 个，管理人员比例应不高于 20%"
        "（至多 2 人）：已占名额中 3 人，超出 1 人。")
    assert exc.value.code == "composition_outlook"
    assert Quota.objects.get(scheme=s).used == 2
    n = Nomination.objects.get(pk=third[0].pk)
    assert (n.status, n.at_org.code, n.quota_id, n.rank) == (
        NominationStatus.SUBMITTED, "SH-A-1", None, None)


def test_frontline_minimum_at_the_edge_of_the_remaining_places(tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=4, actor=SYSTEM)    # at least 2 front-line
    a11 = tree["SH-A-1-1"]
    techs = _noms(s, a11, [("技一", "technical", "M"), ("技二", "technical", "M"),
                           ("技三", "technical", "M")])
    _forward(s, tree["SH-A-1"], techs[:2])          # 2 places left, 2 front-line still possible
    with pytest.raises(Conflict) as exc:
        _forward(s, tree["SH-A-1"], techs[2:])
    assert exc.value.extra["problems"] == [
        "甲区总工会名额 4 个，一线职工比例应不低于 50%（至少 2 人）：已占名额中 0 人，"
        "剩余名额 1 个，已无法达到。"]
    front = _noms(s, a11, [("一线一", "frontline", "M")])
    _forward(s, tree["SH-A-1"], front)
    assert Quota.objects.get(scheme=s).used == 3


def test_frontline_and_technical_shortfalls_share_the_remaining_places(tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50, min_technical_pct=25)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=4, actor=SYSTEM)    # 2 front-line, 1 tech
    others = _noms(s, tree["SH-A-1-1"], [("其他一", "other", "M"), ("其他二", "other", "F")])
    with pytest.raises(Conflict) as exc:
        _forward(s, tree["SH-A-1"], others)
    assert exc.value.extra["problems"] == [
        "甲区总工会名额 4 个：一线职工还需至少 2 人、专业技术人员还需至少 1 人，剩余名额只有 2 个。"]
    _forward(s, tree["SH-A-1"], others[:1])
    assert Quota.objects.get(scheme=s).used == 1


def test_women_minimum_outlook(tree, frozen):
    s = scheme(tree["SH"], min_women_pct=30)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=3, actor=SYSTEM)    # at least 1 woman
    men = _noms(s, tree["SH-A-1-1"], [("男一", "frontline", "M"), ("男二", "frontline", "M"),
                                      ("男三", "frontline", "M")])
    _forward(s, tree["SH-A-1"], men[:2])
    with pytest.raises(Conflict, match="女性比例应不低于 30%（至少 1 人）"):
        _forward(s, tree["SH-A-1"], men[2:])


def test_standing_states(tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50, max_manager_pct=50)
    quota = svc.quota_set(scheme=s, org=tree["SH-A"], quota=4, actor=SYSTEM)
    rows = _noms(s, tree["SH-A-1-1"], [("经理", "manager", "F"), ("技术", "technical", "M")])
    _forward(s, tree["SH-A-1"], rows)
    quota.refresh_from_db()
    got = shares.standing(s, quota, svc.level_list(s, tree["SH-A-1"]))
    assert [(x.label, x.text, x.own, x.places, x.bound, x.state) for x in got] == [
        ("一线职工比例", "不低于 50%", "0 / 2 人，0.0%", "0 / 2 人，0.0%", "满额 4 人时至少 2 人",
         "open"),
        ("管理人员比例", "不高于 50%", "1 / 2 人，50.0%", "1 / 2 人，50.0%", "满额 4 人时至多 2 人",
         "ok")]
    Quota.objects.filter(pk=quota.pk).update(quota=2)      # a quota cut to the places in use
    quota.refresh_from_db()
    assert [x.state for x in shares.standing(s, quota, None)] == ["broken", "ok"]


def test_review_page_shows_the_shares_with_bounded_queries(client, tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50, min_women_pct=20)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=40, actor=SYSTEM)
    street = make_user("street_a1", org=tree["SH-A-1"], role="cadre")
    login(client, street)
    url = reverse("awards:review", args=[s.pk]) + "?org=SH-A-1"
    _noms(s, tree["SH-A-1-1"], [("一线甲", "frontline", "F"), ("技术甲", "technical", "M")])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "名单构成要求" in html
    assert "（甲区总工会名额 40 个，已占 0 个）" in html
    assert "满额 40 人时至少 20 人" in html
    _noms(s, tree["SH-A-1-1"], [(f"一线{c}", "frontline", "M") for c in "甲乙丙丁戊己庚辛壬癸子丑"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_nominee_picker_lists_members_and_fills_the_form(client, tree, frozen):
    s = scheme(tree["SH"], min_women_pct=30)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=10, actor=SYSTEM)
    cadre = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
    a11 = tree["SH-A-1-1"]
    wang = member(a11, "王芳", gender="F", occupation="质检员")
    taken = member(a11, "王强")
    nominate(s, a11, taken)
    member(tree["SH-B-1-1"], "王乙")          # another district: never offered
    login(client, cadre)
    url = reverse("awards:nominate", args=[s.pk])
    response = client.get(url, {"union": "SH-A-1-1", "find": "王"})
    assert response.status_code == 200
    assert [(c["name"], c["gender"], c["occupation"], c["taken"])
            for c in response.context["candidates"]] == [
        ("王强", "男", "钳工", True), ("王芳", "女", "质检员", False)]
    assert "女性比例" in response.content.decode()
    picked = client.get(url, {"union": "SH-A-1-1", "person": wang.pk})
    assert picked.context["form"].initial["person"] == wang.pk
    response = client.post(url, {"union": "SH-A-1-1", "person": wang.pk, "member": "王芳",
                                 "category": "frontline", "deeds": "质量把关",
                                 "deeds_summary": "质检能手"})
    assert response.status_code == 302
    assert Nomination.objects.get(person=wang).gender == "F"


def test_picker_refuses_a_person_outside_the_union(client, tree, frozen):
    s = scheme(tree["SH"])
    cadre = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
    outsider = member(tree["SH-B-1-1"], "外区人")
    login(client, cadre)
    response = client.post(reverse("awards:nominate", args=[s.pk]), {
        "union": "SH-A-1-1", "person": outsider.pk, "member": "外区人", "category": "frontline",
        "deeds": "事迹", "deeds_summary": "摘要"})
    assert response.status_code == 400
    assert "所选人员不是本单位在册会员，请重新选择。" in response.content.decode()
    assert Nomination.objects.count() == 0


def test_picker_queries_do_not_grow_with_matches(client, tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=10, actor=SYSTEM)
    cadre = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
    member(tree["SH-A-1-1"], "赵一")
    login(client, cadre)
    url = reverse("awards:nominate", args=[s.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"union": "SH-A-1-1", "find": "赵"}).status_code == 200
    for c in "甲乙丙丁戊己庚辛壬癸":
        member(tree["SH-A-1-1"], f"赵{c}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"union": "SH-A-1-1", "find": "赵"})
    assert len(response.context["candidates"]) == 11
    assert len(many) == len(few)
