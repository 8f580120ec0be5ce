"""Work plans at city scale: the city's supervision roll-up, one plan's supervision view, and the
daily reminders, on PostgreSQL.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_workplan.py [--streets 200] [--keep]

Creates the database gh_bench_workplan: a city, 16 districts and N streets, each with its own
copy of the seed plan (22 items under 6 headings), 3 milestones per item with progress reports
(dated so every verdict occurs), then times what the pages and the daily job run. Prints medians
and p95 of repeated runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase

DATABASE = BenchDatabase("gh_bench_workplan")


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streets", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    DATABASE.create()
    DATABASE.setup_django(migrate=True)
    try:
        run(args)
    finally:
        if not args.keep:
            DATABASE.drop()


TODAY = dt.date(2018, 9, 1)


def load_orgs(streets: int):
    """A city, 16 districts and `streets` streets through treebeard, and a city admin."""
    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.orgs.models import Org

    t0 = time.perf_counter()
    city = Org.objects.add_root(instance=Org(code="SH", name="上海市总工会", level="city",
                                             org_type="federation"))
    orgs = [city]
    districts = []
    for d in range(16):
        district = Org.objects.add_child(Org.objects.get(pk=city.pk), instance=Org(
            code=f"SH-D{d:02d}", name=f"第{d + 1}区总工会", level="district", org_type="federation"))
        districts.append(district)
        orgs.append(district)
    for s in range(streets):
        parent = Org.objects.get(pk=districts[s % 16].pk)
        orgs.append(Org.objects.add_child(parent, instance=Org(
            code=f"SH-S{s:04d}", name=f"第{s + 1}街道工会", level="street", org_type="street")))
    admin = User.objects.create(username="bench_admin")
    RoleAssignment.objects.create(user=admin, org=city, role="admin")
    print(f"orgs: {len(orgs)} in {time.perf_counter() - t0:.1f}s")
    return city, orgs, admin


def load_plans(orgs) -> None:
    """Each org's copy of the seed plan, through plan_create."""
    from gonghui.core.actor import system_actor
    from gonghui.workplan.models import Item, Plan
    from gonghui.workplan.parsing import parse_plan
    from gonghui.workplan.services.plans import plan_create

    seed = (Path(__file__).resolve().parent.parent / "gonghui" / "workplan" / "fixtures"
            / "shanghai_2018_plan.txt").read_text(encoding="utf-8")
    parsed = parse_plan(seed)
    t0 = time.perf_counter()
    for org in orgs:
        plan_create(org=org, parsed=parsed, actor=system_actor("bench"))
    print(f"plans: {Plan.objects.count()} ({Item.objects.count()} items) in "
          f"{time.perf_counter() - t0:.1f}s via plan_create")


def load_milestones(rng: random.Random, today: dt.date) -> None:
    """3 milestones per item and a progress report each, with bulk_create."""
    from gonghui.core import clock
    from gonghui.workplan.models import Item, Milestone, ProgressReport

    t0 = time.perf_counter()
    milestones = []
    for item in Item.objects.select_related("plan").prefetch_related("assignments"):
        lead = next(a for a in item.assignments.all() if a.role == "lead")
        for k in range(3):
            due = today + dt.timedelta(days=rng.randint(-60, 120))
            status = "completed" if rng.random() < 0.25 else "open"
            milestones.append(Milestone(
                item=item, title=f"节点{k + 1}", starts_on=dt.date(2018, 3, 1), due_date=due,
                department_id=lead.department_id, status=status,
                completed_on=due if status == "completed" else None,
                percent=100 if status == "completed" else rng.randint(0, 95),
                last_report_on=today - dt.timedelta(days=rng.randint(0, 60))))
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    now = clock.now()
    ProgressReport.objects.bulk_create([
        ProgressReport(milestone=m, reported_on=m.last_report_on, created_at=now, percent=m.percent,
                       text="进展情况")
        for m in Milestone.objects.only("id", "percent", "last_report_on")], batch_size=5000)
    print(f"milestones: {Milestone.objects.count()}, reports: {ProgressReport.objects.count()} in "
          f"{time.perf_counter() - t0:.1f}s (bulk)")


def measure_selectors(admin, city_plan, today: dt.date, runs: int) -> None:
    from gonghui.workplan.selectors import rollup
    from gonghui.workplan.supervision import plan_supervision

    med, p95 = timed(lambda: rollup(viewer=admin, year=2018, today=today), runs)
    summaries = rollup(viewer=admin, year=2018, today=today)
    print(f"roll-up of {len(summaries)} plans ({sum(s.total for s in summaries)} items): "
          f"median {med:.0f} ms, p95 {p95:.0f} ms")
    med, p95 = timed(lambda: plan_supervision(city_plan, today=today), runs)
    print(f"one plan's supervision (22 items, 66 milestones): median {med:.1f} ms, p95 {p95:.1f} ms")


def measure_pages(admin, city_plan, runs: int) -> None:
    from django.test import Client

    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    for name, url in (("supervision page", f"/workplan/plans/{city_plan.pk}/supervision/"),
                      ("roll-up page", "/workplan/rollup/?year=2018"),
                      ("plan .xlsx", f"/workplan/plans/{city_plan.pk}/export.xlsx"),
                      ("plan PDF", f"/workplan/plans/{city_plan.pk}/export.pdf")):
        page_runs = 5 if "PDF" in name else runs
        med, p95 = timed(lambda url=url: client.get(url), page_runs)
        print(f"{name}: median {med:.0f} ms, p95 {p95:.0f} ms")


def measure_reminders() -> None:
    from gonghui.core.actor import system_actor
    from gonghui.workplan.services.reminders import reminders_send

    t0 = time.perf_counter()
    first = reminders_send(actor=system_actor("bench"))
    first_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    second = reminders_send(actor=system_actor("bench"))
    second_ms = (time.perf_counter() - t0) * 1000
    print(f"reminders, first run of the day: {first.sent} sent ({first.overdue} overdue, "
          f"{first.stale} stale) in {first_ms:.0f} ms; second run: {second.sent} sent, "
          f"{second.already} already, in {second_ms:.0f} ms")


def run(args) -> None:
    from gonghui.core import clock
    from gonghui.workplan.models import Plan

    rng = random.Random(7)
    city, orgs, admin = load_orgs(args.streets)
    today = TODAY
    load_plans(orgs)
    load_milestones(rng, today)
    city_plan = Plan.objects.get(org=city)
    with clock.frozen(today):
        measure_selectors(admin, city_plan, today, args.runs)
        measure_pages(admin, city_plan, args.runs)
        measure_reminders()


if __name__ == "__main__":
    main()
