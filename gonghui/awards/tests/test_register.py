"""The model-worker register: care records, due lists, hardship help through the aid module;
innovation studios and their re-rating."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.aid.models import HardshipFile
from gonghui.awards.models import CareRecord, ModelWorker, Studio, StudioRating
from gonghui.awards.selectors import model_worker_list
from gonghui.awards.services import register as svc
from gonghui.awards.services import studios as studio_svc
from gonghui.awards.tests.factories import SYSTEM, member
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict

DAY = dt.datetime(2026, 6, 10, 10)


@pytest.fixture
def workers(tree):
    with clock.frozen(DAY):
        out = [svc.model_worker_add(person=member(tree["SH-A-1-1"], name, birth=dt.date(1950, 5, 1)),
                                    union=tree["SH-A-1-1"], actor=SYSTEM, kind="model_worker",
                                    year=1990, level="city", title="上海市劳动模范",
                                    monthly_allowance=Decimal("350.50"))
               for name in ("钱老", "孙老")]
        yield out


def test_due_lists(tree, workers):
    first, second = workers
    with clock.frozen(DAY):
        svc.care_record(worker=first, kind="health_check", on=dt.date(2026, 3, 1), actor=SYSTEM)
        svc.care_record(worker=second, kind="health_check", on=dt.date(2025, 12, 30),
                        actor=SYSTEM)
        svc.care_record(worker=second, kind="visit", on=dt.date(2026, 1, 20), actor=SYSTEM,
                        amount=Decimal("500.00"), note="春节慰问")
        svc.care_record(worker=first, kind="visit", on=dt.date(2025, 12, 11), actor=SYSTEM)
        assert [w.name for w in model_worker_list(viewer=SYSTEM, due="health_check")] == ["孙老"]
        # 180 days before 2026-06-10 is 2025-12-12: the visit on 12-11 is too old
        assert [w.name for w in model_worker_list(viewer=SYSTEM, due="visit")] == ["钱老"]
        with pytest.raises(ApplicationError, match="日期不能晚于今天"):
            svc.care_record(worker=first, kind="visit", on=dt.date(2026, 6, 11), actor=SYSTEM)
    assert CareRecord.objects.filter(model_worker=second, kind="visit").get().amount == Decimal(
        "500.00")
    assert CareRecord.objects.count() == 4


def test_hardship_help_opens_then_links_the_aid_file(tree, workers):
    worker = workers[0]
    with clock.frozen(DAY):
        with pytest.raises(ApplicationError, match="请填写困难情况说明"):
            svc.hardship_help(worker=worker, actor=SYSTEM, note="")
        first = svc.hardship_help(worker=worker, actor=SYSTEM, note="老伴重病，医疗支出大")
        second = svc.hardship_help(worker=worker, actor=SYSTEM, note="再次申请")
    file = HardshipFile.objects.get()
    assert (file.applicant_id, file.applicant_name) == (worker.person_id, "钱老")
    assert first.aid_file == file
    assert second.aid_file == file
    assert first.note == f"新建困难帮扶档案 {file.number}：老伴重病，医疗支出大"
    assert second.note == f"关联困难帮扶档案 {file.number}：再次申请"


def test_register_entry_needs_a_member_of_the_union(tree):
    outsider = member(tree["SH-B-1-1"], "外区")
    with clock.frozen(DAY), pytest.raises(ApplicationError, match="外区不在本单位会员名册中"):
        svc.model_worker_add(person=outsider, union=tree["SH-A-1-1"], actor=SYSTEM,
                             kind="model_worker", year=2000, level="city", title="劳模")
    assert ModelWorker.objects.count() == 0


def test_studio_rating_and_rerating(tree, workers):
    with clock.frozen(DAY):
        studio = studio_svc.studio_create(org=tree["SH-A-1-1"], name="钱老创新工作室",
                                          level="enterprise", founded_year=2020,
                                          actor=SYSTEM, lead=workers[0])
        studio_svc.studio_rate(studio=studio, year=2024, rating="pass", actor=SYSTEM)
        studio_svc.studio_rate(studio=studio, year=2025, rating="excellent", actor=SYSTEM,
                               achievements="革新 8 项")
        with pytest.raises(Conflict, match="2025 年度已评级"):
            studio_svc.studio_rate(studio=studio, year=2025, rating="fail", actor=SYSTEM)
        studio_svc.studio_rate(studio=studio, year=2023, rating="fail", actor=SYSTEM)
        result = studio_svc.result_create(org=tree["SH-A-1-1"], title="快换夹具", year=2025,
                                          people="钱老", actor=SYSTEM, studio=studio,
                                          award="二等奖")
    row = Studio.objects.get()
    assert (row.lead_name, row.rating, row.rated_year) == ("钱老", "excellent", 2025)
    assert list(StudioRating.objects.values_list("year", "rating")) == [
        (2025, "excellent"), (2024, "pass"), (2023, "fail")]
    assert result.studio == row
