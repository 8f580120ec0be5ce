"""Breakdown and progress: the lead department adds milestones and delegates, responsible
departments report (with attachments), the supervisor confirms, sends back or cancels."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    Milestone,
    MilestoneHistory,
    Notification,
    ProgressAttachment,
    ProgressReport,
    SubTask,
)
from gonghui.workplan.services.breakdown import milestone_create

D = dt.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _dept(plan, name):
    return Department.objects.get(org=plan.org, name=name)


def _join(user, plan, name, *, head=False):
    DepartmentMembership.objects.create(department=_dept(plan, name), user=user, is_head=head)


@pytest.fixture
def jiceng(plan_a, department_member):
    """A member of 基层工作部, which leads item 2 of district A's plan."""
    _join(department_member, plan_a, "基层工作部")
    return department_member


@pytest.fixture
def item2(plan_a):
    return plan_a.items.get(number=2)


def test_lead_department_adds_milestones_others_may_not(client, plan_a, jiceng, item2, today):
    login(client, jiceng)
    response = client.post(reverse("workplan:milestone_new", args=[item2.pk]), {
        "title": "新建楼宇工会联合会", "starts_on": "2018-06-01", "due_date": "2018-09-30",
        "department": _dept(plan_a, "基层工作部").pk})
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.item_id, milestone.department.name, milestone.status) == (item2.pk, "基层工作部", "open")
    assert AuditEvent.objects.filter(action="workplan.milestone_create").count() == 1
    # item 1 is led by 权益保障部: 403, nothing created
    item1 = plan_a.items.get(number=1)
    response = client.post(reverse("workplan:milestone_new", args=[item1.pk]), {
        "title": "走访", "starts_on": "2018-06-01", "due_date": "2018-09-30",
        "department": _dept(plan_a, "权益保障部").pk})
    assert response.status_code == 403
    assert Milestone.objects.count() == 1
    # dates the wrong way round
    response = client.post(reverse("workplan:milestone_new", args=[item2.pk]), {
        "title": "倒排", "starts_on": "2018-09-30", "due_date": "2018-06-01",
        "department": _dept(plan_a, "基层工作部").pk})
    assert response.status_code == 400
    assert "截止日期不能早于开始日期。" in response.content.decode()
    assert Milestone.objects.count() == 1


def test_delegated_subtask_reaches_the_other_department(client, plan_a, jiceng, item2, tree, today):
    zuzhi = make_user("zuzhi_a", org=tree["SH-A"], role="viewer")
    _join(zuzhi, plan_a, "组织部")
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30),
                                 actor=SYSTEM)
    response = login(client, jiceng).post(reverse("workplan:subtask_new", args=[milestone.pk]), {
        "department": _dept(plan_a, "组织部").pk, "title": "提供楼宇党组织名单",
        "due_date": "2018-07-15"})
    assert response.status_code == 302
    subtask = SubTask.objects.get()
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.link) == (zuzhi, "assigned",
                                                      reverse("workplan:milestone", args=[milestone.pk]))
    assert note.text == "基层工作部交办：提供楼宇党组织名单（第 2 项“推进楼宇工会建设”，2018-07-15 前完成）"
    # a sub-task cannot outlast its milestone
    response = client.post(reverse("workplan:subtask_new", args=[milestone.pk]), {
        "department": _dept(plan_a, "组织部").pk, "title": "太晚", "due_date": "2018-10-01"})
    assert "分解任务的截止日期不能晚于节点的截止日期（2018-09-30）。" in response.content.decode()
    assert SubTask.objects.count() == 1
    # the receiving department finishes it
    response = login(client, zuzhi).post(reverse("workplan:subtask_status", args=[subtask.pk]),
                                         {"action": "done"})
    subtask.refresh_from_db()
    assert (response.status_code, subtask.status, subtask.done_on) == (302, "done", D(2018, 6, 1))


