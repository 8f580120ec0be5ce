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
