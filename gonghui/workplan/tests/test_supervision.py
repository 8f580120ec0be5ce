"""The supervisor's verdicts on a moving clock (core.clock.frozen), items, headings, departments,
and the roll-up of district plans into the city's view."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import clock
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import Department
from gonghui.workplan.rules import Health, item_health, milestone_health
from gonghui.workplan.selectors import rollup
from gonghui.workplan.services.breakdown import (
    milestone_cancel,
    milestone_create,
    subtask_complete,
    subtask_create,
)
from gonghui.workplan.services.progress import progress_report_create
from gonghui.workplan.supervision import plan_supervision, plans_summary

D = dt.date


def _health(**kwargs):
    base = {"status": "open", "starts_on": D(2018, 1, 1), "due_date": D(2018, 6, 30), "percent": 0,
            "last_report_on": None, "today": D(2018, 6, 1), "at_risk_days": 14, "stale_days": 30}
    base.update(kwargs)
    verdict = milestone_health(**base)
    return verdict.health if verdict else None


def test_rules_one_by_one():
    # rule 1 and the cancelled case
    assert _health(status="completed", today=D(2019, 1, 1)) == Health.DONE
    assert _health(status="cancelled") is None
    # rule 2: overdue the day after the due date, not on it
    assert _health(due_date=D(2018, 5, 31), last_report_on=D(2018, 5, 30)) == Health.OVERDUE
    assert _health(due_date=D(2018, 6, 1), last_report_on=D(2018, 5, 30), percent=90) == Health.ON_TRACK
    # rule 3a: due within 14 days and below 80 %
    assert _health(due_date=D(2018, 6, 15), percent=79, last_report_on=D(2018, 5, 30)) == Health.AT_RISK
    assert _health(due_date=D(2018, 6, 15), percent=80, last_report_on=D(2018, 5, 30)) == Health.ON_TRACK
    assert _health(due_date=D(2018, 6, 16), percent=0, last_report_on=D(2018, 5, 30)) == Health.ON_TRACK
    # rule 3b: more than 30 days without a report (from the start when never reported)
    assert _health(due_date=D(2018, 12, 31), last_report_on=D(2018, 5, 2)) == Health.ON_TRACK
    assert _health(due_date=D(2018, 12, 31), last_report_on=D(2018, 5, 1)) == Health.AT_RISK
    assert _health(due_date=D(2018, 12, 31), starts_on=D(2018, 5, 1)) == Health.AT_RISK
    assert _health(due_date=D(2018, 12, 31), starts_on=D(2018, 5, 2)) == Health.ON_TRACK
    # rule 3c: a delegated sub-task open past its own date
    assert _health(due_date=D(2018, 12, 31), starts_on=D(2018, 5, 20),
                   open_subtask_due_dates=[D(2018, 5, 31)]) == Health.AT_RISK
    assert _health(due_date=D(2018, 12, 31), starts_on=D(2018, 5, 20),
                   open_subtask_due_dates=[D(2018, 6, 1)]) == Health.ON_TRACK


def test_reasons_are_spelled_out():
    verdict = milestone_health(status="open", starts_on=D(2018, 1, 1), due_date=D(2018, 6, 10),
                               percent=40, last_report_on=D(2018, 4, 1), today=D(2018, 6, 1),
                               at_risk_days=14, stale_days=30,
                               open_subtask_due_dates=[D(2018, 5, 1), D(2018, 7, 1)])
    assert verdict.reasons == ("距截止 9 天，进度 40%", "已 61 天未报送进度", "1 项分解任务逾期")
    verdict = milestone_health(status="open", starts_on=D(2018, 1, 1), due_date=D(2018, 5, 27),
                               percent=40, last_report_on=D(2018, 4, 1), today=D(2018, 6, 1),
                               at_risk_days=14, stale_days=30)
    assert (verdict.health, verdict.reasons, verdict.overdue_days, verdict.stale) == (
        Health.OVERDUE, ("已逾期 5 天",), 5, True)


dates = st.dates(min_value=D(2017, 1, 1), max_value=D(2019, 12, 31))


@given(dates, dates, st.integers(0, 100), st.one_of(st.none(), dates), dates, dates)
def test_time_only_makes_things_worse_for_an_open_milestone(start, due, percent, reported, t1, t2):
    """With nothing reported in between, a later day never gives a better verdict; and a
    milestone past its due date is overdue whatever else holds."""
    if due < start:
        start, due = due, start
    early, late = sorted((t1, t2))
    severity = {Health.ON_TRACK: 1, Health.AT_RISK: 2, Health.OVERDUE: 3}
    kwargs = {"status": "open", "starts_on": start, "due_date": due, "percent": percent,
              "last_report_on": reported, "at_risk_days": 14, "stale_days": 30}
    before = milestone_health(today=early, **kwargs).health
    after = milestone_health(today=late, **kwargs).health
    if reported is None or reported <= early:
        assert severity[after] >= severity[before]
    assert (after == Health.OVERDUE) == (late > due)


@given(st.lists(st.sampled_from([Health.DONE, Health.ON_TRACK, Health.AT_RISK, Health.OVERDUE]),
                max_size=6))
def test_an_item_takes_its_worst_milestone(healths):
    from gonghui.workplan.rules import Verdict

    result = item_health(Verdict(h) for h in healths)
    if not healths:
        assert result == Health.UNPLANNED
    elif all(h == Health.DONE for h in healths):
        assert result == Health.DONE
    else:
        order = [Health.OVERDUE, Health.AT_RISK, Health.ON_TRACK]
        assert result == next(h for h in order if h in healths)


def _milestone(plan, number, title, due, start=None, department=None):
    item = plan.items.get(number=number)
    return milestone_create(item=item, title=title, due_date=due, starts_on=start or D(2018, 5, 1),
                            department=department, actor=SYSTEM)


def test_overdue_and_at_risk_on_a_moving_clock(seed_plan):
    """One milestone seen on several days: on track, then at risk (due soon), then overdue;
    another goes stale; reporting and finishing put them right."""
    m5 = _milestone(seed_plan, 5, "出台实施意见", D(2018, 6, 30))
    m9 = _milestone(seed_plan, 9, "最低工资调整建议", D(2018, 12, 31))
    with clock.frozen(D(2018, 6, 1)):
        progress_report_create(milestone=m5, percent=30, text="已起草。", actor=SYSTEM)
        progress_report_create(milestone=m9, percent=10, text="已启动。", actor=SYSTEM)

    def verdicts(day):
        with clock.frozen(day):
            sup = plan_supervision(seed_plan, today=clock.today())
        rows = {r.item.number: r for r in sup.rows}
        return rows[5].health, rows[9].health, sup.counts

    assert verdicts(D(2018, 6, 10))[:2] == (Health.ON_TRACK, Health.ON_TRACK)
    assert verdicts(D(2018, 6, 16))[:2] == (Health.AT_RISK, Health.ON_TRACK)  # 14 days left, 30 %
    assert verdicts(D(2018, 7, 1))[:2] == (Health.OVERDUE, Health.ON_TRACK)  # the day after
    five, nine, counts = verdicts(D(2018, 7, 2))  # m9: 31 days without a report
    assert (five, nine) == (Health.OVERDUE, Health.AT_RISK)
    assert counts == {"overdue": 1, "at_risk": 1, "on_track": 0, "done": 0, "unplanned": 20}
    with clock.frozen(D(2018, 7, 3)):
        progress_report_create(milestone=m5, percent=100, text="实施意见已印发。", actor=SYSTEM)
        progress_report_create(milestone=m9, percent=20, text="完成调研。", actor=SYSTEM)
    assert verdicts(D(2018, 7, 3))[:2] == (Health.DONE, Health.ON_TRACK)
    assert verdicts(D(2019, 3, 1))[:2] == (Health.DONE, Health.OVERDUE)


def test_items_headings_and_departments(seed_plan, tree):
    org = tree["SH"]
    research = Department.objects.get(org=org, name="研究室")
    with clock.frozen(D(2018, 5, 1)):
        a = _milestone(seed_plan, 4, "筹备方案", D(2018, 5, 20))
        b = _milestone(seed_plan, 4, "大会报告", D(2018, 9, 30), department=research)
        c = _milestone(seed_plan, 19, "调研报告", D(2018, 11, 30))
        cancelled = _milestone(seed_plan, 20, "培训计划", D(2018, 5, 10))
        progress_report_create(milestone=a, percent=100, text="完成。", actor=SYSTEM)
        milestone_cancel(milestone=cancelled, reason="并入第20项其他节点", actor=SYSTEM)
        sub = subtask_create(milestone=c, department=Department.objects.get(org=org, name="组织部"),
                             title="提供干部调研名单", due_date=D(2018, 5, 25), actor=SYSTEM)
    with clock.frozen(D(2018, 5, 28)):
        progress_report_create(milestone=b, percent=20, text="提纲已定。", actor=SYSTEM)
        progress_report_create(milestone=c, percent=20, text="问卷已发。", actor=SYSTEM)
        sup = plan_supervision(seed_plan, today=clock.today())
    rows = {r.item.number: r for r in sup.rows}
    assert rows[4].health == Health.ON_TRACK  # one done, one on track
    assert rows[19].health == Health.AT_RISK  # the sub-task is late
    assert rows[19].reasons == ["调研报告：1 项分解任务逾期"]
    assert rows[20].health == Health.UNPLANNED  # only a cancelled milestone
    assert (rows[4].percent, rows[4].next_due) == (60, D(2018, 9, 30))
    assert sup.milestone_counts == {"overdue": 0, "at_risk": 1, "on_track": 1, "done": 1, "unplanned": 0}
    headings = {h.number: c for h, c in sup.by_heading}
    assert headings[1] == {"overdue": 0, "at_risk": 0, "on_track": 1, "done": 0, "unplanned": 3}
    assert headings[6] == {"overdue": 0, "at_risk": 1, "on_track": 0, "done": 0, "unplanned": 4}
    departments = {d.name: (c, co) for d, c, co in sup.by_department}
    # 办公室 leads items 4 and 22 and co-operates on 13 and 14
    assert departments["办公室"] == ({"overdue": 0, "at_risk": 0, "on_track": 1, "done": 0,
                                    "unplanned": 1}, 2)
    assert departments["研究室"] == ({"overdue": 0, "at_risk": 1, "on_track": 0, "done": 0,
                                    "unplanned": 0}, 2)
    with clock.frozen(D(2018, 5, 29)):
        subtask_complete(subtask=sub, actor=SYSTEM)
        assert plan_supervision(seed_plan, today=clock.today()).rows[18].health == Health.ON_TRACK
    only = plan_supervision(seed_plan, today=D(2018, 5, 29), department=research)
    assert [r.item.number for r in only.rows] == [4, 19, 22]


def test_district_plans_roll_up_into_the_city_view(seed_plan, plan_a, plan_b, city_admin,
                                                   district_cadre, tree):
    _milestone(plan_a, 1, "走访", D(2018, 5, 15))
    with clock.frozen(D(2018, 6, 1)):
        city = rollup(viewer=city_admin, year=2018, today=clock.today())
        district = rollup(viewer=district_cadre, year=2018, today=clock.today())
    assert [s.plan.org.code for s in city] == ["SH", "SH-A", "SH-B"]
    assert [s.total for s in city] == [22, 3, 3]
    assert city[1].counts == {"overdue": 1, "at_risk": 0, "on_track": 0, "done": 0, "unplanned": 2}
    assert [s.plan.org.code for s in district] == ["SH-A"]
    assert rollup(viewer=city_admin, year=2019, today=D(2018, 6, 1)) == []


def test_summaries_take_three_queries(seed_plan, plan_a, plan_b, django_assert_num_queries):
    _milestone(plan_a, 1, "走访", D(2018, 5, 15))
    plans = [seed_plan, plan_a, plan_b]
    with django_assert_num_queries(3):
        summaries = plans_summary(plans, today=D(2018, 6, 1))
    assert [s.total for s in summaries] == [22, 3, 3]
