"""Cadre training (工会干部教育培训): courses, sessions, enrolment, attendance, certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import RoleAssignment
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.orgs.models import Org, OrgStatus
from gonghui.outreach.models import Attendance, Course, CourseSession, Enrolment

WRITE = Capability.OUTREACH_WRITE
# Hours a street union's chair must attend each year. The federation's training plan sets it;
# 24 is the figure of the seed plan's cadre-training item (one 3-day course a year).
REQUIRED_HOURS = Decimal("24")


@transaction.atomic
def course_create(*, org: Org, title: str, year: int, description: str = "",
                  actor: Actor) -> Course:
    require_capability(actor, WRITE, org)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("该组织已合并或撤销，不能开设课程。"))
    if not title.strip():
        raise ApplicationError(_("请填写课程名称。"), extra={"field": "title"})
    course = Course.objects.create(org=org, org_path=org.path, title=title.strip(), year=year,
                                   description=description)
    audit_record(actor=actor, action="outreach.course.create", obj=course, org_path=org.path)
    return course


@transaction.atomic
def session_add(*, course: Course, starts_at: dt.datetime, hours: Decimal, topic: str,
                actor: Actor) -> CourseSession:
    require_capability(actor, WRITE, course.org)
    if hours <= 0 or hours > 12:
        raise ApplicationError(_("每次课的学时应在 0.5 到 12 之间。"), extra={"field": "hours"})
    if starts_at.year != course.year:
        raise ApplicationError(_("上课时间应在课程年度 {y} 年内。").format(y=course.year),
                               extra={"field": "starts_at"})
    session = CourseSession.objects.create(course=course, starts_at=starts_at, hours=hours,
                                           topic=topic.strip() or course.title)
    audit_record(actor=actor, action="outreach.course.session", obj=course,
                 org_path=course.org_path, after={"starts_at": starts_at, "hours": hours})
    return session


def _cadre(username_or_user: Any) -> Any:
    from django.contrib.auth import get_user_model  # why: the user model is swappable

    user = get_user_model().objects.filter(username=str(username_or_user)).first() \
        if not hasattr(username_or_user, "pk") else username_or_user
    if user is None or not RoleAssignment.objects.filter(user=user).exists():
        raise ApplicationError(_("找不到该工会干部（须是在系统中有职务的账户）。"),
                               extra={"field": "username"})
    return user


@transaction.atomic
def enrol(*, course: Course, cadre: Any, actor: Actor) -> Enrolment:
    require_capability(actor, WRITE, course.org)
    user = _cadre(cadre)
    try:
        with transaction.atomic():
            row = Enrolment.objects.create(course=course, user=user, enrolled_at=clock.now())
    except IntegrityError:
        raise Conflict(_("该干部已报名此课程。")) from None
    audit_record(actor=actor, action="outreach.course.enrol", obj=course,
                 org_path=course.org_path, after={"user": user.pk})
    return row


@transaction.atomic
def attendance_record(*, session: CourseSession, user_ids: list[int], actor: Actor) -> int:
    """Mark enrolled cadres present at a session; returns how many were newly recorded."""
    course = session.course
    require_capability(actor, WRITE, course.org)
    enrolled = set(Enrolment.objects.filter(course=course, user_id__in=user_ids)
                   .values_list("user_id", flat=True))
    strangers = set(user_ids) - enrolled
    if strangers:
        raise ApplicationError(_("只能为已报名本课程的干部记录出勤。"))
    existing = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
    now = clock.now()
    new = [Attendance(session=session, org_id=session.org_id, user_id=u, recorded_at=now)
           for u in sorted(enrolled - existing)]
    Attendance.objects.bulk_create(new)
    audit_record(actor=actor, action="outreach.course.attendance", obj=course,
                 org_path=course.org_path, after={"session": session.pk,
                                                  "users": [a.user_id for a in new]})
    return len(new)
