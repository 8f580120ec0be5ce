"""The survey results report (调查结果报告) as a PDF: the same suppressed aggregates as the
results page (selectors.survey_results / crosstab), never a raw answer or a free text."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from gonghui.core import clock
from gonghui.evaluation import selectors
from gonghui.evaluation.models import Question, QuestionKind, Survey
from gonghui.evaluation.models.surveys import CHOICE_KINDS


def report_context(survey: Survey, question: Question | None = None) -> dict[str, Any]:
    """Every question's figures, and the cross-tabs of one choice or scale question (the
    satisfaction's overall question, else the one asked for, else the first) by every
    dimension."""
    results = [r for r in selectors.survey_results(survey)
               if r.question.kind != QuestionKind.TEXT]
    tabbable = [r.question for r in results if r.question.kind in (*CHOICE_KINDS, "scale")]
    if question is None or question not in tabbable:
        question = next((q for q in tabbable if q.is_overall), tabbable[0] if tabbable else None)
    return {
        "survey": survey, "totals": selectors.survey_totals(survey), "results": results,
        "question": question,
        "crosstabs": [(label, selectors.crosstab(survey, question, d))
                      for d, label in selectors.DIMENSIONS.items()] if question else [],
        "generated_at": clock.now(),
    }


def results_pdf(survey: Survey, question: Question | None = None) -> bytes:
    # WeasyPrint (Pango, fonts) is heavy: loaded only when a PDF is asked for
    from weasyprint import HTML

    html = render_to_string("evaluation/results_pdf.html", report_context(survey, question))
    return bytes(HTML(string=html).write_pdf())
