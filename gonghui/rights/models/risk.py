"""Labour-relations risk watch (劳动关系风险监测预警): signals per employer, combined by weights
with decay into a score and a level; a level crossed upwards raises an alert."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class SignalKind(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("欠薪举报")
    DISPUTE = "dispute", _("劳动争议")
    LAYOFF = "layoff", _("计划裁员")
    INSURANCE_ARREARS = "insurance_arrears", _("欠缴社保")
    COMPLAINT = "complaint", _("职工投诉")
    COLLECTIVE = "collective", _("群体性事件")


class Level(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


LEVEL_ORDER: list[str] = [Level.GREEN.value, Level.YELLOW.value, Level.ORANGE.value,
                          Level.RED.value]

# Defaults (an administrator changes them per kind on the settings page).
DEFAULT_WEIGHTS: dict[str, tuple[Decimal, int]] = {   # weight, half-life in days
    SignalKind.WAGE_ARREARS: (Decimal("3"), 90),
    SignalKind.DISPUTE: (Decimal("2"), 180),
    SignalKind.LAYOFF: (Decimal("4"), 120),
    SignalKind.INSURANCE_ARREARS: (Decimal("2"), 180),
    SignalKind.COMPLAINT: (Decimal("1"), 60),
    SignalKind.COLLECTIVE: (Decimal("8"), 180),
}
DEFAULT_THRESHOLDS = {Level.YELLOW: Decimal("5"), Level.ORANGE: Decimal("12"),
                      Level.RED: Decimal("25")}


class RiskWeight(models.Model):
    kind = models.CharField(_("信号类型"), max_length=24, choices=SignalKind.choices, unique=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    half_life_days = models.PositiveIntegerField(_("半衰期（天）"))

    class Meta:
        verbose_name = _("风险权重")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0),
                                   name="rights_weight_nonnegative"),
            models.CheckConstraint(condition=models.Q(half_life_days__gte=1),
                                   name="rights_half_life_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.weight}"


class RiskSignal(models.Model):
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("用人单位"))
    area_path = models.CharField(max_length=255)
    kind = models.CharField(_("信号类型"), max_length=24, choices=SignalKind.choices)
    on = models.DateField(_("发生日期"))
    severity = models.PositiveSmallIntegerField(_("严重程度（1-5）"), default=1)
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount = models.DecimalField(_("涉及金额"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    entered_by = models.CharField(_("录入人"), max_length=150)
    at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("风险信号")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(severity__gte=1, severity__lte=5),
                                   name="rights_signal_severity_1_5"),
        ]
        indexes = [models.Index(fields=["employer", "on"], name="rights_signal_employer")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class EmployerRisk(models.Model):
    """The current score and level of one employer (recomputed, never typed in)."""

    employer = models.OneToOneField("orgs.Employer", on_delete=models.CASCADE,
                                    related_name="+", primary_key=True)
    area_path = models.CharField(max_length=255)
    score = models.DecimalField(_("风险分"), max_digits=10, decimal_places=2, default=0)
    level = models.CharField(_("风险等级"), max_length=8, choices=Level.choices,
                             default=Level.GREEN)
    signals = models.PositiveIntegerField(_("信号数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("单位风险")
        indexes = [models.Index(fields=["area_path", "level"], name="rights_risk_path_level",
                                include=["score"])]

    def __str__(self) -> str:
        return f"{self.employer} {self.get_level_display()}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处置")
    HANDLING = "handling", _("处置中")
    CLOSED = "closed", _("已关闭")


ALERT_TRANSITIONS: dict[str, set[str]] = {
    AlertStatus.OPEN: {AlertStatus.HANDLING, AlertStatus.CLOSED},
    AlertStatus.HANDLING: {AlertStatus.CLOSED},
}


class RiskAlert(TimeStampedModel):
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("用人单位"))
    area_path = models.CharField(max_length=255)
    level = models.CharField(_("预警等级"), max_length=8, choices=Level.choices)
    previous_level = models.CharField(_("原等级"), max_length=8, choices=Level.choices)
    score = models.DecimalField(_("风险分"), max_digits=10, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN)

    history_model = "rights.AlertHistory"

    class Meta:
        verbose_name = _("风险预警")
        ordering = ["-id"]
        indexes = [models.Index(fields=["area_path", "status"], name="rights_alert_path")]
        constraints = [
            models.UniqueConstraint(fields=["employer"], condition=~models.Q(status="closed"),
                                    name="rights_one_open_alert_per_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.get_level_display()}"


class AlertHistory(HistoryBase):
    """Every recorded action on an alert, status changes included (from == to for a note)."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "alert"

    class Meta(HistoryBase.Meta):
        verbose_name = _("预警处置记录")
