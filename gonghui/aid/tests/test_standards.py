"""Local 低保 standards: resolution, import from messy tables, and re-flagging (never silent
reclassification) when a standard changes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.aid.importers import parse_date, parse_money, parse_rows, parse_year
from gonghui.aid.models import FileActivity, LocalStandard
from gonghui.aid.services import files as svc
from gonghui.aid.services.standards import resolve_standard, standard_save
from gonghui.aid.services.standards_import import standards_import
from gonghui.aid.tests.conftest import active_file, make_person, open_file
from gonghui.core import clock
from gonghui.core.errors import Forbidden, NotFound

# ---- parsing (no database) ----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("1510", "1510.00"), ("1,510.00", "1510.00"), ("１５１０元", "1510.00"), ("¥1510.5", "1510.50"),
    (1510.0, "1510.00"), (1420, "1420.00"), (" 1510元/人/月 ", "1510.00"),
])
def test_parse_money(raw, expected):
    assert parse_money(raw) == Decimal(expected)


@pytest.mark.parametrize(("raw", "message"), [
    # core.cells' messages (say how to fix it); the domain's own checks keep theirs
    ("", "金额不能为空。"), ("一千五", "金额“一千五”无法识别，请只填数字，例如 6500.00。"),
    ("1510.555", r"金额最多两位小数（精确到分）。"),
    ("0", "低保标准必须大于 0"), ("-5", "低保标准必须大于 0"),
    ("150000", "金额 150000 不像每人每月的低保标准"),
])
def test_parse_money_refuses(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_money(raw)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
       st.sampled_from(["{}", "{:,}", "¥{}", "{}元", " {} "]))
def test_parse_money_round_trips(amount, template):
    assert parse_money(template.format(amount)) == amount


@given(st.integers(min_value=2000, max_value=2100), st.sampled_from(["{}", "{}年", "{}年度"]))
def test_parse_year_round_trips(year, template):
    assert parse_year(template.format(year)) == year
    assert parse_year(float(year)) == year


# Excel serials are read within core.cells' one range, 1900–2099
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["{d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}.{d.month}.{d.day}",
                        "{d.year}年{d.month}月{d.day}日"]))
def test_parse_date_round_trips(day, template):
    assert parse_date(template.format(d=day)) == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day


def test_header_below_a_title_with_synonyms_and_errors_by_row():
    rows = [
        ["2025 年本市城乡居民最低生活保障标准", None, None, None],
        [],
        ["地 区", "年份", "最低生活保障标准（元/人/月）", "执行日期"],
        ["上海市", "2025年", "1,510", "2025.7.1"],
        ["黄浦区", 2025, "一千", None],
        ["", "", "", ""],
        ["上海市", "2025", "1520", None],
        [None, "2024", "1420", None],
        ["合计", None, None, None],
    ]
    result = parse_rows(rows)
    assert result.header_line == 3
    assert [(r.line_no, r.region, r.year, r.monthly_line, r.effective_from) for r in result.rows
            ] == [(4, "上海市", 2025, Decimal("1510.00"), dt.date(2025, 7, 1))]
    assert [(e.line_no, e.column, e.reason) for e in result.errors] == [
        (5, "低保标准", "金额“一千”无法识别，请只填数字，例如 6500.00。"),
        (7, "地区", "与第 4 行重复（同一地区同一年度）"),
        (8, "地区", "地区为空"),
    ]


def test_missing_header_is_reported():
    result = parse_rows([["名称", "金额"], ["上海", "1510"]])
    assert result.rows == []
    assert result.errors[0].reason == "没有找到表头：需要“地区”“年度”“低保标准”三列（可在前 20 行内）。"


# ---- resolution and writes ------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_newest_year_then_most_specific_region(tree, city_admin):
    standard_save(org=tree["SH"], year=2024, monthly_line=Decimal("1420"), actor=city_admin)
    standard_save(org=tree["SH"], year=2025, monthly_line=Decimal("1510"), actor=city_admin)
    standard_save(org=tree["SH-A"], year=2024, monthly_line=Decimal("1450"), actor=city_admin)
    path_a = tree["SH-A-1-1"].path
    assert resolve_standard(path_a, 2024).monthly_line == Decimal("1450.00")  # district's own
    assert resolve_standard(path_a, 2025).monthly_line == Decimal("1510.00")  # newer year wins
    assert resolve_standard(path_a, 2026).monthly_line == Decimal("1510.00")  # stays in force
    assert resolve_standard(tree["SH-B-1-1"].path, 2024).monthly_line == Decimal("1420.00")
    assert resolve_standard(path_a, 2023) is None


@pytestmark_db
def test_only_policy_writers_set_standards(tree, district_cadre, other_district_cadre,
                                          auditor):
    # district A lies outside district B's subtree: 404 (the one policy), not 403
    with pytest.raises(NotFound):
        standard_save(org=tree["SH-A"], year=2025, monthly_line=Decimal("1"),
                      actor=other_district_cadre)
    # the auditor sees the org (org.read) but holds no policy.write: 403
    with pytest.raises(Forbidden):
        standard_save(org=tree["SH-A"], year=2025, monthly_line=Decimal("1"), actor=auditor)
    assert LocalStandard.objects.count() == 0
    row, outcome = standard_save(org=tree["SH-A"], year=2025, monthly_line=Decimal("1500"),
                                 actor=district_cadre)
    assert (outcome, row.org_path) == ("created", tree["SH-A"].path)
    assert standard_save(org=tree["SH-A"], year=2025, monthly_line=Decimal("1500.00"),
                         actor=district_cadre)[1] == "unchanged"


@pytestmark_db
def test_changing_a_standard_flags_affected_files_never_reclassifies(
        tree, standard, city_admin, aid_cadre, street_cadre):
    year = clock.today().year
    # per capita 1400 (深度 at 1510) and 1000 (深度 whatever the change below)
    near = active_file(make_person(tree["SH-A-1-1"], "近线"), aid_cadre, street_cadre,
                       incomes=("2800",))
    far = active_file(make_person(tree["SH-A-1-1"], "远线"), aid_cadre, street_cadre,
                      incomes=("2000",))
    other = active_file(make_person(tree["SH-B-1-1"], "乙区"), _cadre(tree, "SH-B-1-1"),
                        _cadre(tree, "SH-B-1"), incomes=("2800",))
    assert [f.category for f in (near, far, other)] == ["deep", "deep", "deep"]
    # confirmed against the proposal (深度) with a reason; the change leaves the proposal
    # where it was, so this file is not affected
    override = open_file(make_person(tree["SH-A-1-1"], "改判"), aid_cadre, incomes=("2000",))
    svc.file_submit(file=override, actor=aid_cadre, category="relative", note="有隐性收入")
    # district A gets its own, lower line: 1300 → near (1400) would now be 相对困难
    standard_save(org=tree["SH-A"], year=year, monthly_line=Decimal("1300"), actor=city_admin)
    for f in (near, far, other):
        f.refresh_from_db()
    assert (near.category, near.proposed_category, near.needs_review) == ("deep", "relative", True)
    assert near.review_reason == (f"甲区总工会 {year} 年度低保标准调整为 1300.00 元/人/月：系统建议类别变为“相对困难”，"
                                  "请复核（当前确认类别不变）。")
    assert (near.line, near.upper_line) == (Decimal("1300.00"), Decimal("1950.00"))
    assert (far.category, far.proposed_category, far.needs_review) == ("deep", "deep", False)
    assert far.line == Decimal("1300.00")
    assert (other.needs_review, other.line) == (False, Decimal("1510.00"))
    override.refresh_from_db()
    assert (override.category, override.proposed_category, override.needs_review) == (
        "relative", "deep", False)
    assert list(FileActivity.objects.filter(kind="standard").values_list("file_id", flat=True)
                ) == [near.pk]


def _cadre(tree, code):
    from conftest import make_user

    return make_user(f"c_{code}", org=tree[code], role="cadre")


def _xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:D1")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytestmark_db
def test_import_xlsx_then_rerun_imports_nothing_twice(tree, city_admin):
    rows = [["本市低保标准", None, None, None], ["地区", "年度", "低保标准", "文件依据"],
            ["SH", 2025, 1510, "沪民规〔2025〕1号"], ["甲区", "2025年", "1,530.00", ""],
            ["乙区总工会", 2025, "abc", ""], ["火星", 2025, 1000, ""]]
    tree["SH-A"].short_name = "甲区"
    tree["SH-A"].save()
    report = standards_import(upload=_xlsx(rows), filename="标准.xlsx", actor=city_admin)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [(e.line_no, e.column, e.reason) for e in report.errors] == [
        (5, "低保标准", "金额“abc”无法识别，请只填数字，例如 6500.00。"),
        (6, "地区", "没有找到地区“火星”（可填组织代码、工会名称或区县名）。"),
    ]
    assert sorted(LocalStandard.objects.values_list("org__code", "monthly_line", "source")) == [
        ("SH", Decimal("1510.00"), "沪民规〔2025〕1号"), ("SH-A", Decimal("1530.00"), "")]
    again = standards_import(upload=_xlsx(rows), filename="标准.xlsx", actor=city_admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert LocalStandard.objects.count() == 2


@pytestmark_db
def test_import_csv_gbk_and_scoped_writes(tree, district_cadre):
    text = "地区,年度,低保标准\nSH-A,2025,1500\nSH-B,2025,1500\n"
    report = standards_import(upload=io.BytesIO(text.encode("gb18030")), filename="a.csv",
                              actor=district_cadre)
    assert report.created == 1
    assert [(e.line_no, e.reason) for e in report.errors] == [(3, "您无权维护“SH-B”的低保标准。")]


@pytestmark_db
def test_reflag_without_any_standard_keeps_only_sudden(tree, aid_cadre, city_admin):
    from gonghui.aid.services import files as svc
    from gonghui.aid.services.standards import files_reflag

    file = svc.file_open(person=make_person(tree["SH-A-1-1"]), actor=aid_cadre)
    svc.file_update(file=file, actor=aid_cadre, sudden=True, sudden_description="车祸")
    file.refresh_from_db()
    assert (file.line, file.proposed_category) == (None, "sudden")
    row, _ = standard_save(org=tree["SH"], year=clock.today().year, monthly_line=Decimal("1510"),
                           actor=city_admin)
    file.refresh_from_db()
    assert (file.line, file.upper_line, file.proposed_category) == (
        Decimal("1510.00"), Decimal("2265.00"), "deep")
    LocalStandard.objects.filter(pk=row.pk).delete()
    assert files_reflag(org_path=tree["SH"].path, actor=city_admin, note="标准撤销") == 0
    file.refresh_from_db()
    assert (file.line, file.upper_line, file.line_year, file.proposed_category) == (
        None, None, None, "sudden")
