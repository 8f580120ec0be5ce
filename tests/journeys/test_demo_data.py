"""Issue 12 item 19: demo data that does not contradict itself — nobody paid dues before they
joined; a work plan's milestones and tasks fall in the plan's own year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from gonghui.core import clock

pytestmark = pytest.mark.django_db


def test_demo_members_never_paid_dues_before_joining():
    from gonghui.demo import load_orgs, load_users
    from gonghui.members.demo import seed_members
    from gonghui.members.models import Membership

    orgs = load_orgs()
    users = load_users(orgs)
    with clock.frozen(dt.datetime(2026, 12, 3, 10, 0)):
        seed_members(orgs=orgs, users=users)
    memberships = Membership.objects.filter(last_dues_on__isnull=False)
    assert memberships.count() > 100
    assert not memberships.filter(last_dues_on__lt=F("joined_on")).exists()
    # some joined this month: their dues are from this month too
    recent = memberships.filter(joined_on__gte=dt.date(2026, 12, 1), status="active")
    assert recent.exists()
    assert not recent.filter(last_dues_on__lt=dt.date(2026, 12, 1)).exists()


def test_demo_work_plans_are_dated_in_their_own_year():
    from gonghui.demo import load_orgs, load_users
    from gonghui.workplan.demo import seed_demo
    from gonghui.workplan.models import Milestone, Plan, SubTask

    orgs = load_orgs()
    users = load_users(orgs)
    with clock.frozen(dt.datetime(2026, 12, 3, 10, 0)):
        seed_demo(orgs=orgs, users=users)
    plans = list(Plan.objects.order_by("id"))
    assert [p.year for p in plans] == [2018, 2018]
    milestones = Milestone.objects.all()
    assert milestones.count() > 5
    assert {m.due_date.year for m in milestones} == {2018}
    assert {m.starts_on.year for m in milestones} == {2018}
    assert {s.due_date.year for s in SubTask.objects.all()} == {2018}
