"""The database decides under real concurrency (PostgreSQL, real threads): letters issued at
once by one union get consecutive numbers, and two signals at once leave one open alert."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from gonghui.core import clock
from gonghui.rights.models import Letter, RiskAlert, RiskSignal
from gonghui.rights.services import letters as letter_svc
from gonghui.rights.services import risk as risk_svc
from gonghui.rights.tests.conftest import make_employer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls):
    """Run the callables at once, one thread each; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            with clock.frozen(dt.datetime(2026, 6, 1, 10)):
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


def test_letters_at_once_get_consecutive_numbers(tree, district_cadre):
    employer = make_employer(tree["SH-A-1"])

    def issue():
        return letter_svc.opinion_issue(org=tree["SH-A-1"], employer=employer, violation="欠薪",
                                        legal_basis="劳动法", correction="支付",
                                        issued_on=dt.date(2026, 6, 1), actor=district_cadre)

    results = _run([issue, issue, issue, issue])
    assert [type(r).__name__ for r in results] == ["Letter"] * 4, results
    assert sorted(Letter.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]


def test_signals_at_once_leave_one_open_alert(tree, district_cadre):
    employer = make_employer(tree["SH-A-1"])

    def signal():
        return risk_svc.signal_add(employer=employer, kind="collective", on=dt.date(2026, 6, 1),
                                   severity=5, actor=district_cadre)

    results = _run([signal, signal])
    assert [type(r).__name__ for r in results] == ["RiskSignal"] * 2, results
    # the employer row lock orders them: the second sees the first's level, no second alert
    assert RiskAlert.objects.filter(employer=employer).exclude(status="closed").count() == 1
    assert RiskSignal.objects.filter(employer=employer).count() == 2
