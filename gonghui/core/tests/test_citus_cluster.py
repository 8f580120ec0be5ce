"""On a real Citus coordinator only (GONGHUI_TEST_CITUS_URL, docs/scale.md): the layout that
`gonghui citus distribute` made, its idempotence, and why rows move by delete + insert."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

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
