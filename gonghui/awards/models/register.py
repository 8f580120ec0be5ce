"""The model-worker register (劳模档案): each honoured person, their honours over the years, and
the care the union gives them (津贴, 体检, 节日慰问, 疗休养, 困难帮扶 through the aid module)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import MoneyField
from gonghui.orgs.models import Level


class ModelWorker(models.Model):
    person = models.OneToOneField("members.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("人员"))
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("所属工会"))
    union_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    unit_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    monthly_allowance = MoneyField(_("劳模津贴（元/月）"), default=0)
    deceased = models.BooleanField(_("已故"), default=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("劳模档案")
        verbose_name_plural = _("劳模档案")

    def __str__(self) -> str:
        return self.name


class HonourRecord(models.Model):
    """One honour held: from a conferred nomination, or entered from the paper archive."""

    model_worker = models.ForeignKey(ModelWorker, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="honours")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    union_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("姓名/名称"), max_length=200)
    kind = models.CharField(_("荣誉"), max_length=24)
    level = models.CharField(_("授予层级"), max_length=16)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("荣誉名称"), max_length=200)
    nomination = models.OneToOneField("awards.Nomination", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="record")

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("荣誉记录")
        verbose_name_plural = _("荣誉记录")
        indexes = [models.Index(fields=["person", "level", "year"], name="awards_rec_excl")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def level_label(self) -> str:
        return str(dict(Level.choices).get(self.level, self.level))


class CareKind(models.TextChoices):
    ALLOWANCE = "allowance", _("劳模津贴")
    HEALTH_CHECK = "health_check", _("健康体检")
    VISIT = "visit", _("节日慰问")
    RECUPERATION = "recuperation", _("疗休养")
    HARDSHIP = "hardship", _("困难帮扶")


class CareRecord(models.Model):
    model_worker = models.ForeignKey(ModelWorker, on_delete=models.CASCADE, related_name="care")
    union_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("类别"), max_length=16, choices=CareKind.choices)
    on = models.DateField(_("日期"))
    amount = MoneyField(_("金额（元）"), default=0)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # Hardship help lives in the aid module: the file is linked, never copied.
    aid_file = models.ForeignKey("aid.HardshipFile", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("帮扶档案"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("关爱记录")
        verbose_name_plural = _("关爱记录")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="awards_care_amount_positive")]
        indexes = [models.Index(fields=["model_worker", "kind", "on"], name="awards_care_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"
