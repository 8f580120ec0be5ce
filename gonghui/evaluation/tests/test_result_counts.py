"""Result counters (`ResultCount`): kept by `response_submit` in the answer's transaction, equal to
a recount from the raw answers after any submissions (property test), rebuilt by
`gonghui evaluation recount`; the submission path's queries, counted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.citus import on_citus
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.evaluation import selectors
from gonghui.evaluation.models import Answer, Answered, Response, ResultCount, Survey
from gonghui.evaluation.services import surveys as svc
from gonghui.members.models import Person
from gonghui.members.services import member_add
from gonghui.members.tests.factories import id_number, person_fields

# (union code, gender, birth date, employment form) of the twelve members
PEOPLE = [("SH-A-1-1", "M", dt.date(1999, 5, 1), "contract"),
          ("SH-A-1-1", "F", dt.date(1990, 5, 1), "contract"),
          ("SH-A-1-1", "F", dt.date(1980, 5, 1), "dispatch"),
          ("SH-A-1-1", "M", dt.date(1970, 5, 1), "platform"),
          ("SH-A-1-2", "M", dt.date(1960, 5, 1), "contract"),
          ("SH-A-1-2", "F", dt.date(1999, 5, 1), "flexible"),
          ("SH-A-1-2", "M", dt.date(1988, 5, 1), "dispatch"),
          ("SH-A-1-2", "F", dt.date(1975, 5, 1), "other"),
          ("SH-B-1-1", "M", dt.date(1995, 5, 1), "contract"),
          ("SH-B-1-1", "F", dt.date(1985, 5, 1), "platform"),
          ("SH-B-1-1", "M", dt.date(1966, 5, 1), "part_time"),
          ("SH-B-1-1", "F", dt.date(2001, 5, 1), "contract")]
NAMES = "甲乙丙丁戊己庚辛壬癸子丑"


@pytest.fixture
def people(tree: Any, city_admin: Any) -> list[Person]:
    out = []
    for n, (code, gender, birth, form) in enumerate(PEOPLE):
        fields = person_fields(name="职工" + NAMES[n], employment_form=form,
                               id_number=id_number(gender=gender, birth=birth, seq=900 + n))
        out.append(member_add(union=tree[code], fields=fields, actor=city_admin,
                              joined_on=dt.date(2020, 1, 1)).person)
    return out


def _survey(org: Any, actor: Any, min_group: int = 1) -> Survey:
    survey = svc.survey_create(org=org, title="职工队伍状况调查", year=2026, min_group=min_group,
                               closes_on=dt.date(2026, 3, 31), actor=actor)
    q1 = svc.question_add(survey=survey, kind="single", text="用工形式满意度",
                          options=["满意", "一般", "不满意"], actor=actor)
    svc.question_add(survey=survey, kind="multiple", text="希望的服务",
                     options=["培训", "法律", "托管"], actor=actor, required=False)
    svc.question_add(survey=survey, kind="scale", text="工会满意度", actor=actor)
    svc.question_add(survey=survey, kind="number", text="每周工作小时", actor=actor,
                     required=False)
    svc.question_add(survey=survey, kind="text", text="建议", required=False, actor=actor,
                     show_if=q1, show_if_value="3")
    svc.survey_open(survey=survey, actor=actor)
    return survey


ANSWERS = st.fixed_dictionaries({
    "single": st.sampled_from(["1", "2", "3"]),
    "multiple": st.lists(st.sampled_from(["1", "2", "3"]), unique=True, max_size=3),
    "scale": st.integers(1, 5).map(str),
    "number": st.one_of(st.just(""), st.decimals(min_value=-50, max_value=200, places=2,
                                                 allow_nan=False, allow_infinity=False)
                        .map(str)),
    "text": st.sampled_from(["", "加班多", "工资低"]),
})


def _submit(survey: Survey, person: Person, actor: Any, a: dict[str, Any]) -> None:
    q = {x.kind: x.pk for x in survey.questions.all()}
    svc.response_submit(survey=survey, person=person, actor=actor, answers={
        q["single"]: a["single"], q["multiple"]: a["multiple"], q["scale"]: a["scale"],
        q["number"]: a["number"], q["text"]: a["text"]})


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(PEOPLE) - 1), ANSWERS), max_size=16),
       st.sampled_from(["SH", "SH-A", "SH-A-1"]))
def test_property_counters_equal_a_recount(tree, city_admin, people, submissions, root):
    sid = transaction.savepoint()
    try:
        survey = _survey(tree[root], city_admin)
        invited = set(survey.invitations.values_list("person_id", flat=True))
        done: set[int] = set()
        for who, answers in submissions:
            person = people[who]
            try:
                _submit(survey, person, city_admin, answers)
                done.add(person.pk)
            except Conflict:
                assert person.pk in done
            except ApplicationError as exc:
                refusal = (exc.code, person.pk in invited)
                assert refusal == ("not_invited", False)
        stored = svc.counts_stored(survey)
        assert stored == svc.counts_recount(survey)
        assert svc.counts_check(survey) == []
        # the survey-wide counter is the number of responses (and of `Answered` rows)
        assert selectors.survey_totals(survey)["answered"] == len(done) == (
            Response.objects.filter(survey=survey).count())
        # a rebuild changes nothing
        svc.counts_rebuild(survey)
        assert svc.counts_stored(survey) == stored
    finally:
        transaction.savepoint_rollback(sid)


def test_counters_give_the_exact_results_and_crosstab(tree, city_admin, people) -> None:
    survey = _survey(tree["SH"], city_admin, min_group=3)
    q = {x.kind: x for x in survey.questions.all()}
    picks = [("1", ["1"], "5", "40"), ("1", ["1", "2"], "4", "44.5"), ("2", [], "3", ""),
             ("3", ["3"], "2", "50"), ("1", ["2"], "5", "38")]
    chosen = [people[n] for n in (0, 1, 2, 3, 8)]
    for person, (single, multiple, scale, number) in zip(chosen, picks, strict=True):
        _submit(survey, person, city_admin, {"single": single, "multiple": multiple,
                                             "scale": scale, "number": number, "text": "加班"})
    results = {r.question.kind: r for r in selectors.survey_results(survey, with_texts=True)}
    assert [(o["count"], o["percent"]) for o in results["single"].options] == [
        (3, Decimal("60.0")), (1, Decimal("20.0")), (1, Decimal("20.0"))]
    assert results["multiple"].answered == 4
    assert [o["count"] for o in results["multiple"].options] == [2, 2, 1]
    assert results["scale"].mean == Decimal("3.80")
    assert (results["number"].answered, results["number"].mean) == (4, Decimal("43.13"))
    assert (results["text"].answered, results["text"].suppressed, results["text"].texts) == (
        1, True, [])
    # four answers from 甲区, one from 乙区 (suppressed below 3)
    tab = selectors.crosstab(survey, q["single"], "unit")
    assert [(r["label"], r["total"], r["cells"]) for r in tab.rows] == [
        ("乙区总工会", None, [None, None, None]), ("甲区总工会", 4, [2, 1, 1])]
    tab = selectors.crosstab(survey, q["multiple"], "gender")
    assert [(r["label"], r["total"], r["cells"]) for r in tab.rows] == [
        ("女", None, [None, None, None]), ("男", 3, [1, 1, 1])]


def test_recount_command_rebuilds_and_checks(tree, city_admin, people) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    for person in people[:6]:
        _submit(survey, person, city_admin, {"single": "3", "multiple": ["1", "3"],
                                             "scale": "4", "number": "8", "text": "好"})
    text = next(r for r in selectors.survey_results(survey, with_texts=True)
                if r.question.kind == "text")
    assert text.texts == ["好"] * 6
    good = svc.counts_stored(survey)
    ResultCount.objects.filter(survey=survey, question_key=0, dimension="").update(n=99)
    ResultCount.objects.filter(survey=survey, dimension="gender").delete()
    out = StringIO()
    with pytest.raises(CommandError, match="1 survey"):
        call_command("evaluation", "recount", "--check", stdout=out)
    assert f"survey {survey.pk}: differs" in out.getvalue()
    assert svc.counts_stored(survey) != good         # --check changes nothing
    out = StringIO()
    call_command("evaluation", "recount", "--survey", str(survey.pk), stdout=out)
    assert out.getvalue() == f"survey {survey.pk}: {len(good)} counter row(s)\n"
    assert svc.counts_stored(survey) == good
    out = StringIO()
    call_command("evaluation", "recount", "--check", stdout=out)
    assert out.getvalue() == f"survey {survey.pk}: counters agree\n"


def test_refused_submissions_change_no_counter(tree, city_admin, people) -> None:
    survey = _survey(tree["SH-A"], city_admin)
    good = {"single": "1", "multiple": [], "scale": "4", "number": "", "text": ""}
    _submit(survey, people[0], city_admin, good)
    before = svc.counts_stored(survey)
    with pytest.raises(Conflict):                                   # a second answer
        _submit(survey, people[0], city_admin, good)
    with pytest.raises(ApplicationError) as refused:                # not invited (乙区)
        _submit(survey, people[8], city_admin, good)
    assert refused.value.code == "not_invited"
    with pytest.raises(ApplicationError) as refused:                # bad input
        _submit(survey, people[1], city_admin, {**good, "scale": "9"})
    assert refused.value.message == "第 3 题：请选择 1 至 5 分。"
    assert svc.counts_stored(survey) == before
    assert (Answered.objects.count(), Response.objects.count(), Answer.objects.count()) == (
        1, 1, 2)


def _statement(sql: str) -> str:
    """What a statement does and to which table: "INSERT INTO t", "UPDATE t", "SELECT t"."""
    m = (re.match(r'(INSERT INTO|UPDATE)\s+"?(\w+)', sql)
         or re.match(r'(SELECT)\s.*?\sFROM\s+"?(\w+)', sql, re.S))
    return f"{m[1]} {m[2]}" if m else sql[:40]


def test_submission_queries(tree, city_admin, people) -> None:
    """Once the questions are cached for the survey's revision: the once-only row straight
    from the invitation, the response, its answers, the counters (one upsert), the audit
    row (the audit chain's own statements)."""
    survey = _survey(tree["SH-A"], city_admin)
    answers = {"single": "3", "multiple": ["1", "3"], "scale": "4", "number": "8",
               "text": "好"}
    _submit(survey, people[0], city_admin, answers)
    qids = {x.kind: x.pk for x in survey.questions.all()}
    with CaptureQueriesContext(connection) as queries:
        svc.response_submit(survey=survey, person=people[1], actor=city_admin, answers={
            qids[k]: v for k, v in answers.items()})
    heads = [_statement(q["sql"]) for q in queries.captured_queries
             if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # on Citus the once-only row is written in two statements: the invitation read over the
    # shards, then the insert on the person's shard (evaluation_answered is distributed by
    # the person, invitations by the union)
    once = (["SELECT evaluation_invitation", "INSERT INTO evaluation_answered"] if on_citus()
            else ["INSERT INTO evaluation_answered"])
    assert heads == [*once, "INSERT INTO evaluation_response",
                     "INSERT INTO evaluation_answer", "INSERT INTO evaluation_resultcount",
                     # the audit trail: lock the day's chain head, add the row, move the head
                     "SELECT audit_chainhead", "INSERT INTO audit_auditevent",
                     "UPDATE audit_chainhead"]
    # the questions of a changed revision are read again
    survey.revision = __import__("uuid").uuid4()
    with CaptureQueriesContext(connection) as queries:
        svc.response_submit(survey=survey, person=people[2], actor=city_admin, answers={
            qids[k]: v for k, v in answers.items()})
    assert sum('FROM "evaluation_question"' in q["sql"] for q in queries.captured_queries) == 1


def test_migration_counts_the_answers_given_before_it(tree, city_admin, people) -> None:
    """The data step of migration 0002 (plain SQL) gives exactly the recount."""
    import importlib

    step = importlib.import_module("gonghui.evaluation.migrations.0002_result_counts")
    survey = _survey(tree["SH"], city_admin)
    for n, person in enumerate(people[:7]):
        _submit(survey, person, city_admin, {"single": str(n % 3 + 1), "multiple": ["2", "3"],
                                             "scale": "3", "number": str(n), "text": "无"})
    good = svc.counts_stored(survey)
    ResultCount.objects.all().delete()
    step.count_existing(None, type("Editor", (), {"connection": connection})())
    assert svc.counts_stored(survey) == good == svc.counts_recount(survey)