def test_reports_attachments_and_completion(client, plan_a, jiceng, item2, district_cadre,
                                             other_district_cadre, today):
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30),
                                 actor=SYSTEM)
    login(client, jiceng)
    upload = SimpleUploadedFile("进展照片.png", b"\x89PNG-demo", content_type="image/png")
    response = client.post(reverse("workplan:report_new", args=[milestone.pk]), {
        "percent": 50, "text": "已建成3家楼宇工会联合会。", "attachments": [upload]})
    assert response.status_code == 302
    milestone.refresh_from_db()
    report = ProgressReport.objects.get()
    attachment = ProgressAttachment.objects.get()
    assert (milestone.percent, milestone.last_report_on, milestone.status) == (50, D(2018, 6, 1), "open")
    assert (report.department.name, report.author, report.text) == ("基层工作部", jiceng, "已建成3家楼宇工会联合会。")
    assert (attachment.name, attachment.size) == ("进展照片.png", 9)
    assert not attachment.file.name.endswith("进展照片.png")  # stored under a random name

    url = reverse("workplan:attachment", args=[attachment.pk])
    response = login(client, district_cadre).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG-demo"
    assert login(client, other_district_cadre).get(url).status_code == 404

    login(client, jiceng)
    client.post(reverse("workplan:report_new", args=[milestone.pk]), {"percent": 100, "text": "全部完成。"})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on, milestone.percent) == ("completed", D(2018, 6, 1), 100)
    history = MilestoneHistory.objects.get()
    assert (history.from_status, history.to_status, history.reason, history.actor) == (
        "open", "completed", "报送进度 100%", jiceng)
    response = client.post(reverse("workplan:report_new", args=[milestone.pk]), {"percent": 90, "text": "补充"})
    assert response.status_code == 409  # a conflict, as the API answers (was 400)
    assert "该节点已完成，不能再报送进度。" in response.content.decode()
    assert ProgressReport.objects.count() == 2


def test_supervisor_sends_back_with_a_reason(client, plan_a, item2, district_cadre, jiceng, today):
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30), actor=SYSTEM)
    url = reverse("workplan:milestone_status", args=[milestone.pk])
    # a department member is not the supervisor
    assert login(client, jiceng).post(url, {"action": "complete"}).status_code == 403
    login(client, district_cadre)
    client.post(url, {"action": "complete"})
    milestone.refresh_from_db()
    assert milestone.status == "completed"
    response = client.post(url, {"action": "reopen", "reason": ""}, follow=True)
    assert "请说明原因。" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == "completed"
    client.post(url, {"action": "reopen", "reason": "缺少验收材料"})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == ("open", None)
    response = client.post(url, {"action": "reopen", "reason": "再退"}, follow=True)
    assert "当前状态“进行中”不能变为“进行中”。" in response.content.decode()
    assert list(MilestoneHistory.objects.values_list("from_status", "to_status", "reason")) == [
        ("open", "completed", "确认完成"), ("completed", "open", "缺少验收材料")]


def test_who_may_report(client, plan_a, item2, tree, jiceng, today):
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30), actor=SYSTEM)
    url = reverse("workplan:report_new", args=[milestone.pk])
    outsider = make_user("bangongshi_a", org=tree["SH-A"], role="viewer")
    _join(outsider, plan_a, "办公室")  # 办公室 is not responsible for item 2
    assert login(client, outsider).post(url, {"percent": 10, "text": "x"}).status_code == 403
    co = make_user("zuzhi_a", org=tree["SH-A"], role="viewer")
    _join(co, plan_a, "组织部")  # co-department of item 2
    assert login(client, co).post(url, {"percent": 10, "text": "配合完成名单。"}).status_code == 302
    assert list(ProgressReport.objects.values_list("department__name", flat=True)) == ["组织部"]


def test_rejected_attachment_leaves_nothing(client, plan_a, item2, jiceng, today):
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30), actor=SYSTEM)
    upload = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    response = login(client, jiceng).post(reverse("workplan:report_new", args=[milestone.pk]), {
        "percent": 10, "text": "进展", "attachments": [upload]})
    assert response.status_code == 400
    assert "附件“setup.exe”的类型不允许（可上传 PDF、Office 文档、图片、压缩包）。" in response.content.decode()
    assert (ProgressReport.objects.count(), ProgressAttachment.objects.count()) == (0, 0)
    assert not default_storage.exists("workplan")


def test_responsible_departments_are_set_by_the_office(client, plan_a, item2, district_cadre, jiceng, today):
    url = reverse("workplan:item_departments", args=[item2.pk])
    data = {"lead": _dept(plan_a, "组织部").pk, "co": [_dept(plan_a, "基层工作部").pk, _dept(plan_a, "办公室").pk]}
    assert login(client, jiceng).post(url, data).status_code == 403
    assert login(client, district_cadre).post(url, data).status_code == 302
    assert list(item2.assignments.order_by("position").values_list("department__name", "role")) == [
        ("组织部", "lead"), ("基层工作部", "co"), ("办公室", "co")]


