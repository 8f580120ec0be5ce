"""A filtered member list's total is counted from the indexes alone on PostgreSQL (migration
0011, issue 23's load test): the subtree range of `membership_path_id` carries status, person
and 会龄 start, `person_id_cover` the person's gender and birth date — so the COUNT behind the
list with three filters reads no table row. A filter on a column neither index carries would
turn one of the scans into a heap scan and fail this test."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection

from gonghui.core import clock
from gonghui.members import selectors, services
from gonghui.members.tests.factories import id_number, person_fields

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="INCLUDE indexes and EXPLAIN plans are PostgreSQL's",
    ),
    # a coordinator's plan is a distributed one (each shard's plan is the one asserted here)
    pytest.mark.skipif(bool(os.environ.get("GONGHUI_TEST_CITUS_URL")), reason="one node's plan"),
]


def _explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        # the test database is tiny: make the planner show which indexes *could* answer alone
        for name in ("seqscan", "bitmapscan", "hashjoin", "mergejoin", "sort"):
            cursor.execute(f"SET LOCAL enable_{name} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _plan(queryset) -> str:
    """The plan of the COUNT of `queryset`."""
    query = queryset.query.chain()
    query.clear_ordering(force=True)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return _explain(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)


def test_the_three_filter_count_reads_only_indexes(tree, city_admin, district_cadre):
    with clock.frozen(dt.date(2026, 5, 12)):
        for seq, born in enumerate((dt.date(1985, 1, 2), dt.date(1990, 6, 1)), start=1):
            services.member_add(
                union=tree["SH-A-1-1"],
                actor=city_admin,
                joined_on=dt.date(2019, 3, 1),
                fields=person_fields(
                    "会员" + "甲乙"[seq - 1], id_number=id_number(birth=born, gender="F", seq=seq)
                ),
            )
        filtered = selectors.member_list(
            viewer=district_cadre, within=tree["SH-A-1"], gender="F", age="36-45", seniority="5-10"
        )
        assert filtered.count() == 1
        plan = _plan(filtered.values("id"))
    assert "Index Only Scan using membership_path_id on members_membership" in plan, plan
    assert "Index Only Scan using person_id_cover on members_person" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_a_filtered_page_finds_its_rows_in_the_indexes(tree, city_admin, district_cadre):
    """The member list reads a page keys first (core.pagination.keyed_slice): that read, which
    skips every member the filters refuse, touches no table row either."""
    with clock.frozen(dt.date(2026, 5, 12)):
        filtered = selectors.member_list(
            viewer=district_cadre, within=tree["SH-A-1"], gender="F", age="36-45", seniority="5-10"
        )
        query = filtered.values_list("pk", flat=True)[0:26].query
        sql, params = query.get_compiler(filtered.db).as_sql()
    plan = _explain(sql, params)
    assert "Index Only Scan using membership_path_id on members_membership" in plan, plan
    assert "Index Only Scan using person_id_cover on members_person" in plan, plan
