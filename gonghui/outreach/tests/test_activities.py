"""Sign-up, waiting list (FCFS, automatic promotion with a notification), cancellation
deadline, rotating QR check-in, e-card check-in, the lapse watch."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.members.models import Membership
from gonghui.notifications.models import Notification
from gonghui.outreach import permissions
from gonghui.outreach.models import Activity, Signup, SignupHistory
from gonghui.outreach.services import activities as svc
from gonghui.outreach.tests.conftest import NOW, aware, make_activity, make_member

pytestmark = pytest.mark.django_db


def sign(user, activity):
    member = permissions.require_member(user)
    return svc.signup_create(activity=activity, member=member, actor=user)


@pytest.fixture
def people(tree):
    return [make_member(tree["SH-A-1-1"], f"w{i}")[0] for i in range(4)]


def test_places_then_waiting_list_in_order_and_promotion(tree, people, frozen_now):
    activity = make_activity(tree["SH-A"], capacity=2)
    s = [sign(u, activity) for u in people]
    assert [x.status for x in s] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [svc.waiting_position(x) for x in s] == [None, None, 1, 2]
    svc.signup_cancel(signup=s[0], actor=people[0])
    statuses = dict(Signup.objects.values_list("user__username", "status"))
    assert statuses == {"w0": "cancelled", "w1": "confirmed", "w2": "confirmed", "w3": "waiting"}
    assert Activity.objects.get(pk=activity.pk).taken == 2
    s3 = Signup.objects.get(user=people[3])
    assert svc.waiting_position(s3) == 1
    note = Notification.objects.get(recipient=people[2])
    assert note.kind == "outreach.waitlist_promoted"
    assert note.title == "候补成功：夏送清凉慰问"
    assert list(SignupHistory.objects.filter(signup__user=people[2])
                .values_list("from_status", "to_status")) == [("waiting", "confirmed")]
    # a waiting member who cancels frees nothing
    svc.signup_cancel(signup=s3, actor=people[3])
    assert Activity.objects.get(pk=activity.pk).taken == 2


def test_second_signup_is_refused(tree, people, frozen_now):
    activity = make_activity(tree["SH-A"])
    sign(people[0], activity)
    with pytest.raises(Conflict) as caught:
        sign(people[0], activity)
    assert caught.value.message == "您已报名该活动。"
    assert Signup.objects.count() == 1


def test_cancellation_after_the_deadline_is_refused(tree, people):
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"], capacity=1)
        first = sign(people[0], activity)
        sign(people[1], activity)
    with clock.frozen(NOW + dt.timedelta(days=3, minutes=1)), pytest.raises(Conflict) as caught:
        svc.signup_cancel(signup=first, actor=people[0])
    assert caught.value.message == "已过取消报名截止时间（2026-07-09 10:00），不能取消。"
    assert Signup.objects.get(pk=first.pk).status == "confirmed"
    assert Signup.objects.get(user=people[1]).status == "waiting"


def test_signup_window(tree, people):
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"])
    with clock.frozen(NOW + dt.timedelta(days=4, seconds=1)), pytest.raises(Conflict) as caught:
        sign(people[0], activity)
    assert caught.value.message == "报名已截止。"
    assert Signup.objects.count() == 0


def test_member_outside_the_subtree_or_group_does_not_see_the_activity(tree, frozen_now):
    activity = make_activity(tree["SH-A-1"])
    outsider, _m = make_member(tree["SH-B-1-1"], "bee")
    with pytest.raises(NotFound):
        permissions.member_activity(outsider, activity.pk)
    women_only = make_activity(tree["SH-A"], group="women")
    insider, _m = make_member(tree["SH-A-1-1"], "ayi")
    member = permissions.require_member(insider)
    if "women" in member.groups:
        assert permissions.member_activity(insider, women_only.pk)[0] == women_only
    else:
        with pytest.raises(NotFound):
            permissions.member_activity(insider, women_only.pk)
    assert permissions.member_activity(insider, activity.pk)[0] == activity


def test_qr_check_in_inside_the_window_and_refused_after(tree, people):
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"])
        sign(people[0], activity)
        sign(people[1], activity)
    start = NOW + dt.timedelta(days=5)
    with clock.frozen(start):
        token = svc.qr_token(activity)
    with clock.frozen(start + dt.timedelta(seconds=25)):
        done = svc.check_in_by_code(activity=activity, token=token, actor=people[0])
    assert done.checked_in_at == aware(start + dt.timedelta(seconds=25))
    with clock.frozen(start + dt.timedelta(seconds=61)), pytest.raises(ApplicationError) as caught:
        svc.check_in_by_code(activity=activity, token=token, actor=people[1])
    assert caught.value.message == "签到码无效或已过期，请重新扫描现场屏幕上的二维码。"
    assert Signup.objects.get(user=people[1]).checked_in_at is None
    # taking part is union activity for the lapse rule
    membership = Membership.objects.get(person__user=people[0])
    assert membership.last_activity_on == start.date()


def test_check_in_by_e_card(tree, people, cadre_a):
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"])
        signup = sign(people[0], activity)
    card = "E" + str(signup.membership_id).zfill(8)
    Membership.objects.filter(pk=signup.membership_id).update(card_number=card)
    with clock.frozen(NOW + dt.timedelta(days=5, minutes=10)):
        svc.check_in_by_card(activity=activity, card_number=card, actor=cadre_a)
        with pytest.raises(ApplicationError) as caught:
            svc.check_in_by_card(activity=activity, card_number="NOPE", actor=cadre_a)
    assert caught.value.message == "该会员证号没有报名此活动。"
    assert Signup.objects.get(pk=signup.pk).check_in_method == "card"
