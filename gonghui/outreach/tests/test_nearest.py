"""Nearest search equals a brute-force sort by great-circle distance."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import clock
from gonghui.outreach import geo
from gonghui.outreach.models import Amenity, Station
from gonghui.outreach.selectors import nearest
from gonghui.outreach.tests.conftest import NOW, make_station

pytestmark = pytest.mark.django_db

lat_s = st.floats(30.7, 31.9, allow_nan=False)
lon_s = st.floats(120.8, 122.0, allow_nan=False)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.lists(st.tuples(lat_s, lon_s), min_size=1, max_size=40),
       here=st.tuples(lat_s, lon_s), k=st.integers(1, 12))
def test_nearest_equals_brute_force(tree, points, here, k):
    Station.objects.all().delete()
    Station.objects.bulk_create([
        Station(org=tree["SH-A"], org_path=tree["SH-A"].path, code=f"P{i}", name=f"P{i}",
                kind="outdoor", address="x", district="黄浦区", lat=round(a, 6), lon=round(b, 6))
        for i, (a, b) in enumerate(points)])
    got = nearest(lat=here[0], lon=here[1], k=k)
    expected = sorted((geo.haversine_km(here[0], here[1], s.lat, s.lon), s.pk)
                      for s in Station.objects.all())[:k]
    assert [(round(n.km, 9), n.station.pk) for n in got] == \
        [(round(d, 9), pk) for d, pk in expected]


def test_filters_open_now_and_microwave(tree):
    here = (31.2300, 121.4700)
    make_station(tree["SH-A"], code="NEAR", lat=31.2301, lon=121.4701, amenities=Amenity.WATER)
    make_station(tree["SH-A"], code="SHUT", lat=31.2302, lon=121.4702,
                 amenities=Amenity.MICROWAVE, weekly="周六 08:00-09:00")
    make_station(tree["SH-A"], code="FAR", lat=31.30, lon=121.50,
                 amenities=Amenity.MICROWAVE | Amenity.WATER)
    with clock.frozen(NOW):
        plain = nearest(lat=here[0], lon=here[1], k=3)
        assert [n.station.code for n in plain] == ["NEAR", "SHUT", "FAR"]
        assert [n.open_now for n in plain] == [True, False, True]
        found = nearest(lat=here[0], lon=here[1], k=5, amenities=Amenity.MICROWAVE, open_now=True)
    assert [n.station.code for n in found] == ["FAR"]
    assert round(found[0].km, 2) == round(geo.haversine_km(*here, 31.30, 121.50), 2)


def test_removed_and_private_stations_are_not_offered(tree):
    make_station(tree["SH-A"], code="PRIV", public=False)
    make_station(tree["SH-A"], code="OK", lat=31.5)
    assert [n.station.code for n in nearest(lat=31.23, lon=121.47, k=5)] == ["OK"]


def test_covered_radius_is_inside_the_box():
    for lat in (18.5, 31.2, 53.5):
        for half in (0.01, 0.5, 4.0):
            r = geo.covered_km(lat, half)
            lat_min, lat_max, lon_min, lon_max = geo.box(lat, 121.0, half)
            # walk the circle: every point at distance r lies inside the box
            for i in range(72):
                bearing = math.radians(i * 5)
                d = r / geo.EARTH_RADIUS_KM
                p1 = math.radians(lat)
                p2 = math.asin(math.sin(p1) * math.cos(d)
                               + math.cos(p1) * math.sin(d) * math.cos(bearing))
                l2 = 121.0 + math.degrees(math.atan2(
                    math.sin(bearing) * math.sin(d) * math.cos(p1),
                    math.cos(d) - math.sin(p1) * math.sin(p2)))
                assert lat_min - 1e-9 <= math.degrees(p2) <= lat_max + 1e-9
                assert lon_min - 1e-9 <= l2 <= lon_max + 1e-9
