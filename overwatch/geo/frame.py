"""A local metric frame per mission: azimuthal equidistant, centred on the mission.

Everything inside Overwatch plans in metres — ``x_m`` east, ``y_m`` north — in
one frame chosen once per mission, and converts to WGS84 degrees only at the
edges (exports, MAVLink, CoT). Axis order is always explicit: functions take
``(lat_deg, lon_deg)`` or ``(x_m, y_m)`` as their names say.

The azimuthal equidistant projection keeps distances and bearings from its
centre exact; between two arbitrary points within 100 km of the centre the
planar distance is off by less than 1e-4 of the distance (about the scale
error of a UTM zone edge, and far inside any camera footprint).

>>> frame = LocalFrame(13.5, 2.1)
>>> x, y = frame.to_local(13.5, 2.1)
>>> round(float(x), 6), round(float(y), 6)
(0.0, 0.0)
>>> lat, lon = frame.to_wgs84(1000.0, 0.0)
>>> round(geodesic_distance_m(13.5, 2.1, float(lat), float(lon)), 3)
1000.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, Point, Polygon

FloatArray = npt.NDArray[np.float64]

WGS84 = Geod(ellps="WGS84")


def geodesic_distance_m(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float
) -> float:
    """Distance in metres along the WGS84 ellipsoid between two points."""
    _, _, dist = WGS84.inv(lon1_deg, lat1_deg, lon2_deg, lat2_deg)
    return float(dist)


def geodesic_bearing_deg(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float
) -> float:
    """Initial bearing in degrees clockwise from true north, in [0, 360)."""
    az, _, _ = WGS84.inv(lon1_deg, lat1_deg, lon2_deg, lat2_deg)
    return float(az) % 360.0


@dataclass(frozen=True)
class LocalFrame:
    """Azimuthal equidistant frame centred on (``origin_lat_deg``, ``origin_lon_deg``)."""

    origin_lat_deg: float
    origin_lon_deg: float
    _fwd: Transformer = field(init=False, repr=False, compare=False)
    _inv: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        crs = CRS.from_proj4(
            f"+proj=aeqd +lat_0={self.origin_lat_deg!r} +lon_0={self.origin_lon_deg!r} "
            "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
        )
        object.__setattr__(self, "_fwd", Transformer.from_crs("EPSG:4326", crs, always_xy=True))
        object.__setattr__(self, "_inv", Transformer.from_crs(crs, "EPSG:4326", always_xy=True))

    @classmethod
    def around(cls, points_lat_lon_deg: Iterable[tuple[float, float]]) -> LocalFrame:
        """A frame centred on the middle of the bounding box of the given points."""
        pts = np.asarray(list(points_lat_lon_deg), dtype=float)
        if pts.size == 0:
            raise ValueError("LocalFrame.around needs at least one point")
        lat = (pts[:, 0].min() + pts[:, 0].max()) / 2.0
        lon = (pts[:, 1].min() + pts[:, 1].max()) / 2.0
        return cls(round(float(lat), 7), round(float(lon), 7))

    @overload
    def to_local(self, lat_deg: float, lon_deg: float) -> tuple[float, float]: ...
    @overload
    def to_local(
        self, lat_deg: FloatArray | Sequence[float], lon_deg: FloatArray | Sequence[float]
    ) -> tuple[FloatArray, FloatArray]: ...
    def to_local(self, lat_deg, lon_deg):  # type: ignore[no-untyped-def]
        """WGS84 degrees → local metres (``x_m`` east, ``y_m`` north)."""
        x, y = self._fwd.transform(lon_deg, lat_deg)
        if isinstance(lat_deg, (int, float)):
            return float(x), float(y)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    @overload
    def to_wgs84(self, x_m: float, y_m: float) -> tuple[float, float]: ...
    @overload
    def to_wgs84(
        self, x_m: FloatArray | Sequence[float], y_m: FloatArray | Sequence[float]
    ) -> tuple[FloatArray, FloatArray]: ...
    def to_wgs84(self, x_m, y_m):  # type: ignore[no-untyped-def]
        """Local metres → WGS84 degrees, returned as ``(lat_deg, lon_deg)``."""
        lon, lat = self._inv.transform(x_m, y_m)
        if isinstance(x_m, (int, float)):
            return float(lat), float(lon)
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)

    # -- shapely helpers: shapely only ever sees metres ---------------------------

    def point(self, lat_deg: float, lon_deg: float) -> Point:
        return Point(self.to_local(lat_deg, lon_deg))

    def line(self, lat_lon_deg: Sequence[tuple[float, float]]) -> LineString:
        x, y = self._xy(lat_lon_deg)
        return LineString(np.column_stack([x, y]))

    def polygon(self, lat_lon_deg: Sequence[tuple[float, float]]) -> Polygon:
        x, y = self._xy(lat_lon_deg)
        return Polygon(np.column_stack([x, y]))

    def coords_to_wgs84(self, xy_m: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
        """Local ``(x_m, y_m)`` pairs → list of ``(lat_deg, lon_deg)``."""
        arr = np.asarray(list(xy_m), dtype=float).reshape(-1, 2)
        lat, lon = self.to_wgs84(arr[:, 0], arr[:, 1])
        return [(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]

    def _xy(self, lat_lon_deg: Sequence[tuple[float, float]]) -> tuple[FloatArray, FloatArray]:
        arr = np.asarray(lat_lon_deg, dtype=float).reshape(-1, 2)
        return self.to_local(arr[:, 0], arr[:, 1])
