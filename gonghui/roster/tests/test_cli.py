"""`gonghui import-members` and `gonghui export-members`."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.members.models import Membership
from gonghui.roster import samples
from gonghui.roster.models import ImportJob

pytestmark = pytest.mark.django_db


def _import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_is_one_object_and_progress_goes_to_stderr(tree, messy_xlsx, tmp_path):
    report = tmp_path / "错误.xlsx"
    out, err = _import(str(messy_xlsx), "--union", "SH-A-1-1", "--json", "--report", str(report))
    assert json.loads(out) == {"imported": 9, "unchanged": 0, "rejected": 5, "skipped": 3,
                               "report": str(report)}
    assert out.count("\n") == 1  # one line: the JSON object
    assert "17/17" in err
    sheet = openpyxl.load_workbook(report).active
    assert sheet.max_row == 2 + 5


def test_plain_output_and_rerun(tree, messy_gb18030):
    out, _err = _import(str(messy_gb18030), "--union", "SH-A-1-1")
    assert out.splitlines()[0] == "导入 9（其中更新 0），无变化 0，未导入 5，跳过 3，共 17 行。"
    assert out.splitlines()[1].startswith("错误报告：")
    out, _err = _import(str(messy_gb18030), "--union", "sh-a-1-1", "--json")
    assert json.loads(out)["unchanged"] == 9


def test_dry_run(tree, messy_xlsx):
    out, _err = _import(str(messy_xlsx), "--union", "SH-A-1-1", "--json", "--dry-run")
    assert json.loads(out)["imported"] == 9
    assert Membership.objects.count() == 0


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"PK\x03\x04broken", "a.xlsx", "无法打开该 Excel 文件"),
    ("会员名册\n张三,李四\n".encode(), "a.csv", "没有找到表头行"),
    (b"hello", "a.docx", "不支持的文件类型“.docx”"),
])
def test_unreadable_file_exits_non_zero(tree, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        _import(str(path), "--union", "SH-A-1-1", "--json")
    assert message in str(error.value)
    assert ImportJob.objects.count() == 0


def test_unknown_union_and_missing_file(tree, messy_xlsx, tmp_path):
    with pytest.raises(CommandError, match="找不到组织代码 NOPE"):
        _import(str(messy_xlsx), "--union", "NOPE")
    with pytest.raises(CommandError, match="文件不存在"):
        _import(str(tmp_path / "missing.csv"), "--union", "SH-A-1-1")


def test_as_user_outside_their_subtree(tree, messy_xlsx, other_district_cadre):
    with pytest.raises(CommandError, match="未找到，或您无权查看。"):
        _import(str(messy_xlsx), "--union", "SH-A-1-1", "--as", "district_b")
    assert Membership.objects.count() == 0


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_members", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_masked_csv_and_xlsx(tree, messy_xlsx, tmp_path):
    _import(str(messy_xlsx), "--union", "SH-A-1-1")
    target = tmp_path / "out.csv"
    assert json.loads(_export("--union", "SH-A", "--out", str(target), "--json")) == {
        "rows": 9, "file": str(target)}
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["工会代码", "工会名称", "姓名", "身份证号码"]
    numbers = [r[3] for r in rows[1:]]
    assert len(numbers) == 9
    assert all(len(n) == 18 and n[3:14] == "*" * 11 for n in numbers)
    assert SensitiveRead.objects.count() == 0
    xlsx = tmp_path / "out.xlsx"
    _export("--union", "SH-A-1-1", "--out", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.max_row == 10
    assert [c.value for c in sheet[2]][3] == numbers[0]
    assert AuditEvent.objects.filter(action="roster.export").count() == 2


def test_export_reveal_needs_a_user_who_may(tree, messy_xlsx, tmp_path, district_cadre,
                                            auditor):
    _import(str(messy_xlsx), "--union", "SH-A-1-1")
    target = tmp_path / "full.csv"
    with pytest.raises(CommandError, match="--reveal 需要用 --as"):
        _export("--union", "SH-A", "--out", str(target), "--reveal")
    # the auditor does not read the member registry at all (issue 12 item 14)
    with pytest.raises(CommandError, match="无权查看 SH-A 的会员"):
        _export("--union", "SH-A", "--out", str(target), "--reveal", "--as", "auditor")
    with pytest.raises(CommandError, match="须填写查看用途"):
        _export("--union", "SH-A", "--out", str(target), "--reveal", "--as", "district_a")
    assert SensitiveRead.objects.count() == 0
    _export("--union", "SH-A", "--out", str(target), "--reveal", "--as", "district_a",
            "--purpose", "年度会员统计核对")
    with target.open(encoding="utf-8-sig") as handle:
        numbers = {r[3] for r in list(csv.reader(handle))[1:]}
    assert samples.id_number(500_000) in numbers
    read = SensitiveRead.objects.get()
    assert (read.actor_id, read.field, read.count, read.org_path) == (
        district_cadre.pk, "id_number", 9, tree["SH-A"].path)


def test_export_scoped_to_the_acting_user(tree, messy_xlsx, tmp_path, other_district_cadre):
    _import(str(messy_xlsx), "--union", "SH-A-1-1")
    with pytest.raises(CommandError, match="无权查看 SH-A"):
        _export("--union", "SH-A", "--out", str(tmp_path / "x.csv"), "--as", "district_b")


def test_export_query_count_does_not_grow_with_rows(tree, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.roster.exporter import export_members
    from gonghui.roster.tests.helpers import run_import

    counts = []
    for size, union in ((3, "SH-A-1-1"), (40, "SH-A-1-2")):
        run_import(samples.write_csv(tmp_path / f"{size}.csv", size, start=size * 1000),
                   tree[union])
        with CaptureQueriesContext(connection) as queries:
            assert export_members(org=tree[union], actor="cli", out=tmp_path / f"{size}.xlsx") \
                == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
