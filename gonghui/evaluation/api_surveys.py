"""The survey part of the evaluation API (mounted with the rest at /api/v1/evaluation): surveys,
questions, response rates, results and cross-tabs (suppressed below the survey's minimum), the
answer link, and the member's own surveys and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status

from gonghui.accounts.gates import require_capability
from gonghui.core.bounds import Day, Year
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.evaluation import reports, selectors
from gonghui.evaluation.api import WRITE, OkOut, _org, router
from gonghui.evaluation.models import Survey
from gonghui.evaluation.permissions import (
    access_invited_survey,
    access_survey,
    member_person,
    require_evaluation_page,
)
from gonghui.evaluation.services import links as link_svc
from gonghui.evaluation.services import surveys as survey_svc


class SurveyIn(Schema):
    org: str
    title: str
    year: Year
    closes_on: Day
    kind: str = "survey"
    anonymous: bool = True
    min_group: int = 10
    audience_group: str = ""
    sample_size: int | None = None
    sample_seed: int = 0
    intro: str = ""


class SurveyOut(Schema):
    id: int
    org: str
    kind: str
    title: str
    year: int
    anonymous: bool
    closes_on: dt.date
    status: str
    invited: int
    min_group: int
    sample_size: int | None
    sample_seed: int


def survey_out(s: Survey) -> dict[str, Any]:
    return {"id": s.pk, "org": s.org.code, "kind": s.kind, "title": s.title, "year": s.year,
            "anonymous": s.anonymous, "closes_on": s.closes_on, "status": s.status,
            "invited": s.invited, "min_group": s.min_group, "sample_size": s.sample_size,
            "sample_seed": s.sample_seed}


class QuestionIn(Schema):
    kind: str
    text: str
    required: bool = True
    options: list[str] = []
    scale_max: int = 5
    show_if_position: int | None = None
    show_if_value: str = ""


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    required: bool
    options: list[str]
    scale_max: int
    show_if: int | None
    show_if_value: str


class AnswersIn(Schema):
    answers: dict[int, Any]


# --- surveys -------------------------------------------------------------------------------

@router.get("/surveys", response=Page[SurveyOut])
def list_surveys(request: HttpRequest, paging: Query[PageParams], q: str = "",
                 status: str = "", kind: str = "", year: Year | None = None):
    require_evaluation_page(request.user)
    return paginate(request, selectors.survey_list(viewer=request.user, q=q, status=status,
                                                   kind=kind, year=year),
                    paging, item=survey_out)


@router.post("/surveys", response={201: SurveyOut}, openapi_extra=body_schema(SurveyIn))
def create_survey(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, SurveyIn).dict()
    org = _org(request.user, data.pop("org"))
    return Status(201, survey_out(survey_svc.survey_create(org=org, actor=request.user, **data)))


@router.get("/surveys/{survey_id}", response=SurveyOut)
def get_survey(request: HttpRequest, survey_id: int):
    return survey_out(access_survey(request.user, survey_id))


def question_out(q: Any) -> dict[str, Any]:
    return {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text,
            "required": q.required, "options": q.options, "scale_max": q.scale_max,
            "show_if": q.show_if_id, "show_if_value": q.show_if_value}


@router.get("/surveys/{survey_id}/questions", response=list[QuestionOut])
def list_questions(request: HttpRequest, survey_id: int):
    survey = access_survey(request.user, survey_id)
    return [question_out(q) for q in survey.questions.all()]


@router.post("/surveys/{survey_id}/questions", response={201: QuestionOut},
             openapi_extra=body_schema(QuestionIn))
def add_question(request: HttpRequest, survey_id: int):
    survey = access_survey(request.user, survey_id, write=True)
    data = parse_body(request, QuestionIn)
    show_if = None
    if data.show_if_position:
        show_if = survey.questions.filter(position=data.show_if_position).first()
        if show_if is None:
            raise ApplicationError(_("显示条件题不存在。"), code="skip_invalid")
    q = survey_svc.question_add(survey=survey, kind=data.kind, text=data.text,
                                required=data.required, options=data.options,
                                scale_max=data.scale_max, show_if=show_if,
                                show_if_value=data.show_if_value, actor=request.user)
    return Status(201, question_out(q))


@router.post("/surveys/{survey_id}/open", response=SurveyOut)
def open_survey(request: HttpRequest, survey_id: int):
    survey = access_survey(request.user, survey_id, write=True)
    return survey_out(survey_svc.survey_open(survey=survey, actor=request.user))


@router.post("/surveys/{survey_id}/close", response=SurveyOut)
def close_survey(request: HttpRequest, survey_id: int):
    survey = access_survey(request.user, survey_id, write=True)
    return survey_out(survey_svc.survey_close(survey=survey, actor=request.user))


@router.get("/surveys/{survey_id}/rates")
def survey_rates(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    survey = access_survey(request.user, survey_id)
    return {"totals": selectors.survey_totals(survey),
            "unions": selectors.response_rates(survey)}


@router.get("/surveys/{survey_id}/results")
def survey_results(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    """Every figure is null for a group smaller than the survey's minimum (suppressed)."""
    survey = access_survey(request.user, survey_id)
    return {"min_group": survey.min_group, "totals": selectors.survey_totals(survey),
            "questions": [{"id": r.question.pk, "position": r.question.position,
                           "answered": r.answered if not r.suppressed else None,
                           "suppressed": r.suppressed, "mean": r.mean, "options": r.options}
                          for r in selectors.survey_results(survey)]}


