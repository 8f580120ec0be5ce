"""Visibility: district B never reaches district A's plan (404 on every page and endpoint, and
nothing changes); read-only roles get 403 on writes; anonymous clients the login page or 401;
list pages hold their query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import (
    Department,
    DepartmentMembership,
    ItemDepartment,
    Milestone,
    Notification,
    Plan,
    PlanDraft,
    ProgressAttachment,
    ProgressReport,
    SubTask,
)
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.services.breakdown import milestone_create, subtask_create
from gonghui.workplan.services.plans import plan_draft_create
from gonghui.workplan.services.progress import progress_report_create
from gonghui.workplan.services.reminders import reminder_send_manual

D = dt.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def objects(plan_a, plan_b, tree, district_cadre, department_member, today):
    """District A's plan with everything hanging off it."""
    item = plan_a.items.get(number=1)
    department = Department.objects.get(org=plan_a.org, name="权益保障部")
    membership = DepartmentMembership.objects.create(department=department, user=department_member)
    milestone = milestone_create(item=item, title="送温暖走访", due_date=D(2018, 5, 20),
                                 starts_on=D(2018, 4, 1), actor=SYSTEM)
    subtask = subtask_create(milestone=milestone, title="汇总名单", due_date=D(2018, 5, 10),
                             department=Department.objects.get(org=plan_a.org, name="办公室"),
                             actor=SYSTEM)
    upload = SimpleUploadedFile("名单.xlsx", b"PK-demo", content_type="application/octet-stream")
    report = progress_report_create(milestone=milestone, percent=40, text="已走访。", files=[upload],
                                    actor=SYSTEM)
    # the manual reminder reaches 权益保障部's member
    reminder_send_manual(milestone=milestone, actor=SYSTEM)
    notification = Notification.objects.get()
    draft = plan_draft_create(org=plan_a.org, source_name="x.txt", text="要点\n一、甲\n1. 乙。（责任单位：办公室）",
                              actor=district_cadre)
    return {"plan": plan_a, "item": item, "milestone": milestone, "subtask": subtask,
            "attachment": report.attachments.get(), "department": department,
            "membership": membership, "notification": notification, "draft": draft,
            "plan_b": plan_b}


def _state():
    return (
        list(Plan.objects.order_by("pk").values_list("pk", "title", "at_risk_days")),
        list(ItemDepartment.objects.order_by("pk").values_list("item_id", "department_id", "role")),
        list(Milestone.objects.order_by("pk").values_list("pk", "title", "status", "due_date", "percent")),
        list(SubTask.objects.order_by("pk").values_list("pk", "status")),
        ProgressReport.objects.count(), ProgressAttachment.objects.count(),
        list(Department.objects.order_by("pk").values_list("pk", "name")),
        DepartmentMembership.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(PlanDraft.objects.order_by("pk").values_list("pk", "status")),
        AuditEvent.objects.count(),
    )


# (method, url name, kwargs from objects, data, needs write)
PAGES = [
    ("get", "workplan:plan", {"pk": "plan"}, {}, False),
    ("get", "workplan:supervision", {"pk": "plan"}, {}, False),
    ("get", "workplan:plan_xlsx", {"pk": "plan"}, {}, False),
    ("get", "workplan:plan_pdf", {"pk": "plan"}, {}, False),
    ("get", "workplan:department_xlsx", {"pk": "plan", "dept": "department"}, {}, False),
    ("get", "workplan:department_pdf", {"pk": "plan", "dept": "department"}, {}, False),
    ("get", "workplan:plan_edit", {"pk": "plan"}, {}, True),
    ("post", "workplan:plan_edit", {"pk": "plan"}, {"title": "被篡改", "year": 2018, "at_risk_days": 3,
                                                     "stale_days": 3}, True),
    ("post", "workplan:remind", {"pk": "plan"}, {}, True),
    ("get", "workplan:item", {"pk": "item"}, {}, False),
    ("get", "workplan:item_edit", {"pk": "item"}, {}, True),
    ("post", "workplan:item_edit", {"pk": "item"}, {"title": "被篡改", "text": "被篡改"}, True),
    ("post", "workplan:item_departments", {"pk": "item"}, {"lead": "department"}, True),
    ("get", "workplan:milestone_new", {"pk": "item"}, {}, True),
    ("post", "workplan:milestone_new", {"pk": "item"}, {"title": "新", "starts_on": "2018-06-01",
                                                         "due_date": "2018-07-01"}, True),
    ("get", "workplan:milestone", {"pk": "milestone"}, {}, False),
    ("post", "workplan:milestone_edit", {"pk": "milestone"}, {"title": "被篡改", "starts_on": "2018-04-01",
                                                               "due_date": "2018-12-01"}, True),
    ("post", "workplan:report_new", {"pk": "milestone"}, {"percent": 100, "text": "完成"}, True),
    ("post", "workplan:milestone_status", {"pk": "milestone"}, {"action": "cancel", "reason": "x"}, True),
    ("post", "workplan:subtask_new", {"pk": "milestone"}, {"title": "新", "due_date": "2018-05-01"}, True),
    ("post", "workplan:remind_milestone", {"pk": "milestone"}, {}, True),
    ("post", "workplan:subtask_status", {"pk": "subtask"}, {"action": "done"}, True),
    ("get", "workplan:attachment", {"pk": "attachment"}, {}, False),
    ("get", "workplan:department", {"pk": "department"}, {}, False),
    ("post", "workplan:department_edit", {"pk": "department"}, {"name": "被篡改", "sort_order": 1}, True),
    ("post", "workplan:member_add", {"pk": "department"}, {"username": "district_b"}, True),
    ("post", "workplan:member_remove", {"pk": "department", "mid": "membership"}, {}, True),
]


