"""Quotas hold under real concurrency (PostgreSQL, real threads): two streets forwarding at the
same moment cannot exceed their district's quota; one person is nominated once per scheme."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from conftest import make_org, make_user
from gonghui.awards.models import Nomination, NominationStatus, Quota
from gonghui.awards.services import honours as svc
from gonghui.awards.tests.factories import SYSTEM, member, nominate, scheme
from gonghui.core import clock
from gonghui.core.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            with clock.frozen(dt.datetime(2026, 5, 6, 10)):
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


def test_two_streets_forwarding_at_once_cannot_exceed_the_district_quota(tree):
    with clock.frozen(dt.datetime(2026, 5, 6, 9)):
        a2 = make_org(tree["SH-A"], "SH-A-2", "甲区二街道工会", "street", "street")
        a21 = make_org(a2, "SH-A-2-1", "甲三公司工会", "grassroots", "grassroots")
        s = scheme(tree["SH"])
        svc.quota_set(scheme=s, org=tree["SH-A"], quota=3, actor=SYSTEM)
        first = [nominate(s, tree["SH-A-1-1"], member(tree["SH-A-1-1"], n))
                 for n in ("赵一", "赵二")]
        second = [nominate(s, a21, member(a21, n)) for n in ("钱一", "钱二")]
    street1 = make_user("street1", org=tree["SH-A-1"], role="cadre")
    street2 = make_user("street2", org=a2, role="cadre")
    results = _run([
        lambda: svc.list_forward(scheme=s, org=tree["SH-A-1"],
                                 nomination_ids=[n.pk for n in first], actor=street1),
        lambda: svc.list_forward(scheme=s, org=a2, nomination_ids=[n.pk for n in second],
                                 actor=street2),
    ])
    refused = [r for r in results if isinstance(r, Conflict)]
    passed = [r for r in results if isinstance(r, list)]
    assert (len(passed), len(refused)) == (1, 1)
    assert refused[0].message == ("甲区总工会名额 3 个，已报送 2 个，本次报送 2 个，合计 4 个，"
                                  "超出 1 个。")
    assert Quota.objects.get(scheme=s).used == 2
    assert Nomination.objects.filter(at_org=tree["SH-A"]).count() == 2
    assert Nomination.objects.filter(quota__isnull=False).count() == 2


def test_one_person_nominated_by_two_unions_at_once(tree):
    with clock.frozen(dt.datetime(2026, 5, 6, 9)):
        s = scheme(tree["SH"])
        person = member(tree["SH-A-1-1"], "孙工匠")
    results = _run([
        lambda: nominate(s, tree["SH-A-1-1"], person),
        lambda: nominate(s, tree["SH-A-1"], person),
    ])
    made = [r for r in results if isinstance(r, Nomination)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(made), len(refused)) == (1, 1)
    assert refused[0].code == "duplicate_nominee"
    assert Nomination.objects.filter(scheme=s,
                                     status=NominationStatus.SUBMITTED).count() == 1
