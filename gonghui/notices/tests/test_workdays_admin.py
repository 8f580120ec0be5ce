"""The working-day calendar's administration: page, API, CLI and import share one service (root
administrators only), every write audited."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core import workdays
from gonghui.core.actor import system_actor
from gonghui.core.errors import Forbidden
from gonghui.core.models import WorkdayOverride
from gonghui.notices import workdays as services

D = dt.date


def test_set_and_delete_by_the_root_admin(city_admin):
    row = services.workday_override_set(day=D(2027, 1, 1), kind="holiday", note="元旦",
                                        actor=city_admin)
    assert (row.date, row.kind, row.note, row.created_by_name) == (
        D(2027, 1, 1), "holiday", "元旦", "city_admin")
    services.workday_override_set(day=D(2027, 1, 1), kind="working", actor=city_admin)
    assert WorkdayOverride.objects.get().kind == "working"
    events = list(AuditEvent.objects.filter(action="core.workday.set").order_by("id"))
    assert [e.before for e in events] == [None, {"kind": "holiday", "note": "元旦"}]
    services.workday_override_delete(day=D(2027, 1, 1), actor=city_admin)
    assert WorkdayOverride.objects.count() == 0
    assert AuditEvent.objects.filter(action="core.workday.delete").count() == 1


@pytest.mark.parametrize(("persona", "error"), [
    ("district_cadre", Forbidden), ("auditor", Forbidden), ("member_user", Forbidden),
    ("grassroots_cadre", Forbidden)])
def test_only_root_admins_change_the_calendar(request, persona, error):
    with pytest.raises(error):
        services.workday_override_set(day=D(2027, 1, 1), kind="holiday",
                                      actor=request.getfixturevalue(persona))
    assert WorkdayOverride.objects.count() == 0


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_import_csv_gb18030_all_or_nothing(city_admin):
    good = "日期,类型,说明\n2027-01-01,休息日,元旦\n2027/2/6,上班,调休\n2027年2月11日,放假,春节\n"
    result = services.workday_import(name="2027.csv", data=_csv(good, "gb18030"), actor=city_admin)
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    assert list(WorkdayOverride.objects.values_list("date", "kind", "note")) == [
        (D(2027, 1, 1), "holiday", "元旦"), (D(2027, 2, 6), "working", "调休"),
        (D(2027, 2, 11), "holiday", "春节")]
    bad = "2027-01-01,上班\n2027-13-01,休息\n2027-01-02,摸鱼\n"
    result = services.workday_import(name="x.csv", data=_csv(bad), actor=city_admin)
    assert result.errors == [
        (2, "日期“2027-13-01”不存在（请核对月份和日）。"),
        (3, "类型“摸鱼”无法识别，请填写“工作日”或“休息日”。")]
    assert WorkdayOverride.objects.get(date=D(2027, 1, 1)).kind == "holiday"  # unchanged


def test_import_xlsx_with_excel_dates(city_admin):
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "说明"])
    sheet.append([dt.datetime(2027, 10, 1), "休息日", "国庆"])
    sheet.append([46660, "工作日", "serial"])  # Excel's serial day number of 2027-09-30
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.workday_import(name="cal.xlsx", data=buffer.getvalue(), actor=city_admin)
    assert (result.created, result.errors) == (2, [])
    assert sorted(WorkdayOverride.objects.values_list("date", flat=True)) == [
        D(2027, 9, 30), D(2027, 10, 1)]


def test_import_refuses_other_files(city_admin):
    from gonghui.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        services.workday_import(name="cal.txt", data=b"x", actor=city_admin)
    assert caught.value.code == "file_type"


# --- CLI ---------------------------------------------------------------------------------

def test_cli_show_set_import(db, tmp_path, capsys):
    call_command("workdays", "show", "2026")
    out = capsys.readouterr().out
    assert "2026-02-14 六 上班" in out
    assert "2026-10-01 四 休息" in out
    assert out.strip().endswith("2026 年共 248 个工作日。")
    with pytest.raises(CommandError, match="2027 年的法定节假日安排尚未录入"):
        call_command("workdays", "show", "2027")
    call_command("workdays", "set", "2027-01-01", "holiday", "--note", "元旦")
    assert WorkdayOverride.objects.get().created_by_name == "cli"
    assert AuditEvent.objects.get(action="core.workday.set").actor_name == "cli"
    assert workdays.is_working_day(D(2027, 1, 1)) is False
    path = tmp_path / "2027.csv"
    path.write_text("2027-02-06,工作日,调休\n", encoding="utf-8")
    call_command("workdays", "import", str(path))
    assert "新增 1 天，更新 0 天。" in capsys.readouterr().out
    path.write_text("2027-02-30,工作日\n", encoding="utf-8")
    with pytest.raises(CommandError, match="文件有误"):
        call_command("workdays", "import", str(path))
    with pytest.raises(CommandError, match="日期格式"):
        call_command("workdays", "set", "2027-1-x", "holiday")


def test_cli_close_due(tree, city_admin, capsys):
    from gonghui.core import clock
    from gonghui.notices.services import NoticeItemIn, notice_publish

    with clock.frozen(D(2026, 3, 2)):
        notice_publish(kind="k", title="t", org=tree["SH"], items=[NoticeItemIn(text="甲")],
                       working_days=1, actor=city_admin)
    with clock.frozen(D(2026, 3, 3)):
        call_command("notices", "close-due")
    assert capsys.readouterr().out.strip().endswith("已结束 1 个公示。")


# --- page and API ------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("city_admin", 200), ("district_cadre", 200), ("auditor", 403), ("grassroots_cadre", 403),
    ("member_user", 403)])
def test_calendar_page_statuses(client, request, persona, status):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("workdays:calendar"), {"year": "2026"}).status_code == status


def test_calendar_page_add_delete_import(client, city_admin, district_cadre):
    login(client, city_admin)
    body = client.get(reverse("workdays:calendar"), {"year": "2026"}).content.decode()
    assert "02-14 班" in body
    body = client.get(reverse("workdays:calendar"), {"year": "2027"}).content.decode()
    assert "2027 年的法定节假日安排尚未录入" in body
    response = client.post(reverse("workdays:calendar"),
                           {"date": "2027-01-01", "kind": "holiday", "note": "元旦"})
    assert response.status_code == 302
    assert client.post(reverse("workdays:calendar"), {"date": "x", "kind": "holiday"}
                       ).status_code == 400
    body = client.get(reverse("workdays:calendar"), {"year": "2027", "q": "元旦"}).content.decode()
    assert "2027-01-01" in body
    upload = SimpleUploadedFile("c.csv", "2027-02-06,工作日,调休\n".encode())
    assert client.post(reverse("workdays:import"), {"file": upload}).status_code == 302
    assert WorkdayOverride.objects.count() == 2
    login(client, district_cadre)
    response = client.post(reverse("workdays:calendar"), {"date": "2027-03-01", "kind": "holiday"})
    assert response.status_code == 403
    assert client.post(reverse("workdays:delete", args=["2027-01-01"])).status_code == 403
    assert WorkdayOverride.objects.count() == 2
    login(client, city_admin)
    assert client.post(reverse("workdays:delete", args=["2027-01-01"])).status_code == 302
    assert list(WorkdayOverride.objects.values_list("date", flat=True)) == [D(2027, 2, 6)]


def test_api(client, city_admin, member_user, district_cadre):
    login(client, member_user)
    data = client.get("/api/v1/workdays/2026").json()
    assert {"date": "2026-02-14", "working": True, "source": "library"} in data["days"]
    assert client.get("/api/v1/workdays/2027").json()["code"] == "calendar_year_unknown"
    assert client.get("/api/v1/workdays/2027").status_code == 400
    assert client.get("/api/v1/workdays/period-end",
                      {"start": "2026-09-28", "working_days": 5}).json()["end"] == "2026-10-09"
    # a capability held nowhere: 403 (issue 13 item 14)
    assert client.get("/api/v1/workdays/overrides").status_code == 403
    payload = {"date": "2027-01-01", "kind": "holiday", "note": "元旦"}
    assert client.post("/api/v1/workdays/overrides", json.dumps(payload),
                       content_type="application/json").status_code == 403
    login(client, district_cadre)
    assert client.post("/api/v1/workdays/overrides", json.dumps(payload),
                       content_type="application/json").status_code == 403
    assert WorkdayOverride.objects.count() == 0
    login(client, city_admin)
    response = client.post("/api/v1/workdays/overrides", json.dumps(payload),
                           content_type="application/json")
    assert (response.status_code, response.json()["created_by"]) == (201, "city_admin")
    listed = client.get("/api/v1/workdays/overrides", {"year": 2027}).json()
    assert (listed["count"], listed["items"][0]["note"]) == (1, "元旦")
    assert client.delete("/api/v1/workdays/overrides/2027-01-01").status_code == 204
    assert WorkdayOverride.objects.count() == 0
    assert system_actor("cli").name == "cli"
