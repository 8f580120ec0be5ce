"""core.pagination.bounded_count and BudgetPaginator: a list's total is counted within
GONGHUI_COUNT_BUDGET_MS on PostgreSQL, else the list pages without a total."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string

from gonghui.core import pagination as core_pagination
from gonghui.core.pagination import BudgetPaginator, bounded_count
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def _slow_orgs():
    """The tree's 8 orgs, each row costing 50 ms to the database (PostgreSQL's pg_sleep)."""
    return Org.objects.extra(where=["pg_sleep(0.05) IS NOT NULL"]).order_by("path")


def test_counts_exactly_within_the_budget(tree, settings):
    settings.GONGHUI_COUNT_BUDGET_MS = 2000
    assert bounded_count(Org.objects.all()) == 8
    assert bounded_count(Org.objects.filter(code__startswith="SH-A")) == 4


@pytest.mark.postgres
def test_a_count_past_the_budget_is_none_and_the_timeout_is_restored(tree, settings):
    settings.GONGHUI_COUNT_BUDGET_MS = 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        before = cursor.fetchone()[0]
    assert bounded_count(_slow_orgs()) is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == before
    # the connection still works, and without a budget the same count is exact
    settings.GONGHUI_COUNT_BUDGET_MS = 0
    assert bounded_count(_slow_orgs()) == 8


@pytest.mark.postgres
def test_pages_without_a_total(tree, settings):
    settings.GONGHUI_COUNT_BUDGET_MS = 100
    first = BudgetPaginator(_slow_orgs(), 3, page_hint="1").get_page("1")
    assert first.paginator.count_unknown is True
    assert (first.paginator.count, first.has_next()) == (4, True)
    assert [o.code for o in first] == ["SH", "SH-A", "SH-A-1"]
    last = BudgetPaginator(_slow_orgs(), 3, page_hint="3").get_page("3")
    assert (last.paginator.count, last.has_next(), last.number) == (8, False, 3)
    assert [o.code for o in last] == ["SH-B-1", "SH-B-1-1"]
    html = render_to_string("partials/pagination.html", {"page": first, "qs": ""})
    assert "第 1 页" in html
    assert "未统计总数" in html
    assert "共 " not in html
    assert 'page=2">›' in html
    assert "»" not in html


def test_a_known_total_is_not_counted(tree, django_assert_num_queries):
    with django_assert_num_queries(1):  # the page's rows only
        page = BudgetPaginator(Org.objects.order_by("path"), 3, known_count=8).get_page("2")
        assert [o.code for o in page] == ["SH-A-1-1", "SH-A-1-2", "SH-B"]
    assert (page.paginator.count, page.paginator.count_unknown) == (8, False)
    html = render_to_string("partials/pagination.html", {"page": page, "qs": "q=x"})
    assert "共 8 条" in html
    assert "第 2/3 页" in html
    assert "q=x&page=3" in html



def test_a_keyed_slice_is_the_plain_slice_in_two_statements(tree, city_admin,
                                                              django_assert_num_queries):
    from gonghui.members import services  # core's tests borrow a domain model with joins
    from gonghui.members.models import Membership
    from gonghui.members.tests.factories import id_number, person_fields

    for seq, name in enumerate("甲乙丙丁戊己", start=1):
        services.member_add(union=tree["SH-A-1-1" if seq % 2 else "SH-B-1-1"], actor=city_admin,
                            fields=person_fields("会员" + name, id_number=id_number(seq=seq)))
    members = Membership.objects.select_related("person", "union").order_by("-union_path", "-id")
    plain = [(m.pk, m.person.name, m.union.code) for m in members[1:5]]
    with django_assert_num_queries(2):  # the keys, then the rows with person and union joined
        keyed = core_pagination.keyed_slice(members, 1, 5)
        assert [(m.pk, m.person.name, m.union.code) for m in keyed] == plain
    assert len(plain) == 4
    with django_assert_num_queries(1):  # past the end: the keys only
        assert core_pagination.keyed_slice(members, 50, 75) == []


def test_a_keyed_budget_page_holds_the_same_rows(tree):
    orgs = Org.objects.order_by("path")
    for number in (1, 2, 3):
        plain = BudgetPaginator(orgs, 3).page(number)
        keyed = BudgetPaginator(orgs, 3, keyed=True).page(number)
        assert [o.code for o in keyed.object_list] == [o.code for o in plain.object_list]
        assert (keyed.has_next(), keyed.start_index()) == (plain.has_next(), plain.start_index())
