"""Exports for the leadership meeting (.xlsx, PDF) and a department's own task list."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core import clock
from gonghui.core.actor import SYSTEM
from gonghui.workplan.models import Department
from gonghui.workplan.services.breakdown import milestone_create
from gonghui.workplan.services.progress import progress_report_create

D = dt.date
ARTIFACTS = Path(os.environ.get("GONGHUI_ARTIFACTS", "var/artifacts"))


@pytest.fixture
def broken_down(seed_plan, today):
    items = {i.number: i for i in seed_plan.items.all()}
    with clock.frozen(D(2018, 3, 1)):
        done = milestone_create(item=items[1], title="宣讲方案", due_date=D(2018, 4, 1), actor=SYSTEM)
        late = milestone_create(item=items[5], title="实施意见", due_date=D(2018, 5, 20), actor=SYSTEM)
        soon = milestone_create(item=items[7], title="联席会议", due_date=D(2018, 6, 10), actor=SYSTEM)
        fine = milestone_create(item=items[14], title="APP上线", due_date=D(2018, 9, 30),
                                department=Department.objects.get(org=seed_plan.org, name="办公室"),
                                actor=SYSTEM)
    with clock.frozen(D(2018, 5, 25)):
        progress_report_create(milestone=done, percent=100, text="完成。", actor=SYSTEM)
        progress_report_create(milestone=late, percent=70, text="报审中。", actor=SYSTEM)
        progress_report_create(milestone=soon, percent=30, text="调研中。", actor=SYSTEM)
        progress_report_create(milestone=fine, percent=40, text="测试中。", actor=SYSTEM)
    return seed_plan


def test_plan_xlsx(client, broken_down, city_admin):
    from openpyxl import load_workbook

    response = login(client, city_admin).get(reverse("workplan:plan_xlsx", args=[broken_down.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["任务", "节点"]
    sheet = book["任务"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "上海市总工会常委会2018年工作要点"
    assert rows[1][0] == "督查情况（截至 2018-06-01）"
    assert rows[2][0] == "已逾期 1  存在风险 1  正常推进 1  已完成 1  未分解 18"
    assert rows[4][:4] == ("序号", "部分", "任务", "牵头部门")
    items = rows[5:]
    assert len(items) == 22
    assert items[4][0:5] == (5, "二、围绕中心服务大局，充分发挥工会组织优势和作用", "大力推进产业工人队伍建设",
                             "组织部", "基层工作部、市职工技协服务中心")
    assert [row[9] for row in items[:8]] == ["已完成", "未分解", "未分解", "未分解", "已逾期", "未分解",
                                             "存在风险", "未分解"]
    assert items[4][10] == "实施意见：已逾期 12 天"
    milestones = list(book["节点"].iter_rows(values_only=True))[1:]
    assert [(m[0], m[2], m[3], m[6], m[9]) for m in milestones] == [
        (1, "宣讲方案", "宣传教育部", 100, "已完成"), (5, "实施意见", "组织部", 70, "已逾期"),
        (7, "联席会议", "劳动关系工作部", 30, "存在风险"), (14, "APP上线", "办公室", 40, "正常推进")]


def test_plan_pdf(client, broken_down, city_admin):
    response = login(client, city_admin).get(reverse("workplan:plan_pdf", args=[broken_down.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "workplan-plan.pdf"
    pdf.write_bytes(response.content)
    if shutil.which("pdftoppm"):  # the page images are for people to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(ARTIFACTS / "workplan-plan")], check=True)
    if shutil.which("pdftotext"):
        text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                      capture_output=True, text=True).stdout.split())
        assert "上海市总工会常委会2018年工作要点" in text
        assert "大力推进产业工人队伍建设" in text
        assert "实施意见（组织部，截止5月20日，70%）：已逾期12天" in text
        assert "联席会议（劳动关系工作部，截止6月10日，30%）：距截止9天，进度30%" in text


def test_department_task_list(client, broken_down, city_admin, tree):
    office = Department.objects.get(org=broken_down.org, name="办公室")
    login(client, city_admin)
    from openpyxl import load_workbook

    response = client.get(reverse("workplan:department_xlsx", args=[broken_down.pk, office.pk]))
    rows = list(load_workbook(io.BytesIO(response.content))["任务"].iter_rows(values_only=True))
    assert rows[1][0] == "办公室任务清单 · 督查情况（截至 2018-06-01）"
    # 办公室 leads 4 and 22 and co-operates on 13 and 14
    assert [r[0] for r in rows[5:]] == [4, 13, 14, 22]
    response = client.get(reverse("workplan:department_pdf", args=[broken_down.pk, office.pk]))
    assert response.content.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "workplan-department.pdf").write_bytes(response.content)
    # a department of another org is not this plan's
    other = Department.objects.create(org=tree["SH-A"], name="别处的部门")
    assert client.get(reverse("workplan:department_xlsx", args=[broken_down.pk, other.pk])).status_code == 404


def test_export_query_count(client, broken_down, city_admin, django_assert_max_num_queries):
    login(client, city_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("workplan:plan_pdf", args=[broken_down.pk])).status_code == 200
