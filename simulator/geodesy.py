"""A cheap local tangent plane around home, for the per-step physics.

The physics works in metres — ``x_m`` east, ``y_m`` north, ``z_m`` up from
home — with plain floats. Converting to and from WGS84 degrees uses the
ellipsoid's radii of curvature at home, which is exact at home and within a
few centimetres over the few kilometres a sortie spans; it costs a handful
of multiplications, unlike a pyproj transform.

>>> plane = TangentPlane(13.5, 2.1)
>>> x, y = plane.to_xy(13.5, 2.1)
>>> (round(x, 6), round(y, 6))
(0.0, 0.0)
>>> lat, lon = plane.to_lat_lon(0.0, 1000.0)  # 1 km north
>>> round(lat, 5), lon
(13.50904, 2.1)
>>> [round(v, 6) for v in plane.to_xy(lat, lon)]
[0.0, 1000.0]
"""

from __future__ import annotations

import math

_A_M = 6378137.0
_E2 = 6.69437999014e-3


class TangentPlane:
    """East/north metres around (``lat0_deg``, ``lon0_deg``)."""

    __slots__ = ("_m_per_deg_lat", "_m_per_deg_lon", "lat0_deg", "lon0_deg")

    def __init__(self, lat0_deg: float, lon0_deg: float) -> None:
        self.lat0_deg = lat0_deg
        self.lon0_deg = lon0_deg
        s = math.sin(math.radians(lat0_deg))
        w = 1.0 - _E2 * s * s
        meridian_m = _A_M * (1.0 - _E2) / (w * math.sqrt(w))
        normal_m = _A_M / math.sqrt(w)
        self._m_per_deg_lat = math.radians(1.0) * meridian_m
        self._m_per_deg_lon = math.radians(1.0) * normal_m * math.cos(math.radians(lat0_deg))

    def to_xy(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """WGS84 degrees → (``x_m`` east, ``y_m`` north)."""
        return (
            (lon_deg - self.lon0_deg) * self._m_per_deg_lon,
            (lat_deg - self.lat0_deg) * self._m_per_deg_lat,
        )

    def to_lat_lon(self, x_m: float, y_m: float) -> tuple[float, float]:
        """(``x_m`` east, ``y_m`` north) → WGS84 (``lat_deg``, ``lon_deg``)."""
        return (
            self.lat0_deg + y_m / self._m_per_deg_lat,
            self.lon0_deg + x_m / self._m_per_deg_lon,
        )


def wrap_180(angle_deg: float) -> float:
    """An angle in degrees wrapped to [-180, 180)."""
    return (angle_deg + 180.0) % 360.0 - 180.0


def bearing_deg(dx_m: float, dy_m: float) -> float:
    """Compass bearing in degrees [0, 360) of the vector (east, north)."""
    return math.degrees(math.atan2(dx_m, dy_m)) % 360.0


def point_in_polygon(x_m: float, y_m: float, poly: list[tuple[float, float]]) -> bool:
    """Ray-casting point-in-polygon test, polygon vertices in metres."""
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y_m) != (yj > y_m) and x_m < (xj - xi) * (y_m - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside
