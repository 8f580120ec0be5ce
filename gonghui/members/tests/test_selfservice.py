"""Member self-service: direct edits of unverified fields, requests the union confirms through
the one service of each change, employer change as a transfer request, withdrawal with a
reason; every change audited with before/after; other districts see nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.members import services
from gonghui.members.models import Membership, Person, SelfServiceRequest, Transfer
from gonghui.members.services import selfservice
from gonghui.members.tests.factories import person_fields

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def member(tree, city_admin):
    worker = make_user("worker_self")
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("周敏"),
                            actor=city_admin)
    Person.objects.filter(pk=m.person_id).update(user=worker)
    return worker, m


def test_phone_and_address_edited_directly_with_audit_before_after(member):
    worker, m = member
    person = selfservice.self_update_contact(actor=worker, phone="139 0000 1111",
                                             address="上海市黄浦区测试路 8 号")
    assert (person.phone, person.address) == ("13900001111", "上海市黄浦区测试路 8 号")
    audit = AuditEvent.objects.get(action="member.self_update")
    assert (audit.before, audit.after) == (
        {"phone": "13812345678", "address": ""},
        {"phone": "13900001111", "address": "上海市黄浦区测试路 8 号"})
    assert m.events.order_by("-id").first().reason == "本人修改：联系地址、手机号"
    # nothing changed → no second audit row
    selfservice.self_update_contact(actor=worker, phone="13900001111")
    assert AuditEvent.objects.filter(action="member.self_update").count() == 1


def test_bad_phone_refused_and_nothing_changed(member):
    worker, m = member
    with pytest.raises(ApplicationError):
        selfservice.self_update_contact(actor=worker, phone="12345")
    assert Person.objects.get(pk=m.person_id).phone == "13812345678"
    assert AuditEvent.objects.filter(action="member.self_update").count() == 0


def test_skill_level_request_confirmed_by_the_union(member, grassroots_cadre):
    worker, m = member
    request = selfservice.self_request(actor=worker, kind="skill_level", value="technician")
    assert (request.status, request.before, request.value) == ("pending", "", "technician")
    with pytest.raises(Conflict):
        selfservice.self_request(actor=worker, kind="skill_level", value="senior")
    assert Person.objects.get(pk=m.person_id).skill_level == ""
    selfservice.self_request_decide(request=request, actor=grassroots_cadre, confirm=True)
    assert Person.objects.get(pk=m.person_id).skill_level == "technician"
    update = AuditEvent.objects.get(action="member.update")
    assert (update.before, update.after) == ({"skill_level": ""}, {"skill_level": "technician"})
    assert AuditEvent.objects.get(action="member.self_request").after == {
        "skill_level": "technician"}


def test_education_request_declined_with_reason(member, grassroots_cadre):
    worker, m = member
    request = selfservice.self_request(actor=worker, kind="education", value="postgraduate")
    with pytest.raises(ApplicationError):
        selfservice.self_request_decide(request=request, actor=grassroots_cadre, confirm=False)
    request = selfservice.self_request_decide(request=request, actor=grassroots_cadre,
                                              confirm=False, reason="未见学历证书")
    assert (request.status, request.decision_reason) == ("rejected", "未见学历证书")
    assert Person.objects.get(pk=m.person_id).education == "bachelor"


def test_withdrawal_request_with_reason_confirmed(member, grassroots_cadre):
    worker, m = member
    with pytest.raises(ApplicationError):
        selfservice.self_request(actor=worker, kind="withdraw")
    request = selfservice.self_request(actor=worker, kind="withdraw", reason="出国定居")
    assert Membership.objects.get(pk=m.pk).status == "active"
    selfservice.self_request_decide(request=request, actor=grassroots_cadre, confirm=True)
    m.refresh_from_db()
    assert (m.status, m.ended_on, m.end_reason) == ("withdrawn", TODAY, "本人申请退会：出国定居")


def test_employer_change_starts_a_transfer_request(member, tree):
    worker, _m = member
    t = selfservice.self_employer_change(actor=worker, to_union=tree["SH-A-1-2"],
                                         new_employer="甲二公司")
    assert (t.origin, t.status, t.new_employer, t.to_union_id, t.due_on) == (
        "worker", "pending", "甲二公司", tree["SH-A-1-2"].pk, dt.date(2026, 5, 15))
    assert Transfer.objects.count() == 1


def test_other_district_cannot_see_or_decide_and_nothing_changes(member, other_district_cadre,
                                                                 district_cadre):
    worker, m = member
    request = selfservice.self_request(actor=worker, kind="skill_level", value="senior")
    assert list(selfservice.pending_requests(viewer=other_district_cadre)) == []
    assert [r.pk for r in selfservice.pending_requests(viewer=district_cadre)] == [request.pk]
    with pytest.raises(NotFound):
        selfservice.self_request_decide(request=request, actor=other_district_cadre,
                                        confirm=True)
    assert SelfServiceRequest.objects.get(pk=request.pk).status == "pending"
    assert Person.objects.get(pk=m.person_id).skill_level == ""


def test_without_membership_no_self_service(tree):
    stranger = make_user("stranger")
    with pytest.raises(Forbidden):
        selfservice.self_update_contact(actor=stranger, phone="13900001111")
