"""The import engine on a cadre-style file: every row's outcome, counts, idempotence, conflicts,
in-file duplicates, the registry's invariants, updates, bulk form, error-report round trip."""

from __future__ import annotations

import datetime as dt
import itertools

import openpyxl
import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_org
from gonghui.audit.models import AuditEvent
from gonghui.members.models import (
    EventKind,
    Membership,
    MembershipEvent,
    OrgMemberMonth,
    OrgMemberStats,
    Person,
)
from gonghui.members.services import member_add
from gonghui.roster import samples, services
from gonghui.roster.models import ImportJob, ImportRejection, ImportStatus
from gonghui.roster.tests.helpers import registry_state, run_import

pytestmark = pytest.mark.django_db

MESSY_COUNTS = {"imported": 9, "unchanged": 0, "rejected": 5, "skipped": 3}


def _outcomes(job: ImportJob) -> dict[int, tuple[str, str]]:
    return {r.row_number: ("rejected", r.columns) for r in job.rejections.all()}


def test_messy_xlsx_every_row_has_its_outcome(tree, messy_xlsx):
    job = run_import(messy_xlsx, tree["SH-A-1-1"])
    assert job.status == ImportStatus.DONE
    assert job.counts() == MESSY_COUNTS
    assert job.processed == 17 == len(samples.MESSY_OUTCOMES)
    # data rows start on line 4 (title, 填报单位 line, header)
    expected_rejected = {4 + i: ("rejected", column)
                         for i, (outcome, column) in enumerate(samples.MESSY_OUTCOMES)
                         if outcome == "rejected"}
    assert _outcomes(job) == expected_rejected
    reasons = dict(job.rejections.values_list("row_number", "reason"))
    assert reasons[12] == ("身份证号码被 Excel 转成了科学计数法（3.10113E+17），后几位已丢失，无法恢复；"
                           "请把该列设为“文本”格式后重新填写。")
    assert reasons[13] == "身份证号码校验位不正确，请核对每一位数字。"
    assert reasons[15] == "与第 4 行的身份证号码相同：同一人在名册中只能出现一次，请删除重复的行。"
    assert reasons[17] == "姓名不能为空。"
    assert Membership.objects.filter(union=tree["SH-A-1-1"], status="active").count() == 9


def test_excel_values_are_read_right(tree, messy_xlsx):
    run_import(messy_xlsx, tree["SH-A-1-1"])
    joined = dict(Membership.objects.values_list("person__name", "joined_on"))
    rows = samples.messy_rows()
    # a date cell, an Excel serial number, 2018.1.22 and 2018年1月22日 all mean 2018-01-22
    for index in (1, 2, 3, 4):
        assert joined[rows[index][1]] == dt.date(2018, 1, 22)
    people = {p.name: p for p in Person.objects.all()}
    assert people[rows[5][1]].phone == "13812345678"  # a number cell
    x_person = people[rows[6][1]]
    assert x_person.id_number == rows[6][2].strip().upper()  # lower-case x and spaces
    assert x_person.id_number.endswith("X")
    full_width = people[rows[7][1]]
    assert full_width.id_number == samples.id_number(500_007)  # full-width digits
    synonyms = people[rows[14][1]]
    assert (synonyms.education, synonyms.political_status) == ("bachelor", "cpc")


def test_rerun_changes_nothing(tree, messy_xlsx):
    run_import(messy_xlsx, tree["SH-A-1-1"])
    before = registry_state()
    again = run_import(messy_xlsx, tree["SH-A-1-1"])
    assert again.counts() == {"imported": 0, "unchanged": 9, "rejected": 5, "skipped": 3}
    assert registry_state() == before


