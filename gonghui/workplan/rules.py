"""How the supervisor's view (督查) judges a milestone and an item on a given day. Pure functions:
the caller passes today's date (`core.clock.today()`), so tests move time freely.

A milestone, on day T (cancelled milestones are left out of everything):
1. **done** (已完成) — its status is completed.
2. **overdue** (已逾期) — still open and T is after its due date.
3. **at risk** (存在风险) — still open, not overdue, and at least one of:
   a. due within the plan's ``at_risk_days`` (default 14: ``due − T ≤ 14``) while the latest
      reported progress is below ``NEARLY_DONE`` (80 %);
   b. no progress report for more than the plan's ``stale_days`` (default 30): ``T − last
      report > 30``, counting from the start date when nothing was ever reported;
   c. a delegated sub-task is open past its own due date.
4. **on track** (正常推进) — otherwise.

An item: **unplanned** (未分解) while it has no milestone that is not cancelled; otherwise done
when all its milestones are done, else the worst of its milestones (overdue > at risk > on track).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

NEARLY_DONE = 80  # percent: a milestone this far along is not "at risk" for being due soon


class Health(models.TextChoices):
    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("存在风险")
    OVERDUE = "overdue", _("已逾期")
    UNPLANNED = "unplanned", _("未分解")


# worst first: an item takes the worst of its milestones
SEVERITY = {Health.OVERDUE: 3, Health.AT_RISK: 2, Health.ON_TRACK: 1, Health.DONE: 0}
# order of display (legend, charts, tables)
HEALTH_ORDER = [Health.OVERDUE, Health.AT_RISK, Health.ON_TRACK, Health.DONE, Health.UNPLANNED]
HEALTH_COLOURS = {
    Health.OVERDUE: "#dc3545", Health.AT_RISK: "#fd7e14", Health.ON_TRACK: "#0d6efd",
    Health.DONE: "#198754", Health.UNPLANNED: "#adb5bd",
}  # fmt: skip
HEALTH_BADGES = {
    Health.OVERDUE: "danger", Health.AT_RISK: "warning", Health.ON_TRACK: "primary",
    Health.DONE: "success", Health.UNPLANNED: "secondary",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Verdict:
    health: Health
    reasons: tuple[str, ...] = ()
    stale: bool = False  # rule 3b holds (also counted for reminders when overdue)
    overdue_days: int = 0


def milestone_health(
    *,
    status: str,
    starts_on: dt.date,
    due_date: dt.date,
    percent: int,
    last_report_on: dt.date | None,
    open_subtask_due_dates: Iterable[dt.date] = (),
    today: dt.date,
    at_risk_days: int,
    stale_days: int,
    explain: bool = True,
) -> Verdict | None:
    """The verdict for one milestone, or None for a cancelled one. `explain=False` skips the
    reason texts (counting thousands of milestones for a roll-up)."""
    if status == "cancelled":
        return None
    if status == "completed":
        return DONE
    reference = last_report_on or starts_on
    silent_days = (today - reference).days
    stale = silent_days > stale_days
    if today > due_date:
        days = (today - due_date).days
        why: tuple[str, ...] = (str(_("已逾期 {n} 天")).format(n=days),) if explain else ()
        return Verdict(Health.OVERDUE, why, stale=stale, overdue_days=days)
    left = (due_date - today).days
    due_soon = left <= at_risk_days and percent < NEARLY_DONE
    late_subtasks = sum(1 for due in open_subtask_due_dates if today > due)
    if not (due_soon or stale or late_subtasks):
        return ON_TRACK
    if not explain:
        return Verdict(Health.AT_RISK, stale=stale)
    reasons: list[str] = []
    if due_soon:
        reasons.append(str(_("距截止 {n} 天，进度 {p}%")).format(n=left, p=percent))
    if stale:
        if last_report_on is None:
            reasons.append(str(_("开始 {n} 天未报送进度")).format(n=silent_days))
        else:
            reasons.append(str(_("已 {n} 天未报送进度")).format(n=silent_days))
    if late_subtasks:
        reasons.append(str(_("{n} 项分解任务逾期")).format(n=late_subtasks))
    return Verdict(Health.AT_RISK, tuple(reasons), stale=stale)


DONE = Verdict(Health.DONE)
ON_TRACK = Verdict(Health.ON_TRACK)


def item_health(verdicts: Iterable[Verdict | None]) -> Health:
    healths = [v.health for v in verdicts if v is not None]
    if not healths:
        return Health.UNPLANNED
    if all(h == Health.DONE for h in healths):
        return Health.DONE
    return max(healths, key=lambda h: SEVERITY[Health(h)])


def empty_counts() -> dict[str, int]:
    return {str(h): 0 for h in HEALTH_ORDER}
