"""0004_citus_org fills the new distribution column of every row under an activity, an
announcement or a course from its parent (the organising org)."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus

pytestmark = not_on_citus


@pytest.mark.django_db(transaction=True)
def test_citus_org_migration_fills_each_row_from_its_parent():
    before, after = "0003_station_photo", "0004_citus_org"
    old = migrate_to("outreach", before)
    Org = old.get_model("orgs", "Org")
    User = old.get_model("accounts", "User")

    def model(name):
        return old.get_model("outreach", name)

    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    later = at + dt.timedelta(days=2)
    history = {"to_status": "open", "actor_name": "mig", "at": at}
    unions = [Org.objects.create(path=f"000{i}", depth=1, numchild=0, code=f"MIG{i}",
                                 name=f"迁移工会{i}", level="city", org_type="federation")
              for i in (1, 2)]
    user = User.objects.create(username="mig_member")
    rows = {}  # (model, pk) -> the org expected
    for org in unions:
        activity = model("Activity").objects.create(
            org=org, org_path=org.path, title="健步走", kind="sport", place="公园", starts_at=later,
            ends_at=later + dt.timedelta(hours=2), capacity=10, signup_opens=at,
            signup_closes=later, cancel_deadline=later, qr_key="k")
        signup = model("Signup").objects.create(activity=activity, user=user, name="张三",
                                                status="confirmed", created_at=at)
        announcement = model("Announcement").objects.create(
            org=org, org_path=org.path, title="通知", body="正文", audience="everyone",
            published_at=at)
        course = model("Course").objects.create(org=org, org_path=org.path, title="课程",
                                                year=2026)
        session = model("CourseSession").objects.create(course=course, starts_at=later, hours=2,
                                                        topic="工会法")
        made = [
            model("ActivityHistory").objects.create(activity=activity, **history),
            signup,
            model("SignupHistory").objects.create(signup=signup, **history),
            model("AnnouncementHistory").objects.create(announcement=announcement, **history),
            model("Receipt").objects.create(announcement=announcement, user=user,
                                            union_path=org.path),
            session,
            model("Enrolment").objects.create(course=course, user=user, enrolled_at=at),
            model("Attendance").objects.create(session=session, user=user, recorded_at=later),
        ]
        for row in made:
            rows[(type(row).__name__, row.pk)] = org.pk
    try:
        new = migrate_to("outreach", after)
        got = {(name, pk): new.get_model("outreach", name).objects.values_list(
            "org_id", flat=True).get(pk=pk) for name, pk in rows}
        assert got == rows
        assert len(rows) == 16
    finally:
        migrate_to_latest()
