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
        [*unions, *citus.by_id_tables()])
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
