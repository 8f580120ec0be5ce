"""The services decide, for every path: who may write (the one status policy: 404 outside the
viewer's subtrees, 403 visible but not theirs) and which orgs may receive new things (plans only
from active federations at street level or above). Every refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core.actor import SYSTEM, system_actor
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.orgs.models import Org
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    Milestone,
    MilestoneHistory,
    Notification,
    Plan,
    PlanDraft,
    SubTask,
    SubTaskHistory,
)
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.readers import read_plan_file
from gonghui.workplan.services.breakdown import (
    milestone_cancel,
    milestone_create,
    subtask_complete,
    subtask_create,
)
from gonghui.workplan.services.departments import department_create
from gonghui.workplan.services.plans import plan_create, plan_draft_create
from gonghui.workplan.services.progress import progress_report_create
from gonghui.workplan.services.reminders import notifications_mark_all_read, reminders_send
from gonghui.workplan.tests.conftest import DISTRICT_TEXT, SEED
from gonghui.workplan.tests.test_import import _form_of

D = dt.date
PAYLOAD = {
    "title": "2018年工作要点", "year": 2018,
    "items": [{"text": "做好送温暖工作。", "departments": ["权益保障部", "办公室"]}],
}


def _counts() -> tuple[int, ...]:
    return (Plan.objects.count(), Department.objects.count(), PlanDraft.objects.count(),
            Milestone.objects.count(), SubTask.objects.count(), AuditEvent.objects.count())


def _merge(org: Org, into: Org) -> None:
    # the orgs app's merge is not under test here: only the status it leaves behind
    Org.objects.filter(pk=org.pk).update(status="merged", merged_into=into)
    org.refresh_from_db()


@pytest.fixture
def grassroots_writer(tree):
    """A cadre of a grassroots union: workplan.write over SH-A-1-1, which issues no plans."""
    return make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")


# --- creating a plan: one rule for the page, the API, the CLI and the service ---------------

def test_grassroots_cadre_is_refused_by_the_api(client, tree, grassroots_writer):
    login(client, grassroots_writer)
    before = _counts()
    response = client.post("/api/v1/workplan/plans", content_type="application/json",
                           data=json.dumps({**PAYLOAD, "org": "SH-A-1-1"}))
    assert (response.status_code, response.json()["code"]) == (400, "org_level")
    assert response.json()["detail"] == "只有街道及以上的工会可以制定工作要点（甲一公司工会是基层工会）。"
    assert _counts() == before


def test_grassroots_cadre_is_refused_by_the_pages(client, tree, grassroots_writer):
    login(client, grassroots_writer)
    before = _counts()
    assert client.get(reverse("workplan:import")).status_code == 403
    response = client.post(reverse("workplan:import"),
                           {"org": tree["SH-A-1-1"].pk, "text": DISTRICT_TEXT.format(name="甲一")})
    assert response.status_code == 403
    response = client.post(reverse("workplan:departments"),
                           {"org": tree["SH-A-1-1"].pk, "name": "办公室"})
    assert response.status_code == 403
    assert client.post("/api/v1/workplan/plans/parse", content_type="application/json",
                       data=json.dumps({"text": "x"})).status_code == 403
    assert _counts() == before


def test_grassroots_cadre_is_refused_by_the_service(tree, grassroots_writer):
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        plan_create(org=tree["SH-A-1-1"], parsed=parse_plan(DISTRICT_TEXT.format(name="甲一")),
                    actor=grassroots_writer)
    assert refused.value.code == "org_level"
    with pytest.raises(ApplicationError) as refused:
        plan_draft_create(org=tree["SH-A-1-1"], source_name="x.txt", text="x",
                          actor=grassroots_writer)
    assert refused.value.code == "org_level"
    with pytest.raises(ApplicationError) as refused:
        department_create(org=tree["SH-A-1-1"], name="办公室", actor=grassroots_writer)
    assert refused.value.code == "org_not_issuer"
    assert _counts() == before


def test_merged_union_is_refused_by_the_cli(tree):
    _merge(tree["SH-A-1"], into=tree["SH-B-1"])
    before = _counts()
    with pytest.raises(CommandError, match="甲区一街道工会已合并，不能再制定工作要点。") as refused:
        call_command("workplan", "import", str(SEED), "--org", "SH-A-1", stdout=io.StringIO())
    assert refused.value.returncode == 1
    assert _counts() == before


def test_merged_union_cli_exits_with_status_1(tree, capsys, monkeypatch):
    # run_from_argv closes the connections when it ends: not the test's own transaction
    monkeypatch.setattr(connections, "close_all", lambda: None)
    _merge(tree["SH-A-1"], into=tree["SH-B-1"])
    before = _counts()
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["gonghui", "workplan", "import", str(SEED), "--org", "SH-A-1"])
    assert exited.value.code == 1
    assert "不能再制定工作要点" in capsys.readouterr().err
    assert _counts() == before


def test_street_union_and_system_actor_may_create(tree):
    plan = plan_create(org=tree["SH-A-1"], parsed=parse_plan(DISTRICT_TEXT.format(name="街道")),
                       actor=system_actor("cli"))
    assert (plan.org.code, plan.created_by, plan.items.count()) == ("SH-A-1", None, 3)
    event = AuditEvent.objects.get(action="workplan.plan_create")
    assert event.actor_name == "cli"


@pytest.mark.parametrize(("persona", "status"), [("other_district_cadre", 404), ("auditor", 403),
                                                 ("member_user", 403)])  # issue 13 item 14
def test_api_plan_create_status_policy(client, tree, request, persona, status):
    login(client, request.getfixturevalue(persona))
    before = _counts()
    response = client.post("/api/v1/workplan/plans", content_type="application/json",
                           data=json.dumps({**PAYLOAD, "org": "SH-A"}))
    assert response.status_code == status
    assert _counts() == before


# --- every other write checks in the service ------------------------------------------------

def test_breakdown_services_apply_the_policy(plan_a, other_district_cadre, auditor, tree):
    item = plan_a.items.get(number=1)
    before = _counts()
    with pytest.raises(NotFound):
        milestone_create(item=item, title="节点", due_date=D(2018, 9, 1), actor=other_district_cadre)
    with pytest.raises(Forbidden):
        milestone_create(item=item, title="节点", due_date=D(2018, 9, 1), actor=auditor)
    assert _counts() == before
    milestone = milestone_create(item=item, title="节点", due_date=D(2018, 9, 1), actor=SYSTEM)
    with pytest.raises(Forbidden):
        milestone_cancel(milestone=milestone, actor=auditor, reason="不要了")
    with pytest.raises(Forbidden):
        progress_report_create(milestone=milestone, percent=10, text="进展", actor=auditor)
    with pytest.raises(NotFound):
        progress_report_create(milestone=milestone, percent=10, text="进展",
                               actor=other_district_cadre)
    milestone.refresh_from_db()
    assert (milestone.status, milestone.percent, milestone.reports.count()) == ("open", 0, 0)


def test_merged_unions_plan_takes_no_new_milestones(plan_a, tree):
    item = plan_a.items.get(number=1)
    milestone = milestone_create(item=item, title="节点", due_date=D(2018, 9, 1), actor=SYSTEM)
    _merge(tree["SH-A"], into=tree["SH-B"])
    item.refresh_from_db()
    item.plan.org.refresh_from_db()
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        milestone_create(item=item, title="新节点", due_date=D(2018, 9, 1), actor=SYSTEM)
    assert refused.value.code == "org_inactive"
    with pytest.raises(ApplicationError) as refused:
        subtask_create(milestone=milestone, department=Department.objects.get(
            org=tree["SH-A"], name="办公室"), title="分解", due_date=D(2018, 8, 1), actor=SYSTEM)
    assert refused.value.code == "org_inactive"
    assert _counts() == before


def test_subtask_moves_write_history(plan_a, tree, department_member):
    item = plan_a.items.get(number=2)  # lead: 基层工作部
    milestone = milestone_create(item=item, title="节点", due_date=D(2018, 9, 1), actor=SYSTEM)
    office = Department.objects.get(org=tree["SH-A"], name="办公室")
    subtask = subtask_create(milestone=milestone, department=office, title="分解",
                             due_date=D(2018, 8, 1), actor=SYSTEM)
    outsider = make_user("outsider_a", org=tree["SH-A"], role="viewer")
    with pytest.raises(Forbidden):
        subtask_complete(subtask=subtask, actor=outsider)
    assert SubTaskHistory.objects.count() == 0
    DepartmentMembership.objects.create(department=office, user=department_member)
    subtask_complete(subtask=subtask, actor=department_member)
    subtask.refresh_from_db()
    assert (subtask.status, subtask.done_on) == ("done", D(2018, 6, 1))
    row = SubTaskHistory.objects.get()
    assert (row.subtask_id, row.from_status, row.to_status, row.actor, row.actor_name) == (
        subtask.pk, "open", "done", department_member, "jiceng_a")


def test_milestone_history_names_the_actor(plan_a):
    milestone = milestone_create(item=plan_a.items.get(number=1), title="节点",
                                 due_date=D(2018, 9, 1), actor=SYSTEM)
    milestone_cancel(milestone=milestone, actor=system_actor("cli"), reason="合并")
    row = MilestoneHistory.objects.get()
    assert (row.from_status, row.to_status, row.actor, row.actor_name, row.reason) == (
        "open", "cancelled", None, "cli", "合并")


def test_reminders_without_plans_cover_only_the_actors_plans(plan_a, plan_b, district_cadre, tree):
    for plan in (plan_a, plan_b):
        milestone_create(item=plan.items.get(number=1), title="节点", starts_on=D(2018, 1, 1),
                         due_date=D(2018, 5, 1), actor=SYSTEM)
    result = reminders_send(actor=district_cadre)
    assert (result.overdue, result.sent) == (1, 1)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"district_a"}


def test_nobody_marks_someone_elses_reminders_read(tree, district_cadre, other_district_cadre):
    with pytest.raises(NotFound):
        notifications_mark_all_read(user=district_cadre, actor=other_district_cadre)


def test_preview_commit_is_refused_once_the_union_is_merged(client, tree, district_cadre, today):
    login(client, district_cadre)
    response = client.post(reverse("workplan:import"),
                           {"org": tree["SH-A-1"].pk, "text": DISTRICT_TEXT.format(name="街道")})
    draft = PlanDraft.objects.get()
    assert (response.status_code, draft.org.code) == (302, "SH-A-1")
    _merge(tree["SH-A-1"], into=tree["SH-A"])
    before = _counts()
    response = client.post(reverse("workplan:preview", args=[draft.pk]),
                           {**_form_of(draft), "action": "commit"})
    assert response.status_code == 400
    assert "甲区一街道工会已合并，不能再制定工作要点。" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.plan_id, Plan.objects.count()) == ("draft", None, 0)
    assert _counts()[:5] == before[:5]  # the corrections were saved (audited), nothing created


def test_empty_post_leaves_the_draft_alone(client, tree, district_cadre, today):
    login(client, district_cadre)
    client.post(reverse("workplan:import"),
                {"org": tree["SH-A"].pk, "text": DISTRICT_TEXT.format(name="甲区")})
    draft = PlanDraft.objects.get()
    data = dict(draft.data)
    response = client.post(reverse("workplan:preview", args=[draft.pk]), {})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.data, draft.status) == (data, "draft")


def test_utf16_plan_files_are_read():
    text = "甲区2018年工作要点\n一、服务职工\n"
    assert read_plan_file("plan.txt", text.encode("utf-16")) == text
