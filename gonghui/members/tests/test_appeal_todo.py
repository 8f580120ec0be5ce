"""The declined applicant appeals from the portal page (once, with a reason); the deadlines reach
the to-do inbox: a union's own queue carries each case's deadline, and the level above gets the
overdue cases of the unions below (督办)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock, todo
from gonghui.members import services
from gonghui.members.models import Application
from gonghui.members.tests.factories import person_fields

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _apply(union, actor, name="张伟"):
    return services.application_submit(union=union, fields=person_fields(name), actor=actor)


def test_declined_applicant_appeals_on_the_portal_page(client, tree, member_user,
                                                       grassroots_cadre):
    a = _apply(tree["SH-A-1-1"], member_user)
    login(client, member_user)
    url = reverse("members:portal_application", args=[a.pk])
    assert 'id="appeal-form"' not in client.get(url).content.decode()  # still pending
    services.application_reject(application=a, actor=grassroots_cadre, reason="非本单位职工")
    page = client.get(url).content.decode()
    assert 'id="appeal-form"' in page
    assert "可向上级工会（" + tree["SH-A-1"].name + "）申诉一次" in page
    appeal = reverse("members:portal_application_appeal", args=[a.pk])
    empty = client.post(appeal, {"reason": "  "})
    assert empty.status_code == 400
    assert "请填写申诉理由。" in empty.content.decode()
    assert Application.objects.get(pk=a.pk).status == "rejected"
    response = client.post(appeal, {"reason": "已入职三个月"})
    assert (response.status_code, response["Location"]) == (302, url)
    a.refresh_from_db()
    assert (a.status, a.appeal_reason, a.due_on) == ("appealed", "已入职三个月",
                                                     dt.date(2026, 5, 15))
    page = client.get(url).content.decode()
    assert 'id="appeal-form"' not in page
    assert "您已于 2026-05-12 申诉，由上级工会复核，复核意见为最终意见。 办理期限：2026-05-15。" in page
    assert "已申诉，待上级工会复核" in page


def test_someone_elses_application_cannot_be_appealed(client, tree, member_user,
                                                      grassroots_cadre):
    a = _apply(tree["SH-A-1-1"], member_user)
    services.application_reject(application=a, actor=grassroots_cadre, reason="不符")
    other = make_user("other_worker")
    login(client, other)
    response = client.post(reverse("members:portal_application_appeal", args=[a.pk]),
                           {"reason": "x"})
    assert response.status_code == 404
    a.refresh_from_db()
    assert (a.status, a.appealed_at) == ("rejected", None)


def test_deadlines_and_overdue_cases_reach_the_inbox(tree, city_admin, grassroots_cadre):
    street_cadre = make_user("street_a1", org=tree["SH-A-1"], role="admin")
    with clock.frozen(dt.date(2026, 5, 8)):  # due Tue 12 May (Sat 9 May is a 调休 working day)
        early = _apply(tree["SH-A-1-1"], city_admin, "早办")
    late = _apply(tree["SH-A-1-1"], city_admin, "迟办")  # due Fri 15 May
    own = [(i.kind, i.due) for i in todo.collect(grassroots_cadre)
           if i.kind == "members.applications"]
    assert own == [("members.applications", dt.date(2026, 5, 12)),
                   ("members.applications", dt.date(2026, 5, 15))]
    assert [i for i in todo.collect(street_cadre) if i.kind.startswith("members.overdue")] == []
    with clock.frozen(dt.date(2026, 5, 13)):
        watched = [i for i in todo.collect(street_cadre)
                   if i.kind == "members.overdue_applications"]
        assert [(i.title, i.due, i.url) for i in watched] == [
            (f"督办：{tree['SH-A-1-1'].name}的入会申请（早办）已逾期", dt.date(2026, 5, 12),
             reverse("members:overdue"))]
        assert watched[0].is_overdue()
        # the union's own registrar is not its own supervisor
        assert [i for i in todo.collect(grassroots_cadre)
                if i.kind.startswith("members.overdue")] == []
    assert late.pk != early.pk
