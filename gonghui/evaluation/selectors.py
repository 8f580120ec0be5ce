"""Every read of evaluation that is more than a get: scoped lists, the due list, the public
list of titles, survey results with small-group suppression, response rates, cross-tabs,
satisfaction and the yearly weighted score with its ranking.

Small-group suppression: every figure computed from answers (counts, means, cross-tab cells)
is None when its group has fewer than the survey's `min_group` responses. Pages, API and
exports all read these functions, so none can show what another hides."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.core import clock
from gonghui.evaluation import rules
from gonghui.evaluation.models import (
    Answer,
    Answered,
    Invitation,
    Item,
    Question,
    QuestionKind,
    Rating,
    RatingStatus,
    Response,
    ResultCount,
    Scheme,
    ScoreWeights,
    Survey,
    SurveyKind,
    ThirdPartyScore,
    Title,
    TitleStatus,
)
from gonghui.evaluation.models.surveys import CHOICE_KINDS
from gonghui.members.choices import EmploymentForm, Gender
from gonghui.orgs.models import Org

READ = Capability.EVALUATION_READ
STEP = 4  # characters per level of the org path (orgs.Org.steplen)


# --- ratings and titles --------------------------------------------------------------------

def scheme_list(*, viewer: Any, q: str = "", year: int | None = None) -> QuerySet[Scheme]:
    """Schemes of the viewer's subtrees and of the federations above them (the schemes that
    rate their unions)."""
    rows = Scheme.objects.select_related("org").order_by("-year", "org__path", "id")
    if not is_global(viewer):
        roots = prefixes(viewer, READ)
        cond = Q(pk__in=[])
        for root in roots:
            cond |= Q(org_path__startswith=root)
            ancestors = [root[:n] for n in range(STEP, len(root), STEP)]
            if ancestors:
                cond |= Q(org_path__in=ancestors)
        rows = rows.filter(cond)
    if q:
        rows = rows.filter(name__icontains=q)
    if year:
        rows = rows.filter(year=year)
    return rows


def rating_list(*, viewer: Any, q: str = "", status: str = "", year: int | None = None,
                scheme: int | None = None) -> QuerySet[Rating]:
    rows = scope(Rating.objects.select_related("org", "scheme"), viewer, READ,
                 path_field="org_path").order_by("-year", "org_path", "id")
    if q:
        rows = rows.filter(Q(org__name__icontains=q) | Q(org__code__iexact=q))
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(year=year)
    if scheme:
        rows = rows.filter(scheme_id=scheme)
    return rows


def rating_sheet(rating: Rating) -> list[dict[str, Any]]:
    """The score sheet grouped by section, with each item's evidence files."""
    scores = {s.item_id: s for s in rating.scores.all()}
    files: dict[int, list[Any]] = defaultdict(list)
    for e in rating.evidence.order_by("id"):
        files[e.item_id].append(e)
    sections: dict[int, dict[str, Any]] = {}
    for item in Item.objects.filter(section__scheme=rating.scheme_id).select_related("section"):
        block = sections.setdefault(item.section_id, {"section": item.section, "rows": []})
        block["rows"].append({"item": item, "score": scores.get(item.pk),
                              "files": files.get(item.pk, [])})
    return list(sections.values())


def title_list(*, viewer: Any, q: str = "", status: str = TitleStatus.ACTIVE,
               grade: str = "") -> QuerySet[Title]:
    rows = scope(Title.objects.select_related("org"), viewer, READ, path_field="org_path")
    if status:
        rows = rows.filter(status=status)
    if grade:
        rows = rows.filter(grade=grade)
    if q:
        rows = rows.filter(Q(org__name__icontains=q) | Q(org__code__iexact=q))
    return rows.order_by("grade", "org_path", "id")


def public_titles(*, q: str = "", grade: str = "", today: dt.date | None = None
                  ) -> QuerySet[Title]:
    """The public list of titled unions (any signed-in user): active and within validity."""
    today = today or clock.today()
    rows = Title.objects.select_related("org").filter(status=TitleStatus.ACTIVE,
                                                      valid_until__gte=today)
    if grade:
        rows = rows.filter(grade=grade)
    if q:
        rows = rows.filter(org__name__icontains=q)
    return rows.order_by("grade", "org_path", "id")


