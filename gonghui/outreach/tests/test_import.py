"""The .xlsx station import (refused rows reported with row, column and reason; good rows
saved), the export round trip, and `gonghui outreach import-stations FILE`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.core.actor import system_actor
from gonghui.outreach.models import Station
from gonghui.outreach.services.stations import COLUMNS, stations_export, stations_import

pytestmark = pytest.mark.django_db


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(code, **over):
    base = {"站点编号": code, "站点名称": f"接力站{code}", "类型": "爱心接力站",
            "所属工会代码": "SH-A-1-1", "地址": "南京东路1号", "所在区": "黄浦区", "纬度": 31.23,
            "经度": 121.47, "服务设施": "饮用水、微波炉", "开放时间": "每天 07:00-22:00",
            "联系电话": "021-12345678", "建成日期": "2026-03-01", "公开": "是"}
    base.update(over)
    return [base[c] for c in COLUMNS]


def test_refused_rows_are_reported_and_good_rows_saved(tree):
    data = workbook([
        row("S1"),
        row("S2", 纬度=121.47, 经度=31.23),
        row("S3", 纬度=1.0),
        row("S4", 服务设施="游泳池"),
        row("S5", 所属工会代码="NOPE"),
        row("S6", 开放时间="早八晚八"),
        row("S7", 类型="公园"),
        row("S8", 站点名称=None),
    ])
    report = stations_import(data=data, actor=system_actor("cli"))
    assert (report.created, report.updated) == (1, 0)
    assert report.refused == [
        (3, "纬度", "经纬度似乎填反了：纬度应在 18 到 54 之间，经度应在 73 到 135 之间。"),
        (4, "纬度", "坐标不在中国境内：纬度应在 18 到 54 之间，经度应在 73 到 135 之间。"),
        (5, "服务设施", "不认识的服务设施“游泳池”，可选：饮用水、休息座椅、手机充电、卫生间、微波炉、急救药箱、空调、图书。"),
        (6, "所属工会代码", "找不到工会代码 NOPE。"),
        (7, "开放时间", "无法识别开放时间“早八晚八”，请写成“周一至周五 08:00-20:00”。"),
        (8, "类型", "不认识的站点类型“公园”，可选：户外劳动者服务站点（爱心接力站）、爱心妈咪小屋、职工书屋、服务驿站、帮扶中心。"),
        (9, "站点名称", "必填，不能为空。"),
    ]
    assert list(Station.objects.values_list("code", "amenities")) == [("S1", 17)]


def test_export_round_trip_updates_in_place(tree):
    stations_import(data=workbook([row("S1"), row("S2", 开放时间="周六 22:00-06:00")]),
                    actor=system_actor("cli"))
    exported = stations_export(Station.objects.select_related("org")
                               .prefetch_related("hours").order_by("code"))
    sheet = load_workbook(io.BytesIO(exported)).active
    assert [c.value for c in sheet[3]][9] == "周六 22:00-06:00"
    again = stations_import(data=exported, actor=system_actor("cli"))
    assert (again.created, again.updated, again.refused) == (0, 2, [])
    assert Station.objects.count() == 2


def test_cli_import_stations(tree, tmp_path, capsys):
    path = tmp_path / "stations.xlsx"
    path.write_bytes(workbook([row("C1"), row("C2", 纬度="abc")]))
    with pytest.raises(SystemExit) as exited:
        call_command("outreach", "import-stations", str(path))
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "created 1, updated 0, refused 1",
        "  row 3 [纬度] 经纬度必须是数字，例如 纬度 31.2304、经度 121.4737。"]
    assert list(Station.objects.values_list("code", flat=True)) == ["C1"]
