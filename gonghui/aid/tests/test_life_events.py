"""The aid module reacts to a member's life events, in the members service's transaction:
an ended membership flags the household's open file (a death suggests bereavement help), a
transfer moves the open file to the receiving union's review queue. Nothing is closed."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.aid.models import FileActivity, HardshipFile, HouseholdMember
from gonghui.aid.selectors import file_list
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.members import services as members
from gonghui.members.models import Membership

from .conftest import make_person, open_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.date(2026, 5, 12)):
        yield


def _membership(person):
    return Membership.objects.get(person=person, status__in=["active", "retired"])


def test_death_flags_the_open_file_with_a_bereavement_suggestion(tree, person, aid_cadre,
                                                                 city_admin):
    file = open_file(person, aid_cadre)
    members.membership_set_status(membership=_membership(person), target="deceased",
                                  actor=city_admin, reason="病故", on=dt.date(2026, 5, 10))
    file.refresh_from_db()
    assert (file.status, file.needs_review) == ("draft", True)
    assert file.review_reason == "会员张伟已故（2026-05-10）：请复核家庭情况，建议办理丧葬慰问帮扶。"
    entry = FileActivity.objects.filter(file=file).order_by("-id").first()
    assert entry.data == {"membership": _membership_id(person), "membership_status": "deceased",
                          "on": "2026-05-10", "suggestion": "bereavement"}
    assert HouseholdMember.objects.filter(file=file).count() == 2  # nothing deleted
    assert AuditEvent.objects.filter(action="aid.file.member_ended").count() == 1


def _membership_id(person):
    return Membership.objects.get(person=person).pk


def test_withdrawal_flags_for_review_without_suggestion(tree, person, aid_cadre, city_admin):
    file = open_file(person, aid_cadre)
    untouched = open_file(make_person(tree["SH-A-1-1"], "李娜"), aid_cadre)
    members.membership_set_status(membership=_membership(person), target="withdrawn",
                                  actor=city_admin, reason="本人申请")
    file.refresh_from_db()
    untouched.refresh_from_db()
    assert (file.needs_review, file.review_reason) == (
        True, "会员张伟退会（2026-05-12）：请复核本档案是否继续帮扶。")
    assert "suggestion" not in FileActivity.objects.filter(file=file).order_by("-id")[0].data
    assert (untouched.needs_review, untouched.review_reason) == (False, "")


def test_transfer_moves_open_file_to_receiving_union_queue(tree, person, aid_cadre, city_admin):
    from conftest import make_user

    file = open_file(person, aid_cadre)
    receiver = make_user("aid_a12", org=tree["SH-A-1-2"], role="cadre")
    t = members.transfer_start(membership=_membership(person), to_union=tree["SH-A-1-2"],
                               actor=city_admin, reason="换工作")
    members.transfer_accept(transfer=t, actor=city_admin)
    file.refresh_from_db()
    assert (file.union_id, file.union_path, file.status, file.needs_review) == (
        tree["SH-A-1-2"].pk, tree["SH-A-1-2"].path, "draft", True)
    assert file.review_reason == "会员自“甲一公司工会”转入“甲二公司工会”，档案随转，待接收工会复核确认。"
    assert set(HouseholdMember.objects.filter(file=file).values_list("union_id", flat=True)) == {
        tree["SH-A-1-2"].pk}
    # the receiving union's cadre now sees it in the review queue; the old union's does not
    assert [f.pk for f in file_list(viewer=receiver, flagged=True)] == [file.pk]
    assert list(file_list(viewer=aid_cadre)) == []
    assert HardshipFile.objects.count() == 1
