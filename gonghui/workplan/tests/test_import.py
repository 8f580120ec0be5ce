"""Importing plans: the seed plan into the database, the upload → preview → save pages, the API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core.actor import SYSTEM
from gonghui.core.errors import Conflict
from gonghui.workplan.models import (
    Department,
    DraftStatus,
    Heading,
    Item,
    ItemDepartment,
    Plan,
    PlanDraft,
)
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.services.plans import plan_create
from gonghui.workplan.tests.conftest import SEED
from gonghui.workplan.tests.test_parsing import HEADINGS, ITEMS

SEED_DEPARTMENTS = [
    "宣传教育部", "组织部", "市工人文化宫", "劳动关系工作部", "基层工作部", "办公室", "研究室",
    "权益保障部", "宣传部", "财务资产管理部", "经审办", "市职工技协服务中心", "市总职工援助服务中心",
    "市职工保障互助中心", "海鸥集团", "机关党委", "工会学院", "女职工委员会办公室",
]  # fmt: skip  (in order of first mention)


def _departments_of(item: Item) -> list[tuple[str, str]]:
    return list(ItemDepartment.objects.filter(item=item).order_by("position")
                .values_list("department__name", "role"))


def test_seed_plan_imports_with_every_item_and_department(seed_plan, tree):
    plan = Plan.objects.get(pk=seed_plan.pk)
    assert (plan.org.code, plan.year, plan.title) == ("SH", 2018, "上海市总工会常委会2018年工作要点")
    assert (plan.header, plan.doc_number, plan.issuing_office) == (
        "上海市总工会文件", "沪工办〔2018〕1号", "上海市总工会办公室")
    assert plan.issued_on.isoformat() == "2018-01-22"
    assert plan.notice_title == "关于印发《上海市总工会常委会2018年工作要点》的通知"
    assert list(Heading.objects.filter(plan=plan).values_list("label", "text")) == list(
        zip("一二三四五六", HEADINGS, strict=True))
    items = list(Item.objects.filter(plan=plan).select_related("heading").order_by("number"))
    assert len(items) == 22
    for item, (number, heading, title, start, departments) in zip(items, ITEMS, strict=True):
        assert (item.number, item.heading.number, item.title) == (number, heading, title)
        assert item.text.startswith(start)
        assert _departments_of(item) == [(departments[0], "lead")] + [(d, "co") for d in departments[1:]]
    # the federation's list of departments, created from the plan's names, once each
    assert list(Department.objects.filter(org=tree["SH"]).values_list("name", flat=True)) == SEED_DEPARTMENTS
    assert AuditEvent.objects.filter(action="workplan.department_create").count() == 18
    event = AuditEvent.objects.get(action="workplan.plan_create")
    assert (event.after["headings"], event.after["items"], event.org_path) == (6, 22, tree["SH"].path)


def test_departments_are_reused_by_the_next_plan(seed_plan, tree):
    text = "市总工会2019年工作要点\n一、服务\n1. 做好帮扶。（责任单位：权益保障部、新成立部）\n"
    plan = plan_create(org=tree["SH"], parsed=parse_plan(text), actor=SYSTEM)
    assert Department.objects.filter(org=tree["SH"]).count() == 19
    item = plan.items.get()
    assert _departments_of(item) == [("权益保障部", "lead"), ("新成立部", "co")]
    assert item.assignments.get(role="lead").department_id == Department.objects.get(
        org=tree["SH"], name="权益保障部").pk


def test_importing_the_same_plan_twice_is_refused(seed_plan, tree):
    before = (Plan.objects.count(), Item.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as excinfo:
        plan_create(org=tree["SH"], parsed=parse_plan(SEED.read_text(encoding="utf-8")), actor=SYSTEM)
    assert excinfo.value.message == "本单位已有同名或同文号的工作要点：上海市总工会常委会2018年工作要点"
    assert (Plan.objects.count(), Item.objects.count(), AuditEvent.objects.count()) == before


def test_upload_preview_correct_and_save(client, tree, city_admin, today):
    login(client, city_admin)
    assert client.get(reverse("workplan:import")).status_code == 200
    upload = SimpleUploadedFile("上海2018.txt", SEED.read_bytes(), content_type="text/plain")
    response = client.post(reverse("workplan:import"), {"org": tree["SH"].pk, "file": upload})
    draft = PlanDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workplan:preview", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    assert "识别出 6 个部分、22 项任务。" in page
    assert Plan.objects.count() == 0  # nothing saved before the office confirms

    # the office corrects the preview: heading 一 reworded, item 12 loses its 等-department,
    # item 22 deleted, one item added under heading 六
    data = _form_of(draft)
    data["h0-text"] = "以党的十九大精神为统领"
    data["i11-departments"] = "基层工作部、劳动关系工作部"
    data["i21-delete"] = "1"
    data["i22-text"] = "做好信息化建设。"
    data["i22-heading"] = "5"
    data["i22-departments"] = "办公室、信息中心"
    data["action"] = "commit"
    response = client.post(reverse("workplan:preview", args=[draft.pk]), data)
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workplan:plan", args=[plan.pk])
    assert plan.headings.get(number=1).text == "以党的十九大精神为统领"
    items = list(plan.items.order_by("number"))
    assert len(items) == 22
    assert _departments_of(items[11]) == [("基层工作部", "lead"), ("劳动关系工作部", "co")]
    assert (items[21].title, items[21].heading.number) == ("做好信息化建设", 6)
    assert _departments_of(items[21]) == [("办公室", "lead"), ("信息中心", "co")]
    assert "女职工委员会办公室" not in set(Department.objects.values_list("name", flat=True))
    draft.refresh_from_db()
    assert (draft.status, draft.plan_id) == (DraftStatus.SAVED, plan.pk)
    # a second click on "确认导入" changes nothing
    response = client.post(reverse("workplan:preview", args=[draft.pk]), data)
    assert response.status_code == 409  # a conflict (was 400: the API's status wins)
    assert "该导入已处理，不能再修改。" in response.content.decode()
    assert Plan.objects.count() == 1


def _form_of(draft: PlanDraft) -> dict[str, str]:
    """What the preview form posts back unchanged."""
    d = draft.data
    data = {"title": d["title"], "year": str(d["year"]), "header": d["notice"]["header"],
            "doc_number": d["notice"]["doc_number"], "notice_title": d["notice"]["title"],
            "notice_recipients": d["notice"]["recipients"], "notice_body": d["notice"]["body"],
            "issuing_office": d["notice"]["office"], "issued_on": d["notice"]["issued_on"] or "",
            "preamble": d["preamble"], "heading_count": str(len(d["headings"]) + 1),
            "item_count": str(len(d["items"]) + 2)}
    for i, h in enumerate(d["headings"]):
        data[f"h{i}-text"] = h["text"]
    for i, item in enumerate(d["items"]):
        data.update({f"i{i}-label": item["label"], f"i{i}-title": item["title"],
                     f"i{i}-text": item["text"], f"i{i}-departments": "、".join(item["departments"]),
                     f"i{i}-heading": "" if item["heading"] is None else str(item["heading"])})
    return data


def test_preview_refuses_an_item_without_departments(client, tree, city_admin, today):
    login(client, city_admin)
    client.post(reverse("workplan:import"), {"org": tree["SH"].pk, "text": SEED.read_text(encoding="utf-8")})
    draft = PlanDraft.objects.get()
    data = _form_of(draft)
    data["i6-departments"] = ""
    data["action"] = "commit"
    response = client.post(reverse("workplan:preview", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "第 7 项没有责任单位。" in response.content.decode()
    assert (Plan.objects.count(), Department.objects.count()) == (0, 0)
    assert PlanDraft.objects.get().status == DraftStatus.DRAFT


def test_upload_errors_are_clear(client, tree, city_admin):
    login(client, city_admin)
    response = client.post(reverse("workplan:import"), {"org": tree["SH"].pk})
    assert "请上传文件，或粘贴工作要点全文。" in response.content.decode()
    upload = SimpleUploadedFile("plan.doc", b"\xd0\xcf\x11\xe0", content_type="application/msword")
    response = client.post(reverse("workplan:import"), {"org": tree["SH"].pk, "file": upload})
    assert "不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传。" in response.content.decode()
    assert PlanDraft.objects.count() == 0


def test_discard_and_other_users_drafts(client, tree, city_admin, district_cadre, today):
    login(client, city_admin)
    client.post(reverse("workplan:import"), {"org": tree["SH-A"].pk, "text": SEED.read_text(encoding="utf-8")})
    draft = PlanDraft.objects.get()
    # a draft is its uploader's: even the district's own admin does not see it
    assert login(client, district_cadre).get(reverse("workplan:preview", args=[draft.pk])).status_code == 404
    login(client, city_admin)
    client.post(reverse("workplan:preview", args=[draft.pk]), {"action": "discard"})
    assert PlanDraft.objects.get().status == DraftStatus.DISCARDED
    assert Plan.objects.count() == 0


def test_api_parse_and_create(client, tree, district_cadre):
    login(client, district_cadre)
    response = client.post("/api/v1/workplan/plans/parse",
                           data=json.dumps({"text": SEED.read_text(encoding="utf-8")}),
                           content_type="application/json")
    parsed = response.json()
    assert (len(parsed["headings"]), len(parsed["items"])) == (6, 22)
    assert parsed["items"][13]["departments"] == ["宣传部", "办公室"]
    assert Plan.objects.count() == 0
    payload = {
        "org": "SH-A", "title": "甲区2018年工作要点", "year": 2018,
        "headings": [{"text": "服务职工"}],
        "items": [{"heading": 0, "text": "做好送温暖工作。", "departments": ["权益保障部", "办公室"]}],
    }
    response = client.post("/api/v1/workplan/plans", data=json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["org"], body["item_count"], body["headings"][0]["label"]) == ("SH-A", 1, "一")
    assert body["items"][0]["departments"] == [
        {"id": body["items"][0]["departments"][0]["id"], "name": "权益保障部", "role": "lead"},
        {"id": body["items"][0]["departments"][1]["id"], "name": "办公室", "role": "co"}]
    assert body["items"][0]["health"] == "unplanned"
    payload["items"][0]["departments"] = []
    payload["title"] = "另一份"
    response = client.post("/api/v1/workplan/plans", data=json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "第 1 项没有责任单位。"
    assert Plan.objects.count() == 1
