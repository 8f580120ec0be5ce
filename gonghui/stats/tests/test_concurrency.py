"""The database decides under real concurrency (PostgreSQL, real threads): two cadres
registering the same USCC at once get one employer and one clear conflict; two snapshots of one
month at once leave exactly one row per union."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from conftest import make_user
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.errors import Conflict
from gonghui.members import services as members
from gonghui.members.tests.factories import person_fields
from gonghui.orgs.models import Employer
from gonghui.orgs.validation import make_uscc
from gonghui.stats.models import MonthlySnapshot
from gonghui.stats.services.employers import EmployerData, employer_create
from gonghui.stats.services.snapshots import snapshot_month

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_one_uscc_registered_twice_at_once(tree, district_cadre):
    other = make_user("cadre_a1", org=tree["SH-A-1"], role="cadre")
    uscc = make_uscc("91310101MA1FL0000")
    results = _run([
        lambda: employer_create(data=EmployerData(name="甲五公司", area=tree["SH-A-1"], uscc=uscc),
                                actor=district_cadre),
        lambda: employer_create(data=EmployerData(name="甲五有限公司", area=tree["SH-A-1"],
                                                  uscc=uscc), actor=other),
    ])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Employer"]
    conflict = next(r for r in results if isinstance(r, Conflict))
    assert conflict.message == f"统一社会信用代码“{uscc}”已登记为另一家单位。"
    assert Employer.objects.filter(uscc=uscc).count() == 1


def test_two_snapshots_of_one_month_at_once(tree, city_admin):
    members.member_add(union=tree["SH-A-1-1"], fields=person_fields("张伟"), actor=city_admin)
    Employer.objects.create(name="甲一公司", area=tree["SH-A-1"], employees_count=3)
    day = dt.datetime(2026, 3, 31, 22, 0)

    def take():
        with clock.frozen(day):
            return snapshot_month(month=dt.date(2026, 3, 1), actor=system_actor("cli"))

    results = _run([take, take])
    assert [type(r).__name__ for r in results] == ["int", "int"]
    assert results[0] == results[1]
    orgs = set(MonthlySnapshot.objects.values_list("org_id", flat=True))
    assert MonthlySnapshot.objects.count() == len(orgs) == results[0]
