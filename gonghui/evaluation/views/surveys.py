"""Pages of surveys and satisfaction campaigns (builder, audience, live response rate, results
with cross-tabs, exports) and the members' portal (my surveys, answering on a phone)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.sheets import SafeSheet, safe_row
from gonghui.core.views import form_status, posted, run_service
from gonghui.evaluation import reports, selectors
from gonghui.evaluation.forms import QuestionForm, SurveyForm
from gonghui.evaluation.models import Answered, Question, SurveyKind, SurveyStatus
from gonghui.evaluation.models.surveys import CHOICE_KINDS
from gonghui.evaluation.permissions import (
    access_invited_survey,
    access_survey,
    can_write,
    member_person,
    require_evaluation_page,
    writable_orgs,
)
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.views.common import answers_from, int_param
from gonghui.evaluation.views.links import link_url

WRITE = Capability.EVALUATION_WRITE


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    params = {"q": request.GET.get("q", "").strip(),
              "status": request.GET.get("status", "").strip(),
              "kind": request.GET.get("kind", "").strip(), "year": int_param(request, "year")}
    return render(request, "evaluation/survey_list.html", {
        "tab": "surveys", "params": params, "statuses": SurveyStatus.choices,
        "kinds": SurveyKind.choices, "qs": querystring_without_page(request),
        "page": paginate(request, selectors.survey_list(
            viewer=request.user, q=str(params["q"] or ""), status=str(params["status"] or ""),
            kind=str(params["kind"] or ""), year=int_param(request, "year"))),
        "can_create": has_capability(request.user, WRITE)})


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    form = SurveyForm(posted(request), orgs=writable_orgs(request.user),
                      initial={"year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: svc.survey_create(
            org=d["org"], kind=d["kind"], title=d["title"], intro=d["intro"], year=d["year"],
            closes_on=d["closes_on"], anonymous=d["anonymous"], min_group=d["min_group"],
            audience_group=d["audience_group"] or "", sample_size=d["sample_size"],
            sample_seed=d["sample_seed"] or 0, actor=request.user), form=form,
            success=_("问卷已创建，请添加题目后发布。"))
        if outcome.ok and outcome.value is not None:
            return redirect("evaluation:survey", outcome.value.pk)
    return render(request, "evaluation/form.html", {
        "form": form, "title": _("新建问卷 / 满意度测评"), "tab": "surveys"},
        status=form_status(form, outcome))


def _survey_page(request: HttpRequest, survey: Any, *, status: int = 200,
                 question_form: Any = None) -> HttpResponse:
    survey.refresh_from_db()
    return render(request, "evaluation/survey_detail.html", {
        "tab": "surveys", "survey": survey, "questions": survey.questions.all(),
        "totals": selectors.survey_totals(survey),
        "rates": selectors.response_rates(survey)[:200],
        "history": survey.history.all(),
        "can_edit": can_write(request.user, survey.org) and survey.status == SurveyStatus.DRAFT,
        "can_close": can_write(request.user, survey.org) and survey.status == SurveyStatus.OPEN,
        "question_form": question_form or QuestionForm(),
        "link": link_url(request, survey) if survey.status == SurveyStatus.OPEN else "",
    }, status=status)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_page(request, access_survey(request.user, pk))


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk, write=True)
    form = QuestionForm(posted(request))
    outcome = None
    if form.is_valid():
        d = form.cleaned_data
        show_if = None
        if d.get("show_if"):
            show_if = Question.objects.filter(survey=survey, position=d["show_if"]).first()
            if show_if is None:
                form.add_error("show_if", _("没有这一题。"))
        if not form.errors:
            outcome = run_service(request, lambda: svc.question_add(
                survey=survey, kind=d["kind"], text=d["text"], required=d["required"],
                options=d["options"].splitlines(), scale_max=d["scale_max"], show_if=show_if,
                show_if_value=str(d["show_if_value"] or ""), actor=request.user), form=form,
                success=_("题目已添加。"))
            if outcome.ok:
                return redirect("evaluation:survey", survey.pk)
    return _survey_page(request, survey, status=form_status(form, outcome), question_form=form)


@login_required
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk, write=True)
    outcome = run_service(request, lambda: svc.survey_open(survey=survey, actor=request.user),
                          success=_("问卷已发布。"))
    if outcome.ok:
        return redirect("evaluation:survey", survey.pk)
    return _survey_page(request, survey, status=outcome.status)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk, write=True)
    outcome = run_service(request, lambda: svc.survey_close(survey=survey, actor=request.user),
                          success=_("问卷已结束。"))
    if outcome.ok:
        return redirect("evaluation:survey", survey.pk)
    return _survey_page(request, survey, status=outcome.status)


@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk)
    questions = [q for q in survey.questions.all()
                 if q.kind in (*CHOICE_KINDS, "scale")]
    qid = int_param(request, "q")
    question = next((q for q in questions if q.pk == qid), questions[0] if questions else None)
    dimension = request.GET.get("by", "unit")
    results = selectors.survey_results(survey, with_texts=True)
    table = selectors.crosstab(survey, question, dimension) if question else None
    return render(request, "evaluation/survey_results.html", {
        "tab": "surveys", "survey": survey, "totals": selectors.survey_totals(survey),
        "results": results, "charts": _charts(results, table),
        "questions": questions, "question": question, "dimensions": selectors.DIMENSIONS,
        "dimension": dimension if dimension in selectors.DIMENSIONS else "unit",
        "crosstab": table})


def _charts(results: list[Any], table: Any) -> dict[str, Any]:
    """The figures the page script draws with ECharts: only what the page prints already
    (suppressed questions and rows have none)."""
    return {
        "questions": {str(r.question.pk): {"labels": [o["label"] for o in r.options],
                                           "counts": [o["count"] for o in r.options]}
                      for r in results if r.options},
        "crosstab": None if table is None else {
            "columns": [label for _code, label in table.columns],
            "rows": [{"label": row["label"], "cells": row["cells"]}
                     for row in table.rows if not row["suppressed"]]},
    }


@login_required
def survey_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The results report as a PDF (?q= picks the question of the cross-tabs)."""
    survey = access_survey(request.user, pk)
    qid = int_param(request, "q")
    question = survey.questions.filter(pk=qid).first() if qid else None
    response = HttpResponse(reports.results_pdf(survey, question),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-report.pdf"'
    return response


@login_required
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk)
    header, rows = selectors.export_rows(survey)
    if not rows:
        messages.error(request, _("答卷少于 {n} 份，为保护答卷人不提供导出。").format(
            n=survey.min_group))
        return redirect("evaluation:survey_results", survey.pk)
    fmt = request.GET.get("format", "xlsx")
    name = f"survey-{survey.pk}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(safe_row(header))
        writer.writerows(safe_row(row) for row in rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook  # openpyxl is heavy: loaded only for an .xlsx export

    book = Workbook(write_only=True)
    sheet = SafeSheet(book.create_sheet("answers"))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- the members' portal -------------------------------------------------------------------

@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """My surveys (any signed-in user; a worker without a member record sees none)."""
    return render(request, "evaluation/portal.html", {
        "rows": selectors.my_surveys(member_person(request.user)), "today": clock.today()})


@login_required
def portal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey, invitation = access_invited_survey(request.user, pk)
    person = invitation.person
    done = Answered.objects.filter(survey=survey, person=person).exists()
    questions = list(survey.questions.select_related("show_if"))
    values: dict[int, Any] = {}
    status = 200
    if request.method == "POST" and not done:
        values = answers_from(request, questions)
        outcome = run_service(request, lambda: svc.response_submit(
            survey=survey, person=person, answers=values, actor=request.user),
            success=_("提交成功，感谢您的参与！"))
        if outcome.ok:
            return redirect("evaluation:portal")
        status = outcome.status
    elif request.method == "POST":
        messages.error(request, _("您已经提交过本问卷，每人只能提交一次。"))
        status = 409
    return render(request, "evaluation/portal_answer.html", {
        "survey": survey, "questions": questions, "done": done, "values": values,
        "open": survey.status == SurveyStatus.OPEN and survey.closes_on >= clock.today(),
    }, status=status)
