"""Demo data for `gonghui seed-demo`: the seed city's real 2018 plan (上海市总工会常委会2018年工作要点)
under SH, broken down with milestones and progress dated around today so the supervision view
shows every verdict, and a small district plan under SH-HP that rolls up into the city's view.
Idempotent: a plan that exists is left alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from gonghui.core import clock
from gonghui.core.actor import Actor, system_actor
from gonghui.workplan.models import Department, DepartmentMembership, Item, Plan
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.services.breakdown import milestone_create, subtask_create
from gonghui.workplan.services.plans import plan_create
from gonghui.workplan.services.progress import progress_report_create
from gonghui.workplan.services.reminders import reminders_send

SEED_PLAN = Path(__file__).parent / "fixtures" / "shanghai_2018_plan.txt"

DISTRICT_PLAN = """上海市黄浦区总工会2018年工作要点

2018年，区总工会在区委和市总工会的领导下，围绕区域发展大局，突出服务职工、维护权益，推动各项工作落地见效。

一、加强职工思想政治引领
1、深入开展“中国梦·劳动美”主题宣传教育，组织劳模工匠进企业、进楼宇宣讲不少于40场。（牵头单位：宣传教育部；配合单位：办公室）
2、推进楼宇工会规范化建设，年内新建楼宇工会联合会5家，
提升南京东路、外滩地区楼宇职工入会率。（责任单位：基层工作部、组织部）

