"""Labour and skill competitions (劳动和技能竞赛): entries, judges' scores per criterion, ranking."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.workflow import HistoryBase


class InParentOrg:
    """A row distributed by the org of its competition or scheme (core/citus.py) carries that
    org: `parent_org = (own field, parent field, parent's org field)`. A save without it takes
    the parent's; bulk inserts set it themselves."""

    parent_org: tuple[str, str, str] = ("org", "", "org")

    def save(self, *args: object, **kwargs: object) -> None:
        own, parent, parent_field = self.parent_org
        if getattr(self, f"{own}_id") is None:
            setattr(self, f"{own}_id", getattr(getattr(self, parent), f"{parent_field}_id"))
        super().save(*args, **kwargs)  # type: ignore[misc]


class CompetitionKind(models.TextChoices):
    LABOUR = "labour", _("劳动竞赛")
    SKILL = "skill", _("技能竞赛")
    ONLINE_DRILL = "online_drill", _("网上练兵")
    FIVE_SMALL = "five_small", _("五小创新")


class TieRule(models.TextChoices):
    SHARED = "shared", _("并列名次")
    CRITERIA = "criteria", _("按评分项顺序比较")
    EARLIER_ENTRY = "earlier_entry", _("报名在先者优先")


class Stage(models.TextChoices):
    REGISTRATION = "registration", _("报名")
    PRELIMINARIES = "preliminaries", _("初赛")
    FINALS = "finals", _("决赛")
    PUBLISHED = "published", _("结果已发布")


STAGE_TRANSITIONS = {
    Stage.REGISTRATION: {Stage.PRELIMINARIES},
    Stage.PRELIMINARIES: {Stage.FINALS},
    Stage.FINALS: {Stage.PUBLISHED},
    Stage.PUBLISHED: set(),
}


class Competition(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("主办工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("竞赛名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=CompetitionKind.choices)
    team = models.BooleanField(_("团体赛"), default=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    trade = models.CharField(_("工种限制"), max_length=64, blank=True)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    tie_rule = models.CharField(_("同分规则"), max_length=16, choices=TieRule.choices,
                                default=TieRule.CRITERIA)
    status = models.CharField(_("阶段"), max_length=16, choices=Stage.choices,
                              default=Stage.REGISTRATION)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history_model = "awards.CompetitionHistory"
    TRANSITIONS = STAGE_TRANSITIONS

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("竞赛")
        verbose_name_plural = _("竞赛")

    def __str__(self) -> str:
        return self.title


class CompetitionHistory(HistoryBase):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE,
                                    related_name="history")
    history_subject_field = "competition"

    class Meta(HistoryBase.Meta):
        verbose_name = _("竞赛阶段记录")
        verbose_name_plural = _("竞赛阶段记录")


class Criterion(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE,
                                    related_name="criteria")
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("评分项"), max_length=100)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2,
                                 default=Decimal("1"))

    class Meta:
        ordering = ["competition", "position"]
        constraints = [models.UniqueConstraint(fields=["competition", "position"],
                                               name="awards_criterion_position"),
                       models.CheckConstraint(condition=Q(max_score__gt=0),
                                              name="awards_criterion_max_positive")]

    def __str__(self) -> str:
        return self.name


class Entry(InParentOrg, models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE,
                                    related_name="entries")
    # the competition's organiser: the distribution column (docs/scale.md), so a competition's
    # entries and scores lie on one shard and "a person once per competition" holds there
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False, verbose_name=_("主办工会"))
    parent_org = ("org", "competition", "org")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255, db_index=True)
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    name = models.CharField(_("选手/队伍"), max_length=200)
    team_members = models.CharField(_("队员"), max_length=500, blank=True)
    registered_at = models.DateTimeField(_("报名时间"))
    in_finals = models.BooleanField(_("进入决赛"), default=False)
    skill_upgrade = models.CharField(_("技能晋级"), max_length=20, blank=True)

    class Meta:
        ordering = ["competition", "registered_at", "id"]
        verbose_name = _("参赛报名")
        verbose_name_plural = _("参赛报名")
        constraints = [models.UniqueConstraint(
            fields=["competition", "person", "org"], condition=Q(person__isnull=False),
            name="awards_entry_person_once")]

    def __str__(self) -> str:
        return self.name


class Score(InParentOrg, models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    # the entry's (the competition's organiser): the distribution column
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False)
    parent_org = ("org", "entry", "org")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    judge_name = models.CharField(_("评委"), max_length=150)
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "criterion", "judge", "stage", "org"],
                                    name="awards_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="awards_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.score}"