def test_api_breakdown_and_report(client, plan_a, item2, jiceng, district_cadre, today):
    login(client, jiceng)
    response = client.post(f"/api/v1/workplan/items/{item2.pk}/milestones", data=json.dumps(
        {"title": "楼宇工会建设", "due_date": "2018-06-10"}), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["department"], body["health"], body["reasons"]) == (
        "基层工作部", "at_risk", ["距截止 9 天，进度 0%"])
    milestone_id = body["id"]
    response = client.post(f"/api/v1/workplan/milestones/{milestone_id}/reports",
                           data=json.dumps({"percent": 85, "text": "基本完成。"}),
                           content_type="application/json")
    assert response.status_code == 201
    assert client.get(f"/api/v1/workplan/milestones/{milestone_id}").json()["health"] == "on_track"
    response = client.post(f"/api/v1/workplan/milestones/{milestone_id}/transition",
                           data=json.dumps({"action": "cancel", "reason": "不需要"}),
                           content_type="application/json")
    assert response.status_code == 403
    login(client, district_cadre)
    response = client.post(f"/api/v1/workplan/milestones/{milestone_id}/transition",
                           data=json.dumps({"action": "cancel", "reason": "并入其他节点"}),
                           content_type="application/json")
    assert (response.status_code, response.json()["status"], response.json()["health"]) == (200, "cancelled", None)
    response = client.post(f"/api/v1/workplan/milestones/{milestone_id}/reports",
                           data=json.dumps({"percent": 90, "text": "x"}), content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (409, "该节点已取消，不能再报送进度。")
    reports = client.get(f"/api/v1/workplan/milestones/{milestone_id}/reports").json()["items"]
    assert [(r["percent"], r["department"], r["author"]) for r in reports] == [(85, "基层工作部", "jiceng_a")]


def test_office_edits_plan_item_milestone_and_department(client, plan_a, item2, district_cadre, today):
    milestone = milestone_create(item=item2, title="楼宇工会建设", due_date=D(2018, 9, 30), actor=SYSTEM)
    login(client, district_cadre)
    response = client.post(reverse("workplan:plan_edit", args=[plan_a.pk]), {
        "title": plan_a.title, "year": 2018, "at_risk_days": 7, "stale_days": 20})
    assert response.status_code == 302
    plan_a.refresh_from_db()
    assert (plan_a.at_risk_days, plan_a.stale_days) == (7, 20)
    response = client.post(reverse("workplan:plan_edit", args=[plan_a.pk]), {
        "title": plan_a.title, "year": 2018, "at_risk_days": 0, "stale_days": 20})
    assert response.status_code == 400
    heading = plan_a.headings.get(number=2)
    response = client.post(reverse("workplan:item_edit", args=[item2.pk]), {
        "title": "楼宇工会建设", "text": "推进楼宇工会建设，新建5家。", "heading": heading.pk})
    item2.refresh_from_db()
    assert (response.status_code, item2.title, item2.heading_id) == (302, "楼宇工会建设", heading.pk)
    response = client.post(reverse("workplan:milestone_edit", args=[milestone.pk]), {
        "title": "楼宇工会联合会", "starts_on": "2018-06-01", "due_date": "2018-10-31",
        "department": _dept(plan_a, "组织部").pk})
    milestone.refresh_from_db()
    assert (response.status_code, milestone.title, milestone.due_date, milestone.department.name) == (
        302, "楼宇工会联合会", D(2018, 10, 31), "组织部")
    office = _dept(plan_a, "办公室")
    client.post(reverse("workplan:department_edit", args=[office.pk]),
                {"name": "办公室（研究室）", "sort_order": 5, "is_active": ""})
    office.refresh_from_db()
    assert (office.name, office.sort_order, office.is_active) == ("办公室（研究室）", 5, False)
    response = client.post(reverse("workplan:department_edit", args=[office.pk]),
                           {"name": "组织部", "sort_order": 5}, follow=True)
    assert "部门“组织部”已存在。" in response.content.decode()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "workplan.plan_update", "workplan.item_update", "workplan.milestone_update",
        "workplan.department_update"}
