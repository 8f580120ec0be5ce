"""Models of stats: the monthly snapshot of each union's own figures.

A snapshot row freezes, for one union and one month, its own member counters, its joins and
exits of the month and the employers of its area, under the path the union had that month.
A subtree's figure for a past month is the sum of the rows stored under its path: later
transfers, moves and merges change the live counters, never a stored month.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlySnapshot(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    month = models.DateField(_("月份"))  # first day of the month
    active = models.IntegerField(default=0)
    retired = models.IntegerField(default=0)
    new_employment = models.IntegerField(default=0)
    joins = models.IntegerField(default=0)
    exits = models.IntegerField(default=0)
    employers = models.IntegerField(default=0)
    covered_employers = models.IntegerField(default=0)
    employees = models.BigIntegerField(default=0)
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name = _("月度统计快照")
        verbose_name_plural = _("月度统计快照")
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="stats_snapshot_org_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="stats_snapshot_first_day"),
            models.CheckConstraint(
                condition=models.Q(active__gte=0, retired__gte=0, new_employment__gte=0,
                                   employers__gte=0, covered_employers__gte=0,
                                   covered_employers__lte=models.F("employers")),
                name="stats_snapshot_non_negative"),
        ]
        indexes = [models.Index(fields=["month", "org_path"], name="stats_snapshot_month_path")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m}"


class SubtreeBreakdown(models.Model):
    """The member breakdowns (status, sex, education, employment form, the eight groups, age
    bands) of one big subtree (the city, the districts, the streets), computed in one scan by
    `gonghui stats breakdowns` (nightly): at 10 M members a live breakdown of the city scans
    every membership, so the dashboard reads this row and says "as of"."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, unique=True)
    as_of = models.DateField(_("截至日期"))  # the day the age bands are counted on
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        verbose_name = _("会员构成")
        verbose_name_plural = _("会员构成")

    def __str__(self) -> str:
        return f"{self.org_path} {self.as_of}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


REPORT_TRANSITIONS: dict[str, set[str]] = {
    ReportStatus.QUEUED: {ReportStatus.RUNNING, ReportStatus.FAILED},
    ReportStatus.RUNNING: {ReportStatus.DONE, ReportStatus.FAILED},
}


class ReportJob(models.Model):
    """A yearly statistical report (工会统计年报) of a subtree, written in the background;
    downloadable by whoever may read the subtree's figures."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("统计范围"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveIntegerField(_("年度"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_by_name = models.CharField(_("操作人"), max_length=150)
    created_at = models.DateTimeField()
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    checks_passed = models.BooleanField(null=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("统计年报")
        verbose_name_plural = _("统计年报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100),
                                   name="stats_report_year_range"),
            models.CheckConstraint(condition=models.Q(processed__lte=models.F("total"))
                                   | models.Q(total=0), name="stats_report_progress"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.org_id} {self.year}"

    @property
    def is_active(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ReportStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0
