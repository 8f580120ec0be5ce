"""The one-会籍 rule under real concurrency (PostgreSQL): two cadres approve two applications of
the same person at the same moment → exactly one membership, the other gets the conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from conftest import make_user
from gonghui.core.errors import Conflict
from gonghui.members import services
from gonghui.members.models import Application, Membership, OrgMemberStats, Person
from gonghui.members.tests.factories import person_fields


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_make_exactly_one_membership(tree):
    cadre_a = make_user("cadre_a", org=tree["SH-A-1-1"], role="registrar")
    cadre_b = make_user("cadre_b", org=tree["SH-B-1-1"], role="registrar")
    worker = make_user("w1")
    first = services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                        fields=person_fields("吴磊"))
    second = Application.objects.create(person=first.person, union=tree["SH-B-1-1"],
                                        data=first.data)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def approve(name, application, cadre):
        try:
            barrier.wait()
            results[name] = services.application_approve(application=application, actor=cadre)
        except Conflict as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=("a", first, cadre_a)),
               threading.Thread(target=approve, args=("b", second, cadre_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    memberships = list(Membership.objects.filter(status="active"))
    assert len(memberships) == 1
    conflicts = [r for r in results.values() if isinstance(r, Conflict)]
    assert len(conflicts) == 1
    # each cadre sees only their own union: the loser is not told where the person is a member
    assert conflicts[0].message == ("该身份证号码的本人已是其他工会的会员，不能重复入会；"
                                    "请由本人或原工会办理会员转会。")
    winner = memberships[0].union
    assert Person.objects.get().member_union == winner
    assert sorted(Application.objects.values_list("status", flat=True)) == ["approved", "submitted"]
    assert sum(OrgMemberStats.objects.values_list("active", flat=True)) == 1
