"""Scheduled messages (`gonghui outreach notify-due`, hourly): the day-before reminder of an
activity to its confirmed members and of a training session to its enrolled cadres. Each is
sent once (`reminded_at`, claimed under a row lock, so two runs never send it twice)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.notifications.services import notify
from gonghui.outreach.models import (
    Activity,
    ActivityStatus,
    CourseSession,
    Enrolment,
    Signup,
    SignupStatus,
)

AHEAD = dt.timedelta(hours=24)


def notify_due(*, actor: Actor) -> dict[str, int]:
    now = clock.now()
    sent = {"activities": 0, "sessions": 0, "messages": 0}
    for pk, org_id in Activity.objects.filter(
            status=ActivityStatus.OPEN, reminded_at__isnull=True, starts_at__gt=now,
            starts_at__lte=now + AHEAD).values_list("pk", "org_id"):
        with transaction.atomic():
            # with the org: on Citus a row lock names the shard (docs/scale.md)
            activity = Activity.objects.select_for_update(skip_locked=True).filter(
                pk=pk, org_id=org_id, reminded_at__isnull=True).first()
            if activity is None:
                continue
            Activity.objects.filter(pk=pk, org_id=org_id).update(reminded_at=now)
            users = list(Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED)
                         .values_list("user_id", flat=True))
            rows = notify(recipients=users, kind="outreach.activity_reminder",
                          title=_("活动提醒：{title}").format(title=activity.title),
                          body=_("活动将于 {t} 在 {p} 开始，请准时参加。").format(
                              t=f"{timezone.localtime(activity.starts_at):%m-%d %H:%M}",
                              p=activity.place),
                          url=reverse("outreach:my_activity", args=[activity.pk]),
                          org_path=activity.org_path, actor=actor)
            audit_record(actor=actor, action="outreach.activity.remind", obj=activity,
                         org_path=activity.org_path, after={"recipients": len(rows)})
            sent["activities"] += 1
            sent["messages"] += len(rows)
    for pk, org_id in CourseSession.objects.filter(
            reminded_at__isnull=True, starts_at__gt=now,
            starts_at__lte=now + AHEAD).values_list("pk", "org_id"):
        with transaction.atomic():
            session = CourseSession.objects.select_for_update(skip_locked=True, of=("self",)) \
                .select_related("course").filter(pk=pk, org_id=org_id,
                                                 reminded_at__isnull=True).first()
            if session is None:
                continue
            CourseSession.objects.filter(pk=pk, org_id=org_id).update(reminded_at=now)
            users = list(Enrolment.objects.filter(course=session.course)
                         .values_list("user_id", flat=True))
            rows = notify(recipients=users, kind="outreach.training_reminder",
                          title=_("培训提醒：{title}").format(title=session.course.title),
                          body=_("{t} 上课：{topic}（{h} 学时）。").format(
                              t=f"{timezone.localtime(session.starts_at):%m-%d %H:%M}",
                              topic=session.topic, h=session.hours),
                          url=reverse("outreach:course", args=[session.course_id]),
                          org_path=session.course.org_path, actor=actor)
            sent["sessions"] += 1
            sent["messages"] += len(rows)
    return sent