def titles_due(*, viewer: Any, within_days: int = 90, today: dt.date | None = None
               ) -> QuerySet[Title]:
    """Active titles whose validity ends within `within_days` (or has ended): the re-ratings
    to arrange, soonest first."""
    today = today or clock.today()
    return (scope(Title.objects.select_related("org", "rating__scheme"), viewer, READ,
                  path_field="org_path")
            .filter(status=TitleStatus.ACTIVE,
                    valid_until__lte=today + dt.timedelta(days=within_days))
            .order_by("valid_until", "id"))


def ratings_to_review(*, viewer: Any) -> QuerySet[Rating]:
    """Ratings waiting for the viewer as reviewer (superior union): submitted, reviewed or
    checked, strictly below a subtree where the viewer holds evaluation.write."""
    roots = prefixes(viewer, Capability.EVALUATION_WRITE)
    if not roots and not is_global(viewer):
        return Rating.objects.none()
    rows = Rating.objects.select_related("org", "scheme").filter(
        status__in=[RatingStatus.SUBMITTED, RatingStatus.REVIEWED, RatingStatus.CHECKED])
    if not is_global(viewer):
        cond = Q(pk__in=[])
        for root in roots:
            cond |= Q(org_path__startswith=root) & ~Q(org_path=root)
        rows = rows.filter(cond)
    return rows.order_by("updated_at", "id")


# --- surveys -------------------------------------------------------------------------------

def survey_list(*, viewer: Any, q: str = "", status: str = "", kind: str = "",
                year: int | None = None) -> QuerySet[Survey]:
    rows = scope(Survey.objects.select_related("org"), viewer, READ,
                 path_field="org_path").order_by("-created_at", "-id")
    if q:
        rows = rows.filter(title__icontains=q)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(year=year)
    return rows


def my_surveys(person: Any) -> list[dict[str, Any]]:
    """A member's invitations: the survey and whether they have answered."""
    if person is None:
        return []
    answered = set(Answered.objects.filter(person=person).values_list("survey_id", flat=True))
    return [{"survey": i.survey, "answered": i.survey_id in answered}
            for i in Invitation.objects.select_related("survey").filter(person=person)
            .order_by("-survey__closes_on", "-survey_id")]


def response_rates(survey: Survey, *, under: str = "") -> list[dict[str, Any]]:
    """Invited and answered per union, live. (Who answered is not an answer: the counts are
    shown for every union; the answers themselves are aggregated with suppression.)"""
    invited = (Invitation.objects.filter(survey=survey, union_path__startswith=under or "")
               .values("union_id").annotate(n=Count("id")))
    answered = dict(Answered.objects.filter(survey=survey).values("union_id")
                    .annotate(n=Count("id")).values_list("union_id", "n"))
    names = dict(Org.objects.filter(pk__in=[r["union_id"] for r in invited])
                 .values_list("pk", "name"))
    rows = [{"union_id": r["union_id"], "union": names.get(r["union_id"], ""),
             "invited": r["n"], "answered": answered.get(r["union_id"], 0),
             "rate": _pct(answered.get(r["union_id"], 0), r["n"])} for r in invited]
    return sorted(rows, key=lambda r: (-r["rate"], r["union"]))


def _pct(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def survey_totals(survey: Survey) -> dict[str, Any]:
    # the survey-wide counter: one response per `Answered` row (both written in one transaction)
    answered = (ResultCount.objects.filter(survey=survey, question_key=0, dimension="")
                .aggregate(n=Sum("n"))["n"] or 0)
    return {"invited": survey.invited, "answered": answered,
            "rate": _pct(answered, survey.invited)}


@dataclass
class QuestionResult:
    question: Question
    answered: int                           # responses that answered it
    suppressed: bool
    options: list[dict[str, Any]] = field(default_factory=list)   # label, count, percent
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)


