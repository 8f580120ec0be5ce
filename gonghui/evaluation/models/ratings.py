"""建家评家: rating schemes (scored checklists, grade thresholds, veto items, re-rating period),
ratings of one union (a workflow with history) and the titles they confer (with validity, and
the exit mechanism: withdrawn, downgraded, expired)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class Grade(models.TextChoices):
    """Titles, highest first (SPEC §2.9)."""

    MODEL = "model", _("模范职工之家")
    ADVANCED = "advanced", _("先进职工之家")
    QUALIFIED = "qualified", _("合格职工之家")
    MODEL_SMALL = "model_small", _("模范职工小家")


# Highest first: a union gets the highest grade whose minimum its total reaches.
GRADE_ORDER = [Grade.MODEL, Grade.ADVANCED, Grade.QUALIFIED, Grade.MODEL_SMALL]
GRADE_RANK: dict[str, int] = {str(g): n for n, g in enumerate(GRADE_ORDER)}


class Scheme(TimeStampedModel):
    """A rating scheme defined by the city or a district for the unions of its subtree."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("制定单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("方案名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    # 复评周期: a title lasts this many years; then it must be re-checked or it lapses.
    rerating_years = models.PositiveSmallIntegerField(_("复评周期（年）"), default=3)
    # Re-ratings are listed this many days before a title's validity ends.
    due_notice_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=90)
    for_branches = models.BooleanField(_("适用于分工会（职工小家）"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评家方案")
        constraints = [
            models.CheckConstraint(condition=Q(rerating_years__gte=1) & Q(rerating_years__lte=10),
                                   name="eval_scheme_rerating_range"),
            models.UniqueConstraint(fields=["org", "year", "name"], name="eval_scheme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("板块"), max_length=100)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "title"],
                                               name="eval_section_unique_title")]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("评分项"), max_length=300)
    max_points = models.DecimalField(_("满分"), max_digits=7, decimal_places=2)
    evidence = models.CharField(_("所需佐证材料"), max_length=300, blank=True)

    class Meta:
        ordering = ["section__position", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(max_points__gt=0),
                                              name="eval_item_max_positive")]

    def __str__(self) -> str:
        return self.title


