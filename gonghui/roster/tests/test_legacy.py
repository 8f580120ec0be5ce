"""Legacy roster migration: 会龄起算日, retired members with their retirement date, old card
numbers unique per union, the original join date; the one seniority function on the card;
export → re-import leaves everything unchanged."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.members.models import Membership, OrgMemberStats, Person
from gonghui.members.seniority import band_of, full_years, seniority_years
from gonghui.members.tests.factories import id_number
from gonghui.roster.columns import match_header
from gonghui.roster.exporter import export_members
from gonghui.roster.models import ImportRejection

from .helpers import run_import

TODAY = dt.date(2026, 5, 12)
HEADER = ["姓名", "身份证号码", "手机号码", "原入会日期", "会龄起算日", "会籍状态", "退休日期",
          "原会员证号"]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_headers_of_a_legacy_roster_are_recognised():
    assert [match_header(h) for h in HEADER] == [
        "name", "id_number", "phone", "joined_on", "seniority_since", "membership_status",
        "retired_on", "legacy_card_number"]


def test_seniority_function():
    assert full_years(dt.date(1996, 5, 13), TODAY) == 29
    assert full_years(dt.date(1996, 5, 12), TODAY) == 30
    assert full_years(dt.date(2000, 2, 29), dt.date(2001, 2, 28)) == 0
    assert band_of(29) == "20–30 年"
    assert band_of(30) == "30 年以上"
    assert band_of(0) == "0–1 年"


def test_legacy_import_keeps_seniority_retirement_and_old_cards(tree, tmp_path, client,
                                                               city_admin):
    union = tree["SH-A-1-1"]
    numbers = [id_number(birth=dt.date(1960, 1, 1)), id_number(birth=dt.date(1980, 6, 1)),
               id_number(), id_number(), id_number()]
    path = _write(tmp_path / "旧系统名册.csv", [
        ["老张", numbers[0], "13812340001", "2001-03-01", "1985-07-01", "退休", "2020-01-31",
         "A-0001"],
        ["小李", numbers[1], "13812340002", "2010-09-01", "2008-09-01", "在册", "", "A-0002"],
        # 会龄起算日 after the join date: rejected, saying why
        ["错一", numbers[2], "13812340003", "2010-09-01", "2011-09-01", "在册", "", "A-0003"],
        # retired without a retirement date
        ["错二", numbers[3], "13812340004", "2010-09-01", "", "退休", "", "A-0004"],
        # the old card number of another member of this union
        ["错三", numbers[4], "13812340005", "2010-09-01", "", "在册", "", "A-0002"],
    ])
    job = run_import(path, union)
    assert (job.status, job.imported, job.rejected) == ("done", 2, 3)
    reasons = dict(ImportRejection.objects.values_list("row_number", "reason"))
    assert reasons == {
        4: "会龄起算日 2011-09-01 晚于入会日期 2010-09-01：会龄起算日应不晚于入会日期。",
        5: "会籍状态为“退休”时请填写退休日期。",
        6: "原会员证号 A-0002 在本工会已被其他会员使用，请核对。",
    }
    old = Membership.objects.get(person__name="老张")
    assert (old.status, old.joined_on, old.seniority_since, old.retired_on,
            old.legacy_card_number) == ("retired", dt.date(2001, 3, 1), dt.date(1985, 7, 1),
                                        dt.date(2020, 1, 31), "A-0001")
    young = Membership.objects.get(person__name="小李")
    assert (young.status, young.seniority_since, young.legacy_card_number) == (
        "active", dt.date(2008, 9, 1), "A-0002")
    assert OrgMemberStats.objects.filter(org=union).values_list(
        "active", "retired").get() == (1, 1)
    # the one seniority function: 1985-07-01 → 2026-05-12 is 40 full years
    assert seniority_years(old, TODAY) == 40
    worker = make_user("laozhang")
    Person.objects.filter(pk=old.person_id).update(user=worker)
    login(client, worker)
    card = client.get(reverse("members:portal_card")).content.decode()
    assert "会龄 40 年" in card

    # the API answers with the same function
    login(client, city_admin)
    api = client.get(f"/api/v1/members/{old.pk}").json()
    assert (api["seniority_years"], api["seniority_since"], api["retired_on"],
            api["legacy_card_number"]) == (40, "1985-07-01", "2020-01-31", "A-0001")
    # the same old card number in ANOTHER union is fine (unique per union only)
    other = _write(tmp_path / "乙.csv", [
        ["王五", id_number(), "13812340006", "2012-01-01", "", "在册", "", "A-0001"]])
    assert run_import(other, tree["SH-B-1-1"]).imported == 1

    # round trip: export with full numbers, import again → nothing changes
    before = sorted(Membership.objects.values_list(
        "person__id_hash", "union_id", "status", "joined_on", "seniority_since", "retired_on",
        "legacy_card_number", "card_number"))
    out = tmp_path / "导出.csv"
    export_members(org=union, actor=city_admin, out=out, reveal=True, purpose="迁移核对")
    import csv

    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.reader(handle))
    legacy = [exported[0].index(h) for h in ("会籍状态", "会龄起算日", "退休日期", "原会员证号")]
    by_name = {r[exported[0].index("姓名")]: [r[i] for i in legacy] for r in exported[1:]}
    assert by_name == {"老张": ["退休（保留会籍）", "1985-07-01", "2020-01-31", "A-0001"],
                       "小李": ["在册", "2008-09-01", "", "A-0002"]}
    again = run_import(out, union)
    assert (again.status, again.imported, again.unchanged, again.rejected) == ("done", 0, 2, 0)
    after = sorted(Membership.objects.values_list(
        "person__id_hash", "union_id", "status", "joined_on", "seniority_since", "retired_on",
        "legacy_card_number", "card_number"))
    assert after == before
