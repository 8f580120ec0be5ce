"""Distances on the earth and the bounding box of the nearest search (docs/decisions.md).

The search reads candidates from the (lat, lon) index inside a box around the point, computes
the exact great-circle (haversine) distance in Python, and doubles the box until it holds k
candidates whose k-th distance is within the circle the box is sure to contain — so the answer
equals a full sort by distance, on SQLite and PostgreSQL alike, without PostGIS.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

# China's bounding box: every stored coordinate lies inside it (a database constraint too).
CHINA = {"lat": (18.0, 54.0), "lon": (73.0, 135.0)}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def box(lat: float, lon: float, half_deg: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max): `half_deg` of latitude each way, and the longitude
    span that covers the same ground distance at the box's widest latitude."""
    lat_min, lat_max = lat - half_deg, lat + half_deg
    widest = max(abs(lat_min), abs(lat_max))
    cos = math.cos(math.radians(min(widest, 89.0)))
    lon_half = half_deg / cos
    return lat_min, lat_max, lon - lon_half, lon + lon_half


def covered_km(lat: float, half_deg: float) -> float:
    """The radius of the circle around (lat, ·) that lies inside `box(lat, ·, half_deg)`: the
    distance to the nearer parallel edge (along the meridian, exactly `half_deg`) or to the
    meridian edges (spherical trigonometry: asin(cos φ · sin Δλ), the shortest way to a great
    circle). A circle that crossed an edge would hold a point of it, nearer than that."""
    lon_half = box(lat, 0.0, half_deg)[3]
    to_meridian = math.asin(min(1.0, math.cos(math.radians(lat))
                                * math.sin(math.radians(min(lon_half, 90.0)))))
    return EARTH_RADIUS_KM * min(math.radians(half_deg), to_meridian)


def inside_china(lat: float, lon: float) -> bool:
    return (CHINA["lat"][0] <= lat <= CHINA["lat"][1]
            and CHINA["lon"][0] <= lon <= CHINA["lon"][1])


# Where a typed district puts the search when the phone gives no position (district centres,
# from the vendored GeoJSON's `cp` points).
DISTRICT_CENTRES: dict[str, tuple[float, float]] = {
    "黄浦区": (31.222771, 121.490317), "徐汇区": (31.179973, 121.43752),
    "长宁区": (31.218123, 121.4222), "静安区": (31.229003, 121.448224),
    "普陀区": (31.241701, 121.392499), "虹口区": (31.26097, 121.491832),
    "杨浦区": (31.270755, 121.522797), "闵行区": (31.111658, 121.375972),
    "宝山区": (31.398896, 121.489934), "嘉定区": (31.383524, 121.250333),
    "浦东新区": (31.245944, 121.567706), "金山区": (30.724697, 121.330736),
    "松江区": (31.03047, 121.223543), "青浦区": (31.151209, 121.113021),
    "奉贤区": (30.912345, 121.458472), "崇明区": (31.626946, 121.397516),
}
