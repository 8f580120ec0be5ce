"""Map clustering: a view with few stations gets each one (public fields); a crowded view gets
grid clusters whose counts add up to the stations in it; the view's box filters; a removed or
private station is never counted."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import make_user
from gonghui.core.workflow import transition
from gonghui.outreach import selectors
from gonghui.outreach.models import STATION_TRANSITIONS
from gonghui.outreach.selectors import Box, map_view
from gonghui.outreach.tests.conftest import make_station


def _stations(tree) -> None:
    # two tight groups in 黄浦 and 浦东, one lone station in 嘉定, one private, one removed
    for n in range(4):
        make_station(tree["SH-A-1-1"], code=f"HP{n}", lat=31.230 + n / 1000, lon=121.470)
    for n in range(3):
        make_station(tree["SH-A-1-1"], code=f"PD{n}", lat=31.220, lon=121.540 + n / 1000)
    make_station(tree["SH-A-1-1"], code="JD", lat=31.380, lon=121.250)
    make_station(tree["SH-A-1-1"], code="PRIV", lat=31.231, lon=121.471, public=False)
    gone = make_station(tree["SH-A-1-1"], code="GONE", lat=31.232, lon=121.472)
    transition(gone, "removed", transitions=STATION_TRANSITIONS, reason="撤销")


def test_few_stations_come_one_by_one(tree) -> None:
    _stations(tree)
    view = map_view()
    assert (view["total"], view["clusters"]) == (8, [])
    assert sorted(p["name"] for p in view["points"]) == sorted(
        [f"站点HP{n}" for n in range(4)] + [f"站点PD{n}" for n in range(3)] + ["站点JD"])


def test_crowded_view_is_clustered(tree) -> None:
    _stations(tree)
    view = map_view(limit=5, grid=(10, 10))
    assert view["points"] == []
    assert sorted(c["count"] for c in view["clusters"]) == [1, 3, 4]
    hp = next(c for c in view["clusters"] if c["count"] == 4)
    assert (hp["lat"], hp["lon"]) == (31.2315, 121.47)
    inner = map_view(box=Box(south=31.2, west=121.4, north=31.3, east=121.6), limit=5, grid=(2, 2))
    assert inner["total"] == 7
    assert sorted(c["count"] for c in inner["clusters"]) == [3, 4]


def test_map_data_takes_the_view(tree, client: Client, monkeypatch) -> None:
    _stations(tree)
    client.force_login(make_user("worker_map"))
    url = reverse("outreach:map_data")
    data = client.get(url, {"bbox": "121.4,31.2,121.5,31.3"}).json()
    assert (data["total"], data["clusters"]) == (4, [])
    assert sorted(p["name"] for p in data["points"]) == [f"站点HP{n}" for n in range(4)]
    assert client.get(url, {"bbox": "nonsense"}).json()["total"] == 8
    assert client.get(url, {"bbox": "121.5,31.3,121.4,31.2"}).json()["total"] == 8
    # a crowded view comes in as many cells as the page asks for: 2 × 2 over this box puts
    # 黄浦 and 浦东 in one cell (lat 31.2–31.3, lon 121.4–121.6) and 嘉定 in another
    monkeypatch.setattr(selectors, "MAP_POINTS", 5)
    two = client.get(url, {"cols": "2", "rows": "2", "bbox": "121.2,31.2,121.6,31.4"}).json()
    assert (two["points"], sorted(c["count"] for c in two["clusters"])) == ([], [1, 7])
