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