def survey_results(survey: Survey, *, with_texts: bool = False) -> list[QuestionResult]:
    """Per question: option counts (choices, scales), the mean (scales, numbers); every figure
    None when fewer than `min_group` answered the question. Read from the result counters
    (`ResultCount`, kept by `response_submit`, shards added up), not from the answers."""
    questions = list(survey.questions.all())
    per_q: dict[int, tuple[int, Decimal]] = {}
    counts: dict[tuple[int, str], int] = {}
    for qid, option, n, total in (ResultCount.objects.filter(survey=survey, dimension="")
                                  .exclude(question_key=0).values("question_key", "option")
                                  .annotate(n=Sum("n"), t=Sum("total"))
                                  .values_list("question_key", "option", "n", "t")):
        if option:
            counts[(qid, option)] = n
        else:
            per_q[qid] = (n, total)
    out = []
    for q in questions:
        n, total = per_q.get(q.pk, (0, Decimal(0)))
        result = QuestionResult(q, n, rules.suppress(n, survey.min_group))
        if not result.suppressed:
            for code, label in option_labels(q):
                c = counts.get((q.pk, code), 0)
                result.options.append({"code": code, "label": label, "count": c,
                                       "percent": _pct(c, n)})
            if q.kind in (QuestionKind.SCALE, QuestionKind.NUMBER) and n:
                result.mean = (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if with_texts and q.kind == QuestionKind.TEXT:
                # a sample of 200 in the order of the responses' random keys (never the order
                # of submission), read through the (question, response) index
                result.texts = list(Answer.objects.filter(question=q).exclude(text="")
                                    .order_by("response_id").values_list("text", flat=True)[:200])
        out.append(result)
    return out


def option_labels(q: Question) -> list[tuple[str, str]]:
    if q.kind in CHOICE_KINDS:
        return [(str(n), label) for n, label in enumerate(q.options, start=1)]
    if q.kind == QuestionKind.SCALE:
        return [(str(n), str(n)) for n in range(1, q.scale_max + 1)]
    return []


DIMENSIONS = {"unit": _l("下级单位"), "gender": _l("性别"), "age_band": _l("年龄段"),
              "employment_form": _l("用工形式")}


def dimension_labels(survey: Survey, dimension: str, values: list[str]) -> dict[str, str]:
    if dimension == "unit":
        names = dict(Org.objects.filter(path__in=values).values_list("path", "name"))
        return {v: names.get(v, v) for v in values}
    choices: dict[str, str] = {}
    if dimension == "gender":
        choices = {str(k): str(v) for k, v in Gender.choices}
    elif dimension == "employment_form":
        choices = {str(k): str(v) for k, v in EmploymentForm.choices}
    return {v: choices.get(v, v) or "—" for v in values}


@dataclass
class CrossTab:
    question: Question
    dimension: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]     # label, total, cells (None when suppressed), suppressed


def crosstab(survey: Survey, question: Question, dimension: str) -> CrossTab:
    """Option counts of one question by a dimension, from the result counters; a row whose
    group answered fewer than `min_group` times shows no figures at all."""
    if dimension not in DIMENSIONS:
        dimension = "unit"
    cells: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    for value, option, n in (ResultCount.objects.filter(survey=survey, question_key=question.pk,
                                                        dimension=dimension)
                             .values("value", "option").annotate(n=Sum("n"))
                             .values_list("value", "option", "n")):
        if option:
            cells[(value, option)] = n
        else:           # the responses of the group that answered the question
            totals[value] = n
    columns = option_labels(question)
    labels = dimension_labels(survey, dimension, list(totals))
    rows = []
    for value in sorted(totals, key=lambda v: labels[v]):
        n = totals[value]
        hidden = rules.suppress(n, survey.min_group)
        rows.append({"label": labels[value], "total": None if hidden else n, "suppressed": hidden,
                     "cells": [None if hidden else cells.get((value, c), 0)
                               for c, _label in columns]})
    return CrossTab(question, dimension, columns, rows)


