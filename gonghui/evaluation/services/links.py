"""Answering a survey without an account (issue 17: "a link/QR for workers without accounts").

One link per survey — printed as a QR code on a poster or sent in a group chat — and a safe
identity check behind it: the worker types the mobile number the union holds for them and the
six-digit code texted to it (`members.phone_check`: an HMAC of the number and a ten-minute
window, five wrong codes at most per browser, one code a minute). Only an invited member's
number is texted, and the page says the same words whichever number was typed, so the link does
not tell a stranger who is in the survey. The proven person is kept in the browser's session
for this survey only; the answers then go through `response_submit`, so the once-only rule
(`Answered`) and the declared anonymity are exactly those of the portal.

The link is the survey id signed with the site's secret key (`django.core.signing`): it cannot
be guessed from another survey's link, and nothing is stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.cells import CellError, parse_phone
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.evaluation.models import Answered, Invitation, Survey, SurveyStatus
from gonghui.evaluation.services.surveys import response_submit
from gonghui.members import phone_check

SALT = "evaluation.survey-link"
ACTOR = "survey-link"


def link_token(survey: Survey) -> str:
    return signing.Signer(salt=SALT).sign(str(survey.pk))


def survey_for_token(token: str) -> Survey:
    """The survey a link names; 404 for a forged or mistyped link."""
    try:
        pk = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise NotFound() from None
    survey = Survey.objects.select_related("org").filter(pk=int(pk)).first()
    if survey is None:
        raise NotFound()
    return survey


def _session_key(survey: Survey) -> str:
    return f"evaluation_link_{survey.pk}"


def require_open(survey: Survey) -> None:
    if survey.status != SurveyStatus.OPEN or survey.closes_on < clock.today():
        raise Conflict(_("该问卷不在答题期内。"), code="survey_closed")


def _phone(value: str) -> str:
    try:
        return parse_phone(value)
    except CellError as exc:
        raise ApplicationError(exc.message, code="phone_invalid", extra={"field": "phone"}) from None


def _invitation(survey: Survey, phone: str) -> Invitation | None:
    """The invitation of the member who holds `phone` (the one who has not answered yet first,
    when relatives share a number)."""
    rows = list(Invitation.objects.filter(survey=survey, person__phone=phone)
                .order_by("person_id"))
    done = set(Answered.objects.filter(survey=survey, person_id__in=[r.person_id for r in rows])
               .values_list("person_id", flat=True))
    return next((r for r in rows if r.person_id not in done), rows[0] if rows else None)


def link_send_code(*, session: Any, survey: Survey, phone: str) -> None:
    """Text the code to an invited member's number; the answer is the same for any number."""
    require_open(survey)
    phone = _phone(phone)
    if _invitation(survey, phone) is None:
        return
    phone_check.send_code(session, phone, text=_(
        "您正在填写问卷“{title}”，验证码是 {{code}}，10 分钟内有效。如非本人操作请忽略。"
    ).format(title=survey.title[:30].replace("{", "{{").replace("}", "}}")))


def link_verify(*, session: Any, survey: Survey, phone: str, code: str) -> None:
    """Prove the number with its code; the session then answers for that member."""
    require_open(survey)
    phone = _phone(phone)
    phone_check.check_code(session, phone, code)
    invitation = _invitation(survey, phone)
    if invitation is None:
        raise ApplicationError(_("您不在本次调查的范围内。"), code="not_invited")
    session[_session_key(survey)] = invitation.person_id


def link_person_id(session: Any, survey: Survey) -> int | None:
    value = session.get(_session_key(survey))
    return int(value) if value else None


def link_answered(session: Any, survey: Survey) -> bool:
    person_id = link_person_id(session, survey)
    if person_id is None:
        return False
    return Answered.objects.filter(survey=survey, person_id=person_id).exists()


def link_submit(*, session: Any, survey: Survey, answers: Mapping[int, Any]) -> None:
    """The proven member's answers, through the portal's one service (audited as the link)."""
    person_id = link_person_id(session, survey)
    invitation = (Invitation.objects.select_related("person")
                  .filter(survey=survey, person_id=person_id).first() if person_id else None)
    if invitation is None:
        raise ApplicationError(_("请先验证手机号。"), code="identity_required",
                               extra={"field": "phone"})
    response_submit(survey=survey, person=invitation.person, answers=answers,
                    actor=system_actor(ACTOR))
