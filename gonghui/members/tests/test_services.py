"""Core member services: add, applications, lifecycle, the one-会籍 rule, counters, history."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, InvalidTransition, NotFound
from gonghui.members import services
from gonghui.members.models import (
    Application,
    CaseEvent,
    Membership,
    MembershipEvent,
    OrgMemberMonth,
    OrgMemberStats,
    Person,
)
from gonghui.members.selectors import member_stats
from gonghui.members.tests.factories import id_number, person_fields
from gonghui.members.validation import PersonInvalid, id_hash

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _stats(org):
    row = OrgMemberStats.objects.filter(org=org).first()
    return (row.active, row.retired, row.new_employment) if row else (0, 0, 0)


def test_member_add_creates_person_membership_card_counters_event_and_audit(tree, grassroots_cadre):
    union = tree["SH-A-1-1"]
    number = id_number()
    m = services.member_add(union=union, fields=person_fields("刘洋", id_number=number.lower(),
                                                              new_employment_group="快递员"),
                            actor=grassroots_cadre, joined_on="2019.3.1")
    person = Person.objects.get()
    assert person.id_number == number
    assert person.id_hash == id_hash(number)
    assert person.member_union_id == union.pk
    assert (m.status, m.joined_on, m.seniority_since) == ("active", dt.date(2019, 3, 1),
                                                           dt.date(2019, 3, 1))
    assert m.card_number == f"2019{m.pk:010d}"
    assert m.union_path == union.path
    assert _stats(union) == (1, 0, 1)
    assert OrgMemberMonth.objects.get(org=union, month=dt.date(2019, 3, 1)).joins == 1
    assert list(MembershipEvent.objects.values_list("kind", "to_status", "actor_name")) == [
        ("join", "active", "grassroots_a11")]
    audit = AuditEvent.objects.get(action="member.add")
    assert audit.org_path == union.path
    assert audit.after["person"]["id_number"] == person.masked_id
    assert number not in str(audit.after)


def test_member_add_refuses_bad_fields_and_changes_nothing(tree, grassroots_cadre):
    with pytest.raises(PersonInvalid) as exc:
        services.member_add(union=tree["SH-A-1-1"], fields=person_fields(phone="12345"),
                            actor=grassroots_cadre)
    assert exc.value.errors[0].field == "phone"
    assert (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_member_add_outside_scope_is_forbidden(tree, grassroots_cadre):
    # a union outside the actor's subtrees: 404 (the status policy), not a hint it exists
    with pytest.raises(NotFound):
        services.member_add(union=tree["SH-A-1-2"], fields=person_fields(), actor=grassroots_cadre)
    assert Person.objects.count() == 0


def test_federation_does_not_hold_members(tree, district_cadre):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(union=tree["SH-A"], fields=person_fields(), actor=district_cadre)
    assert exc.value.code == "union_not_member_holding"


def test_second_membership_conflict_names_union_only_when_visible(tree, city_admin, district_cadre,
                                                                  other_district_cadre):
    fields = person_fields("陈静")
    services.member_add(union=tree["SH-B-1-1"], fields=fields, actor=other_district_cadre)
    with pytest.raises(Conflict) as exc:
        services.member_add(union=tree["SH-A-1-1"], fields=fields, actor=district_cadre)
    assert exc.value.message == ("该身份证号码的本人已是其他工会的会员，不能重复入会；"
                                 "请由本人或原工会办理会员转会。")
    with pytest.raises(Conflict) as exc:
        services.member_add(union=tree["SH-A-1-1"], fields=fields, actor=city_admin)
    masked = Person.objects.get().masked_id
    assert exc.value.message == (f"陈静（身份证号码 {masked}）已是“乙一公司工会”的会员，不能重复入会；"
                                 "如已更换工作单位，请办理会员转会。")
    assert Membership.objects.count() == 1
    assert _stats(tree["SH-A-1-1"]) == (0, 0, 0)


def test_retired_member_keeps_membership_so_no_second_one(tree, district_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=district_cadre)
    services.membership_set_status(membership=m, target="retired", actor=district_cadre,
                                   reason="到龄退休")
    assert _stats(tree["SH-A-1-1"]) == (0, 1, 0)
    with pytest.raises(Conflict):
        services.member_add(union=tree["SH-A-1-2"], fields=person_fields(
            id_number=m.person.id_number), actor=district_cadre)


def test_withdrawn_person_can_join_again_with_new_seniority(tree, district_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=district_cadre,
                            joined_on="2015-01-01")
    services.membership_set_status(membership=m, target="withdrawn", actor=district_cadre,
                                   reason="本人申请退会")
    m.refresh_from_db()
    assert (m.status, m.ended_on, m.end_reason) == ("withdrawn", TODAY, "本人申请退会")
    assert Person.objects.get().member_union_id is None
    again = services.member_add(union=tree["SH-A-1-2"], fields=person_fields(
        id_number=m.person.id_number, phone="13900001111"), actor=district_cadre)
    assert again.seniority_since == TODAY
    assert Person.objects.get().phone == "13900001111"
    assert OrgMemberMonth.objects.get(org=tree["SH-A-1-1"], month=TODAY.replace(day=1)).exits == 1


def test_status_change_needs_reason_and_legal_transition(tree, district_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=district_cadre)
    with pytest.raises(ApplicationError) as exc:
        services.membership_set_status(membership=m, target="deceased", actor=district_cadre,
                                       reason=" ")
    assert exc.value.code == "reason_required"
    services.membership_set_status(membership=m, target="deceased", actor=district_cadre,
                                   reason="病故")
    with pytest.raises(InvalidTransition) as exc:
        services.membership_set_status(membership=m, target="retired", actor=district_cadre,
                                       reason="x")
    assert exc.value.message == "当前状态“已故”不能变为“退休（保留会籍）”。"
    with pytest.raises(ApplicationError) as exc:
        services.membership_set_status(membership=m, target="lapsed", actor=district_cadre,
                                       reason="x")
    assert exc.value.code == "status_not_settable"
    assert _stats(tree["SH-A-1-1"]) == (0, 0, 0)


def test_member_update_fixes_id_number_and_recounts_new_employment(tree, district_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=district_cadre)
    corrected = id_number(gender="F", birth=dt.date(1990, 1, 1))
    services.member_update(membership=m, fields={"id_number": corrected,
                                                 "new_employment_group": "家政服务员"},
                           actor=district_cadre)
    person = Person.objects.get()
    assert (person.id_number, person.gender, person.id_hash) == (corrected, "F", id_hash(corrected))
    assert _stats(tree["SH-A-1-1"]) == (1, 0, 1)
    audit = AuditEvent.objects.get(action="member.update")
    assert set(audit.after) == {"id_number", "gender", "birth_date", "new_employment_group"}
    other = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=district_cadre)
    with pytest.raises(Conflict) as exc:
        services.member_update(membership=other, fields={"id_number": corrected},
                               actor=district_cadre)
    assert exc.value.code == "id_taken"


def test_application_flow_submit_approve(tree, grassroots_cadre):
    worker = make_user("w1")
    app = services.application_submit(union=tree["SH-A-1-1"], actor=worker, basis="两非一无",
                                      fields=person_fields("赵敏", new_employment_group="网约送餐员"))
    person = Person.objects.get()
    assert person.user is None  # not linked before the union confirms who the worker is
    assert app.status == "submitted"
    with pytest.raises(Conflict) as exc:
        services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                    fields=person_fields("赵敏", id_number=person.id_number))
    assert exc.value.code == "application_open"
    m = services.application_approve(application=app, actor=grassroots_cadre, reason="同意")
    app.refresh_from_db()
    assert (app.status, app.membership, app.decided_by) == ("approved", m, grassroots_cadre)
    assert Person.objects.get().user == worker  # the approval confirmed the worker
    assert list(CaseEvent.objects.values_list("from_status", "to_status")) == [
        ("", "submitted"), ("submitted", "approved")]
    assert _stats(tree["SH-A-1-1"]) == (1, 0, 1)
    with pytest.raises(InvalidTransition):
        services.application_reject(application=app, actor=grassroots_cadre, reason="晚了")


def test_application_reject_needs_reason_and_is_seen(tree, grassroots_cadre):
    worker = make_user("w1")
    app = services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                      fields=person_fields())
    with pytest.raises(ApplicationError):
        services.application_reject(application=app, actor=grassroots_cadre, reason="")
    services.application_reject(application=app, actor=grassroots_cadre,
                                reason="单位已建会，请向单位工会申请")
    app.refresh_from_db()
    assert (app.status, app.decision_reason) == ("rejected", "单位已建会，请向单位工会申请")
    assert Membership.objects.count() == 0


def test_application_for_someone_elses_id_or_wrong_name_goes_to_the_union(tree, city_admin):
    """Issue 13 items 1-2: a worker is not told what the registry holds; the union is."""
    from gonghui.members.services.identity import review_flags

    first, second = make_user("w1"), make_user("w2")
    fields = person_fields("孙丽")
    services.application_submit(union=tree["SH-A-1-1"], actor=first, fields=fields)
    services.application_approve(application=Application.objects.get(), actor=city_admin)
    other = services.application_submit(union=tree["SH-A-1-2"], actor=second,
                                        fields={**fields, "name": "别人"})
    assert review_flags(other) == ["identity_unproven", "name_mismatch", "already_member",
                                   "account_linked"]
    assert Person.objects.get().user == first


def test_approval_after_member_elsewhere_keeps_application_pending(tree, city_admin):
    worker = make_user("w1")
    fields = person_fields()
    app1 = services.application_submit(union=tree["SH-A-1-1"], actor=worker, fields=fields)
    app2 = Application.objects.create(person=app1.person, union=tree["SH-B-1-1"], data=app1.data)
    services.application_approve(application=app2, actor=city_admin)
    with pytest.raises(Conflict) as exc:
        services.application_approve(application=app1, actor=city_admin)
    assert exc.value.message.endswith("已是“乙一公司工会”的会员，不能重复入会；如已更换工作单位，请办理会员转会。")
    app1.refresh_from_db()
    assert app1.status == "submitted"
    assert Membership.objects.count() == 1


def test_application_withdraw_only_by_applicant(tree, grassroots_cadre):
    worker = make_user("w1")
    app = services.application_submit(union=tree["SH-A-1-1"], actor=worker, fields=person_fields())
    with pytest.raises(Forbidden):
        services.application_withdraw(application=app, actor=grassroots_cadre)
    assert services.application_withdraw(application=app, actor=worker).status == "withdrawn"


def test_subtree_stats(tree, district_cadre, other_district_cadre):
    for code in ("SH-A-1-1", "SH-A-1-1", "SH-A-1-2"):
        services.member_add(union=tree[code], fields=person_fields(new_employment_group="保安员"),
                            actor=district_cadre)
    services.member_add(union=tree["SH-B-1-1"], fields=person_fields(), actor=other_district_cadre)
    a = member_stats(org=tree["SH-A"], today=TODAY)
    assert (a.active, a.new_employment, a.joins, a.exits) == (3, 3, 3, 0)
    assert member_stats(org=tree["SH"], today=TODAY).active == 4
    assert member_stats(org=tree["SH-A-1-2"], today=TODAY).active == 1


def test_touch_and_lapse_flow(tree, grassroots_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre,
                            joined_on="2025-01-05")
    other = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(),
                                actor=grassroots_cadre, joined_on="2025-01-05")
    services.membership_touch(membership_id=other.pk, kind="dues", on=dt.date(2026, 4, 1))
    assert services.lapse_check(today=TODAY) == 1
    assert services.lapse_check(today=TODAY) == 0
    m.refresh_from_db()
    assert m.lapse_flagged_on == TODAY
    with pytest.raises(InvalidTransition) as exc:
        services.lapse_confirm(membership=m, actor=grassroots_cadre)
    assert exc.value.message == "请先联系本人并记录联系情况，再确认自动退会。"
    services.lapse_contact_record(membership=m, actor=grassroots_cadre, method="电话",
                                  outcome="no_answer", note="三次未接")
    services.lapse_confirm(membership=m, actor=grassroots_cadre)
    m.refresh_from_db()
    assert m.status == "lapsed"
    assert list(m.events.values_list("kind", flat=True)) == [
        "join", "lapse_flag", "lapse_contact", "status"]
    assert _stats(tree["SH-A-1-1"]) == (1, 0, 0)


def test_dues_after_flag_clears_it(tree, grassroots_cadre):
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre,
                            joined_on="2025-01-05")
    services.lapse_check(today=TODAY)
    services.membership_touch(membership_id=m.pk, kind="dues", on=TODAY)
    m.refresh_from_db()
    assert (m.lapse_flagged_on, m.last_dues_on) == (None, TODAY)
    with pytest.raises(ApplicationError) as exc:
        services.lapse_confirm(membership=m, actor=grassroots_cadre)
    assert exc.value.code == "not_flagged"


def test_reveal_logs_and_needs_capability(tree, grassroots_cadre):
    from gonghui.audit.models import SensitiveRead

    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=grassroots_cadre)
    viewer = make_user("viewer_a", org=tree["SH-A"], role="cadre")
    with pytest.raises(Forbidden):
        services.id_number_reveal(membership=m, actor=viewer, purpose="核对")
    assert SensitiveRead.objects.count() == 0
    number = services.id_number_reveal(membership=m, actor=grassroots_cadre, purpose="核对身份")
    assert number == m.person.id_number
    read = SensitiveRead.objects.get()
    assert (read.actor, read.field, read.purpose, read.org_path) == (
        grassroots_cadre, "id_number", "核对身份", tree["SH-A-1-1"].path)
