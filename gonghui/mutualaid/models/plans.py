"""Plans and their versioned rules.

A plan (住院津贴, 重大疾病, …) belongs to the federation that runs it and pays its benefits
(`org`, the payer: its ledger carries the payouts). Its rules live in versions: a version is
never edited; changing a rule creates the next version, effective from a date, and every payout
keeps the version it was computed with. A plan year's first version is effective from the first
day of the year; amendments inside the year keep the year's dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase
from gonghui.mutualaid.rules import PlanKind, Rules


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("在办")
    CLOSED = "closed", _("已停办")


# A closed plan stays closed: its versions and payouts remain the record; a new plan is made
# for a new scheme.
PLAN_TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.ACTIVE: {PlanStatus.CLOSED},
}


class Plan(TimeStampedModel):
    code = models.CharField(_("计划代码"), max_length=32, unique=True)
    name = models.CharField(_("计划名称"), max_length=100)
    kind = models.CharField(_("保障类型"), max_length=24, choices=PlanKind.choices)
    description = models.TextField(_("说明"), blank=True)
    # The federation that runs the plan and pays its benefits; the plan is offered to the
    # unions of its subtree.
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="mutualaid_plans",
        verbose_name=_("主办工会"),
    )
    org_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )

    history_model = "mutualaid.PlanHistory"

    class Meta:
        verbose_name = _("互助保障计划")
        verbose_name_plural = _("互助保障计划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def offered_to(self, union: Any) -> bool:
        """The plan is offered to the unions of its org's subtree."""
        return bool(union.path.startswith(self.org_path))


class PlanHistory(HistoryBase):
    """History of a plan's status (停办): who, when, why. Insert-only."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="history")

    history_subject_field = "plan"

    class Meta(HistoryBase.Meta):
        verbose_name = _("计划状态记录")
        verbose_name_plural = _("计划状态记录")

    @property
    def from_label(self) -> str:
        return str(PlanStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(PlanStatus(self.to_status).label)


class PlanVersion(models.Model):
    """One immutable set of rules of a plan for one plan year (insert-only)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("计划")
    )
    number = models.PositiveIntegerField(_("版本号"))
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    year_starts_on = models.DateField(_("年度起始日"))
    year_ends_on = models.DateField(_("年度终止日"))
    effective_on = models.DateField(_("生效日期"))
    contribution = MoneyField(_("每人缴费"))
    waiting_days = models.PositiveIntegerField(_("等待期（天）"), default=0)
    deductible = MoneyField(_("免赔额"), default=0)
    deductible_days = models.PositiveIntegerField(_("免赔天数"), default=0)
    ratio = models.DecimalField(_("给付比例"), max_digits=5, decimal_places=4, default=0)
    per_day = MoneyField(_("每日津贴"), default=0)
    lump_sum = MoneyField(_("一次性给付金额"), default=0)
    per_claim_cap = MoneyField(_("单次给付上限"), null=True, blank=True)
    per_year_cap = MoneyField(_("年度给付上限"), null=True, blank=True)
    # Payouts up to this amount are approved automatically (自动给付); above it a cadre
    # reviews them. None: every payout is automatic.
    auto_approve_limit = MoneyField(_("自动核准上限"), null=True, blank=True)
    note = models.CharField(_("修订说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("计划版本")
        verbose_name_plural = _("计划版本")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="ma_version_number_unique"),
            models.UniqueConstraint(
                fields=["plan", "plan_year", "effective_on"], name="ma_version_effective_unique"
            ),
            models.CheckConstraint(condition=Q(year_ends_on__gt=F("year_starts_on")),
                                   name="ma_version_year_order"),
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("year_starts_on"))
                & Q(effective_on__lte=F("year_ends_on")),
                name="ma_version_effective_in_year",
            ),
            models.CheckConstraint(condition=Q(ratio__gte=0) & Q(ratio__lte=1),
                                   name="ma_version_ratio_range"),
            models.CheckConstraint(
                condition=Q(contribution__gte=0) & Q(deductible__gte=0) & Q(per_day__gte=0)
                & Q(lump_sum__gte=0),
                name="ma_version_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(per_claim_cap__isnull=True) | Q(per_claim_cap__gt=0))
                & (Q(per_year_cap__isnull=True) | Q(per_year_cap__gt=0)),
                name="ma_version_caps_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.plan_year} v{self.number}"

    def rules(self) -> Rules:
        return Rules(
            kind=self.plan.kind, waiting_days=self.waiting_days, deductible=self.deductible,
            deductible_days=self.deductible_days, ratio=self.ratio, per_day=self.per_day,
            lump_sum=self.lump_sum, per_claim_cap=self.per_claim_cap,
            per_year_cap=self.per_year_cap,
        )

    def covers_date(self, day: dt.date) -> bool:
        return self.year_starts_on <= day <= self.year_ends_on