def _url(name, kwargs, objects):
    return reverse(name, kwargs={k: objects[v].pk for k, v in kwargs.items()})


def _data(data, objects):
    return {k: objects[v].pk if isinstance(v, str) and v in objects else v for k, v in data.items()}


@pytest.mark.parametrize(("method", "name", "kwargs", "data", "write"), PAGES)
def test_other_district_gets_404_on_pages(client, objects, other_district_cadre, method, name,
                                          kwargs, data, write):
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(
        _url(name, kwargs, objects), _data(data, objects))
    assert response.status_code == 404
    body = response.content.decode()
    assert "甲区" not in body
    assert "送温暖" not in body
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "kwargs", "data", "write"), [p for p in PAGES if p[4]])
def test_read_only_role_gets_403_on_writes(client, objects, auditor, method, name, kwargs, data, write):
    before = _state()
    response = getattr(login(client, auditor), method)(_url(name, kwargs, objects), _data(data, objects))
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "kwargs", "data", "write"), PAGES)
def test_anonymous_is_sent_to_login(client, objects, method, name, kwargs, data, write):
    before = _state()
    response = getattr(client, method)(_url(name, kwargs, objects), _data(data, objects))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "key"), [
    ("get", "workplan:preview", "draft"),
    ("post", "workplan:preview", "draft"),
    ("post", "workplan:notification_open", "notification"),
])  # fmt: skip
def test_drafts_and_notifications_are_personal(client, objects, other_district_cadre, city_admin,
                                               method, name, key):
    before = _state()
    for user in (other_district_cadre, city_admin):
        response = getattr(login(client, user), method)(
            reverse(name, args=[objects[key].pk]), {"action": "commit"})
        assert response.status_code == 404
    assert _state() == before


API = [
    ("get", "/api/v1/workplan/plans/{plan}", None),
    ("patch", "/api/v1/workplan/plans/{plan}", {"title": "被篡改"}),
    ("get", "/api/v1/workplan/plans/{plan}/supervision", None),
    ("post", "/api/v1/workplan/plans/{plan}/remind", {}),
    ("get", "/api/v1/workplan/items/{item}", None),
    ("put", "/api/v1/workplan/items/{item}/departments", {"departments": ["办公室"]}),
    ("get", "/api/v1/workplan/items/{item}/milestones", None),
    ("post", "/api/v1/workplan/items/{item}/milestones", {"title": "新", "due_date": "2018-09-01"}),
    ("get", "/api/v1/workplan/milestones/{milestone}", None),
    ("post", "/api/v1/workplan/milestones/{milestone}/transition", {"action": "cancel", "reason": "x"}),
    ("get", "/api/v1/workplan/milestones/{milestone}/reports", None),
    ("post", "/api/v1/workplan/milestones/{milestone}/reports", {"percent": 100, "text": "完成"}),
    ("post", "/api/v1/workplan/notifications/{notification}/read", {}),
    ("post", "/api/v1/workplan/plans", {"org": "SH-A", "title": "新", "year": 2018,
                                        "items": [{"text": "x", "departments": ["办公室"]}]}),
]


