"""`gonghui workplan import`, and the demo data (`gonghui seed-demo`)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gonghui.workplan.demo import _in_year
from gonghui.workplan.models import Department, Milestone, Notification, Plan, ProgressReport
from gonghui.workplan.supervision import plan_supervision
from gonghui.workplan.tests.conftest import SEED


def test_import_command(tree):
    out = io.StringIO()
    call_command("workplan", "import", str(SEED), "--org", "SH-A", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "上海市总工会常委会2018年工作要点 (2018) 沪工办〔2018〕1号: 6 headings, 22 items"
    assert lines[14] == "   14. 加快提升工会网上服务能力  [宣传部、办公室]"
    assert Plan.objects.count() == 0
    out = io.StringIO()
    call_command("workplan", "import", str(SEED), "--org", "SH-A", stdout=out)
    plan = Plan.objects.get()
    assert out.getvalue().splitlines()[-1] == f"imported plan {plan.pk} for SH-A 甲区总工会"
    with pytest.raises(CommandError, match="本单位已有同名或同文号的工作要点"):
        call_command("workplan", "import", str(SEED), "--org", "SH-A", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no org with code 'XX'"):
        call_command("workplan", "import", str(SEED), "--org", "XX", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--stale-days must be between 1 and 365"):
        call_command("workplan", "remind", "--stale-days", "0", stdout=io.StringIO())


def test_enqueue_reminders(tree, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = io.StringIO()
    call_command("workplan", "remind", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued reminders job ")


@pytest.mark.django_db
def test_demo_is_idempotent_and_shows_every_verdict():
    from gonghui.demo import load_orgs, load_users
    from gonghui.workplan.demo import seed_demo

    orgs = load_orgs()
    users = load_users(orgs)
    seed_demo(orgs=orgs, users=users)
    counts = (Plan.objects.count(), Milestone.objects.count(), ProgressReport.objects.count(),
              Department.objects.count(), Notification.objects.count())
    seed_demo(orgs=orgs, users=users)
    assert (Plan.objects.count(), Milestone.objects.count(), ProgressReport.objects.count(),
            Department.objects.count(), Notification.objects.count()) == counts
    city = Plan.objects.get(org__code="SH")
    assert (city.headings.count(), city.items.count()) == (6, 22)
    # The demo dates a plan around today's month and day in the plan's own year (issue 12 item
    # 19): the supervision view of that day shows every verdict.
    sup = plan_supervision(city, today=_in_year(city.year))
    assert sup.counts == {"overdue": 2, "at_risk": 2, "on_track": 3, "done": 2, "unplanned": 13}
    district = Plan.objects.get(org__code="SH-HP")
    assert (district.title, district.items.count()) == ("上海市黄浦区总工会2018年工作要点", 5)
    assert plan_supervision(district, today=_in_year(district.year)).counts == {
        "overdue": 1, "at_risk": 0, "on_track": 1, "done": 1, "unplanned": 2}
