"""Reference data of 困难职工帮扶: local 低保 standards per region and year, and the aid policy
(the multiple of the line, exit and relapse-watch periods) per org subtree."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.aid.rules import DEFAULT_MULTIPLE
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField


class LocalStandard(TimeStampedModel):
    """城乡居民最低生活保障标准 (低保) of one region for one year, in yuan per person per month.

    A region is the union that stands for it in the tree (the city federation for a city-wide
    standard, a district federation where the district sets its own). A file uses the standard of
    the newest year up to the year asked for; within a year, the most specific region wins.
    """

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区（工会）")
    )
    # denormalised for scoping and for the prefix lookup (kept by the org.path_changed hook)
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    monthly_line = MoneyField(_("低保标准（元/人/月）"))
    effective_from = models.DateField(_("执行日期"), null=True, blank=True)
    source = models.CharField(_("文件依据"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("最后修改人"),
    )

    class Meta:
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        ordering = ["-year", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="aid_standard_org_year_unique"),
            models.CheckConstraint(condition=models.Q(monthly_line__gt=0),
                                   name="aid_standard_line_positive"),
            models.CheckConstraint(condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                                   name="aid_standard_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.monthly_line}"


class AidPolicy(TimeStampedModel):
    """The configurable numbers of the aid rules for an org's subtree (the nearest ancestor's
    policy applies; without one, the defaults below, which are the seed plan's)."""

    org = models.OneToOneField(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用组织")
    )
    org_path = models.CharField(max_length=255, db_index=True)
    relative_multiple = models.DecimalField(
        _("相对困难上限（低保标准的倍数）"), max_digits=4, decimal_places=2, default=DEFAULT_MULTIPLE
    )
    exit_months = models.PositiveSmallIntegerField(_("脱困须持续高于困难线的月数"), default=12)
    review_months = models.PositiveSmallIntegerField(_("复核周期（月）"), default=12)
    followup_months = models.PositiveSmallIntegerField(_("脱困后回访间隔（月）"), default=6)
    watch_months = models.PositiveSmallIntegerField(_("返贫监测期（月）"), default=24)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("帮扶政策参数")
        verbose_name_plural = _("帮扶政策参数")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relative_multiple__gte=Decimal("1.00"))
                & models.Q(relative_multiple__lte=Decimal("5.00")),
                name="aid_policy_multiple_range",
            ),
            models.CheckConstraint(
                condition=models.Q(exit_months__gte=1) & models.Q(review_months__gte=1)
                & models.Q(followup_months__gte=1) & models.Q(watch_months__gte=1),
                name="aid_policy_months_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} ×{self.relative_multiple}"
