"""Pages and API: scoping (404 outside the subtree, 403 read-only, nothing changed on denial),
list filters and query counts, the member portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.outreach.models import Amenity, Station
from gonghui.outreach.tests.conftest import NOW, make_activity, make_member, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(tree):
    a = make_station(tree["SH-A-1-1"], code="A1", name="甲站", amenities=Amenity.MICROWAVE)
    b = make_station(tree["SH-B-1-1"], code="B1", name="乙站", lat=31.3)
    return a, b


def test_station_scoping_and_read_only(client, tree, stations, district_cadre):
    a, b = stations
    login(client, district_cadre)
    assert client.get(reverse("outreach:station", args=[a.pk])).status_code == 200
    assert client.get(reverse("outreach:station", args=[b.pk])).status_code == 404
    response = client.post(reverse("outreach:station_status", args=[b.pk]),
                           {"status": "removed", "reason": "x"})
    assert response.status_code == 404
    viewer = make_user("viewer_a", org=tree["SH-A"], role="viewer")
    login(client, viewer)
    response = client.post(reverse("outreach:station_status", args=[a.pk]),
                           {"status": "removed", "reason": "x"})
    assert response.status_code == 403
    assert sorted(Station.objects.values_list("code", "status")) == [("A1", "open"),
                                                                     ("B1", "open")]


def test_station_list_filters_and_queries(client, tree, stations, city_admin,
                                          django_assert_max_num_queries):
    for i in range(30):
        make_station(tree["SH-A-1-1"], code=f"X{i:02d}", name=f"批量站{i}", lat=31.0 + i / 100)
    login(client, city_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("outreach:stations"), {"q": "批量站"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    response = client.get(reverse("outreach:stations"), {"amenity": "microwave"})
    assert [s.code for s in response.context["page"]] == ["A1"]


def test_api_station_create_refuses_bad_coordinates(client, tree, district_cadre):
    login(client, district_cadre)
    response = client.post("/api/v1/outreach/stations", data={
        "org": "SH-A-1-1", "name": "新站", "kind": "outdoor", "address": "路", "district": "黄浦区",
        "lat": 121.4, "lon": 31.2, "weekly": "每天 08:00-20:00"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == \
        "经纬度似乎填反了：纬度应在 18 到 54 之间，经度应在 73 到 135 之间。"
    assert Station.objects.count() == 0


def test_member_portal_pages(client, tree, stations):
    worker, _m = make_member(tree["SH-A-1-1"], "worker1")
    with clock.frozen(NOW):
        activity = make_activity(tree["SH-A"], capacity=1)
        other = make_activity(tree["SH-B"], capacity=1)
    login(client, worker)
    response = client.get(reverse("outreach:portal"), {"lat": "31.23", "lon": "121.47",
                                                        "amenity": "microwave"})
    assert [n.station.code for n in response.context["results"]] == ["A1"]
    response = client.get(reverse("outreach:portal"), {"place": "火星"})
    assert response.status_code == 400
    with clock.frozen(NOW):
        page = client.get(reverse("outreach:my_activities"))
        assert [a.pk for a in page.context["page"]] == [activity.pk]
        assert client.get(reverse("outreach:my_activity", args=[other.pk])).status_code == 404
        response = client.post(reverse("outreach:signup", args=[activity.pk]))
    assert response.status_code == 302
    response = client.get(reverse("outreach:map_data"))
    assert sorted(p["name"] for p in response.json()["points"]) == ["乙站", "甲站"]
    assert set(response.json()["points"][0]) == {"id", "name", "kind", "district", "value",
                                                 "amenities", "address"}