def test_registry_invariants_hold_for_bulk_rows(tree, messy_xlsx, city_admin):
    union = tree["SH-A-1-1"]
    job = run_import(messy_xlsx, union, actor=city_admin)
    memberships = Membership.objects.filter(union=union)
    assert memberships.count() == 9
    assert all(m.union_path == union.path and m.seniority_since == m.joined_on
               and m.card_number == f"{m.joined_on.year}{m.pk:010d}" for m in memberships)
    assert set(Person.objects.values_list("member_union_id", flat=True)) == {union.pk}
    stats = OrgMemberStats.objects.get(org=union)
    assert (stats.active, stats.org_path) == (9, union.path)
    assert stats.new_employment == Person.objects.exclude(new_employment_group="").count()
    joins = sum(OrgMemberMonth.objects.filter(org=union).values_list("joins", flat=True))
    assert joins == 9
    month = OrgMemberMonth.objects.get(org=union, month=dt.date(2018, 1, 1))
    assert month.joins == 4
    events = MembershipEvent.objects.filter(union=union)
    assert events.count() == 9
    assert {(e.kind, e.to_status, e.actor_id, e.reason) for e in events} == {
        (EventKind.JOIN, "active", city_admin.pk, f"名册导入（任务 #{job.pk}）")}
    audit = AuditEvent.objects.filter(action="roster.import")
    assert audit.count() == 1
    assert audit.get().after == {"imported": 9, "unchanged": 0, "rejected": 5, "skipped": 3,
                                 "updated": 0, "file": "名册.xlsx"}
    # a later single add by a cadre still works next to the bulk rows (ids, counters)
    added = member_add(union=union, fields={"name": "新会员", "id_number": samples.id_number(5)},
                       actor=city_admin, joined_on="2020-05-01")
    assert OrgMemberStats.objects.get(org=union).active == 10
    assert added.card_number == f"2020{added.pk:010d}"


def test_person_in_another_union_is_a_conflict(tree, messy_xlsx, district_cadre,
                                               grassroots_cadre):
    run_import(messy_xlsx, tree["SH-A-1-1"])
    before = registry_state()
    # district A's cadre sees SH-A-1-1: the conflict names it
    job = run_import(messy_xlsx, tree["SH-A-1-2"], actor=district_cadre)
    assert job.counts() == {"imported": 0, "unchanged": 0, "rejected": 14, "skipped": 3}
    assert registry_state() | {"audit": 0} == before | {"audit": 0}
    reasons = dict(job.rejections.values_list("row_number", "reason"))
    assert reasons[4] == ("该身份证号码的本人已是“甲一公司工会”的会员，不能重复入会；"
                          "如已更换工作单位，请办理会员转会。")
    assert Membership.objects.filter(union=tree["SH-A-1-2"]).count() == 0


def test_conflict_does_not_name_a_union_the_cadre_cannot_see(tree, messy_xlsx,
                                                            other_district_cadre):
    run_import(messy_xlsx, tree["SH-A-1-1"])
    job = run_import(messy_xlsx, tree["SH-B-1-1"], actor=other_district_cadre)
    reasons = dict(job.rejections.values_list("row_number", "reason"))
    assert reasons[4] == "该身份证号码的本人已是其他工会的会员，不能重复入会；请由本人或原工会办理会员转会。"
    assert "甲" not in "".join(reasons.values())


def test_gb18030_csv(tree, messy_gb18030):
    job = run_import(messy_gb18030, tree["SH-A-1-1"])
    assert job.counts() == MESSY_COUNTS
    assert Person.objects.filter(name=samples.messy_rows(600_000)[0][1]).count() == 1


def test_same_rows_in_small_chunks_same_outcome(tree, messy_xlsx):
    job = run_import(messy_xlsx, tree["SH-A-1-1"], chunk_rows=2)
    assert job.counts() == MESSY_COUNTS
    assert job.chunks.count() == 9  # 17 rows in chunks of 2
    assert dict(job.rejections.values_list("row_number", "columns")) == {
        12: "身份证号码", 13: "身份证号码", 14: "手机号", 15: "身份证号码", 17: "姓名"}


def test_dry_run_writes_nothing(tree, messy_xlsx):
    before = registry_state()
    job = run_import(messy_xlsx, tree["SH-A-1-1"], dry_run=True)
    assert job.counts() == MESSY_COUNTS
    assert registry_state() == before
    assert AuditEvent.objects.filter(action__startswith="roster.import").count() == 0


def test_changed_data_updates_the_person(tree, tmp_path, city_admin):
    union = tree["SH-A-1-1"]
    first = samples.write_csv(tmp_path / "a.csv", 5)
    run_import(first, union)
    rows = list(samples.rows(5))
    rows[2][4] = "13900000002"  # new phone
    rows[3][10] = "快递员"  # now a courier: the new-employment counter follows
    changed = tmp_path / "b.csv"
    with changed.open("w", encoding="utf-8") as handle:
        handle.write(",".join(samples.HEADERS) + "\n")
        handle.writelines(",".join(r) + "\n" for r in rows)
    new_before = OrgMemberStats.objects.get(org=union).new_employment
    job = run_import(changed, union, actor=city_admin)
    assert job.counts() == {"imported": 2, "unchanged": 3, "rejected": 0, "skipped": 0}
    assert job.updated == 2
    assert Person.objects.get(name=rows[2][0]).phone == "13900000002"
    assert OrgMemberStats.objects.get(org=union).new_employment == new_before + 1
    edits = MembershipEvent.objects.filter(kind=EventKind.EDIT).order_by("id")
    assert [e.reason for e in edits] == [f"名册导入（任务 #{job.pk}）：手机号",
                                         f"名册导入（任务 #{job.pk}）：新就业形态群体"]
    assert Membership.objects.count() == 5


