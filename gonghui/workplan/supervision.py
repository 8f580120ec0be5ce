"""The supervisor's picture of plans on a given day (督查): every item with its verdict, counts by
heading and by department, and the roll-up of many plans. Internal building blocks: they take
already-scoped plans; `selectors.py` does the scoping for viewers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from gonghui.workplan.models import (
    Department,
    DepartmentRole,
    Heading,
    Item,
    ItemDepartment,
    Milestone,
    Plan,
    SubTask,
    SubTaskStatus,
)
from gonghui.workplan.rules import Health, Verdict, empty_counts, item_health, milestone_health


def open_subtask_dues(milestone_filter: dict) -> dict[int, list[dt.date]]:
    dues: dict[int, list[dt.date]] = defaultdict(list)
    rows = SubTask.objects.filter(status=SubTaskStatus.OPEN, **milestone_filter).values_list(
        "milestone_id", "due_date")
    for milestone_id, due in rows:
        dues[milestone_id].append(due)
    return dues


def verdict_for(milestone: Milestone, plan: Plan, today: dt.date, dues: Iterable[dt.date] = (),
                *, stale_days: int | None = None) -> Verdict | None:
    return milestone_health(
        status=milestone.status, starts_on=milestone.starts_on, due_date=milestone.due_date,
        percent=milestone.percent, last_report_on=milestone.last_report_on,
        open_subtask_due_dates=dues, today=today, at_risk_days=plan.at_risk_days,
        stale_days=plan.stale_days if stale_days is None else stale_days,
    )


@dataclasses.dataclass
class MilestoneRow:
    milestone: Milestone
    verdict: Verdict | None

    @property
    def health(self) -> str:
        return self.verdict.health if self.verdict else "cancelled"


@dataclasses.dataclass
class ItemRow:
    item: Item
    heading: Heading | None
    lead: Department | None
    co: list[Department]
    milestones: list[MilestoneRow]
    health: Health

    @property
    def reasons(self) -> list[str]:
        out = []
        for row in self.milestones:
            if row.verdict and row.verdict.health in (Health.OVERDUE, Health.AT_RISK):
                out.append(f"{row.milestone.title}：{'；'.join(row.verdict.reasons)}")
        return out

    @property
    def active(self) -> list[MilestoneRow]:
        return [m for m in self.milestones if m.verdict is not None]

    @property
    def percent(self) -> int | None:
        """Mean progress of the milestones that count (completed ones at 100 %)."""
        active = self.active
        if not active:
            return None
        values = [100 if m.verdict and m.verdict.health == Health.DONE else m.milestone.percent
                  for m in active]
        return round(sum(values) / len(values))

    @property
    def next_due(self) -> dt.date | None:
        dues = [m.milestone.due_date for m in self.active if m.verdict
                and m.verdict.health != Health.DONE]
        return min(dues) if dues else None

    @property
    def last_report_on(self) -> dt.date | None:
        dates = [m.milestone.last_report_on for m in self.milestones if m.milestone.last_report_on]
        return max(dates) if dates else None


@dataclasses.dataclass
class Supervision:
    plan: Plan
    today: dt.date
    rows: list[ItemRow]
    counts: dict[str, int]
    milestone_counts: dict[str, int]
    by_heading: list[tuple[Heading | None, dict[str, int]]]
    by_department: list[tuple[Department, dict[str, int], int]]  # lead counts, co-item count


def plan_supervision(plan: Plan, *, today: dt.date, department: Department | None = None) -> Supervision:
    """Every item of `plan` with its verdict on `today` (optionally only the items `department`
    leads or co-operates on). Five queries whatever the size of the plan."""
    headings = list(Heading.objects.filter(plan=plan).order_by("number"))
    items = list(Item.objects.filter(plan=plan).order_by("number"))
    assignments: dict[int, list[ItemDepartment]] = defaultdict(list)
    for assignment in (ItemDepartment.objects.filter(item__plan=plan).select_related("department")
                       .order_by("item_id", "position")):
        assignments[assignment.item_id].append(assignment)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in (Milestone.objects.filter(item__plan=plan).select_related("department")
                      .order_by("due_date", "id")):
        milestones[milestone.item_id].append(milestone)
    dues = open_subtask_dues({"milestone__item__plan": plan})
    heading_by_id = {h.pk: h for h in headings}

    rows = []
    milestone_counts = empty_counts()
    for item in items:
        if department is not None and not any(a.department_id == department.pk
                                              for a in assignments[item.pk]):
            continue
        mrows = [MilestoneRow(m, verdict_for(m, plan, today, dues.get(m.pk, ())))
                 for m in milestones[item.pk]]
        for mrow in mrows:
            if mrow.verdict is not None:
                milestone_counts[mrow.verdict.health] += 1
        lead = next((a.department for a in assignments[item.pk] if a.role == DepartmentRole.LEAD),
                    None)
        rows.append(ItemRow(
            item=item, heading=heading_by_id.get(item.heading_id) if item.heading_id else None,
            lead=lead,
            co=[a.department for a in assignments[item.pk] if a.role == DepartmentRole.CO],
            milestones=mrows, health=item_health(r.verdict for r in mrows),
        ))

    counts = empty_counts()
    heading_counts: dict[int | None, dict[str, int]] = {}
    dept_counts: dict[int, dict[str, int]] = {}
    dept_co: dict[int, int] = defaultdict(int)
    departments: dict[int, Department] = {}
    for row in rows:
        counts[row.health] += 1
        key = row.heading.pk if row.heading else None
        heading_counts.setdefault(key, empty_counts())[row.health] += 1
        if row.lead is not None:
            departments[row.lead.pk] = row.lead
            dept_counts.setdefault(row.lead.pk, empty_counts())[row.health] += 1
        for co in row.co:
            departments[co.pk] = co
            dept_counts.setdefault(co.pk, empty_counts())
            dept_co[co.pk] += 1
    by_heading: list[tuple[Heading | None, dict[str, int]]] = [
        (h, heading_counts[h.pk]) for h in headings if h.pk in heading_counts]
    if None in heading_counts:
        by_heading.append((None, heading_counts[None]))
    ordered = sorted(departments.values(), key=lambda d: (d.sort_order, d.pk))
    by_department = [(d, dept_counts[d.pk], dept_co[d.pk]) for d in ordered]
    return Supervision(plan=plan, today=today, rows=rows, counts=counts,
                       milestone_counts=milestone_counts, by_heading=by_heading,
                       by_department=by_department)


@dataclasses.dataclass
class PlanSummary:
    plan: Plan
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def plans_summary(plans: list[Plan], *, today: dt.date) -> list[PlanSummary]:
    """Item counts by verdict for each plan, in three queries for any number of plans (plain
    tuples, no model instances: a city's roll-up counts tens of thousands of milestones)."""
    plan_by_id = {p.pk: p for p in plans}
    plan_ids = list(plan_by_id)
    item_plan = dict(Item.objects.filter(plan_id__in=plan_ids).values_list("id", "plan_id"))
    dues = open_subtask_dues({"milestone__item__plan_id__in": plan_ids})
    healths: dict[int, list[Verdict | None]] = defaultdict(list)
    rows = Milestone.objects.filter(item__plan_id__in=plan_ids).values_list(
        "id", "item_id", "status", "starts_on", "due_date", "percent", "last_report_on")
    for pk, item_id, status, starts_on, due_date, percent, last_report_on in rows.iterator(
            chunk_size=5000):
        plan = plan_by_id[item_plan[item_id]]
        healths[item_id].append(milestone_health(
            status=status, starts_on=starts_on, due_date=due_date, percent=percent,
            last_report_on=last_report_on, open_subtask_due_dates=dues.get(pk, ()), today=today,
            at_risk_days=plan.at_risk_days, stale_days=plan.stale_days, explain=False))
    counts = {p.pk: empty_counts() for p in plans}
    for item_id, plan_id in item_plan.items():
        counts[plan_id][item_health(healths.get(item_id, []))] += 1
    return [PlanSummary(plan=p, counts=counts[p.pk]) for p in plans]
