"""Surveys: once-only answers (a database constraint), anonymity in the stored data, skip
logic, reproducible sampling, small-group suppression (9 answers → no figure) in results,
cross-tabs and exports, response rates by union, scoping."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.evaluation import rules, selectors
from gonghui.evaluation.models import Answer, Answered, Invitation, Response, Survey
from gonghui.evaluation.permissions import access_invited_survey, access_survey
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests.conftest import add_members


def _survey(org: Any, actor: Any, **kw: Any) -> Survey:
    survey = svc.survey_create(org=org, title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 3, 31), actor=actor, **kw)
    q1 = svc.question_add(survey=survey, kind="single", text="您是否加班", options=["是", "否"],
                          actor=actor)
    svc.question_add(survey=survey, kind="number", text="每周加班小时", actor=actor,
                     show_if=q1, show_if_value="1")
    svc.question_add(survey=survey, kind="scale", text="工作满意度", actor=actor)
    svc.question_add(survey=survey, kind="text", text="建议", required=False, actor=actor)
    return survey


def _answer(survey: Survey, membership: Any, actor: Any, overtime: str = "2",
            scale: str = "4") -> None:
    q = {x.position: x.pk for x in survey.questions.all()}
    svc.response_submit(survey=survey, person=membership.person, actor=actor,
                        answers={q[1]: overtime, q[2]: "6", q[3]: scale, q[4]: ""})


@pytest.fixture
def members(tree: Any, city_admin: Any) -> list[Any]:
    return add_members(tree["SH-A-1-1"], 10, city_admin)


def test_anonymous_response_has_no_path_to_the_member(tree, city_admin, members) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    _answer(survey, members[0], city_admin)
    response = Response.objects.get()
    assert (response.person_id, response.anonymous) == (None, True)
    # no column of the response or its answers holds the person, the time, or an ordering key
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "survey", "anonymous", "person", "union", "union_path", "gender",
                      "age_band", "employment_form", "answers"}
    assert {f.name for f in Answered._meta.get_fields()} == {"id", "survey", "person", "union",
                                                             "union_path"}
    assert isinstance(response.pk, __import__("uuid").UUID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, anonymous=True, person=members[1].person,
                                union=tree["SH-A-1-1"], union_path=tree["SH-A-1-1"].path)


def test_one_answer_per_member(tree, city_admin, members) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    _answer(survey, members[0], city_admin)
    with pytest.raises(Conflict) as refused:
        _answer(survey, members[0], city_admin)
    assert refused.value.message == "您已经提交过本问卷，每人只能提交一次。"
    assert (Answered.objects.count(), Response.objects.count()) == (1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answered.objects.create(survey=survey, person=members[0].person,
                                union=tree["SH-A-1-1"], union_path=tree["SH-A-1-1"].path)


def test_required_and_skip_logic(tree, city_admin, members) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    q = {x.position: x.pk for x in survey.questions.all()}
    with pytest.raises(ApplicationError) as refused:
        svc.response_submit(survey=survey, person=members[0].person, actor=city_admin,
                            answers={q[1]: "1", q[3]: "4"})
    assert refused.value.message == "第 2 题为必答题。"
    # "否" hides question 2: its answer is neither required nor kept
    svc.response_submit(survey=survey, person=members[0].person, actor=city_admin,
                        answers={q[1]: "2", q[2]: "9", q[3]: "5"})
    assert sorted(Answer.objects.values_list("question__position", "option")) == [
        (1, "2"), (3, "5")]
    with pytest.raises(ApplicationError) as refused:
        svc.response_submit(survey=survey, person=members[1].person, actor=city_admin,
                            answers={q[1]: "2", q[3]: "6"})
    assert refused.value.message == "第 3 题：请选择 1 至 5 分。"
    assert Response.objects.count() == 1


def test_nine_answers_show_no_figure_ten_do(tree, city_admin, members) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    for m in members[:9]:
        _answer(survey, m, city_admin)
    results = selectors.survey_results(survey)
    assert [(r.answered, r.suppressed, r.options, r.mean) for r in results[:1]] == [
        (9, True, [], None)]
    tab = selectors.crosstab(survey, survey.questions.get(position=1), "gender")
    assert all(row["suppressed"] and row["total"] is None and row["cells"] == [None, None]
               for row in tab.rows)
    assert selectors.export_rows(survey) == ([], [])
    _answer(survey, members[9], city_admin, overtime="2", scale="2")
    results = selectors.survey_results(survey)
    assert results[0].suppressed is False
    assert [(o["label"], o["count"], o["percent"]) for o in results[0].options] == [
        ("是", 0, Decimal("0.0")), ("否", 10, Decimal("100.0"))]
    assert results[2].mean == Decimal("3.80")        # (9 × 4 + 2) / 10
    header, rows = selectors.export_rows(survey)
    assert header[:5] == ["编号", "下级单位", "性别", "年龄段", "用工形式"]
    assert len(rows) == 10


def test_crosstab_suppresses_each_small_row(tree, city_admin) -> None:
    add_members(tree["SH-A-1-1"], 10, city_admin)
    add_members(tree["SH-A-1-2"], 3, city_admin)
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    for inv in Invitation.objects.filter(survey=survey).select_related("person"):
        q = {x.position: x.pk for x in survey.questions.all()}
        svc.response_submit(survey=survey, person=inv.person, actor=city_admin,
                            answers={q[1]: "2", q[3]: "3"})
    tab = selectors.crosstab(survey, survey.questions.get(position=1), "unit")
    # the street is the only child of the district: 13 answers together
    assert [(r["label"], r["total"], r["cells"]) for r in tab.rows] == [
        ("甲区一街道工会", 13, [0, 13])]
    street_survey = _survey(tree["SH-A-1"], city_admin)
    svc.survey_open(survey=street_survey, actor=city_admin)
    q = {x.position: x.pk for x in street_survey.questions.all()}
    for inv in Invitation.objects.filter(survey=street_survey).select_related("person"):
        svc.response_submit(survey=street_survey, person=inv.person, actor=city_admin,
                            answers={q[1]: "2", q[3]: "3"})
    tab = selectors.crosstab(street_survey, street_survey.questions.get(position=1), "unit")
    assert [(r["label"], r["total"], r["cells"]) for r in tab.rows] == [
        ("甲一公司工会", 10, [0, 10]), ("甲二公司工会", None, [None, None])]


def test_response_rate_by_union_rises(tree, city_admin, members) -> None:
    add_members(tree["SH-A-1-2"], 2, city_admin)
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    assert survey.invited == 12
    _answer(survey, members[0], city_admin)
    rates = {r["union"]: (r["invited"], r["answered"], r["rate"])
             for r in selectors.response_rates(survey)}
    assert rates == {"甲一公司工会": (10, 1, Decimal("10.0")),
                     "甲二公司工会": (2, 0, Decimal("0.0"))}
    assert selectors.survey_totals(survey) == {"invited": 12, "answered": 1,
                                               "rate": Decimal("8.3")}


def test_sampling_is_reproducible_with_a_seed(tree, city_admin) -> None:
    add_members(tree["SH-A-1-1"], 12, city_admin)
    first = _survey(tree["SH-A"], city_admin, sample_size=5, sample_seed=2026)
    second = _survey(tree["SH-A"], city_admin, sample_size=5, sample_seed=2026)
    other = _survey(tree["SH-A"], city_admin, sample_size=5, sample_seed=7)
    for s in (first, second, other):
        svc.survey_open(survey=s, actor=city_admin)

    def people(s: Survey) -> list[int]:
        return sorted(Invitation.objects.filter(survey=s).values_list("person_id", flat=True))

    assert len(people(first)) == 5
    assert people(first) == people(second)
    assert people(first) != people(other)
    assert rules.draw_sample(list(range(100)), 3, 42) == rules.draw_sample(list(range(100)), 3,
                                                                            42)


def test_scoping_and_invitation(tree, city_admin, other_district_cadre, members,
                                member_user) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    with pytest.raises(NotFound):
        access_survey(other_district_cadre, survey.pk)
    with pytest.raises(NotFound):
        access_invited_survey(member_user, survey.pk)      # no member record
    person = members[0].person
    person.user = member_user
    person.save(update_fields=["user"])
    member_user.refresh_from_db()
    found, invitation = access_invited_survey(member_user, survey.pk)
    assert (found.pk, invitation.person_id) == (survey.pk, person.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_keeps_one(tree, city_admin) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL (SQLite serialises writers)")
    members = add_members(tree["SH-A-1-1"], 1, city_admin)
    survey = _survey(tree["SH-A"], city_admin)
    svc.survey_open(survey=survey, actor=city_admin)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        try:
            barrier.wait()
            _answer(survey, members[0], city_admin)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert (Answered.objects.count(), Response.objects.count()) == (1, 1)
