"""The to-do provider of outreach: stations whose yearly inspection is still to do, for the
cadres who may record it, in their own subtrees only."""

from __future__ import annotations

import datetime as dt

from conftest import make_user
from gonghui.core.todo import collect, counts
from gonghui.outreach.services.stations import inspection_add, station_set_status
from gonghui.outreach.tests.conftest import make_station
from gonghui.outreach.todo import InspectionDueTodo


def test_inspection_due_lists_stations_not_yet_passed(tree, cadre_a, frozen_now) -> None:
    old = make_station(tree["SH-A-1-1"], code="A-OLD", name="甲一站", opened_on=dt.date(2020, 5, 1))
    new = make_station(tree["SH-A-1"], code="A-NEW", name="甲二站", opened_on=dt.date(2026, 3, 1))
    done = make_station(tree["SH-A-1"], code="A-DONE", name="甲三站")
    failed = make_station(tree["SH-A-1"], code="A-FAIL", name="甲四站",
                          opened_on=dt.date(2024, 1, 1))
    gone = make_station(tree["SH-A-1"], code="A-GONE", name="甲五站")
    make_station(tree["SH-B"], code="B-1", name="乙一站")
    inspection_add(station=done, inspected_on=dt.date(2026, 6, 1), passed=True, inspector="王",
                   note="", actor=cadre_a)
    inspection_add(station=failed, inspected_on=dt.date(2026, 6, 2), passed=False,
                   inspector="王", note="饮水机损坏", actor=cadre_a)
    inspection_add(station=old, inspected_on=dt.date(2025, 6, 1), passed=True, inspector="王",
                   note="", actor=cadre_a)     # last year's inspection does not count
    station_set_status(station=gone, status="removed", reason="拆除", actor=cadre_a)

    # the provider's own order: oldest station first
    items = InspectionDueTodo().items(cadre_a, limit=10)
    assert [i.title for i in items] == ["甲一站（甲一公司工会）今年尚未检查",
                                        "甲四站（甲区一街道工会）今年尚未检查",
                                        "甲二站（甲区一街道工会）今年尚未检查"]
    assert items[0].url == f"/outreach/stations/{old.pk}/"
    assert items[0].due == dt.date(2026, 12, 31)
    assert counts(cadre_a)["outreach.inspection_due"] == 3
    merged = [i.title for i in collect(cadre_a, limit=50) if i.kind == "outreach.inspection_due"]
    assert sorted(merged) == sorted(i.title for i in items)
    assert items[2].url == f"/outreach/stations/{new.pk}/"


def test_inspection_due_needs_write(tree, frozen_now) -> None:
    make_station(tree["SH-A-1"], code="A-1")
    viewer = make_user("viewer_a", org=tree["SH-A"], role="viewer")
    other = make_user("outreach_b", org=tree["SH-B"], role="cadre")
    assert counts(viewer).get("outreach.inspection_due", 0) == 0
    assert counts(other)["outreach.inspection_due"] == 0
