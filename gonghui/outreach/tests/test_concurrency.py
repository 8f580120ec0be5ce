"""The last place is not given twice, and the waiting list is first come, first served, under
real concurrency (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gonghui.core import clock
from gonghui.outreach import permissions
from gonghui.outreach.models import Activity, Signup, SignupStatus
from gonghui.outreach.services import activities as svc
from gonghui.outreach.tests.conftest import NOW, make_activity, make_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=20)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    # The clock is one process-wide value: frozen once here, for every thread.
    with clock.frozen(NOW):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    return results


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every writer)")


def test_the_last_places_are_not_given_twice(tree, on_postgres):
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"], capacity=3)
    users = [make_member(tree["SH-A-1-1"], f"c{i:02d}")[0] for i in range(12)]
    members = [permissions.require_member(u) for u in users]

    results = _run([lambda u=u, m=m: svc.signup_create(activity=activity, member=m, actor=u)
                    for u, m in zip(users, members, strict=True)])
    assert [r for r in results if isinstance(r, Exception)] == []
    rows = list(Signup.objects.filter(activity=activity).order_by("created_at", "id"))
    assert [s.status for s in rows].count(SignupStatus.CONFIRMED) == 3
    assert [s.status for s in rows].count(SignupStatus.WAITING) == 9
    assert Activity.objects.get(pk=activity.pk).taken == 3
    # the confirmed are the first three in arrival order (the lock serialises arrivals)
    assert [s.status for s in rows[:3]] == ["confirmed"] * 3

    # cancellations at once: each freed place goes to the next in line, none twice
    confirmed = [s for s in rows if s.status == SignupStatus.CONFIRMED]
    by_user = {u.pk: u for u in users}
    _run([lambda s=s: svc.signup_cancel(signup=s, actor=by_user[s.user_id])
          for s in confirmed])
    after = list(Signup.objects.filter(activity=activity).order_by("created_at", "id"))
    assert [s.status for s in after] == ["cancelled"] * 3 + ["confirmed"] * 3 + ["waiting"] * 6
    assert Activity.objects.get(pk=activity.pk).taken == 3