def test_returning_member_gets_a_new_membership(tree, tmp_path, city_admin):
    from gonghui.members.services import membership_set_status

    union = tree["SH-A-1-1"]
    path = samples.write_csv(tmp_path / "a.csv", 3)
    run_import(path, union)
    old = Membership.objects.order_by("id").first()
    membership_set_status(membership=old, target="withdrawn", actor=city_admin,
                          reason="离职", on=dt.date(2024, 1, 1))
    job = run_import(path, tree["SH-A-1-2"], actor=city_admin)
    assert job.counts() == {"imported": 1, "unchanged": 0, "rejected": 2, "skipped": 0}
    person = Person.objects.get(pk=old.person_id)
    assert person.member_union_id == tree["SH-A-1-2"].pk
    assert person.memberships.count() == 2
    assert OrgMemberStats.objects.get(org=tree["SH-A-1-2"]).active == 1


def test_bulk_form_with_union_codes(tree, tmp_path):
    path = samples.write_csv(tmp_path / "bulk.csv", 6,
                             union_codes=("SH-A-1-1", "SH-A-1-2", "SH-B-1-1"))
    job = run_import(path, tree["SH-A"])
    assert job.counts() == {"imported": 4, "unchanged": 0, "rejected": 2, "skipped": 0}
    assert dict(Membership.objects.values_list("union__code").annotate(n=Count("id"))) == {
        "SH-A-1-1": 2, "SH-A-1-2": 2}
    reasons = set(job.rejections.values_list("columns", "reason"))
    assert reasons == {("工会代码", "工会代码“SH-B-1-1”不存在，或不在“甲区总工会”的范围内，请核对。")}
    assert OrgMemberStats.objects.get(org=tree["SH-A-1-2"]).active == 2


def test_bulk_file_into_a_federation_needs_codes(tree, tmp_path):
    from gonghui.core.errors import ApplicationError

    path = samples.write_csv(tmp_path / "plain.csv", 2)
    with pytest.raises(ApplicationError) as error:
        run_import(path, tree["SH-A"])
    assert error.value.code == "union_not_member_holding"
    assert ImportJob.objects.count() == 0


def test_card_numbers_from_the_roster(tree, tmp_path):
    path = tmp_path / "cards.csv"
    rows = list(samples.rows(3))
    with path.open("w", encoding="utf-8") as handle:
        handle.write("姓名,身份证号码,会员证号\n")
        handle.write(f"{rows[0][0]},{rows[0][1]},A001\n")
        handle.write(f"{rows[1][0]},{rows[1][1]},A001\n")
        handle.write(f"{rows[2][0]},{rows[2][1]},\n")
    job = run_import(path, tree["SH-A-1-1"])
    assert job.counts() == {"imported": 2, "unchanged": 0, "rejected": 1, "skipped": 0}
    assert job.rejections.get().reason == "会员证号与第 2 行相同，请核对。"
    first, third = Membership.objects.order_by("id")
    assert first.card_number == "A001"
    assert third.card_number == f"{third.joined_on.year}{third.pk:010d}"


def test_error_report_round_trip(tree, messy_xlsx, tmp_path):
    """Download the report, fix the rows as told, upload the report itself: the rest imports."""
    job = run_import(messy_xlsx, tree["SH-A-1-1"])
    report = services.write_report(job, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(report)
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "姓 名", "公民身份号码", "性别", "民族", "手机号码", "文化程度",
                       "政治面貌", "户口性质", "工作单位", "岗位", "入会时间", "原行号", "出错列",
                       "错误原因")
    assert [r[12] for r in rows[2:]] == [12, 13, 14, 15, 17]
    assert sheet.cell(row=3, column=3).number_format == "@"
    fixes = {12: ("C", samples.id_number(500_008)), 13: ("C", samples.id_number(500_009)),
             14: ("F", "13812340000"), 17: ("B", "补名字")}
    for index, row in enumerate(sheet.iter_rows(min_row=3), start=3):
        original = row[12].value
        if original in fixes:
            column, value = fixes[original]
            sheet[f"{column}{index}"] = value
    book.save(report)
    again = run_import(report, tree["SH-A-1-1"])
    # 4 fixed rows imported; the duplicate row is the person imported from row 4: unchanged
    assert again.counts() == {"imported": 4, "unchanged": 1, "rejected": 0, "skipped": 0}
    assert Membership.objects.filter(union=tree["SH-A-1-1"]).count() == 13


