"""The rules whose keys changed for Citus (docs/scale.md) still refuse what they refused, on
SQLite and PostgreSQL; the replacement of the one-会籍 index works with the index gone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.mutualaid import services
from gonghui.mutualaid.models import BatchItem, PayeeAccount, Payout, PayoutBatch
from gonghui.mutualaid.services.processing import process_queue
from gonghui.mutualaid.tests.conftest import (  # noqa: F401  (fixtures)
    _today,
    add_member,
    cadre_a11,
    enrol,
    id_number,
    import_bytes,
    members,
    plans,
    settlement_csv,
)

pytestmark = pytest.mark.django_db


def _paid_flow(tree, plans, members, cadre_a11):  # noqa: F811
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([
        {"no": "C1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 3}]),
        tree["SH"])
    assert process_queue().payouts == 1
    return Payout.objects.get()


def test_a_second_payout_for_the_same_settlement_is_refused(tree, plans, members,  # noqa: F811
                                                             cadre_a11):  # noqa: F811
    payout = _paid_flow(tree, plans, members, cadre_a11)
    assert (payout.amount, payout.union_id) == (Decimal("150.00"), tree["SH-A-1-1"].pk)
    twin = Payout.objects.get(pk=payout.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)
    assert Payout.objects.count() == 1
    # processing the record again pays nothing either
    assert process_queue().payouts == 0


def test_bank_items_and_accounts_carry_the_union_and_a_payout_stays_in_one_live_item(
        tree, plans, members, cadre_a11, city_admin):  # noqa: F811
    payout = _paid_flow(tree, plans, members, cadre_a11)
    person = members["a"][0]
    account = services.payee_account_set(person=person, actor=city_admin,
                                         holder_name=person.name, bank_name="工商银行",
                                         account_number="6222020200112233445")
    assert account.union_id == tree["SH-A-1-1"].pk
    batch = services.batch_create(org=tree["SH"], actor=city_admin)
    item = BatchItem.objects.get(batch=batch)
    assert (item.payout_id, item.union_id) == (payout.pk, payout.union_id)
    other = PayoutBatch.objects.create(org=tree["SH"], org_path=tree["SH"].path)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchItem.objects.create(
            batch=other, payout=payout, union_id=payout.union_id, amount=payout.amount,
            payee_name="x", bank_name="x", account_number="6222020200112233445",
            account_masked="x")
    assert BatchItem.objects.count() == 1


def test_a_settlement_number_or_stay_is_taken_once_by_its_claim_row(tree, members):  # noqa: F811
    """The records are distributed by their person's queue lane on Citus, so their two keys are
    claim rows keyed by the key itself (core/citus.py DISTRIBUTED_BY_KEY): a number imported
    again with other content, or the same stay under another number, is refused as before —
    also when the two records would sit in different lanes."""
    from gonghui.core.crypto import blind_index
    from gonghui.mutualaid.models import (
        SettlementIssue,
        SettlementNumber,
        SettlementRecord,
        SettlementStay,
        lane_of,
    )

    lane = {n: lane_of(blind_index(id_number(n))) for n in range(101, 121)}
    elsewhere = next(n for n in range(102, 121) if lane[n] != lane[101])
    first = import_bytes(settlement_csv([
        {"no": "C1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 3},
        {"no": "C2", "id": id_number(101), "admitted": dt.date(2026, 6, 1), "days": 4}]),
        tree["SH"])
    assert (first.inserted, first.duplicates) == (2, 0)
    second = import_bytes(settlement_csv([
        {"no": "C1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 3},
        # the number C2 again, another person's stay (another lane)
        {"no": "C2", "id": id_number(elsewhere), "admitted": dt.date(2026, 6, 1), "days": 4},
        # the first C2's stay again under a new number
        {"no": "C3", "id": id_number(101), "admitted": dt.date(2026, 6, 1), "days": 4},
        {"no": "C4", "id": id_number(2), "admitted": dt.date(2026, 7, 1), "days": 2}]),
        tree["SH"], name="again.csv")
    assert (second.inserted, second.already_imported, second.duplicates) == (1, 1, 2)
    assert list(SettlementIssue.objects.filter(source=second).values_list(
        "row_no", "code", "message", "settlement_no")) == [
        (3, "number_conflict", "结算单号已导入过但内容不同，未覆盖；如需更正请联系医保部门。", "C2"),
        (4, "duplicate_stay", "与已导入的结算单 C2 为同一次住院（疑似重复结算），未导入。", "C3"),
    ]
    records = {r.settlement_no: r for r in SettlementRecord.objects.all()}
    assert sorted(records) == ["C1", "C2", "C4"]
    assert records["C2"].id_hash == blind_index(id_number(101))
    assert all(r.lane == lane_of(r.id_hash) for r in records.values())
    assert dict(SettlementNumber.objects.values_list("settlement_no", "fingerprint")) == {
        n: r.fingerprint for n, r in records.items()}
    assert dict(SettlementStay.objects.values_list("fingerprint", "settlement_no")) == {
        r.fingerprint: n for n, r in records.items()}
    # the claim rows themselves refuse a second taker
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementNumber.objects.create(settlement_no="C2", fingerprint="0" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementStay.objects.create(fingerprint=records["C2"].fingerprint, settlement_no="C9")
    assert SettlementNumber.objects.count() == SettlementStay.objects.count() == 3


def test_an_account_without_any_union_is_refused_with_a_sentence(tree):
    person = add_member(tree["SH-A-1-1"], "无会籍", id_number(50))
    person.member_union = None  # as after leaving: only a global actor may act for them
    with pytest.raises(ApplicationError) as exc:
        services.payee_account_set(person=person, actor=system_actor("test"),
                                   holder_name="无会籍",
                                   bank_name="工商银行", account_number="6222020200112233445")
    assert exc.value.message == "该会员既不属于任何工会，也没有参保记录，不能登记收款账户。"
    assert PayeeAccount.objects.count() == 0


def test_one_held_membership_without_the_index(tree, city_admin):
    """On Citus the partial unique index membership_one_held_per_person cannot exist; the
    compare-and-set on members_person.member_union refuses the second 会籍 alone."""
    from gonghui.members.models import Membership
    from gonghui.members.services._common import open_membership

    person = add_member(tree["SH-A-1-1"], "甲", id_number(60))
    with transaction.atomic():
        with connection.cursor() as cursor:
            # (on Citus `distribute` has dropped it already)
            cursor.execute("DROP INDEX IF EXISTS membership_one_held_per_person")
        with pytest.raises(Conflict), transaction.atomic():
            open_membership(person=person, union=tree["SH-B-1-1"],
                            joined_on=dt.date(2026, 1, 1), seniority_since=dt.date(2026, 1, 1),
                            actor=city_admin)
        assert list(Membership.objects.filter(person=person).values_list(
            "union__code", "status")) == [("SH-A-1-1", "active")]
        transaction.set_rollback(True)  # the index comes back with the rollback


def test_a_merge_moves_the_unions_mutual_aid_rows_by_delete_and_insert(
        tree, plans, members, cadre_a11, city_admin):  # noqa: F811
    """org.merge moves every row whose union changes as delete + insert (core/rowmove.py) — the
    only way on Citus, where the union is the distribution column — keeping ids and values."""
    from gonghui.members.models import Membership, OrgMemberStats
    from gonghui.mutualaid.models import Enrolment, EnrolmentRun, PayoutEvent
    from gonghui.orgs.services import org_merge

    payout = _paid_flow(tree, plans, members, cadre_a11)
    person = members["a"][0]
    account = services.payee_account_set(person=person, actor=city_admin,
                                         holder_name=person.name, bank_name="工商银行",
                                         account_number="6222020200112233445")
    batch = services.batch_create(org=tree["SH"], actor=city_admin)
    source, target = tree["SH-A-1-1"], tree["SH-A-1-2"]
    payout.refresh_from_db()
    before = {
        "payout": (payout.pk, payout.amount, payout.status),
        "enrolments": sorted(Enrolment.objects.values_list("pk", "person_id", "used_amount")),
        "events": PayoutEvent.objects.filter(payout=payout).count(),
    }
    # add_member writes memberships without the counters the merge decrements
    OrgMemberStats.objects.create(org=source, org_path=source.path, active=3)
    org_merge(source=source, target=target, actor=city_admin)

    moved = Payout.objects.get()
    assert (moved.pk, moved.amount, moved.status) == before["payout"]
    assert (moved.union_id, moved.union_path) == (target.pk, target.path)
    assert sorted(Enrolment.objects.values_list("pk", "person_id", "used_amount")) == \
        before["enrolments"]
    assert set(Enrolment.objects.values_list("union_id", flat=True)) == {target.pk}
    assert set(EnrolmentRun.objects.values_list("union_id", flat=True)) == {target.pk}
    assert PayoutEvent.objects.filter(payout=moved, union=target).count() == before["events"]
    assert BatchItem.objects.get(batch=batch).union_id == target.pk
    assert PayeeAccount.objects.get(pk=account.pk).union_id == target.pk
    # members: closed in the source, reopened in the target (a new membership, not a move)
    assert sorted(Membership.objects.filter(person=person).values_list(
        "union__code", "status")) == [("SH-A-1-1", "transferred_out"), ("SH-A-1-2", "active")]
    # nothing of mutual aid is left in the merged union
    assert not Payout.objects.filter(union=source).exists()
    assert not Enrolment.objects.filter(union=source).exists()
