"""The stored member breakdowns of the big subtrees: one scan gives exactly the live recount of
the city, each district and each street; the dashboard reads them "as of" their day; a member
added later changes the live totals at once and the breakdowns at the next refresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.members import services as members
from gonghui.members import stats_selectors
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.tests.factories import id_number, person_fields
from gonghui.stats.models import SubtreeBreakdown
from gonghui.stats.services.breakdowns import breakdowns_refresh

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def add(union, actor, name, **fields):
    return members.member_add(union=union, fields=person_fields(name, **fields), actor=actor)


@pytest.fixture
def city(tree, city_admin):
    add(tree["SH-A-1-1"], city_admin, "张伟", id_number=id_number(birth=dt.date(1995, 5, 1)),
        new_employment_group="快递员")
    add(tree["SH-A-1-2"], city_admin, "王芳", id_number=id_number(gender="F",
                                                                birth=dt.date(1970, 1, 1)))
    retired = add(tree["SH-B-1-1"], city_admin, "赵强", new_employment_group="货车司机")
    Membership.objects.filter(pk=retired.pk).update(status=MembershipStatus.RETIRED)
    return tree


def test_one_scan_equals_the_live_recount_of_every_big_subtree(city):
    with clock.frozen(dt.datetime(2026, 6, 1, 9, 0)):
        n = breakdowns_refresh(actor=system_actor("test"))
    stored = {b.org_path: b for b in SubtreeBreakdown.objects.all()}
    assert n == len(stored) == len([o for o in city.values() if o.depth <= 3])
    for org in city.values():
        if org.depth > 3:
            continue
        live = stats_selectors.held_breakdown(org_path=org.path, today=TODAY)
        assert stored[org.path].data == live, org.code
        assert stored[org.path].as_of == TODAY
    sh = stored[city["SH"].path].data
    assert sh["status"] == {"active": 2, "retired": 1}
    assert sh["new_employment_group"] == {"": 1, "courier": 1}   # working members only
    assert sh["age_band"] == {"≤35": 1, "36-45": 0, "46-54": 0, "≥55": 1}
    assert AuditEvent.objects.filter(action="stats.breakdowns").count() == 1


def test_dashboard_reads_the_stored_breakdown_as_of_its_day(client, city, city_admin):
    with clock.frozen(dt.datetime(2026, 6, 1, 9, 0)):
        breakdowns_refresh(actor=system_actor("test"))
    add(city["SH-A-1-1"], city_admin, "孙丽", id_number=id_number(gender="F"))
    login(client, city_admin)
    response = client.get(reverse("stats:home"), {"org": "SH-A"})
    panel = response.context["data"]["members"]
    assert panel["active"] == 3                                  # live counters
    assert {g["key"]: g["value"] for g in panel["gender"]} == {"F": 1, "M": 1}  # as of 06-01
    assert panel["breakdown_as_of"] == TODAY
    assert 'id="breakdown-as-of"' in response.content.decode()
    # a grassroots subtree is not stored: counted live
    response = client.get(reverse("stats:home"), {"org": "SH-A-1-1"})
    panel = response.context["data"]["members"]
    assert panel["breakdown_stored"] is False
    assert {g["key"]: g["value"] for g in panel["gender"]} == {"F": 1, "M": 1}
