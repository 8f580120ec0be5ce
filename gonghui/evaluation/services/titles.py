"""Titles (称号) and the exit mechanism (退出机制): conferral with a validity period, the
re-rating due list, withdrawal on a veto event or a failed re-check, downgrade, and expiry of a
title nobody re-checked."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.evaluation import rules
from gonghui.evaluation.models import (
    Grade,
    Rating,
    RatingStatus,
    Title,
    TitleStatus,
)
from gonghui.evaluation.models.ratings import RATING_TRANSITIONS, TITLE_TRANSITIONS
from gonghui.evaluation.permissions import require_reviewer


def title_end(*, title: Title, to: str, reason: str, actor: Actor,
              today: dt.date | None = None) -> Title:
    """End an active title (withdrawn / downgraded / superseded / expired), with the reason in
    the union's history. Callers check permission."""
    title = transition(title, to, transitions=TITLE_TRANSITIONS, actor=actor, reason=reason[:500],
                       extra_fields={"ended_on": today or clock.today(),
                                     "end_reason": reason[:500]})
    audit_record(actor=actor, action=f"evaluation.title.{to}", obj=title, org_path=title.org_path,
                 after={"grade": title.grade, "reason": reason})
    return title


@transaction.atomic
def title_confer(*, rating: Rating, actor: Actor) -> Title:
    """授牌 after the 公示 closed without an upheld objection. A union's earlier title is
    superseded, or downgraded when the new grade is lower."""
    today = clock.today()
    previous = Title.objects.select_for_update().filter(org=rating.org_id,
                                                        status=TitleStatus.ACTIVE).first()
    if previous is not None:
        if rules.is_lower(rating.grade, previous.grade):
            title_end(title=previous, to=TitleStatus.DOWNGRADED, actor=actor,
                      reason=_("复评降级为{g}").format(g=Grade(rating.grade).label))
        else:
            title_end(title=previous, to=TitleStatus.SUPERSEDED, actor=actor,
                      reason=_("经复评重新授予{g}").format(g=Grade(rating.grade).label))
    title = Title.objects.create(
        org=rating.org, org_path=rating.org_path, grade=rating.grade, rating=rating,
        conferred_on=today, valid_until=rules.add_years(today, rating.scheme.rerating_years))
    transition(rating, RatingStatus.CONFERRED, transitions=RATING_TRANSITIONS, actor=actor,
               reason=_("授予{g}，有效期至 {d}").format(g=Grade(rating.grade).label,
                                                     d=title.valid_until))
    audit_record(actor=actor, action="evaluation.title.confer", obj=title,
                 org_path=title.org_path,
                 after={"grade": title.grade, "valid_until": title.valid_until,
                        "rating": rating.pk})
    return title


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("请填写原因。"), code="reason_required", extra={"field": "reason"})
    return reason


@transaction.atomic
def title_withdraw(*, title: Title, reason: str, actor: Actor) -> Title:
    """撤销 by the superior union (a veto event in the year, a serious finding)."""
    require_reviewer(actor, title.org)
    return title_end(title=title, to=TitleStatus.WITHDRAWN, reason=_reason(reason), actor=actor)


@transaction.atomic
def veto_event_record(*, title: Title, event: str, actor: Actor) -> Title:
    """一票否决 event during the validity (a serious safety accident, a funds violation): the
    title is withdrawn at once."""
    require_reviewer(actor, title.org)
    return title_end(title=title, to=TitleStatus.WITHDRAWN, actor=actor,
                     reason=_("一票否决：{e}").format(e=_reason(event)))


@transaction.atomic
def title_downgrade(*, title: Title, grade: str, reason: str, actor: Actor) -> Title:
    """降级: the old title ends as downgraded; a lower title runs to the same end date."""
    require_reviewer(actor, title.org)
    reason = _reason(reason)
    if grade not in Grade.values or not rules.is_lower(grade, title.grade):
        raise ApplicationError(_("降级后的称号应低于现有称号。"), code="grade_not_lower",
                               extra={"field": "grade"})
    if (title.grade == Grade.MODEL_SMALL) != (grade == Grade.MODEL_SMALL):
        raise ApplicationError(_("职工之家与职工小家的称号不能互相调整。"), code="grade_family",
                               extra={"field": "grade"})
    title_end(title=title, to=TitleStatus.DOWNGRADED, actor=actor,
              reason=_("降级为{g}：{r}").format(g=Grade(grade).label, r=reason))
    lower = Title.objects.create(org=title.org, org_path=title.org_path, grade=grade,
                                 rating=title.rating, conferred_on=clock.today(),
                                 valid_until=title.valid_until)
    if lower.valid_until <= lower.conferred_on:
        raise Conflict(_("该称号已到期，不能降级，请办理到期退出。"), code="title_expired")
    audit_record(actor=actor, action="evaluation.title.confer", obj=lower,
                 org_path=lower.org_path, after={"grade": grade, "downgraded_from": title.pk})
    return lower


@transaction.atomic
def titles_expire(*, actor: Actor, today: dt.date | None = None) -> list[Title]:
    """Daily (`gonghui evaluation expire`): a title past its validity with no re-check under
    review (submitted or later) ends as expired — 到期未复评即退出."""
    today = today or clock.today()
    under_review = [RatingStatus.SUBMITTED, RatingStatus.REVIEWED, RatingStatus.CHECKED,
                    RatingStatus.DECIDED, RatingStatus.PUBLICIZING]
    due = (Title.objects.filter(status=TitleStatus.ACTIVE, valid_until__lt=today)
           .exclude(rechecks__status__in=under_review).order_by("valid_until", "id"))
    return [title_end(title=t, to=TitleStatus.EXPIRED, actor=actor, today=today,
                      reason=_("有效期至 {d} 届满，未复评").format(d=t.valid_until))
            for t in due]