def test_rejected_cells_are_encrypted_at_rest(tree, messy_xlsx):
    from django.db import connection

    job = run_import(messy_xlsx, tree["SH-A-1-1"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT cells_json FROM roster_importrejection WHERE job_id = %s",
                       [job.pk])
        stored = [bytes(r[0]) for r in cursor.fetchall()]
    assert len(stored) == 5
    assert all(b"310114197905180020" not in s for s in stored)
    assert ImportRejection.objects.get(job=job, row_number=13).cells[2] == "310114197905180020"


def test_unreadable_files_create_no_job(tree, tmp_path):
    from gonghui.roster.readers import UnreadableFile

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    for path in (broken, headerless):
        with pytest.raises(UnreadableFile):
            run_import(path, tree["SH-A-1-1"])
    assert ImportJob.objects.count() == 0


def test_importer_is_scoped_to_the_actor(tree, tmp_path, other_district_cadre):
    from gonghui.core.errors import NotFound

    path = samples.write_csv(tmp_path / "a.csv", 2)
    with pytest.raises(NotFound):  # another district's union: 404, not a hint it exists
        run_import(path, tree["SH-A-1-1"], actor=other_district_cadre)
    assert ImportJob.objects.count() == 0
    assert Membership.objects.count() == 0


def test_member_holding_union_below_a_street(tree, tmp_path):
    """A street union takes members directly (两非一无): a plain roster imports there."""
    street = tree["SH-A-1"]
    path = samples.write_csv(tmp_path / "a.csv", 2)
    job = run_import(path, street)
    assert job.imported == 2
    closed = make_org(tree["SH-A-1"], "SH-A-1-9", "已撤销工会", "grassroots", "grassroots",
                      status="dissolved")
    bulk = samples.write_csv(tmp_path / "b.csv", 2, start=10, union_codes=("SH-A-1-9",))
    job = run_import(bulk, tree["SH-A"])
    assert set(job.rejections.values_list("reason", flat=True)) == {
        f"“{closed.name}”已合并或撤销，不能接收会员。"}


_EXAMPLES = itertools.count()
ROW_KINDS = ("valid", "bad_checksum", "blank", "totals", "repeat", "no_name", "bad_phone")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(ROW_KINDS), min_size=1, max_size=25),
       chunk=st.integers(min_value=1, max_value=7))
def test_every_row_ends_in_exactly_one_outcome(tree, tmp_path_factory, kinds, chunk):
    """Whatever the mix of rows and the chunk size: the counts add up to the rows, each
    outcome is what the row deserves, and a re-run imports nothing."""
    import csv

    example = next(_EXAMPLES)
    union = make_org(tree["SH-A-1"], f"SH-A-1-P{example}", f"测试工会{example}", "grassroots",
                     "grassroots")
    base = 90_000 + 100 * example  # people of this example only
    path = tmp_path_factory.mktemp("p") / "r.csv"
    expected = {"imported": 0, "unchanged": 0, "rejected": 0, "skipped": 0}
    lines: list[list[str]] = []
    first_valid: int | None = None
    for i, kind in enumerate(kinds):
        if kind == "repeat" and first_valid is None:
            kind = "valid"  # nothing to repeat yet
        row = samples.person_row(base + i)
        if kind == "bad_checksum":
            row[1] = row[1][:17] + ("1" if row[1][17] != "1" else "2")
        elif kind == "blank":
            row = [""] * len(row)
        elif kind == "totals":
            row = ["合计", f"共 {i} 人"] + [""] * (len(row) - 2)
        elif kind == "repeat":
            row = samples.person_row(first_valid)  # type: ignore[arg-type]
        elif kind == "no_name":
            row[0] = ""
        elif kind == "bad_phone":
            row[4] = "12345"
        elif first_valid is None:
            first_valid = base + i
        outcome = {"valid": "imported", "blank": "skipped", "totals": "skipped"}.get(
            kind, "rejected")
        expected[outcome] += 1
        lines.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(samples.HEADERS)
        writer.writerows(lines)
    job = run_import(path, union, chunk_rows=chunk)
    assert job.counts() == expected
    assert job.processed == len(kinds)
    assert Membership.objects.filter(union=union).count() == expected["imported"]
    stats = OrgMemberStats.objects.filter(org=union).first()
    assert (stats.active if stats else 0) == expected["imported"]
    again = run_import(path, union, chunk_rows=chunk)
    assert again.counts() == {**expected, "imported": 0, "unchanged": expected["imported"]}
