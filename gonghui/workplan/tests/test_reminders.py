"""Reminders: who gets them, once a day however often they run, the CLI, 我的提醒."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import Department, DepartmentMembership, Notification
from gonghui.workplan.services.breakdown import milestone_create, subtask_create
from gonghui.workplan.services.progress import progress_report_create
from gonghui.workplan.services.reminders import reminder_send_manual, reminders_send

D = dt.date


@pytest.fixture
def setup(plan_a, tree, today):
    """District A's plan on 2018-06-01: item 1 overdue, item 2 silent for 40 days, item 3 fine;
    权益保障部 has a member, 基层工作部 none (its reminders go to the district office)."""
    org = tree["SH-A"]
    member = make_user("quanyi_a", org=org, role="viewer")
    DepartmentMembership.objects.create(department=Department.objects.get(org=org, name="权益保障部"),
                                        user=member)
    office = make_user("office_a", org=org, role="cadre")
    items = {i.number: i for i in plan_a.items.all()}
    with clock.frozen(D(2018, 4, 1)):
        overdue = milestone_create(item=items[1], title="送温暖走访", due_date=D(2018, 5, 20),
                                   starts_on=D(2018, 4, 1), actor=SYSTEM)
        silent = milestone_create(item=items[2], title="楼宇工会建设", due_date=D(2018, 12, 31),
                                  starts_on=D(2018, 4, 1), actor=SYSTEM)
        fine = milestone_create(item=items[3], title="作风建设", due_date=D(2018, 12, 31),
                                starts_on=D(2018, 4, 1), actor=SYSTEM)
    with clock.frozen(D(2018, 4, 22)):
        progress_report_create(milestone=silent, percent=10, text="启动。", actor=SYSTEM)
    with clock.frozen(D(2018, 5, 25)):
        progress_report_create(milestone=fine, percent=30, text="推进中。", actor=SYSTEM)
    return {"member": member, "office": office, "overdue": overdue, "silent": silent, "fine": fine}


def _notes():
    return sorted(Notification.objects.values_list("recipient__username", "kind", "dedupe_key"))


def test_reminders_go_to_the_right_people_once_a_day(setup, district_cadre):
    overdue, silent = setup["overdue"], setup["silent"]
    result = reminders_send(actor=SYSTEM)
    assert (result.sent, result.already, result.overdue, result.stale, result.subtasks) == (3, 0, 1, 1, 0)
    # 权益保障部's member for item 1; 基层工作部 has nobody, so the district office (cadre and
    # admin at SH-A) hear about item 2; item 3 is fine
    assert _notes() == [
        ("district_a", "stale", f"milestone:{silent.pk}:2018-06-01"),
        ("office_a", "stale", f"milestone:{silent.pk}:2018-06-01"),
        ("quanyi_a", "overdue", f"milestone:{overdue.pk}:2018-06-01"),
    ]
    note = Notification.objects.get(recipient=setup["member"])
    assert note.text == ("【逾期】第 1 项“做好春节送温暖工作”的节点“送温暖走访”已逾期 12 天（截止 2018-05-20），"
                         "请尽快推进并报送进度。")
    assert note.link == reverse("workplan:milestone", args=[overdue.pk])
    assert Notification.objects.get(recipient=setup["office"]).text == (
        "【未报送】第 2 项“推进楼宇工会建设”的节点“楼宇工会建设”已 40 天未报送进度，请及时报送。")
    assert AuditEvent.objects.filter(action="workplan.remind").count() == 1

    # again the same day: nothing new, nothing audited
    again = reminders_send(actor=SYSTEM)
    assert (again.sent, again.already) == (0, 3)
    assert Notification.objects.count() == 3
    assert AuditEvent.objects.filter(action="workplan.remind").count() == 1

    # the next day: reminded again
    with clock.frozen(D(2018, 6, 2)):
        assert reminders_send(actor=SYSTEM).sent == 3
    assert Notification.objects.count() == 6


def test_threshold_from_the_command_line(setup):
    out = io.StringIO()
    call_command("workplan", "remind", "--stale-days", "5", stdout=out)
    # with 5 days, item 3 (last report 7 days ago) is also reminded — to the office (office_a),
    # since 办公室 has no members
    assert out.getvalue().strip() == ("reminders sent: 3 (already sent today: 0); overdue milestones: 1, "
                                      "without report: 2, overdue sub-tasks: 0, nobody to tell: 0")
    out = io.StringIO()
    call_command("workplan", "remind", "--stale-days", "5", stdout=out)
    assert out.getvalue().startswith("reminders sent: 0 (already sent today: 3);")


def test_overdue_subtasks_and_manual_reminders(setup, plan_a, tree):
    org = tree["SH-A"]
    with clock.frozen(D(2018, 5, 1)):
        subtask = subtask_create(milestone=setup["fine"], title="汇总材料", due_date=D(2018, 5, 30),
                                 department=Department.objects.get(org=org, name="权益保障部"),
                                 actor=SYSTEM)
    Notification.objects.all().delete()
    result = reminders_send(actor=SYSTEM, plans=[plan_a])
    assert result.subtasks == 1
    assert Notification.objects.get(dedupe_key=f"subtask:{subtask.pk}:2018-06-01").text == (
        "【逾期】办公室交办的“汇总材料”已逾期 2 天（截止 2018-05-30）。")
    assert reminder_send_manual(milestone=setup["overdue"], actor=SYSTEM) == 1
    assert reminder_send_manual(milestone=setup["overdue"], actor=SYSTEM) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(tree):
    """Two processes run `remind` at the same moment: the unique (recipient, dedupe_key) keeps
    one notification each."""
    from gonghui.workplan.tests.conftest import district_plan

    with clock.frozen(D(2018, 6, 1)):
        plan = district_plan(tree["SH-A"])
        make_user("office_a", org=tree["SH-A"], role="cadre")
        for item in plan.items.all():
            milestone_create(item=item, title="节点", due_date=D(2018, 5, 1), starts_on=D(2018, 4, 1),
                             actor=SYSTEM)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            with clock.frozen(D(2018, 6, 1)):
                results.append(reminders_send(actor=SYSTEM).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Notification.objects.count() == 3
    assert len(set(Notification.objects.values_list("recipient_id", "dedupe_key"))) == 3


def test_my_reminders_page(client, setup, today):
    reminders_send(actor=SYSTEM)
    member = setup["member"]
    login(client, member)
    page = client.get(reverse("workplan:notifications")).content.decode()
    assert "未读 1 条。" in page
    assert "已逾期 12 天" in page
    note = Notification.objects.get(recipient=member)
    response = client.post(reverse("workplan:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("workplan:milestone", args=[setup["overdue"].pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert "未读 0 条。" in client.get(reverse("workplan:notifications")).content.decode()
    # someone else's notification: 404, unchanged
    other = Notification.objects.filter(recipient=setup["office"]).get()
    assert client.post(reverse("workplan:notification_open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    response = client.get("/api/v1/workplan/notifications")
    assert [n["read"] for n in response.json()["items"]] == [True]
