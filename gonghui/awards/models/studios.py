"""Innovation studios (劳模/职工创新工作室) and innovation results (职工创新成果)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudioLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级/产业级")
    ENTERPRISE = "enterprise", _("企业级")


class Studio(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("所属工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("工作室名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=12, choices=StudioLevel.choices)
    lead = models.ForeignKey("awards.ModelWorker", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="studios", verbose_name=_("领衔人"))
    lead_name = models.CharField(_("领衔人"), max_length=64)
    members = models.CharField(_("成员"), max_length=500, blank=True)
    field = models.CharField(_("领域"), max_length=100, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("命名年度"))
    rating = models.CharField(_("最近评级"), max_length=16, blank=True)
    rated_year = models.PositiveSmallIntegerField(_("评级年度"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("创新工作室")
        verbose_name_plural = _("创新工作室")

    def __str__(self) -> str:
        return self.name


class StudioRating(models.Model):
    """Each (re-)rating of a studio, kept: the studio shows the latest."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格（摘牌）")

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("年度"))
    rating = models.CharField(_("评级"), max_length=16, choices=Rating.choices)
    achievements = models.TextField(_("年度成果"), blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["studio", "year"],
                                               name="awards_studio_rating_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.rating}"


class InnovationResult(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    studio = models.ForeignKey(Studio, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="results", verbose_name=_("创新工作室"))
    title = models.CharField(_("成果名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    people = models.CharField(_("完成人"), max_length=300)
    award = models.CharField(_("获奖等级"), max_length=64, blank=True)
    benefit = models.CharField(_("经济效益"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("职工创新成果")
        verbose_name_plural = _("职工创新成果")

    def __str__(self) -> str:
        return self.title