class GradeThreshold(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="thresholds")
    grade = models.CharField(_("等级"), max_length=16, choices=Grade.choices)
    min_score = models.DecimalField(_("最低分"), max_digits=7, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "grade"], name="eval_threshold_unique"),
            models.CheckConstraint(condition=Q(min_score__gte=0), name="eval_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_score}"


class VetoItem(models.Model):
    """一票否决: an event in the year that rules out any title (a serious safety accident...)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes")
    title = models.CharField(_("否决事项"), max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class RatingStatus(models.TextChoices):
    DRAFT = "draft", _("自评中")
    SUBMITTED = "submitted", _("待审核")
    REVIEWED = "reviewed", _("已审核")
    CHECKED = "checked", _("已实地检查")
    DECIDED = "decided", _("已评定")
    FAILED = "failed", _("未达标")
    PUBLICIZING = "publicizing", _("公示中")
    CONFERRED = "conferred", _("已授牌")
    REJECTED = "rejected", _("公示未通过")


RATING_TRANSITIONS = {
    RatingStatus.DRAFT: {RatingStatus.SUBMITTED},
    RatingStatus.SUBMITTED: {RatingStatus.REVIEWED, RatingStatus.DRAFT},
    RatingStatus.REVIEWED: {RatingStatus.CHECKED, RatingStatus.SUBMITTED},
    RatingStatus.CHECKED: {RatingStatus.DECIDED, RatingStatus.FAILED},
    RatingStatus.DECIDED: {RatingStatus.PUBLICIZING},
    RatingStatus.PUBLICIZING: {RatingStatus.CONFERRED, RatingStatus.REJECTED},
}
RATING_INITIAL = {RatingStatus.DRAFT}
RATING_OPEN = [RatingStatus.DRAFT, RatingStatus.SUBMITTED, RatingStatus.REVIEWED,
               RatingStatus.CHECKED, RatingStatus.DECIDED, RatingStatus.PUBLICIZING]


class Rating(TimeStampedModel):
    """One union's rating under one scheme: self-assessment → review → on-site check → decision
    → 公示 → title. Totals are caches recomputed from the item scores, never typed."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="ratings")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("参评工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=RatingStatus.choices,
                              default=RatingStatus.DRAFT)
    # A re-check of this title (复评); failing it withdraws the title.
    recheck_of = models.ForeignKey("Title", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="rechecks", verbose_name=_("复评的称号"))
    self_total = models.DecimalField(_("自评总分"), default=Decimal("0"),
        max_digits=7, decimal_places=2)
    review_total = models.DecimalField(_("审核总分"), null=True, blank=True,
        max_digits=7, decimal_places=2)
    vetoed = models.BooleanField(_("触发一票否决"), default=False)
    grade = models.CharField(_("评定等级"), max_length=16, choices=Grade.choices, blank=True)
    onsite_on = models.DateField(_("实地检查日期"), null=True, blank=True)
    onsite_note = models.TextField(_("实地检查情况"), blank=True)
    onsite_by = models.CharField(_("检查人员"), max_length=200, blank=True)
    reviewer_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("审核单位"))
    notice = models.ForeignKey("notices.Notice", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    history_model = "evaluation.RatingHistory"

    class Meta:
        verbose_name = _("评家申报")
        constraints = [
            # One open rating of a union per scheme at a time.
            models.UniqueConstraint(
                fields=["scheme", "org"], name="eval_rating_one_open",
                condition=Q(status__in=["draft", "submitted", "reviewed", "checked", "decided",
                                        "publicizing"])),
            models.CheckConstraint(condition=~Q(status__in=["decided", "publicizing", "conferred"])
                                   | ~Q(grade=""), name="eval_rating_decided_has_grade"),
        ]
        indexes = [models.Index(fields=["status", "org_path"], name="eval_rating_status_path")]

    def __str__(self) -> str:
        return f"{self.org} · {self.scheme}"


class RatingHistory(HistoryBase):
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "rating"


class ItemScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(_("自评分"), null=True, blank=True,
        max_digits=7, decimal_places=2)
    self_note = models.CharField(_("自评说明"), max_length=500, blank=True)
    review_score = models.DecimalField(_("审核分"), null=True, blank=True,
        max_digits=7, decimal_places=2)
    review_reason = models.CharField(_("调整理由"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="eval_score_unique"),
            models.CheckConstraint(condition=Q(self_score__isnull=True) | Q(self_score__gte=0),
                                   name="eval_score_self_positive"),
            models.CheckConstraint(condition=Q(review_score__isnull=True)
                                   | Q(review_score__gte=0), name="eval_score_review_positive"),
            # An adjusted score always says why.
            models.CheckConstraint(condition=Q(review_score__isnull=True)
                                   | Q(review_score=models.F("self_score")) | ~Q(review_reason=""),
                                   name="eval_score_adjust_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.self_score}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"evaluation/{instance.rating_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("文件名"), max_length=200)
    content = models.FileField(upload_to=_evidence_path, max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class RatingVeto(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="veto_hits")
    veto = models.ForeignKey(VetoItem, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rating", "veto"],
                                               name="eval_rating_veto_unique")]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.veto_id}"


class TitleStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUPERSEDED = "superseded", _("已被新称号取代")
    DOWNGRADED = "downgraded", _("已降级")
    WITHDRAWN = "withdrawn", _("已撤销")
    EXPIRED = "expired", _("到期未复评")


TITLE_TRANSITIONS = {
    TitleStatus.ACTIVE: {TitleStatus.SUPERSEDED, TitleStatus.DOWNGRADED, TitleStatus.WITHDRAWN,
                         TitleStatus.EXPIRED},
}


class Title(TimeStampedModel):
    """A conferred title (授牌) with its validity. The public list is the active rows."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    grade = models.CharField(_("称号"), max_length=16, choices=Grade.choices)
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="titles")
    conferred_on = models.DateField(_("授予日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=16, choices=TitleStatus.choices,
                              default=TitleStatus.ACTIVE)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    history_model = "evaluation.TitleHistory"

    class Meta:
        verbose_name = _("职工之家称号")
        constraints = [
            models.UniqueConstraint(fields=["org"], condition=Q(status="active"),
                                    name="eval_title_one_active"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("conferred_on")),
                                   name="eval_title_validity"),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="eval_title_due")]

    def __str__(self) -> str:
        return f"{self.org} · {self.get_grade_display()}"


class TitleHistory(HistoryBase):
    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "title"
