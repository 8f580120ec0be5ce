"""On a real Citus coordinator only (GONGHUI_TEST_CITUS_URL, docs/scale.md): the layout that
`gonghui citus distribute` made, its idempotence, and why rows move by delete + insert."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from conftest import make_org
from gonghui.core import citus

pytestmark = [pytest.mark.citus, pytest.mark.django_db]


def _partition() -> dict[str, tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT logicalrelid::regclass::text, partmethod, colocationid "
                       "FROM pg_dist_partition")
        return {t.strip('"'): (m, c) for t, m, c in cursor.fetchall()}


def test_the_cluster_has_the_plans_layout():
    layout = _partition()
    unions = citus.union_tables()
    assert sorted(t for t, (m, _c) in layout.items() if m == "h") == sorted(
        [*unions, *citus.by_id_tables(), *citus.keyed_tables()])
    with connection.cursor() as cursor:  # a table whose migration has not run is left out
        existing = set(connection.introspection.table_names(cursor))
    assert sorted(t for t, (m, _c) in layout.items() if m == "n") == sorted(
        t for t in citus.reference_tables() if t in existing)
    # every union table in one co-location group: a union's rows of every app on one shard
    assert len({layout[t][1] for t in unions}) == 1


def test_distribute_again_changes_nothing():
    out = io.StringIO()
    call_command("citus", "distribute", stdout=out)
    assert out.getvalue().splitlines()[0] == "already distributed: nothing to do"


def test_the_union_column_cannot_be_updated_in_place(tree):
    from gonghui.funds.models import Budget

    Budget.objects.create(union=tree["SH-A-1-1"], year=2026, account_code="5301",
                          amount="10.00")
    with pytest.raises(DatabaseError) as exc, transaction.atomic():
        Budget.objects.filter(union=tree["SH-A-1-1"]).update(union=tree["SH-B-1-1"])
    assert "partition" in str(exc.value) or "distribution" in str(exc.value)


def _node_of(union_id: int) -> tuple[int, int]:
    """(shard id, worker port) of a union's rows (co-located: every union table's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.shardid, p.nodeport FROM pg_dist_shard_placement p "
            "JOIN pg_dist_shard s ON s.shardid = p.shardid "
            "WHERE s.shardid = get_shard_id_for_distribution_column('members_membership', %s)",
            [union_id])
        shard, port = cursor.fetchone()
    return int(shard), int(port)


def test_a_transfer_between_unions_on_two_workers(tree, city_admin):
    """transfer_accept closes the membership on the sending union's shard and opens one on the
    receiving union's, on another worker: one distributed transaction (two-phase commit)."""
    from gonghui.members import services
    from gonghui.members.models import Membership, MembershipEvent, OrgMemberStats, Transfer
    from gonghui.members.tests.factories import person_fields
    from gonghui.orgs.models import Org

    source = tree["SH-A-1-1"]
    member = services.member_add(union=source, fields=person_fields("周杰"), actor=city_admin,
                                 joined_on="2012-07-01")
    # a receiving union whose shard is on the other worker (union ids come from a sequence)
    target = None
    for n in range(12):
        candidate = make_org(tree["SH-B-1"], f"SH-B-1-X{n}", f"乙{n}公司工会", "grassroots",
                             "grassroots")
        if _node_of(candidate.pk)[1] != _node_of(source.pk)[1]:
            target = Org.objects.get(pk=candidate.pk)
            break
    assert target is not None, "no union on the other worker among 12 new ones"
    transfer = services.transfer_start(membership=member, to_union=target, actor=city_admin,
                                       reason="调动工作")
    new = services.transfer_accept(transfer=transfer, actor=city_admin)
    old = Membership.objects.get(pk=member.pk, union=source)
    assert (old.status, new.status, new.union_id, new.seniority_since.isoformat()) == (
        "transferred_out", "active", target.pk, "2012-07-01")
    assert Transfer.objects.get(pk=transfer.pk).status == "accepted"
    assert list(MembershipEvent.objects.filter(union=target).values_list("kind", flat=True)) \
        == ["transfer_in"]
    assert list(OrgMemberStats.objects.filter(org__in=[source, target]).order_by("org_id")
                .values_list("org_id", "active")) == [(source.pk, 0), (target.pk, 1)]
    # each membership is on its union's shard, on two different workers
    assert _node_of(source.pk)[1] != _node_of(target.pk)[1]
    for membership, union in ((old, source), (new, target)):
        shard, _port = _node_of(union.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT get_shard_id_for_distribution_column('members_membership', union_id) "
                "FROM members_membership WHERE union_id = %s AND id = %s",
                [union.pk, membership.pk])
            assert cursor.fetchone()[0] == shard


