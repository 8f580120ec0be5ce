"""The member's own inbox on the portal (/workbench/mine/): a survey to answer and an activity
within two days appear and leave with the underlying state; messages with the unread count;
nothing of anyone else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core import clock
from gonghui.evaluation.services import surveys as survey_svc
from gonghui.notifications.services import notify
from gonghui.outreach import permissions as outreach_permissions
from gonghui.outreach.services import activities as activity_svc
from gonghui.outreach.tests.conftest import NOW, aware, make_activity, make_member
from gonghui.workbench import selectors

pytestmark = pytest.mark.django_db


def titles(user):
    return [r.item.title for r in selectors.inbox(user, limit=selectors.MINE_LIMIT)]


def test_a_survey_to_answer_comes_and_goes(client, tree, city_admin):
    worker, membership = make_member(tree["SH-A-1-1"], "worker1")
    _other, _m = make_member(tree["SH-B-1-1"], "worker2")
    late, _m3 = make_member(tree["SH-A-1-1"], "worker3")
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0)):
        survey = survey_svc.survey_create(org=tree["SH-A"], title="职工队伍状况调查", year=2026,
                                          closes_on=dt.date(2026, 3, 31), actor=city_admin)
        q = survey_svc.question_add(survey=survey, kind="scale", text="工作满意度",
                                    actor=city_admin)
        assert titles(worker) == []                       # a draft invites nobody
        survey_svc.survey_open(survey=survey, actor=city_admin)
        assert titles(worker) == ["请填写问卷：职工队伍状况调查"]
        assert titles(_other) == []                       # another district's member
        response = login(client, worker).get(reverse("workbench:mine"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "请填写问卷：职工队伍状况调查" in html
        assert reverse("evaluation:portal_answer", args=[survey.pk]) in html
        survey_svc.response_submit(survey=survey, person=membership.person, actor=worker,
                                   answers={q.pk: "4"})
        assert titles(worker) == []
        assert titles(late) == ["请填写问卷：职工队伍状况调查"]
    with clock.frozen(dt.datetime(2026, 4, 1, 10, 0)):    # past its closing day: gone
        assert titles(late) == []


def test_an_activity_within_two_days_comes_and_goes(tree):
    worker, _membership = make_member(tree["SH-A-1-1"], "worker1")
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A-1"], title="夏送清凉慰问",
                                 starts_at=aware(NOW + dt.timedelta(days=3)),
                                 ends_at=aware(NOW + dt.timedelta(days=3, hours=2)),
                                 signup_closes=aware(NOW + dt.timedelta(days=2)),
                                 cancel_deadline=aware(NOW + dt.timedelta(days=2)))
        member = outreach_permissions.require_member(worker)
        signup = activity_svc.signup_create(activity=activity, member=member, actor=worker)
        assert titles(worker) == []                       # three days away: not yet
    with clock.frozen(NOW + dt.timedelta(days=1, hours=12)):
        assert titles(worker) == ["07-09 10:00 参加活动：夏送清凉慰问（甲区工人文化宫）"]
        activity_svc.signup_cancel(signup=signup, actor=worker)
        assert titles(worker) == []


def test_messages_and_nothing_of_others(client, tree, member_user, other_district_cadre):
    notify(recipients=[member_user], kind="test.note", title="您的转会申请已通过",
           body="", url="", org_path="", actor=other_district_cadre)
    notify(recipients=[other_district_cadre], kind="test.note", title="别人的消息", body="",
           url="", org_path="", actor=other_district_cadre)
    response = login(client, member_user).get(reverse("workbench:mine"))
    html = response.content.decode()
    assert response.context["unread"] == 1
    assert [n.title for n in response.context["messages_list"]] == ["您的转会申请已通过"]
    assert "别人的消息" not in html
    assert "暂无待办事项。" in html
    assert client.get(reverse("members:portal")).content.decode().count(
        reverse("workbench:mine")) == 2                   # the portal's tab and its button


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("workbench:mine"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]
