"""Demo data of outreach (the demo.seed hook): stations around each district's centre, a full
activity with a waiting list, an announcement, a practical project and a training course —
built through the services. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from gonghui.core import clock
from gonghui.members.models import Person
from gonghui.outreach.geo import DISTRICT_CENTRES
from gonghui.outreach.models import Activity, Station
from gonghui.outreach.permissions import member_context
from gonghui.outreach.services import activities, announcements, projects, stations, training

KINDS = ["outdoor"] * 6 + ["nursing", "library", "post", "aid_center"]
HOURS = ["每天 00:00-24:00", "周一至周五 08:00-20:00; 周六至周日 09:00-17:00",
         "每天 07:00-22:00", "每天 20:00-08:00"]


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    if Station.objects.filter(code__startswith="DEMO-").exists():
        say("Demo outreach: already loaded.\n")
        return
    admin = users["admin"]
    rng = random.Random(18)
    districts = [o for o in orgs.values() if o.level == "district"]
    made = 0
    for org in districts:
        name = next((d for d in DISTRICT_CENTRES if d.startswith(org.short_name or "-")
                     or d in org.name), None)
        if name is None:
            continue
        lat0, lon0 = DISTRICT_CENTRES[name]
        for i in range(12):
            stations.station_create(
                org=org, actor=admin, code=f"DEMO-{org.code}-{i:02d}",
                name=f"{name}{['爱心接力站', '户外职工服务站'][i % 2]}{i + 1}号",
                kind=KINDS[i % len(KINDS)], address=f"{name}演示路{i + 1}号", district=name,
                lat=lat0 + rng.uniform(-0.03, 0.03), lon=lon0 + rng.uniform(-0.03, 0.03),
                amenities=rng.choice([1 | 2 | 4, 1 | 2 | 4 | 16, 1 | 8 | 32, 1 | 2 | 4 | 8 | 16 | 64]),
                opened_on=dt.date(clock.today().year, 1 + i % 11, 1), weekly=HOURS[i % 4])
            made += 1
    now = clock.now()
    city = orgs["SH"]
    full = activities.activity_create(
        org=city, actor=admin, title="夏送清凉·观影活动", kind="campaign", place="上海工人文化宫",
        starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=7, hours=2),
        capacity=2, signup_opens=now - dt.timedelta(days=1),
        signup_closes=now + dt.timedelta(days=6), cancel_deadline=now + dt.timedelta(days=5),
        description="为户外劳动者送清凉，名额有限。")
    activities.activity_create(
        org=city, actor=admin, title="职工健步走", kind="sport", place="世纪公园",
        starts_at=now + dt.timedelta(days=14), ends_at=now + dt.timedelta(days=14, hours=3),
        capacity=200, signup_opens=now - dt.timedelta(days=1),
        signup_closes=now + dt.timedelta(days=12), cancel_deadline=now + dt.timedelta(days=10))
    _fill(full, admin)
    announcements.announcement_publish(
        org=city, title="关于开展2026年“夏送清凉”活动的通知", audience="everyone", pinned=True,
        body="各区总工会：请组织做好高温季节户外职工关爱工作。", actor=admin)
    targets = {o.code: 10 for o in districts[:8]}
    if targets:
        projects.project_create(org=city, year=clock.today().year, title="新增爱心接力站",
                                kind="outdoor", metric="opened", targets=targets, actor=admin)
    course = training.course_create(org=city, title="街道工会主席培训班",
                                    year=clock.today().year, actor=admin)
    soon = now + dt.timedelta(days=1)
    training.session_add(course=course, starts_at=soon if soon.year == now.year else now,
                         hours=Decimal("8"), topic="工会法与基层组织建设", actor=admin)
    say(f"Demo outreach: {made} stations, 2 activities, 1 announcement, 1 project, 1 course.\n")


def _fill(activity: Activity, admin: Any) -> None:
    """Sign up the first demo members with portal accounts (a full activity, one waiting)."""
    people = Person.objects.filter(user__isnull=False).select_related("user")[:3]
    for person in people:
        member = member_context(person.user)
        if member is not None and person.user is not None and member.ancestor_paths()[0] == activity.org_path[:4]:
            activities.signup_create(activity=activity, member=member, actor=person.user)