def export_rows(survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """The raw answers for export, one row per response, in random-key order (never the order
    of submission). Demographic cells of a value held by fewer than `min_group` responses are
    shown as "*"; with fewer than `min_group` responses in all there is nothing to export."""
    questions = list(survey.questions.all())
    responses: list[dict[str, Any]] = [dict(r) for r in Response.objects.filter(survey=survey)
                                       .order_by("id").values("id", "union_path", "gender",
                                                              "age_band", "employment_form")]
    if rules.suppress(len(responses), survey.min_group):
        return [], []
    cut = len(survey.org_path) + STEP
    for r in responses:
        r["unit"] = r["union_path"][:cut]
    header = ["编号", *[str(DIMENSIONS[d]) for d in DIMENSIONS]]
    counts: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSIONS}
    for r in responses:
        for d in DIMENSIONS:
            counts[d][r[d]] += 1
    labels = {d: dimension_labels(survey, d, list(counts[d])) for d in DIMENSIONS}
    answers: dict[Any, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in Answer.objects.filter(question__survey=survey).values(
            "response_id", "question_id", "option", "number", "text"):
        q_value = a["text"] or (a["option"] if a["option"] else
                                (str(a["number"]) if a["number"] is not None else ""))
        answers[a["response_id"]][a["question_id"]].append(q_value)
    option_name = {q.pk: dict(option_labels(q)) for q in questions}
    header += [f"Q{q.position} {q.text}" for q in questions]
    out = []
    for n, r in enumerate(responses, start=1):
        row: list[Any] = [n]
        for d in DIMENSIONS:
            hidden = rules.suppress(counts[d][r[d]], survey.min_group)
            row.append("*" if hidden else labels[d][r[d]])
        for q in questions:
            values = answers[r["id"]].get(q.pk, [])
            if q.kind in CHOICE_KINDS:
                values = [option_name[q.pk].get(v, v) for v in values]
            row.append("；".join(values))
        out.append(row)
    return header, out


# --- satisfaction and the yearly score -----------------------------------------------------

def satisfaction_of(org: Org, year: int) -> tuple[Decimal | None, int]:
    """The union's members' overall satisfaction in `year` on 0–100 (mean of the overall scale
    question, scaled), and the number of answers; None below the campaign's minimum group."""
    rows = Answer.objects.filter(
        question__is_overall=True, question__survey__kind=SurveyKind.SATISFACTION,
        question__survey__year=year, response__union_path__startswith=org.path)
    agg = rows.aggregate(n=Count("id"), s=Sum("number"))
    n = agg["n"] or 0
    minimum = (Survey.objects.filter(kind=SurveyKind.SATISFACTION, year=year,
                                     questions__in=Question.objects.filter(is_overall=True))
               .order_by("-min_group").values_list("min_group", flat=True).first() or 10)
    if not n or rules.suppress(n, minimum):
        return None, n
    scale = (Question.objects.filter(is_overall=True, survey__kind=SurveyKind.SATISFACTION,
                                     survey__year=year).values_list("scale_max", flat=True)
             .first() or 5)
    mean = Decimal(agg["s"]) / n
    return rules.percent_of(mean, Decimal(scale)), n


def self_score_of(org: Org, year: int) -> Decimal | None:
    """The reviewed checklist total of the union's rating of `year` as a score out of 100."""
    rating = (Rating.objects.filter(org=org, year=year, review_total__isnull=False)
              .exclude(status__in=[RatingStatus.DRAFT, RatingStatus.SUBMITTED])
              .select_related("scheme").order_by("-updated_at").first())
    if rating is None or rating.review_total is None:
        return None
    total = Item.objects.filter(section__scheme=rating.scheme_id).aggregate(
        s=Sum("max_points"))["s"] or Decimal("0")
    return rules.percent_of(rating.review_total, total)


def weights_for(org: Org, year: int) -> rules.Weights:
    """The weights set by the nearest federation at or above `org` for `year` (default
    40/30/30)."""
    paths = [org.path[:n] for n in range(STEP, len(org.path) + 1, STEP)]
    row = (ScoreWeights.objects.filter(org_path__in=paths, year=year)
           .order_by("-org_path").first())
    if row is None:
        return rules.Weights(40, 30, 30)
    return rules.Weights(row.self_weight, row.satisfaction_weight, row.third_party_weight)


@dataclass
class YearlyScore:
    org: Org
    self_score: Decimal | None
    satisfaction: Decimal | None
    satisfaction_n: int
    third_party: Decimal | None
    score: Decimal | None
    rank: int | None = None


def ranking(*, root: Org, year: int) -> tuple[rules.Weights, list[YearlyScore]]:
    """The grassroots unions of `root`'s subtree with any component for `year`, ranked by
    the weighted score (unions missing a weighted component come last, unranked)."""
    weights = weights_for(root, year)
    third = {t.org_id: t.score for t in ThirdPartyScore.objects.filter(
        org_path__startswith=root.path, year=year)}
    rated = set(Rating.objects.filter(org_path__startswith=root.path, year=year)
                .values_list("org_id", flat=True))
    surveyed = set(Response.objects.filter(survey__kind=SurveyKind.SATISFACTION,
                                           survey__year=year,
                                           union_path__startswith=root.path)
                   .values_list("union_id", flat=True).distinct())
    orgs = Org.objects.filter(pk__in=set(third) | rated | surveyed).order_by("path")
    rows = []
    for org in orgs:
        sat, n = satisfaction_of(org, year)
        own = self_score_of(org, year)
        rows.append(YearlyScore(org, own, sat, n, third.get(org.pk),
                                rules.weighted_score(self_score=own, satisfaction=sat,
                                                     third_party=third.get(org.pk),
                                                     weights=weights)))
    scored = sorted([r for r in rows if r.score is not None],
                    key=lambda r: (-(r.score or 0), r.org.path))
    for n, r in enumerate(scored, start=1):
        r.rank = n
    return weights, scored + [r for r in rows if r.score is None]
