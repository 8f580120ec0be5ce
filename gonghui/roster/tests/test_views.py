"""Roster pages: the upload → preview → import → report flow, the template, exports, and the
permission rules of every page (404 outside the subtree, nothing changed)."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from conftest import login
from gonghui.audit.models import SensitiveRead
from gonghui.members.models import Membership
from gonghui.roster import samples
from gonghui.roster.models import ExportJob, ImportJob, ImportStatus
from gonghui.roster.tests.helpers import registry_state, run_import

pytestmark = pytest.mark.django_db


def _upload(client, path, union="SH-A-1-1"):
    with path.open("rb") as handle:
        return client.post(reverse("roster:upload"), {"union": union, "file": handle})


def _xlsx(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_upload_preview_import_report(client, settings, tree, grassroots_cadre, messy_xlsx,
                                      django_capture_on_commit_callbacks):
    login(client, grassroots_cadre)
    response = _upload(client, messy_xlsx)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roster:preview", args=[job.pk])
    assert job.status == ImportStatus.UPLOADED
    page = client.get(response["Location"]).content.decode()
    assert "表头在第 3 行" in page
    assert "公民身份号码" in page
    assert "已检查前 17 行：10 行格式正确，4 行有问题，3 行为空行或合计行" in page
    assert "身份证号码校验位不正确，请核对每一位数字。" in page
    form = {f"col_{k}": v for k, v in job.mapping["columns"].items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:preview", args=[job.pk]),
                               {**form, "action": "start"})
    assert response["Location"] == reverse("roster:job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.counts()) == (ImportStatus.DONE, {
        "imported": 9, "unchanged": 0, "rejected": 5, "skipped": 3})
    # the uploaded copy is gone once imported: the rows live in the registry now
    assert not (Path(settings.MEDIA_ROOT) / job.source_path).exists()
    page = client.get(response["Location"]).content.decode()
    assert "下载错误报告" in page
    assert "与第 4 行的身份证号码相同" in page
    rows = _xlsx(client.get(reverse("roster:report", args=[job.pk])))
    assert [r[12] for r in rows[2:]] == [12, 13, 14, 15, 17]
    assert SensitiveRead.objects.count() == 0  # the uploader takes their own rows back


def test_mapping_correction(client, tree, grassroots_cadre, messy_xlsx):
    login(client, grassroots_cadre)
    _upload(client, messy_xlsx)
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items()}
    columns["col_5"] = ""  # do not import the phone column
    response = client.post(reverse("roster:preview", args=[job.pk]), {**columns, "action": "save"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert "5" not in job.mapping["columns"]
    columns["col_2"] = ""  # without the ID column: refused, the preview shown again with 400
    response = client.post(reverse("roster:preview", args=[job.pk]),
                           {**columns, "action": "save"})
    assert response.status_code == 400
    job.refresh_from_db()
    assert job.mapping["columns"]["2"] == "id_number"
    assert "必须指定“身份证号码”所在的列。" in response.content.decode()


def test_dry_run_from_the_page(client, tree, grassroots_cadre, messy_xlsx,
                               django_capture_on_commit_callbacks):
    login(client, grassroots_cadre)
    _upload(client, messy_xlsx)
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:preview", args=[job.pk]), {**columns, "action": "dry_run"})
    job.refresh_from_db()
    assert (job.dry_run, job.imported, Membership.objects.count()) == (True, 9, 0)
    assert "这是试运行，没有写入任何数据。" in client.get(reverse("roster:job", args=[job.pk])
                                                   ).content.decode()


def test_upload_of_unreadable_file(client, tree, grassroots_cadre, tmp_path):
    login(client, grassroots_cadre)
    path = tmp_path / "x.csv"
    path.write_text("会员名册\n", encoding="utf-8")
    response = _upload(client, path)
    assert response.status_code == 400  # refused: the page again, with the reason
    page = response.content.decode()
    assert "没有找到表头行" in page
    assert ImportJob.objects.count() == 0


def test_template(client, tree, grassroots_cadre):
    login(client, grassroots_cadre)
    response = client.get(reverse("roster:template"))
    content = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["会员名册"]
    headers = [c.value for c in sheet[2]]
    assert headers[:6] == ["姓名*", "身份证号码*", "性别", "出生日期", "民族", "手机号"]
    assert book["代码表"].sheet_state == "hidden"
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation
             if dv.type == "list"}
    assert lists["C3:C5002"] == "'代码表'!$A$2:$A$3"  # 性别: 男, 女
    assert lists["E3:E5002"] == "'代码表'!$B$2:$B$59"  # 58 民族
    assert len(lists) == 8  # every coded column has its list
    assert sheet.column_dimensions["B"].number_format == "@"  # ID numbers typed as text
    assert sheet.column_dimensions["F"].number_format == "@"  # phone
    assert [c.value for c in book["代码表"]["A"]][:3] == ["性别", "男", "女"]
    bulk = openpyxl.load_workbook(io.BytesIO(b"".join(
        client.get(reverse("roster:template") + "?bulk=1").streaming_content)))
    assert bulk["会员名册"]["A2"].value == "工会代码*"


def test_template_imports_cleanly(tree, tmp_path):
    """A template filled in (ID typed as text) imports: headers and lists match the rules."""
    from gonghui.roster.report import write_template

    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["会员名册"]
    row = ["王小明", samples.id_number(42), "", "", "汉族", "13812345678", "大学本科", "群众",
           "城镇户籍", "劳动合同制", "非新就业形态群体", "某公司", "钳工", "技师（二级）", "6500",
           "2020-03-01", ""]
    for column, value in enumerate(row, start=1):
        sheet.cell(row=3, column=column, value=value)
    book.save(path)
    job = run_import(path, tree["SH-A-1-1"])
    assert job.counts() == {"imported": 1, "unchanged": 0, "rejected": 0, "skipped": 0}
    person = Membership.objects.get().person
    assert (person.skill_level, str(person.monthly_wage)) == ("technician", "6500.00")


def test_export_in_the_background(client, tree, grassroots_cadre, messy_xlsx,
                                  django_capture_on_commit_callbacks):
    run_import(messy_xlsx, tree["SH-A-1-1"])
    login(client, grassroots_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:export_create"),
                               {"union": "SH-A-1-1", "file_format": "xlsx", "reveal": "on",
                                "purpose": "社保核对"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("roster:export", args=[job.pk])
    assert (job.status, job.processed, job.reveal) == ("done", 9, True)
    read = SensitiveRead.objects.get()
    assert (read.actor_id, read.count, read.purpose) == (grassroots_cadre.pk, 9, "社保核对")
    rows = _xlsx(client.get(reverse("roster:export_download", args=[job.pk])))
    assert len(rows) == 10
    assert samples.id_number(500_000) in {r[3] for r in rows}
    # a revealed export is handed over once
    again = client.get(reverse("roster:export_download", args=[job.pk]))
    assert again.status_code == 400
    assert "只能下载一次" in again.content.decode()


def test_export_reveal_refused_without_the_right(client, tree, messy_xlsx,
                                                 django_capture_on_commit_callbacks):
    from conftest import make_user

    run_import(messy_xlsx, tree["SH-A-1-1"])
    cadre = make_user("cadre_a", org=tree["SH-A-1"], role="cadre")
    login(client, cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:export_create"),
                    {"union": "SH-A-1", "file_format": "csv", "reveal": "on",
                     "purpose": "社保核对"})
    assert ExportJob.objects.count() == 0
    assert SensitiveRead.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:export_create"), {"union": "SH-A-1", "file_format": "csv"})
    job = ExportJob.objects.get()
    content = b"".join(client.get(reverse("roster:export_download", args=[job.pk]))
                       .streaming_content).decode("utf-8-sig")
    assert samples.id_number(500_000) not in content
    assert samples.id_number(500_000)[:3] + "*" * 11 + samples.id_number(500_000)[-4:] in content


@pytest.fixture
def a_job(tree, messy_xlsx, grassroots_cadre):
    return run_import(messy_xlsx, tree["SH-A-1-1"], actor=grassroots_cadre)


@pytest.fixture
def an_export(tree, a_job, grassroots_cadre):
    from gonghui.roster import services

    job = ExportJob.objects.create(org=tree["SH-A-1-1"], org_path=tree["SH-A-1-1"].path,
                                   created_by=grassroots_cadre, created_by_name="g")
    return services.export_job_run(job=job)


JOB_PAGES = [
    ("get", "roster:job", {}), ("get", "roster:preview", {}),
    ("post", "roster:preview", {"action": "cancel"}), ("get", "roster:progress", {}),
    ("post", "roster:resume", {}), ("post", "roster:cancel", {}), ("get", "roster:report", {}),
]


def _state():
    return (list(ImportJob.objects.values_list("id", "status", "imported")),
            list(ExportJob.objects.values_list("id", "status", "file_path")),
            SensitiveRead.objects.count(), registry_state())


@pytest.mark.parametrize(("method", "name", "data"), JOB_PAGES)
def test_job_pages_hide_other_district(client, tree, a_job, other_district_cadre, method, name,
                                       data):
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(
        reverse(name, args=[a_job.pk]), data)
    assert response.status_code == 404
    assert "甲" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "data"), [
    *JOB_PAGES, ("get", "roster:home", {}), ("get", "roster:template", {}),
    ("post", "roster:upload", {"union": "SH-A-1-1"}),
    ("post", "roster:export_create", {"union": "SH-A-1-1", "file_format": "csv"}),
])
def test_pages_anonymous_redirect_to_login(client, tree, a_job, method, name, data):
    before = _state()
    args = [a_job.pk] if name in {n for _m, n, _d in JOB_PAGES} else []
    response = getattr(client, method)(reverse(name, args=args), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state() == before


@pytest.mark.parametrize("name", ["roster:export", "roster:export_download"])
def test_export_pages_are_the_creators_only(client, tree, an_export, district_cadre,
                                            other_district_cadre, name):
    before = _state()
    for user in (district_cadre, other_district_cadre):  # even the district above: 404
        response = login(client, user).get(reverse(name, args=[an_export.pk]))
        assert response.status_code == 404
    assert _state() == before


def test_upload_and_export_into_other_district(client, tree, other_district_cadre, messy_xlsx):
    login(client, other_district_cadre)
    before = _state()
    assert _upload(client, messy_xlsx, union="SH-A-1-1").status_code == 404
    response = client.post(reverse("roster:export_create"),
                           {"union": "SH-A", "file_format": "csv"})
    assert response.status_code == 404
    assert _state() == before


def test_report_of_someone_else_needs_reveal(client, tree, a_job, district_cadre):
    from conftest import make_user

    cadre = make_user("cadre_a1", org=tree["SH-A-1"], role="cadre")  # may write, not reveal
    response = login(client, cadre).get(reverse("roster:report", args=[a_job.pk]))
    assert response.status_code == 403
    assert SensitiveRead.objects.count() == 0
    response = login(client, district_cadre).get(reverse("roster:report", args=[a_job.pk]))
    assert response.status_code == 200
    read = SensitiveRead.objects.get()
    assert (read.actor_id, read.count, read.field) == (district_cadre.pk, 5, "id_number")


def test_no_roster_page_without_member_rights(client, tree, member_user):
    assert login(client, member_user).get(reverse("roster:home")).status_code == 403


def test_auditor_sees_no_roster(client, tree, auditor, a_job):
    # 经审 reads funds, not the member registry (issue 12 item 14): neither the roster page nor
    # a job of their subtree is theirs to see.
    login(client, auditor)
    assert client.get(reverse("roster:home")).status_code == 403  # a list: 403 (issue 13 #14)
    assert client.get(reverse("roster:job", args=[a_job.pk])).status_code == 404


def test_home_lists_jobs_with_few_queries(client, tree, district_cadre, tmp_path,
                                          django_assert_max_num_queries):
    for i in range(30):
        run_import(samples.write_csv(tmp_path / f"r{i}.csv", 2, start=10 * i),
                   tree["SH-A-1-1" if i % 2 else "SH-A-1-2"], actor=district_cadre)
    login(client, district_cadre)
    # 12 of the roster page + 1 of base.html's notification bell (its unread count) + 1 of the
    # org-filter gate (accounts.gates.OrgFilterGate: is SH-A-1-1 inside the viewer's subtrees?)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("roster:home") + "?org=SH-A-1-1")
    page = response.content.decode()
    assert "共 15 条" in page
    with django_assert_max_num_queries(13):
        page = client.get(reverse("roster:home") + "?q=r29.csv").content.decode()
    assert "共 1 条" in page


def test_resume_a_job_whose_worker_died(client, tree, grassroots_cadre, messy_xlsx,
                                        django_capture_on_commit_callbacks):
    login(client, grassroots_cadre)
    _upload(client, messy_xlsx)
    job = ImportJob.objects.get()
    # as a worker killed mid-way leaves it: "running", held by a process that is gone
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, runner=f"{socket.gethostname()}:999999999")
    page = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    assert "继续导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:resume", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportStatus.DONE, 9)


def test_rejection_reasons_read_in_the_readers_language(client, tree, a_job, grassroots_cadre):
    """Issue 12 item 18: the reasons were stored in Chinese by the worker; a reader in English
    gets the validation reasons in English, worked out again from the row's own cells; a
    reason the file comparison gave (a repeated ID number) stays as stored."""
    login(client, grassroots_cadre)
    url = reverse("roster:job", args=[a_job.pk])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "身份证号码校验位不正确，请核对每一位数字。" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "The ID number&#x27;s check digit is incorrect; please check every digit." in english
    assert "身份证号码校验位不正确，请核对每一位数字。" not in english
    assert "与第 4 行的身份证号码相同" in english
    assert a_job.rejections.filter(reason="身份证号码校验位不正确，请核对每一位数字。").count() == 1
