"""The district risk map: employers by level per street (a table, heat tiles, the API), scoped,
with a query count that does not grow with the number of employers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_org
from gonghui.core import clock
from gonghui.rights import selectors
from gonghui.rights.models import EmployerRisk
from gonghui.rights.tests.conftest import make_employer

pytestmark = pytest.mark.django_db


def _risk(area: Any, level: str, name: str) -> EmployerRisk:
    employer = make_employer(area, name)
    return EmployerRisk.objects.create(employer=employer, area_path=area.path, score=1,
                                       level=level, signals=1, computed_at=clock.now())


@pytest.fixture
def streets(tree):
    a2 = make_org(tree["SH-A"], "SH-A-2", "甲区二街道工会", "street", "street")
    _risk(tree["SH-A-1"], "red", "甲一红")
    _risk(tree["SH-A-1"], "green", "甲一绿")
    _risk(tree["SH-A-1-1"], "orange", "甲一一橙")     # below the street: counted in the street
    _risk(tree["SH-A"], "yellow", "区直属黄")          # filed at the district itself
    _risk(tree["SH-B-1"], "red", "乙一红")              # another district: never counted
    return a2


def test_map_counts_per_street(tree, district_cadre, streets):
    areas = selectors.risk_map(viewer=district_cadre, within=tree["SH-A"])
    assert [(a["code"], a["own"], dict(a["levels"]), a["total"], a["hot"], a["hot_pct"])
            for a in areas] == [
        ("SH-A", True, {"green": 0, "yellow": 1, "orange": 0, "red": 0}, 1, 0, "0.0"),
        ("SH-A-1", False, {"green": 1, "yellow": 0, "orange": 1, "red": 1}, 3, 2, "66.6"),
        ("SH-A-2", False, {"green": 0, "yellow": 0, "orange": 0, "red": 0}, 0, 0, "0.0")]


def test_map_page_opens_on_the_viewers_district(client, tree, district_cadre, streets):
    client.force_login(district_cadre)
    response = client.get("/rights/risk/map/")
    assert response.status_code == 200
    assert response.context["within"].code == "SH-A"
    assert [a["name"] for a in response.context["areas"]] == [
        "甲区总工会", "甲区一街道工会", "甲区二街道工会"]
    assert [(v, n) for v, _l, n in response.context["totals"]] == [
        ("green", 1), ("yellow", 1), ("orange", 1), ("red", 1)]
    html = response.content.decode()
    assert 'href="/rights/risk/?org=SH-A-1&amp;level=red"' in html
    assert "66.6%" in html
    assert "乙一红" not in html
    assert "乙区" not in html


def test_map_of_another_district_is_404_page_and_api(client, tree, district_cadre, streets):
    client.force_login(district_cadre)
    assert client.get("/rights/risk/map/?org=SH-B").status_code == 404
    assert client.get("/api/v1/rights/risk/map?org=SH-B").status_code == 404


def test_map_api(client, tree, district_cadre, streets):
    client.force_login(district_cadre)
    body = client.get("/api/v1/rights/risk/map?org=SH-A-1").json()
    assert body["org"] == "SH-A-1"
    assert [(a["code"], a["levels"], a["total"]) for a in body["areas"]] == [
        ("SH-A-1", {"green": 1, "yellow": 0, "orange": 0, "red": 1}, 2),
        ("SH-A-1-1", {"green": 0, "yellow": 0, "orange": 1, "red": 0}, 1),
        ("SH-A-1-2", {"green": 0, "yellow": 0, "orange": 0, "red": 0}, 0)]


def test_map_queries_do_not_grow_with_employers(client, tree, district_cadre, streets):
    client.force_login(district_cadre)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/rights/risk/map/").status_code == 200
    for i in range(20):
        _risk(streets, "orange" if i % 2 else "green", f"甲二{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/rights/risk/map/").status_code == 200
    assert len(many) == len(few)
