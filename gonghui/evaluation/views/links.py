"""The survey link and its QR code, for workers without an account (services/links.py says how
the identity is checked). The link page is public; the QR code and the link itself are shown to
the survey's cadres only."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache

from gonghui.core.errors import ApplicationError
from gonghui.core.views import run_service
from gonghui.evaluation.permissions import access_survey
from gonghui.evaluation.services import links as svc
from gonghui.evaluation.views.common import answers_from

SENT = _l("如该手机号在本次调查范围内，验证码已发送，请查收短信。")


def link_url(request: HttpRequest, survey: Any) -> str:
    return request.build_absolute_uri(reverse("evaluation:link", args=[svc.link_token(survey)]))


@login_required
def survey_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the survey's link as SVG (made here by segno: nothing leaves the host)."""
    survey = access_survey(request.user, pk)
    out = io.BytesIO()
    segno.make(link_url(request, survey), error="m").save(
        out, kind="svg", scale=8, border=2, title=survey.title[:60])
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.svg"'
    return response


def _step(request: HttpRequest, survey: Any, questions: list[Any]) -> Callable[[], None]:
    """The service call of one step of the page: send a code, verify it, or submit."""
    action = request.POST.get("action", "")
    phone = request.POST.get("phone", "").strip()
    if action == "send":
        return lambda: svc.link_send_code(session=request.session, survey=survey, phone=phone)
    if action == "verify":
        return lambda: svc.link_verify(session=request.session, survey=survey, phone=phone,
                                       code=request.POST.get("code", ""))
    if action == "answer":
        return lambda: svc.link_submit(session=request.session, survey=survey,
                                       answers=answers_from(request, questions))

    def missing() -> None:
        svc.require_open(survey)
        raise ApplicationError(_("请先填写手机号并获取验证码。"), code="action_required",
                               extra={"field": "phone"})
    return missing


SUCCESS = {"send": SENT, "verify": _l("验证成功，请开始答题。"),
           "answer": _l("提交成功，感谢您的参与！")}


@never_cache
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """Public: prove the number, then answer on a phone-sized page."""
    survey = svc.survey_for_token(token)
    questions = list(survey.questions.select_related("show_if"))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        outcome = run_service(request, _step(request, survey, questions),
                              success=str(SUCCESS.get(action, "")))
        status = outcome.status if not outcome.ok else 200
    return render(request, "evaluation/link.html", {
        "survey": survey, "questions": questions, "phone": request.POST.get("phone", ""),
        "verified": svc.link_person_id(request.session, survey) is not None,
        "done": svc.link_answered(request.session, survey),
        "open": _is_open(survey),
    }, status=status)


def _is_open(survey: Any) -> bool:
    try:
        svc.require_open(survey)
    except ApplicationError:
        return False
    return True
