"""evaluation on Citus (docs/scale.md): an answer carries its response's union (migration 0003
fills it); the keys Citus can keep only within a union — one invitation and one named response
per survey and person — are carried by the draw and by `evaluation_answered` (distributed by the
person, so its (survey, person) key holds across unions)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import Counter
from typing import Any

import pytest
from django.db import IntegrityError, connection

from gonghui.core.errors import Conflict, InvalidTransition
from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus
from gonghui.evaluation.models import Answer, Answered, Invitation, Response, ResultCount
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests import test_result_counts as rc

people = rc.people     # the fixture: twelve members in five unions
_submit, _survey = rc._submit, rc._survey
ANSWERS = {"single": "1", "multiple": ["2"], "scale": "4", "number": "5", "text": ""}



@not_on_citus
@pytest.mark.django_db(transaction=True)
def test_migration_0003_gives_each_answer_its_responses_union():
    before, after = "0002_result_counts", "0003_answer_union"
    old = migrate_to("evaluation", before)
    Org = old.get_model("orgs", "Org")
    Survey_ = old.get_model("evaluation", "Survey")
    Question_ = old.get_model("evaluation", "Question")
    Response_ = old.get_model("evaluation", "Response")
    Answer_ = old.get_model("evaluation", "Answer")
    orgs = [Org.objects.create(path=f"000{n}", depth=1, numchild=0, code=f"MIG{n}",
                               name=f"迁移测试工会{n}", level="city", org_type="federation")
            for n in (1, 2)]
    survey = Survey_.objects.create(org=orgs[0], org_path=orgs[0].path, title="调查", year=2026,
                                    closes_on=dt.date(2026, 3, 31))
    question = Question_.objects.create(survey=survey, kind="scale", text="满意度")
    for n, org in enumerate(orgs):
        response = Response_.objects.create(id=uuid.uuid4(), survey=survey, anonymous=True,
                                            union=org, union_path=org.path)
        for value in range(n + 1):
            Answer_.objects.create(response=response, question=question, option=str(value))
    try:
        new = migrate_to("evaluation", after)
        Answer_ = new.get_model("evaluation", "Answer")
        assert sorted(Answer_.objects.values_list("union_id", "response__union_id")) == sorted(
            [(orgs[0].pk, orgs[0].pk), (orgs[1].pk, orgs[1].pk), (orgs[1].pk, orgs[1].pk)])
    finally:
        migrate_to_latest()


@pytest.mark.django_db
def test_answers_carry_their_responses_union(tree: Any, city_admin: Any, people: Any) -> None:
    survey = _survey(tree["SH"], city_admin)
    for person in people[:3]:
        _submit(survey, person, city_admin, ANSWERS)
    answers = list(Answer.objects.filter(response__survey=survey)
                   .values_list("union_id", "response__union_id"))
    assert len(answers) == 3 * 4
    assert all(a == b for a, b in answers)
    assert sorted({a for a, _b in answers}) == sorted(
        {r.union_id for r in Response.objects.filter(survey=survey)})


def _drop_unique(table: str, name: str) -> None:
    """Drop a unique key (a constraint or a bare unique index) as `gonghui citus distribute`
    does for the keys of CROSS_UNION_UNIQUES."""
    with connection.cursor() as c:
        c.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        c.execute(f'DROP INDEX IF EXISTS "{name}"')


@not_on_citus
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_named_response_once_without_its_own_key(tree: Any, city_admin: Any,
                                                   people: Any) -> None:
    """On Citus `eval_response_named_once` is dropped (it lacks the union); the Answered row,
    unique per survey and person and distributed by the person, still refuses a second named
    response, and nothing of the second is kept."""
    _drop_unique("evaluation_response", "eval_response_named_once")
    survey = _survey(tree["SH"], city_admin)
    survey.anonymous = False
    survey.save(update_fields=["anonymous"])
    _submit(survey, people[0], city_admin, ANSWERS)
    counts = list(ResultCount.objects.filter(survey=survey).values_list("pk", "n"))
    with pytest.raises(Conflict):
        _submit(survey, people[0], city_admin, {**ANSWERS, "single": "2"})
    assert Response.objects.filter(survey=survey, person=people[0]).count() == 1
    assert Answered.objects.filter(survey=survey, person=people[0]).count() == 1
    assert list(ResultCount.objects.filter(survey=survey).values_list("pk", "n")) == counts


@pytest.mark.django_db
def test_the_draw_invites_each_person_once(tree: Any, city_admin: Any, people: Any) -> None:
    """On Citus `eval_invitation_once` holds within each union only; the draw itself takes each
    person once (one active membership per person) and runs once per survey (DRAFT -> OPEN)."""
    if connection.vendor == "postgresql" and not os.environ.get("GONGHUI_TEST_CITUS_URL"):
        _drop_unique("evaluation_invitation", "eval_invitation_once")
    survey = _survey(tree["SH"], city_admin)
    per_person = Counter(Invitation.objects.filter(survey=survey)
                         .values_list("person_id", flat=True))
    assert sorted(per_person) == sorted(p.pk for p in people)
    assert set(per_person.values()) == {1}
    assert len(svc.audience(survey)) == len({p for p, _u, _path in svc.audience(survey)})
    # a survey opens once: the workflow refuses a second (or the key, where it stands, first)
    with pytest.raises((InvalidTransition, IntegrityError)):
        svc.survey_open(survey=survey, actor=city_admin)
    assert Invitation.objects.filter(survey=survey).count() == len(people)
