"""The results report (PDF) and the results page's chart data: the same suppressed aggregates
as the page — 9 answers give no figure, 10 do — read back from the PDF with pdftotext."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from conftest import ARTIFACTS
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests.conftest import add_members

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _survey(tree, actor, answers: int):
    members = add_members(tree["SH-A-1-1"], answers, actor)
    survey = svc.survey_create(org=tree["SH-A"], title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 3, 31), actor=actor)
    q1 = svc.question_add(survey=survey, kind="single", text="您是否加班",
                          options=["经常加班", "很少加班"], actor=actor)
    svc.question_add(survey=survey, kind="text", text="建议", required=False, actor=actor)
    svc.survey_open(survey=survey, actor=actor)
    for n, m in enumerate(members):
        svc.response_submit(survey=survey, person=m.person, actor=actor,
                            answers={q1.pk: "1" if n < 7 else "2"})
    return survey


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True)
    return " ".join(out.stdout.split())


def test_report_pdf_prints_the_figures(tree, city_admin, client, tmp_path) -> None:
    survey = _survey(tree, city_admin, 10)
    client.force_login(city_admin)
    response = client.get(reverse("evaluation:survey_report", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "evaluation-results-report.pdf").write_bytes(response.content)   # to look at
    text = _text(response.content, tmp_path)
    assert "问卷调查结果报告" in text
    assert "应答 10 人，已答 10 人，回答率 100.0%" in text
    assert "经常加班 7（70.0%）" in text
    assert "很少加班 3（30.0%）" in text
    assert "甲区一街道工会 7 3 10" in text           # the cross-tab by 下级单位
    assert "人数过少，不显示" not in text
    api = client.get(f"/api/v1/evaluation/surveys/{survey.pk}/report")
    assert (api.status_code, api["Content-Type"]) == (200, "application/pdf")
    assert "经常加班 7（70.0%）" in _text(api.content, tmp_path)


def test_report_pdf_suppresses_a_small_group(tree, city_admin, client, tmp_path) -> None:
    survey = _survey(tree, city_admin, 9)
    client.force_login(city_admin)
    text = _text(client.get(reverse("evaluation:survey_report", args=[survey.pk])).content,
                 tmp_path)
    assert "作答不足 10 人，不显示结果。" in text
    assert "人数过少，不显示" in text
    assert "经常加班 7" not in text
    assert "70.0%" not in text


def test_results_page_chart_data_is_suppressed_too(tree, city_admin, client) -> None:
    small = _survey(tree, city_admin, 9)
    client.force_login(city_admin)
    page = client.get(reverse("evaluation:survey_results", args=[small.pk])).content.decode()
    blob = page.split('id="evaluation-charts" type="application/json">')[1].split("</script>")[0]
    assert json.loads(blob) == {"questions": {}, "crosstab": {
        "columns": ["经常加班", "很少加班"], "rows": []}}
    assert "js/pages/evaluation-results.js" in page
