"""Surveys (职工队伍状况调查 and smaller ones) and member satisfaction campaigns (the same
machinery, kind = satisfaction).

Anonymity as declared: an anonymous `Response` stores no member id, no time and a random key
(so neither its id nor its timestamp orders it against the `Answered` rows); the once-only rule
lives in `Answered` (one row per survey and person, a unique constraint), which says who
answered but never what."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class SurveyKind(models.TextChoices):
    SURVEY = "survey", _("问卷调查")
    SATISFACTION = "satisfaction", _("会员满意度测评")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


SURVEY_TRANSITIONS = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
}


class Survey(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("发起单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=SurveyKind.choices,
                            default=SurveyKind.SURVEY)
    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("说明"), blank=True)
    year = models.PositiveIntegerField(_("年度"))
    anonymous = models.BooleanField(_("匿名"), default=True)
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=SurveyStatus.choices,
                              default=SurveyStatus.DRAFT)
    # Audience: the org's subtree, optionally one new-employment group, optionally a sample of
    # N members drawn reproducibly with `sample_seed`.
    audience_group = models.CharField(_("限定群体"), max_length=16, blank=True)
    sample_size = models.PositiveIntegerField(_("抽样人数"), null=True, blank=True)
    sample_seed = models.PositiveIntegerField(_("抽样种子"), default=0)
    # Small-group suppression: no figure for a group with fewer answers than this.
    min_group = models.PositiveSmallIntegerField(_("最小公布人数"), default=10)
    invited = models.PositiveIntegerField(_("应答人数"), default=0)
    # A new value whenever the questionnaire changes (draft only): the key under which a
    # process keeps the questions of an open survey (services.surveys.survey_questions).
    revision = models.UUIDField(default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    history_model = "evaluation.SurveyHistory"

    class Meta:
        verbose_name = _("问卷")
        constraints = [
            models.CheckConstraint(condition=Q(min_group__gte=1), name="eval_survey_min_group"),
            models.CheckConstraint(condition=Q(sample_size__isnull=True) | Q(sample_size__gte=1),
                                   name="eval_survey_sample_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyHistory(HistoryBase):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "survey"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    SCALE = "scale", _("量表")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文本")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("题型"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    options = models.JSONField(_("选项"), default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("量表最高分"), default=5)
    # A satisfaction campaign's overall question (its mean is the union's satisfaction).
    is_overall = models.BooleanField(default=False)
    # Simple skip logic: shown only when the earlier question was answered with this option.
    show_if = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("显示条件题"))
    show_if_value = models.CharField(_("显示条件选项"), max_length=32, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="eval_question_position"),
            models.CheckConstraint(condition=Q(scale_max__gte=2) & Q(scale_max__lte=10),
                                   name="eval_question_scale_range"),
        ]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """The audience, drawn when the survey opens: the denominator of the response rate."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"],
                                               name="eval_invitation_once")]
        indexes = [models.Index(fields=["survey", "union_path"], name="eval_invitation_path")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.person_id}"


class Answered(models.Model):
    """Who answered (once-only), never what: no link to the response, no time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answered")
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"],
                                               name="eval_answered_once")]
        indexes = [models.Index(fields=["survey", "union_path"], name="eval_answered_path")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.person_id}"


class Response(models.Model):
    """One set of answers. Anonymous: no person, no timestamp, a random primary key; the
    demographic bands kept for cross-tabs are shown only for groups of `min_group` or more."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    anonymous = models.BooleanField()
    person = models.ForeignKey("members.Person", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)
    gender = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    employment_form = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(anonymous=False) | Q(person__isnull=True),
                                   name="eval_response_anonymous_no_person"),
            models.UniqueConstraint(fields=["survey", "person"], name="eval_response_named_once",
                                    condition=Q(person__isnull=False)),
        ]
        indexes = [models.Index(fields=["survey", "union_path"], name="eval_response_path")]

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One answer; a multiple choice gives one row per chosen option. `union` is the
    response's (the distribution column on Citus: docs/scale.md)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    option = models.CharField(max_length=32, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"], name="eval_answer_option"),
                   # the results page's sample of free texts, in random-key order
                   models.Index(fields=["question", "response"], name="eval_answer_text",
                                condition=~Q(text=""))]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option or self.number or self.text[:20]}"


class ResultCount(models.Model):
    """Pre-aggregated results, kept up to date by `response_submit` in the answer's own
    transaction (so the results page reads a few hundred rows, not the answers), and rebuilt
    from the raw answers by `services.surveys.counts_rebuild` (`gonghui evaluation recount`).

    A row counts responses: `question_key` is a question's id, or 0 for the survey as a whole;
    `dimension` is "" (everyone) or a cross-tab dimension (unit, gender, age_band,
    employment_form) with its `value`; `option` is "" for the responses that answered the
    question (`total` then sums its numbers: scale and number questions), else an option code
    and the responses that chose it. Only counts of groups, the very figures of the cross-tabs
    before suppression: no person, no response, no time (suppression is applied on reading,
    in selectors).

    Every count is spread over `SHARDS` rows (`shard`, drawn at random per submission, carrying
    no information) so that concurrent submissions seldom wait for one another's counter rows;
    readers add the shards up."""

    SHARDS = 16


    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question_key = models.PositiveIntegerField()
    shard = models.PositiveSmallIntegerField(default=0)
    dimension = models.CharField(max_length=16, blank=True)
    value = models.CharField(max_length=255, blank=True)
    option = models.CharField(max_length=32, blank=True)
    n = models.BigIntegerField(default=0)
    total = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["survey", "question_key", "dimension", "value", "option", "shard"],
            name="eval_resultcount_key")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.question_key}/{self.dimension}={self.value}/{self.option}"
