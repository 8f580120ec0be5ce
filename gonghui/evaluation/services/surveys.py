"""Surveys and satisfaction campaigns: build (question types, required, simple skip logic), open
(draw the audience: a subtree, a group, a reproducible sample), answer once (the `Answered` row
is the once-only rule; an anonymous `Response` keeps no member id), close."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.citus import on_citus, one_connection_per_node
from gonghui.core.colocated import same_union
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import initial_status, transition
from gonghui.evaluation import rules
from gonghui.evaluation.models import (
    Answer,
    Answered,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResultCount,
    Survey,
    SurveyKind,
    SurveyStatus,
)
from gonghui.evaluation.models.surveys import CHOICE_KINDS, SURVEY_TRANSITIONS
from gonghui.evaluation.permissions import require_write
from gonghui.members.choices import NewEmploymentGroup
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org

PATH_STEP = 4  # characters per level of the org path (orgs.Org.steplen)

# The satisfaction questionnaire (SPEC §2.9: overall and per service area, plus free text).
SATISFACTION_AREAS = ["维权服务", "帮扶救助", "文体活动", "技能提升", "会员普惠"]


def _audit(actor: Actor, action: str, survey: Survey, **after: Any) -> None:
    audit_record(actor=actor, action=f"evaluation.survey.{action}", obj=survey,
                 org_path=survey.org_path, after=after or None)


@transaction.atomic
def survey_create(*, org: Org, title: str, year: int, closes_on: dt.date, actor: Actor,
                  kind: str = SurveyKind.SURVEY, anonymous: bool = True, min_group: int = 10,
                  audience_group: str = "", sample_size: int | None = None,
                  sample_seed: int = 0, intro: str = "") -> Survey:
    require_write(actor, org)
    if not org.is_active:
        raise ApplicationError(_("该组织已合并或撤销，不能发起问卷。"), code="org_inactive")
    if not title.strip():
        raise ApplicationError(_("请填写标题。"), code="title_required", extra={"field": "title"})
    if closes_on < clock.today():
        raise ApplicationError(_("截止日期不能早于今天。"), code="closes_in_past",
                               extra={"field": "closes_on"})
    if not 1 <= min_group <= 1000:
        raise ApplicationError(_("最小公布人数应为 1 至 1000。"), code="min_group_range",
                               extra={"field": "min_group"})
    if audience_group and audience_group not in NewEmploymentGroup.values:
        raise ApplicationError(_("限定群体无效。"), code="group_invalid",
                               extra={"field": "audience_group"})
    if sample_size is not None and sample_size < 1:
        raise ApplicationError(_("抽样人数应为正整数。"), code="sample_invalid",
                               extra={"field": "sample_size"})
    if kind not in SurveyKind.values:
        raise ApplicationError(_("问卷类型无效。"), code="kind_invalid", extra={"field": "kind"})
    survey = Survey.objects.create(
        org=org, org_path=org.path, kind=kind, title=title.strip()[:200], intro=intro.strip(),
        year=year, anonymous=anonymous, closes_on=closes_on,
        status=initial_status(Survey, SurveyStatus.DRAFT, initial={SurveyStatus.DRAFT}),
        audience_group=audience_group, sample_size=sample_size, sample_seed=sample_seed,
        min_group=min_group, created_by=actor_user(actor))
    if kind == SurveyKind.SATISFACTION:
        _satisfaction_questions(survey)
    _audit(actor, "create", survey, title=survey.title, kind=kind, anonymous=anonymous,
           min_group=min_group, sample_size=sample_size, sample_seed=sample_seed)
    return survey


def _satisfaction_questions(survey: Survey) -> None:
    rows = [Question(survey=survey, position=1, kind=QuestionKind.SCALE, scale_max=5,
                     is_overall=True, text=_("总体而言，您对本单位工会的工作满意吗？（1 很不满意 — 5 很满意）"))]
    for n, area in enumerate(SATISFACTION_AREAS, start=2):
        rows.append(Question(survey=survey, position=n, kind=QuestionKind.SCALE, scale_max=5,
                             text=_("您对工会“{a}”工作的满意程度").format(a=area)))
    rows.append(Question(survey=survey, position=len(rows) + 1, kind=QuestionKind.TEXT,
                         required=False, text=_("您对工会工作还有什么意见和建议？")))
    Question.objects.bulk_create(rows)


@transaction.atomic
def question_add(*, survey: Survey, kind: str, text: str, actor: Actor, required: bool = True,
                 options: Sequence[str] = (), scale_max: int = 5,
                 show_if: Question | None = None, show_if_value: str = "") -> Question:
    require_write(actor, survey.org)
    if survey.status != SurveyStatus.DRAFT:
        raise Conflict(_("问卷已发布，不能再修改题目。"), code="survey_not_draft")
    if kind not in QuestionKind.values:
        raise ApplicationError(_("题型无效。"), code="kind_invalid", extra={"field": "kind"})
    if not text.strip():
        raise ApplicationError(_("请填写题目。"), code="text_required", extra={"field": "text"})
    cleaned = [o.strip()[:100] for o in options if o.strip()]
    if kind in CHOICE_KINDS and len(cleaned) < 2:
        raise ApplicationError(_("选择题至少要有两个选项。"), code="options_required",
                               extra={"field": "options"})
    if len(set(cleaned)) != len(cleaned):
        raise ApplicationError(_("选项不能重复。"), code="options_duplicate",
                               extra={"field": "options"})
    if kind == QuestionKind.SCALE and not 2 <= scale_max <= 10:
        raise ApplicationError(_("量表最高分应为 2 至 10。"), code="scale_range",
                               extra={"field": "scale_max"})
    if show_if is not None:
        if show_if.survey_id != survey.pk or show_if.kind not in CHOICE_KINDS:
            raise ApplicationError(_("显示条件只能引用本问卷前面的选择题。"), code="skip_invalid",
                                   extra={"field": "show_if"})
        if show_if_value not in _option_codes(show_if):
            raise ApplicationError(_("显示条件的选项不存在。"), code="skip_value_invalid",
                                   extra={"field": "show_if_value"})
    position = (survey.questions.order_by("-position").values_list("position", flat=True)
                .first() or 0) + 1
    question = Question.objects.create(
        survey=survey, position=position, kind=kind, text=text.strip()[:300], required=required,
        options=cleaned if kind in CHOICE_KINDS else [], scale_max=scale_max, show_if=show_if,
        show_if_value=show_if_value if show_if else "")
    survey.revision = uuid.uuid4()      # the questionnaire changed: no process keeps the old
    survey.save(update_fields=["revision", "updated_at"])
    _audit(actor, "question", survey, position=position, kind=kind)
    return question


def _option_codes(question: Question) -> list[str]:
    """Options are stored by their 1-based position: "1", "2", …"""
    return [str(n) for n in range(1, len(question.options) + 1)]


def audience(survey: Survey) -> list[tuple[int, int, str]]:
    """(person id, union id, union path) of the members the survey goes to: the active members
    of the subtree (optionally one group), in membership order; with a sample size, the seeded
    sample of them (the same seed and membership always give the same people)."""
    rows = (Membership.objects.filter(union_path__startswith=survey.org_path,
                                      status=MembershipStatus.ACTIVE)
            .order_by("id"))
    if survey.audience_group:
        rows = rows.filter(person__new_employment_group=survey.audience_group)
    population = list(rows.values_list("person_id", "union_id", "union_path"))
    return rules.draw_sample(population, survey.sample_size, survey.sample_seed)


@transaction.atomic
def survey_open(*, survey: Survey, actor: Actor) -> Survey:
    require_write(actor, survey.org)
    # the audience is read over every shard, then the survey (a reference table the
    # invitations point at) is written: on Citus one connection per node
    one_connection_per_node()
    if not survey.questions.exists():
        raise ApplicationError(_("问卷还没有题目。"), code="questions_required")
    if survey.closes_on < clock.today():
        raise ApplicationError(_("截止日期已过，请先修改截止日期。"), code="closes_in_past")
    chosen = audience(survey)
    if not chosen:
        raise ApplicationError(_("调查范围内没有在册会员。"), code="audience_empty")
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, person_id=p, union_id=u, union_path=path)
         for p, u, path in chosen], batch_size=5000)
    survey = transition(survey, SurveyStatus.OPEN, transitions=SURVEY_TRANSITIONS, actor=actor,
                        reason=_("发布，应答 {n} 人").format(n=len(chosen)),
                        extra_fields={"invited": len(chosen)})
    _audit(actor, "open", survey, invited=len(chosen))
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor: Actor, reason: str = "") -> Survey:
    require_write(actor, survey.org)
    survey = transition(survey, SurveyStatus.CLOSED, transitions=SURVEY_TRANSITIONS, actor=actor,
                        reason=reason or _("结束"))
    _audit(actor, "close", survey)
    return survey


def close_due(*, actor: Actor, today: dt.date | None = None) -> list[Survey]:
    """Daily: close the open surveys whose closing date has passed."""
    today = today or clock.today()
    return [survey_close(survey=s, actor=actor, reason=_("截止日期已过"))
            for s in Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=today)]


def _visible(question: Question, chosen: Mapping[int, set[str]]) -> bool:
    if question.show_if_id is None:
        return True
    return question.show_if_value in chosen.get(question.show_if_id, set())


def clean_answers(questions: Sequence[Question], raw: Mapping[int, Any]) -> list[Answer]:
    """Answers as rows (not yet saved), checked against each question; a question hidden by
    its condition is dropped. Raises with the first problem, naming the question."""
    out: list[Answer] = []
    chosen: dict[int, set[str]] = {}
    for q in questions:
        if not _visible(q, chosen):
            continue
        value = raw.get(q.pk)
        values = ([str(v).strip() for v in value] if isinstance(value, list | tuple)
                  else [] if value is None or str(value).strip() == "" else [str(value).strip()])
        values = [v for v in values if v]
        if not values:
            if q.required:
                raise ApplicationError(_("第 {n} 题为必答题。").format(n=q.position),
                                       code="answer_required", extra={"question": q.pk})
            continue

        def bad(message: str, q: Question = q) -> ApplicationError:
            return ApplicationError(_("第 {n} 题：{m}").format(n=q.position, m=message),
                                    code="answer_invalid", extra={"question": q.pk})

        if q.kind in CHOICE_KINDS:
            codes = _option_codes(q)
            if any(v not in codes for v in values) or len(set(values)) != len(values):
                raise bad(_("选项无效。"))
            if q.kind == QuestionKind.SINGLE and len(values) > 1:
                raise bad(_("只能选一项。"))
            chosen[q.pk] = set(values)
            out.extend(Answer(question=q, option=v) for v in values)
        elif q.kind == QuestionKind.SCALE:
            if len(values) != 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= q.scale_max:
                raise bad(_("请选择 1 至 {m} 分。").format(m=q.scale_max))
            out.append(Answer(question=q, option=values[0], number=Decimal(values[0])))
        elif q.kind == QuestionKind.NUMBER:
            try:
                number = Decimal(values[0])
            except InvalidOperation:
                raise bad(_("请填写数字。")) from None
            if len(values) != 1 or not number.is_finite() or abs(number) >= Decimal("1e10"):
                raise bad(_("请填写数字。"))
            out.append(Answer(question=q, number=number.quantize(Decimal("0.01"))))
        else:
            if len(values[0]) > 2000:
                raise bad(_("不超过 2000 字。"))
            out.append(Answer(question=q, text=values[0]))
    return out


# The questions of open surveys, per process, under the survey's revision: an open survey's
# questionnaire cannot change (questions are added in draft only, and a survey never returns to
# draft), and a new revision is drawn whenever one is added, so a stale entry is never hit.
_QUESTIONS: dict[tuple[int, uuid.UUID], tuple[Question, ...]] = {}
_QUESTIONS_MAX = 256


def survey_questions(survey: Survey) -> list[Question]:
    """The survey's questions in order; an open survey's are read once per process."""
    if survey.status != SurveyStatus.OPEN:
        return list(survey.questions.all())
    key = (survey.pk, survey.revision)
    cached = _QUESTIONS.get(key)
    if cached is None:
        cached = tuple(survey.questions.all())
        if len(_QUESTIONS) >= _QUESTIONS_MAX:
            _QUESTIONS.clear()
        _QUESTIONS[key] = cached
    return list(cached)


def _answered_insert(survey: Survey, person: Person) -> tuple[int, str] | None:
    """The once-only row, copied from the member's invitation in one statement: (union id,
    union path) of the invitation, None when the member is not invited. A second submission
    hits the unique constraint (IntegrityError)."""
    answered, invitation = Answered._meta.db_table, Invitation._meta.db_table
    if on_citus():
        # `answered` is distributed by the person, invitations by the union: the invitation
        # first (a read over the shards), then the insert on the person's shard
        found = (Invitation.objects.filter(survey=survey, person=person)
                 .values_list("union_id", "union_path").first())
        if found is None:
            return None
        Answered.objects.create(survey=survey, person=person, union_id=found[0],
                                union_path=found[1])
        return found[0], found[1]
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {answered} (survey_id, person_id, union_id, union_path) "  # noqa: S608
            f"SELECT survey_id, person_id, union_id, union_path FROM {invitation} "
            "WHERE survey_id = %s AND person_id = %s RETURNING union_id, union_path",
            [survey.pk, person.pk])
        row = c.fetchone()
    return None if row is None else (row[0], row[1])


CountKey = tuple[int, str, str, str]        # question key (0: the survey), dimension, value, option


def response_counts(survey: Survey, response: Response, rows: Sequence[Answer]
                    ) -> dict[CountKey, tuple[int, Decimal]]:
    """What one response adds to the result counters (`ResultCount`): per group (everyone and
    each cross-tab dimension's value of this response) one response for the survey, one for
    every question answered (with the sum of its numbers) and one for every option chosen."""
    groups = [("", ""), *((d, v) for d, v in response_dimensions(survey, response).items())]
    out: dict[CountKey, tuple[int, Decimal]] = {}
    by_question: dict[int, list[Answer]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    for dim, value in groups:
        out[(0, dim, value, "")] = (1, Decimal(0))
        for qid, answers in by_question.items():
            out[(qid, dim, value, "")] = (1, sum((a.number for a in answers
                                                  if a.number is not None), Decimal(0)))
            for a in answers:
                if a.option:
                    out[(qid, dim, value, a.option)] = (1, Decimal(0))
    return out


def response_dimensions(survey: Survey, response: Response) -> dict[str, str]:
    """The cross-tab values of a response (selectors.DIMENSIONS): the unit is the child of the
    survey's org on the response's union path."""
    return {"unit": response.union_path[:len(survey.org_path) + PATH_STEP],
            "gender": response.gender, "age_band": response.age_band,
            "employment_form": response.employment_form}


def _counts_add(survey: Survey, counts: Mapping[CountKey, tuple[int, Decimal]]) -> None:
    """Add to the counters of one random shard in one statement (an upsert), keys in sorted
    order so concurrent submissions on the same shard lock the rows they share in the same
    order (no deadlock)."""
    if not counts:
        return
    table = ResultCount._meta.db_table
    shard = _shard.randrange(ResultCount.SHARDS)
    values: list[str] = []
    params: list[Any] = []
    for key in sorted(counts):
        n, total = counts[key]
        values.append("(%s, %s, %s, %s, %s, %s, %s, %s)")
        params.extend([survey.pk, *key, shard, n, total])
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} "  # noqa: S608
            "(survey_id, question_key, dimension, value, option, shard, n, total) "
            f"VALUES {', '.join(values)} "
            "ON CONFLICT (survey_id, question_key, dimension, value, option, shard) DO UPDATE "
            f"SET n = {table}.n + excluded.n, total = {table}.total + excluded.total",
            params)


_shard = random.Random()    # not the module's seeded generators: only spreads the load


@transaction.atomic
def response_submit(*, survey: Survey, person: Person, answers: Mapping[int, Any],
                    actor: Actor) -> None:
    """One member's answers. The `Answered` row (unique per survey and person) is inserted
    first, straight from the invitation: a second submission — even a concurrent one — hits
    the constraint and changes nothing. An anonymous survey's response carries no person and
    no time; the audit row names the survey, never the response. The result counters are
    updated in the same transaction."""
    if survey.status != SurveyStatus.OPEN or survey.closes_on < clock.today():
        raise Conflict(_("该问卷不在答题期内。"), code="survey_closed")
    try:
        placed = _answered_insert(survey, person)
    except IntegrityError:
        raise Conflict(_("您已经提交过本问卷，每人只能提交一次。"), code="already_answered") from None
    if placed is None:
        raise ApplicationError(_("您不在本次调查的范围内。"), code="not_invited")
    union_id, union_path = placed
    rows = clean_answers(survey_questions(survey), answers)   # raises: all rolled back
    response = Response(
        survey=survey, anonymous=survey.anonymous,
        person=None if survey.anonymous else person, union_id=union_id,
        union_path=union_path, gender=person.gender or "",
        age_band=rules.age_band(person.birth_date, clock.today()),
        employment_form=person.employment_form or "")
    response.save(force_insert=True)
    for row in rows:
        row.response = response
        row.union_id = union_id     # the response's union (the distribution column on Citus)
    Answer.objects.bulk_create(rows)
    _counts_add(survey, response_counts(survey, response, rows))
    audit_record(actor=actor, action="evaluation.survey.answer", obj=survey,
                 org_path=survey.org_path)


CENTS = Decimal("0.01")  # the places of Answer.number and ResultCount.total


def counts_recount(survey: Survey) -> dict[CountKey, tuple[int, Decimal]]:
    """The result counters computed afresh from the raw responses and answers (SQL
    aggregates): what `ResultCount` must hold."""
    cut = len(survey.org_path) + PATH_STEP
    out: dict[CountKey, tuple[int, Decimal]] = {}
    responses = Response.objects.filter(survey=survey)
    # joined to their responses on the union too (on Citus a join on the co-located shards)
    answers = Answer.objects.filter(same_union("response"), response__survey=survey)
    single = answers.exclude(question__kind=QuestionKind.MULTIPLE)
    several = answers.filter(question__kind=QuestionKind.MULTIPLE)
    for dim in ("", "unit", "gender", "age_band", "employment_form"):
        own: Any = Value("") if not dim else (
            Substr("union_path", 1, cut) if dim == "unit" else F(dim))
        via: Any = Value("") if not dim else (
            Substr("response__union_path", 1, cut) if dim == "unit" else F(f"response__{dim}"))
        for value, n in (responses.annotate(v=own).values("v").annotate(n=Count("id"))
                         .values_list("v", "n")):
            if n:       # (no responses: the ungrouped count is one row of 0)
                out[(0, dim, value, "")] = (n, Decimal(0))
        # one row per response and question for every kind but multiple choice
        for r in (single.annotate(v=via).values("question_id", "v")
                  .annotate(n=Count("id"), s=Sum("number"))):
            # sums of 2-place numbers have 2 places; SQLite adds them as floats
            # (-0.809999999999999 for -0.81), so the sum is brought back to the column's places
            out[(r["question_id"], dim, r["v"], "")] = (
                r["n"], Decimal(r["s"] or 0).quantize(CENTS, rounding=ROUND_HALF_UP))
        for r in (several.annotate(v=via).values("question_id", "v")
                  .annotate(n=Count("response_id", distinct=True))):
            out[(r["question_id"], dim, r["v"], "")] = (r["n"], Decimal(0))
        for r in (answers.exclude(option="").annotate(v=via)
                  .values("question_id", "v", "option").annotate(n=Count("id"))):
            out[(r["question_id"], dim, r["v"], r["option"])] = (r["n"], Decimal(0))
    return out


def counts_stored(survey: Survey) -> dict[CountKey, tuple[int, Decimal]]:
    """The stored counters, shards added up."""
    out: dict[CountKey, tuple[int, Decimal]] = {}
    for r in ResultCount.objects.filter(survey=survey):
        key = (r.question_key, r.dimension, r.value, r.option)
        n, total = out.get(key, (0, Decimal(0)))
        out[key] = (n + r.n, total + r.total)
    return out


@transaction.atomic
def counts_rebuild(survey: Survey) -> int:
    """Replace the survey's result counters with a recount from the raw answers; returns the
    number of counter rows (all in shard 0). On PostgreSQL the counters table is locked first (EXCLUSIVE: reads
    go on, submissions wait), so a submission is counted exactly once: one whose counter update
    came before the lock has committed and is in the recount; one after it adds to the
    recount."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(f"LOCK TABLE {ResultCount._meta.db_table} IN EXCLUSIVE MODE")
    fresh = counts_recount(survey)
    ResultCount.objects.filter(survey=survey).delete()
    ResultCount.objects.bulk_create(
        [ResultCount(survey=survey, question_key=k[0], dimension=k[1], value=k[2], option=k[3],
                     n=n, total=total) for k, (n, total) in sorted(fresh.items())],
        batch_size=2000)
    return len(fresh)


def counts_check(survey: Survey) -> list[str]:
    """Differences between the stored counters and a recount (empty when they agree)."""
    stored, fresh = counts_stored(survey), counts_recount(survey)
    return [f"{key}: stored {stored.get(key)}, recount {fresh.get(key)}"
            for key in sorted(set(stored) | set(fresh)) if stored.get(key) != fresh.get(key)]