def _path(path, objects):
    for key in ("plan", "item", "milestone", "notification"):
        path = path.replace("{" + key + "}", str(objects[key].pk))
    return path


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_other_district_gets_404_on_the_api(client, objects, other_district_cadre, method, path, body):
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(
        _path(path, objects), data=json.dumps(body) if body is not None else None,
        content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "甲区" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "body"), [a for a in API if a[0] != "get" and "notifications" not in a[1]])
def test_read_only_role_gets_403_on_the_api(client, objects, auditor, method, path, body):
    before = _state()
    response = getattr(login(client, auditor), method)(
        _path(path, objects), data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_anonymous_gets_401_on_the_api(client, objects, method, path, body):
    before = _state()
    response = getattr(client, method)(_path(path, objects),
                                       data=json.dumps(body) if body is not None else None,
                                       content_type="application/json")
    assert response.status_code == 401
    assert _state() == before


def test_lists_hold_only_the_viewers_subtree(client, objects, seed_plan, other_district_cadre, city_admin):
    login(client, other_district_cadre)
    body = client.get("/api/v1/workplan/plans").json()
    assert [p["org"] for p in body["items"]] == ["SH-B"]
    # another district's org in the filter: 404, not an empty list (issue 13 item 14)
    assert client.get("/api/v1/workplan/plans?org=SH-A").status_code == 404
    for name in ("workplan:home", "workplan:rollup", "workplan:departments", "workplan:my_tasks"):
        page = client.get(reverse(name)).content.decode()
        assert "甲区" not in page, name
        assert "测试市总工会" not in page, name
    assert "乙区总工会2018年工作要点" in client.get(reverse("workplan:home")).content.decode()
    login(client, city_admin)
    body = client.get("/api/v1/workplan/plans").json()
    assert sorted(p["org"] for p in body["items"]) == ["SH", "SH-A", "SH-B"]


def test_member_only_adds_people_of_the_federation(client, objects, district_cadre, other_district_cadre):
    before = _state()
    url = reverse("workplan:member_add", args=[objects["department"].pk])
    response = login(client, district_cadre).post(url, {"username": "district_b"}, follow=True)
    assert "本单位及下级单位中没有用户名为“district_b”的用户。" in response.content.decode()
    response = client.post(url, {"username": "nobody"}, follow=True)
    assert "本单位及下级单位中没有用户名为“nobody”的用户。" in response.content.decode()
    assert _state() == before


# query counts stay flat however many milestones, reports and plans there are; every HTML page
# has one more since the shared inbox bell (notifications app) counts the unread messages
LIST_PAGES = [
    ("workplan:home", {}, 13),
    ("workplan:rollup", {}, 12),
    ("workplan:departments", {}, 12),
    ("workplan:notifications", {}, 10),
    ("workplan:my_tasks", {}, 12),
    ("workplan:plan", {"pk": "seed"}, 14),
    ("workplan:supervision", {"pk": "seed"}, 13),
    ("workplan:plan_xlsx", {"pk": "seed"}, 12),
]


@pytest.mark.parametrize(("name", "kwargs", "limit"), LIST_PAGES)
def test_list_pages_query_counts(client, objects, seed_plan, city_admin, tree, name, kwargs, limit,
                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.workplan.tests.conftest import district_plan

    DepartmentMembership.objects.create(
        department=Department.objects.get(org=seed_plan.org, name="办公室"), user=city_admin)
    url = reverse(name, kwargs=dict.fromkeys(kwargs, seed_plan.pk))
    login(client, city_admin)

    def grow(numbers):
        for number in numbers:
            item = seed_plan.items.get(number=number)
            milestone = milestone_create(item=item, title=f"节点{number}", due_date=D(2018, 9, 1),
                                         actor=SYSTEM)
            progress_report_create(milestone=milestone, percent=10, text="进展", actor=SYSTEM)
            reminder_send_manual(milestone=milestone, actor=SYSTEM)

    grow([4])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow([1, 2, 3, 5, 8, 13, 21, 22])
    district_plan(tree["SH-A-1"])  # one more plan in the roll-up
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_parse_endpoint_needs_a_login(client):
    response = client.post("/api/v1/workplan/plans/parse", data=json.dumps({"text": "x"}),
                           content_type="application/json")
    assert response.status_code == 401
    assert parse_plan("x").items == []