二、竭诚服务职工群众
3、做好“四季送”工作，年内走访慰问困难职工不少于1200户。（责任单位：权益保障部）
4、新建户外职工爱心接力站30个、爱心妈咪小屋20家，做好日常运维。
（责任单位：权益保障部、基层工作部）
5、规范工会经费收支管理，完成街道工会经费审计全覆盖。（责任单位：财务部、经审办）
"""

# (item number, milestone, department or "" for the lead, start offset, due offset, reports)
# Offsets are days from today; a report is (days ago, percent, text).
CITY_MILESTONES: list[tuple[int, str, str, int, int, list[tuple[int, int, str]]]] = [
    (1, "制定十九大精神主题宣讲方案", "", -120, -40, [(60, 50, "方案初稿已征求各区局工会意见。"),
                                            (42, 100, "方案经党组会审定印发。")]),
    (1, "开展“进企业、入班组、到岗位”宣讲", "组织部", -40, 75, [(6, 45, "已在12个区开展宣讲86场。")]),
    (4, "第十四次代表大会筹备方案", "", -150, -90, [(95, 100, "筹备方案经常委会审议通过。")]),
    (4, "大会报告起草与代表选举", "研究室", -120, -30, [(35, 100, "报告定稿，代表选举完成。")]),
    (5, "出台产业工人队伍建设改革实施意见", "", -100, -6, [(21, 70, "实施意见已报市委改革办。")]),
    (7, "健全三级联席会议制度", "", -60, 8, [(2, 30, "已完成5个区的调研。")]),
    (10, "新增1000家户外职工爱心接力站", "", -80, 120, [(45, 35, "已建成362家。")]),
    (14, "“申工社”APP3.0版本上线", "", -60, 35, [(5, 60, "完成需求评审和首轮测试。")]),
    (16, "“两非一无”专项资金保障政策落地", "", -90, -12, [(30, 50, "资金管理办法已起草。")]),
    (18, "“不忘初心、牢记使命”主题教育", "", -100, -20, [(25, 100, "主题教育总结已报送。")]),
    (19, "大调研课题报告", "", -45, 50, [(4, 25, "已完成8个专题的实地调研。")]),
]

DISTRICT_MILESTONES: list[tuple[int, str, str, int, int, list[tuple[int, int, str]]]] = [
    (1, "劳模工匠宣讲（上半年20场）", "", -60, -3, [(10, 75, "已宣讲15场。")]),
    (3, "春节送温暖走访", "", -90, -50, [(55, 100, "走访慰问困难职工1236户。")]),
    (4, "爱心接力站选址与建设", "", -30, 60, [(3, 40, "已确定选址22处，建成12个。")]),
]


_ANCHOR: list[dt.date] = []  # the "today" of the plan being seeded (its own year)


def _today() -> dt.date:
    return _ANCHOR[-1] if _ANCHOR else clock.today()


def _in_year(year: int) -> dt.date:
    """Today's month and day in the plan's own year (issue 12 item 19: a 2018 plan has its
    deadlines in 2018), never later than today."""
    today = clock.today()
    if not year or year >= today.year:
        return today
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February
        return today.replace(year=year, day=28)


def _clamp(day: dt.date, year: int) -> dt.date:
    """A date of the plan's seeding kept inside the plan's year."""
    return min(max(day, dt.date(year, 1, 1)), dt.date(year, 12, 31)) if year else day


def _at(days_ago: int) -> dt.datetime:
    day = _today() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(10, 0))


DEMO = system_actor("demo")


def _break_down(plan: Plan, rows: list[Any], actor: Actor) -> None:
    today = _today()
    items = {i.number: i for i in Item.objects.filter(plan=plan)}
    for number, title, dept_name, start, due, reports in rows:
        item = items[number]
        department = (Department.objects.get(org=plan.org, name=dept_name) if dept_name else None)
        starts_on = _clamp(today + dt.timedelta(days=start), plan.year)
        due_date = max(starts_on, _clamp(today + dt.timedelta(days=due), plan.year))
        with clock.frozen(_at(max(0, -start))):
            milestone = milestone_create(
                item=item, title=title, department=department, actor=actor,
                starts_on=starts_on, due_date=due_date)
        for days_ago, percent, text in reports:
            with clock.frozen(_at(days_ago)):
                progress_report_create(milestone=milestone, percent=percent, text=text, actor=actor)


def seed_demo(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None) -> None:
    city, district = orgs.get("SH"), orgs.get("SH-HP")
    admin = users.get("admin")
    created = []
    if city is not None and not Plan.objects.filter(org=city).exists():
        parsed = parse_plan(SEED_PLAN.read_text(encoding="utf-8"))
        plan = plan_create(org=city, parsed=parsed, actor=admin or DEMO,
                           source_name=SEED_PLAN.name)
        _ANCHOR.append(_in_year(plan.year))
        try:
            _break_down(plan, CITY_MILESTONES, admin or DEMO)
            item10 = Item.objects.get(plan=plan, number=10)
            milestone = item10.milestones.get()
            # delegated 20 days ago, 3 days late then
            due = min(milestone.due_date, max(milestone.starts_on,
                      _clamp(_today() - dt.timedelta(days=3), plan.year)))
            with clock.frozen(_at(20)):
                subtask_create(milestone=milestone, actor=admin or DEMO,
                               department=Department.objects.get(org=city, name="基层工作部"),
                               title="各区完成站点选址并报送清单", due_date=due)
        finally:
            _ANCHOR.pop()
        if admin is not None:
            office = Department.objects.get(org=city, name="办公室")
            DepartmentMembership.objects.get_or_create(department=office, user=admin,
                                                       defaults={"is_head": True})
        created.append(plan)
    if district is not None and not Plan.objects.filter(org=district).exists():
        parsed = parse_plan(DISTRICT_PLAN)
        actor = users.get("huangpu") or DEMO
        plan = plan_create(org=district, parsed=parsed, actor=actor, source_name="黄浦区工作要点.txt")
        _ANCHOR.append(_in_year(plan.year))
        try:
            _break_down(plan, DISTRICT_MILESTONES, actor)
        finally:
            _ANCHOR.pop()
        if users.get("huangpu") is not None:
            office = Department.objects.get(org=district, name="宣传教育部")
            DepartmentMembership.objects.get_or_create(department=office, user=users["huangpu"])
        created.append(plan)
    if created:
        result = reminders_send(actor=DEMO, plans=created)
        if stdout is not None:
            stdout.write(f"Work plans: {len(created)} imported, {result.sent} reminders sent.")
