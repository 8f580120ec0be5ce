"""core.pagination.bounded_count and BudgetPaginator: a list's total is counted within
GONGHUI_COUNT_BUDGET_MS on PostgreSQL, else the list pages without a total."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string

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
