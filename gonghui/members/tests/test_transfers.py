"""Transfers (会员组织关系接转) and the org hooks: atomic, 会龄 kept, both histories."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.members import services
from gonghui.members.models import Membership, MembershipEvent, OrgMemberStats, Person, Transfer
from gonghui.members.services import _common
from gonghui.members.tests.factories import person_fields
from gonghui.orgs import services as org_services

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _active(org):
    row = OrgMemberStats.objects.filter(org=org).first()
    return row.active if row else 0


@pytest.fixture
def member(tree, city_admin):
    return services.member_add(union=tree["SH-A-1-1"], fields=person_fields("周杰"),
                               actor=city_admin, joined_on="2012-07-01")


def test_transfer_out_and_accept_keeps_seniority_and_both_histories(tree, member, district_cadre,
                                                                    other_district_cadre):
    transfer = services.transfer_start(membership=member, to_union=tree["SH-B-1-1"],
                                       actor=district_cadre, reason="调动工作",
                                       new_employer="乙一公司")
    assert transfer.status == "pending"
    with pytest.raises(Forbidden):
        services.transfer_accept(transfer=transfer, actor=district_cadre)
    new = services.transfer_accept(transfer=transfer, actor=other_district_cadre, note="欢迎")
    old = Membership.objects.get(pk=member.pk)
    assert (old.status, old.ended_on) == ("transferred_out", TODAY)
    assert (new.status, new.union_id, new.joined_on, new.seniority_since) == (
        "active", tree["SH-B-1-1"].pk, TODAY, dt.date(2012, 7, 1))
    person = Person.objects.get()
    assert (person.member_union_id, person.employer_name) == (tree["SH-B-1-1"].pk, "乙一公司")
    assert (_active(tree["SH-A-1-1"]), _active(tree["SH-B-1-1"])) == (0, 1)
    assert list(MembershipEvent.objects.filter(union=tree["SH-A-1-1"])
                .values_list("kind", "other_union__code")) == [("join", None),
                                                              ("transfer_out", "SH-B-1-1")]
    assert list(MembershipEvent.objects.filter(union=tree["SH-B-1-1"])
                .values_list("kind", "other_union__code")) == [("transfer_in", "SH-A-1-1")]
    transfer.refresh_from_db()
    assert (transfer.status, transfer.new_membership) == ("accepted", new)


def test_failure_between_close_and_open_leaves_member_in_old_union(tree, member, city_admin,
                                                                   monkeypatch):
    transfer = services.transfer_start(membership=member, to_union=tree["SH-B-1-1"],
                                       actor=city_admin)

    def crash(**kwargs):
        # the old membership is already closed inside the transaction at this point
        assert Membership.objects.get(pk=member.pk).status == "transferred_out"
        raise RuntimeError("power cut")

    monkeypatch.setattr(_common, "open_membership", crash)
    with pytest.raises(RuntimeError):
        services.transfer_accept(transfer=transfer, actor=city_admin)
    old = Membership.objects.get(pk=member.pk)
    assert (old.status, old.ended_on) == ("active", None)
    assert Membership.objects.count() == 1
    assert Person.objects.get().member_union_id == tree["SH-A-1-1"].pk
    assert (_active(tree["SH-A-1-1"]), _active(tree["SH-B-1-1"])) == (1, 0)
    assert Transfer.objects.get().status == "pending"
    assert MembershipEvent.objects.count() == 1


def test_worker_asks_from_new_union_side(tree, member, other_district_cadre):
    worker = make_user("w1")
    Person.objects.update(user=worker)
    person = Person.objects.get()
    transfer = services.transfer_request(person=person, to_union=tree["SH-B-1-1"], actor=worker,
                                         reason="换了工作")
    assert (transfer.origin, transfer.from_union_id) == ("worker", tree["SH-A-1-1"].pk)
    with pytest.raises(Conflict):
        services.transfer_request(person=person, to_union=tree["SH-B-1-1"], actor=worker)
    services.transfer_decline(transfer=transfer, actor=other_district_cadre, reason="非本单位职工")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_reason) == ("declined", "非本单位职工")
    assert Membership.objects.get().status == "active"


def test_retired_member_transfers_as_retired(tree, member, city_admin):
    services.membership_set_status(membership=member, target="retired", actor=city_admin,
                                   reason="退休")
    transfer = services.transfer_start(membership=member, to_union=tree["SH-A-1-2"],
                                       actor=city_admin)
    new = services.transfer_accept(transfer=transfer, actor=city_admin)
    assert new.status == "retired"
    assert OrgMemberStats.objects.get(org=tree["SH-A-1-2"]).retired == 1


def test_transfer_to_same_union_or_non_member_union_refused(tree, member, city_admin):
    with pytest.raises(ApplicationError) as exc:
        services.transfer_start(membership=member, to_union=tree["SH-A-1-1"], actor=city_admin)
    assert exc.value.code == "same_union"
    with pytest.raises(ApplicationError) as exc:
        services.transfer_start(membership=member, to_union=tree["SH-B"], actor=city_admin)
    assert exc.value.code == "union_not_member_holding"


def test_cancel_by_sender(tree, member, district_cadre):
    transfer = services.transfer_start(membership=member, to_union=tree["SH-B-1-1"],
                                       actor=district_cadre)
    assert services.transfer_cancel(transfer=transfer, actor=district_cadre).status == "cancelled"


def test_merge_moves_members_with_history(tree, member, city_admin):
    services.member_add(union=tree["SH-A-1-2"], fields=person_fields(), actor=city_admin)
    org_services.org_merge(source=tree["SH-A-1-1"], target=tree["SH-A-1-2"], actor=city_admin)
    moved = Membership.objects.get(person=member.person, status="active")
    assert (moved.union_id, moved.seniority_since) == (tree["SH-A-1-2"].pk, dt.date(2012, 7, 1))
    assert (_active(tree["SH-A-1-1"]), _active(tree["SH-A-1-2"])) == (0, 2)
    assert list(MembershipEvent.objects.filter(kind__startswith="merge")
                .values_list("kind", flat=True)) == ["merge_out", "merge_in"]


def test_dissolve_refused_while_members(tree, member, city_admin):
    with pytest.raises(ApplicationError) as exc:
        org_services.org_dissolve(org=tree["SH-A-1-1"], actor=city_admin)
    assert "1 名在册会员" in exc.value.message


def test_move_rewrites_union_paths(tree, member, city_admin):
    org_services.org_move(org=tree["SH-A-1"], new_parent=tree["SH-B"], actor=city_admin)
    new_path = type(tree["SH"]).objects.get(code="SH-A-1-1").path
    assert Membership.objects.get().union_path == new_path
    assert OrgMemberStats.objects.get(org=tree["SH-A-1-1"]).org_path == new_path


def test_merge_into_federation_with_members_refused(tree, member, city_admin):
    with pytest.raises(ApplicationError) as exc:
        org_services.org_merge(source=tree["SH-A-1-1"], target=tree["SH-B"], actor=city_admin)
    assert exc.value.code == "merge_target_no_members"
    assert Membership.objects.get().union == tree["SH-A-1-1"]


def test_each_side_sees_only_its_part_of_the_history(client, tree, member, district_cadre,
                                                    other_district_cadre):
    from conftest import login

    transfer = services.transfer_start(membership=member, to_union=tree["SH-B-1-1"],
                                       actor=district_cadre)
    new = services.transfer_accept(transfer=transfer, actor=other_district_cadre)
    services.membership_set_status(membership=new, target="withdrawn", actor=other_district_cadre,
                                   reason="乙区内部原因")
    page = login(client, district_cadre).get(f"/members/{member.pk}/")
    assert [e.kind for e in page.context["history"]] == ["join", "transfer_out"]
    assert "乙区内部原因" not in page.content.decode()
    page = login(client, other_district_cadre).get(f"/members/{new.pk}/")
    assert [e.kind for e in page.context["history"]] == ["transfer_in", "status"]