def _union_on_the_other_worker(parent, code: str, than: int):
    """A new grassroots union under `parent` whose shard is on another worker than `than`'s."""
    from gonghui.orgs.models import Org

    for n in range(12):
        candidate = make_org(parent, f"{code}{n}", f"{code}{n}工会", "grassroots", "grassroots")
        if _node_of(candidate.pk)[1] != _node_of(than)[1]:
            return Org.objects.get(pk=candidate.pk)
    raise AssertionError("no union on the other worker among 12 new ones")


def test_a_merge_moves_the_unions_rows_to_a_shard_on_the_other_worker(tree, city_admin):
    """org_merge into a union on the other worker: the merged union's mutual-aid rows leave its
    shard by delete + insert (core/rowmove.py) and arrive, with their ids and values, on the
    target's shard; its members are closed there and reopened in the target. One distributed
    transaction over two workers."""
    import datetime as dt
    from decimal import Decimal

    from gonghui.members import services as members
    from gonghui.members.models import Membership, OrgMemberStats
    from gonghui.members.tests.factories import person_fields
    from gonghui.mutualaid import services as mutualaid
    from gonghui.mutualaid.models import Enrolment, EnrolmentRun, PayeeAccount
    from gonghui.orgs.services import org_merge

    source = tree["SH-A-1-1"]
    target = _union_on_the_other_worker(tree["SH-A-1"], "SH-A-1-M", than=source.pk)
    people = [members.member_add(union=source, fields=person_fields(name), actor=city_admin,
                                 joined_on="2015-03-01").person for name in ("钱一", "钱二")]
    plan = mutualaid.plan_create(
        code="ZYJT", name="住院津贴", kind="hospital_allowance", contribution=Decimal("30.00"),
        waiting_days=90, per_day=Decimal("50.00"), deductible_days=0,
        per_claim_cap=Decimal("1000.00"), per_year_cap=Decimal("1500.00"), plan_year=2026,
        year_starts_on=dt.date(2026, 1, 1), year_ends_on=dt.date(2026, 12, 31), org=tree["SH"],
        actor=city_admin)
    mutualaid.enrol_members(plan=plan, plan_year=2026, union=source, actor=city_admin,
                            enrolled_on=dt.date(2026, 1, 5))
    account = mutualaid.payee_account_set(person=people[0], actor=city_admin,
                                          holder_name=people[0].name, bank_name="工商银行",
                                          account_number="6222020200112233445")
    enrolments = sorted(Enrolment.objects.filter(union=source)
                        .values_list("pk", "person_id", "used_amount"))
    assert [e[1] for e in enrolments] == sorted(p.pk for p in people)

    org_merge(source=source, target=target, actor=city_admin)

    # the same rows, read by a single-shard query on the target's shard (the other worker)
    assert sorted(Enrolment.objects.filter(union=target)
                  .values_list("pk", "person_id", "used_amount")) == enrolments
    assert EnrolmentRun.objects.filter(union=target).count() == 1
    assert PayeeAccount.objects.get(pk=account.pk, union=target).account_number \
        == "6222020200112233445"
    assert not Enrolment.objects.filter(union=source).exists()
    assert not EnrolmentRun.objects.filter(union=source).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT get_shard_id_for_distribution_column('members_membership', union_id)"
            " FROM mutualaid_enrolment WHERE id = ANY(%s)", [[e[0] for e in enrolments]])
        assert [row[0] for row in cursor.fetchall()] == [_node_of(target.pk)[0]]
    assert _node_of(source.pk)[1] != _node_of(target.pk)[1]
    # members: closed in the merged union, reopened in the target (new memberships)
    assert sorted(Membership.objects.filter(person__in=people)
                  .values_list("union_id", "status")) == sorted(
        [(source.pk, "transferred_out")] * 2 + [(target.pk, "active")] * 2)
    assert list(OrgMemberStats.objects.filter(org__in=[source, target]).order_by("org_id")
                .values_list("org_id", "active")) == [(source.pk, 0), (target.pk, 2)]
