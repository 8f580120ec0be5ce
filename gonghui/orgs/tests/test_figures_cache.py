"""The subtree figures of the home and org pages are cached for GONGHUI_FIGURES_CACHE_SECONDS
in the process: a second read runs no statement; a saved org or employer, a moved org (its
path is in the key) or the end of the period gives fresh figures."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.orgs import selectors
from gonghui.orgs.models import Employer, Org


@pytest.fixture
def cached(settings):
    settings.GONGHUI_FIGURES_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _employer(area: Org, *, union: Org | None = None, employees: int = 10) -> Employer:
    return Employer.objects.create(name=f"单位{Employer.objects.count() + 1}", area=area,
                                   union=union, employees_count=employees)


def test_a_second_read_runs_no_statement(tree, cached):
    _employer(tree["SH-A-1"], union=tree["SH-A-1-1"], employees=30)
    _employer(tree["SH-A-1"], employees=20)
    district = tree["SH-A"]
    first = selectors.employer_coverage(district)
    assert first == {"employers": 2, "covered": 1, "employees": 50, "rate": 50.0}
    assert selectors.subtree_counts(district) == {"district": 1, "street": 1, "grassroots": 2}
    with CaptureQueriesContext(connection) as queries:
        assert selectors.employer_coverage(district) == first
        assert selectors.subtree_counts(district) == {"district": 1, "street": 1,
                                                      "grassroots": 2}
    assert len(queries) == 0


def test_a_saved_employer_or_org_gives_fresh_figures(tree, cached):
    district = tree["SH-A"]
    assert selectors.employer_coverage(district)["employers"] == 0
    employer = _employer(tree["SH-A-1"])
    assert selectors.employer_coverage(district) == {"employers": 1, "covered": 0,
                                                     "employees": 10, "rate": 0.0}
    employer.union = tree["SH-A-1-2"]
    employer.save()
    assert selectors.employer_coverage(district)["covered"] == 1
    employer.delete()
    assert selectors.employer_coverage(district)["employers"] == 0
    assert selectors.subtree_counts(district)["grassroots"] == 2
    street = Org.objects.get(pk=tree["SH-A-1"].pk)
    Org.objects.add_child(street, instance=Org(code="SH-A-1-3", name="甲三公司工会",
                                               level="grassroots", org_type="grassroots"))
    assert selectors.subtree_counts(district)["grassroots"] == 3


def test_figures_are_recomputed_after_the_period_and_off_with_zero(tree, cached, settings):
    district = tree["SH-A"]
    assert selectors.employer_coverage(district)["employers"] == 0
    # a write the signals do not see (a bulk UPDATE, or another server process)
    Employer.objects.bulk_create([Employer(name="批量单位", area=tree["SH-A-1"],
                                           employees_count=5)])
    assert selectors.employer_coverage(district)["employers"] == 0  # still the cached figure
    cache.clear()  # what the end of the period does
    assert selectors.employer_coverage(district)["employers"] == 1
    settings.GONGHUI_FIGURES_CACHE_SECONDS = 0
    Employer.objects.bulk_create([Employer(name="批量单位二", area=tree["SH-A-1"],
                                           employees_count=5)])
    assert selectors.employer_coverage(district)["employers"] == 2


def _redis_or_skip() -> str:
    import redis  # the test's own probe: is the machine's Redis up?

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (GONGHUI_CACHE_URL)")
    return url


def test_with_gonghui_cache_url_every_process_shares_the_figures(tree, settings):
    """GONGHUI_CACHE_URL: the figures live in Redis. Another server process (here: a second,
    separate cache client of the same Redis) reads the figure this one counted without
    counting, and its `figures_changed()` makes this process recount at once."""
    import uuid  # a key prefix of this test's own, so parallel runs do not share keys

    import redis  # to remove this test's keys afterwards
    from django.core.cache.backends.redis import RedisCache  # the other "process"'s client

    url = _redis_or_skip()
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
              "KEY_PREFIX": f"gh-test-{uuid.uuid4().hex}"}
    settings.CACHES = {"default": config}
    settings.GONGHUI_FIGURES_CACHE_SECONDS = 60
    other = RedisCache(url, {"KEY_PREFIX": config["KEY_PREFIX"]})
    try:
        district = tree["SH-A"]
        _employer(tree["SH-A-1"], employees=7)
        assert selectors.employer_coverage(district)["employers"] == 1
        key = f"gh:figures:employers:{other.get(selectors._FIGURES_GENERATION, 0)}:" \
              f"{district.pk}:{district.path}"
        assert other.get(key) == {"employers": 1, "covered": 0, "employees": 7, "rate": 0.0}
        # a write this process's signals do not see, then the other process says so
        Employer.objects.bulk_create([Employer(name="另一进程的单位", area=tree["SH-A-1"],
                                               employees_count=3)])
        assert selectors.employer_coverage(district)["employers"] == 1  # cached
        try:  # what figures_changed() does in the other process
            other.incr(selectors._FIGURES_GENERATION)
        except ValueError:
            other.set(selectors._FIGURES_GENERATION, 1, None)
        assert selectors.employer_coverage(district) == {"employers": 2, "covered": 0,
                                                         "employees": 10, "rate": 0.0}
    finally:  # only this test's keys (clear() would empty the whole Redis database)
        client = redis.Redis.from_url(url)
        stale = client.keys(f"{config['KEY_PREFIX']}:*")
        if stale:
            client.delete(*stale)


def test_a_moved_subtree_gives_fresh_figures_to_both_ancestors(tree, cached):
    """treebeard moves a subtree by UPDATE statements (no signal): org_move says so itself."""
    from gonghui.core.actor import SYSTEM  # the move's actor
    from gonghui.orgs.services import org_move  # the service under test

    a, b = tree["SH-A"], tree["SH-B"]
    assert selectors.subtree_counts(a) == {"district": 1, "street": 1, "grassroots": 2}
    assert selectors.subtree_counts(b) == {"district": 1, "street": 1, "grassroots": 1}
    org_move(org=Org.objects.get(code="SH-A-1-2"), new_parent=Org.objects.get(code="SH-B-1"),
             actor=SYSTEM)
    assert selectors.subtree_counts(Org.objects.get(pk=a.pk))["grassroots"] == 1
    assert selectors.subtree_counts(Org.objects.get(pk=b.pk))["grassroots"] == 2