@router.get("/surveys/{survey_id}/crosstab")
def survey_crosstab(request: HttpRequest, survey_id: int, question: int,
                    by: str = "unit") -> dict[str, Any]:
    survey = access_survey(request.user, survey_id)
    q = survey.questions.filter(pk=question).first()
    if q is None:
        raise NotFound()
    tab = selectors.crosstab(survey, q, by)
    return {"question": q.pk, "dimension": tab.dimension,
            "columns": [label for _c, label in tab.columns], "rows": tab.rows}


@router.get("/my-surveys")
def my_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.user.is_authenticated:
        raise NotFound()
    return [{"id": r["survey"].pk, "title": r["survey"].title,
             "closes_on": r["survey"].closes_on, "status": r["survey"].status,
             "answered": r["answered"]}
            for r in selectors.my_surveys(member_person(request.user))]


@router.post("/my-surveys/{survey_id}/answer", response={201: OkOut},
             openapi_extra=body_schema(AnswersIn))
def answer_survey(request: HttpRequest, survey_id: int):
    survey, invitation = access_invited_survey(request.user, survey_id)
    data = parse_body(request, AnswersIn)
    survey_svc.response_submit(survey=survey, person=invitation.person, answers=data.answers,
                               actor=request.user)
    return Status(201, {"ok": True})


class LinkOut(Schema):
    url: str
    qr: str


@router.get("/surveys/{survey_id}/link", response=LinkOut)
def survey_link(request: HttpRequest, survey_id: int):
    """The answer link for workers without an account and its QR code (both are shown to the
    survey's readers; the link works while the survey is open)."""
    survey = access_survey(request.user, survey_id)
    return {"url": request.build_absolute_uri(
                reverse("evaluation:link", args=[link_svc.link_token(survey)])),
            "qr": request.build_absolute_uri(reverse("evaluation:survey_qr", args=[survey.pk]))}


@router.get("/surveys/{survey_id}/report", response={200: None},
            openapi_extra={"responses": {"200": {"description": "the results report",
                                                 "content": {"application/pdf": {}}}}})
def survey_report(request: HttpRequest, survey_id: int, question: int | None = None):
    """The results report as a PDF (the same suppressed figures as `/results`)."""
    survey = access_survey(request.user, survey_id)
    q = survey.questions.filter(pk=question).first() if question else None
    response = HttpResponse(reports.results_pdf(survey, q), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-report.pdf"'
    return response
