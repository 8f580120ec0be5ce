"""Fixtures of the outreach tests: an outreach cadre, members with portal accounts, helpers
that build stations and activities through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_user
from gonghui.core import clock

NOW = dt.datetime(2026, 7, 6, 10, 0)   # a Monday, Asia/Shanghai


def aware(value: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(value)


@pytest.fixture
def frozen_now():
    with clock.frozen(NOW):
        yield aware(NOW)


@pytest.fixture
def cadre_a(tree):
    """Outreach cadre of district A."""
    return make_user("outreach_a", org=tree["SH-A"], role="cadre")


def make_member(union: Any, username: str, **fields: Any) -> tuple[Any, Any]:
    """A worker with a portal account and an active membership in `union`."""
    from gonghui.accounts.models import User
    from gonghui.members.models import Person
    from gonghui.members.services import member_add
    from gonghui.members.tests.factories import person_fields

    bot = User.objects.filter(username="registry_bot").first() or User.objects.create(
        username="registry_bot", is_superuser=True)
    name = fields.pop("name", "职工" + "甲乙丙丁戊己庚辛壬癸"[sum(map(ord, username)) % 10]
                      + "一二三四五六七八九十"[len(username) % 10])
    membership = member_add(union=union, fields=person_fields(name=name, **fields),
                            actor=bot, joined_on=dt.date(2020, 1, 1))
    user = make_user(username)
    Person.objects.filter(pk=membership.person_id).update(user=user)
    return user, membership


def make_station(org: Any, *, lat: float = 31.23, lon: float = 121.47, code: str = "",
                 weekly: str = "每天 00:00-00:00", amenities: int = 0, **extra: Any) -> Any:
    from gonghui.core.actor import system_actor
    from gonghui.outreach.services.stations import station_create

    values = {"name": extra.pop("name", f"站点{code or lat}"), "kind": "outdoor",
              "address": "测试路1号", "district": "黄浦区", "lat": lat, "lon": lon,
              "amenities": amenities, **extra}
    return station_create(org=org, actor=system_actor("cli"), code=code, weekly=weekly,
                          **values)


def make_activity(org: Any, *, capacity: int = 2, group: str = "", **extra: Any) -> Any:
    from gonghui.core.actor import system_actor
    from gonghui.outreach.services.activities import activity_create

    values = {"title": "夏送清凉慰问", "kind": "campaign", "place": "甲区工人文化宫",
              "starts_at": aware(NOW + dt.timedelta(days=5)),
              "ends_at": aware(NOW + dt.timedelta(days=5, hours=2)),
              "capacity": capacity, "group": group,
              "signup_opens": aware(NOW - dt.timedelta(days=1)),
              "signup_closes": aware(NOW + dt.timedelta(days=4)),
              "cancel_deadline": aware(NOW + dt.timedelta(days=3))}
    values.update(extra)
    return activity_create(org=org, actor=system_actor("cli"), **values)
