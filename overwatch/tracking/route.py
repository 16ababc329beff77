"""The planned route as arrays: stations, map-matching in a window, planned pace.

Stations are metres along the route from its first point; positions are
local metres (``x_m`` east, ``y_m`` north) in the mission's frame. Map-matching
is restricted to a window of stations so that a fix next to a part of the
route that doubles back is not snapped to the wrong leg.

>>> from shapely.geometry import LineString
>>> r = RouteIndex.build(LineString([(0, 0), (100, 0), (100, 100)]), (10.0, 5.0))
>>> m = r.match(50.0, 3.0, 0.0, r.length_m, hint_m=0.0)
>>> round(m.station_m, 3), round(m.cross_track_m, 3)
(50.0, 3.0)
>>> float(r.moving_time_s(150.0))
20.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RouteMatch:
    """A fix matched to the route.

    ``cross_track_m`` is signed: positive to the left of the direction of
    travel, negative to the right; ``distance_m`` is its absolute value.
    """

    station_m: float
    cross_track_m: float
    distance_m: float
    x_m: float
    y_m: float


@dataclass(frozen=True, eq=False)
class RouteIndex:
    """Route vertices with their stations, segment directions and planned pace."""

    xy_m: FloatArray  # (n, 2) vertices
    vertex_s_m: FloatArray  # (n,) station of each vertex
    unit: FloatArray  # (n-1, 2) unit direction of each segment (0 for zero-length ones)
    leg_speed_m_s: FloatArray  # (n-1,) planned speed on each segment
    vertex_moving_time_s: FloatArray  # (n,) planned time to reach each vertex, halts excluded

    @classmethod
    def build(cls, route: LineString, leg_speeds_m_s: Sequence[float]) -> RouteIndex:
        """Index ``route`` (metres) with one planned speed (m/s, > 0) per leg."""
        xy = np.asarray(route.coords, dtype=float)[:, :2]
        if len(xy) < 2:
            raise ValueError("a route needs at least two points")
        if len(leg_speeds_m_s) != len(xy) - 1:
            raise ValueError(f"need {len(xy) - 1} leg speeds, got {len(leg_speeds_m_s)}")
        speeds = np.asarray(leg_speeds_m_s, dtype=float)
        if not np.all(speeds > 0):
            raise ValueError("every leg speed must be > 0 m/s")
        d = np.diff(xy, axis=0)
        lengths = np.hypot(d[:, 0], d[:, 1])
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = np.where(lengths[:, None] > 0, d / lengths[:, None], 0.0)
        vertex_s = np.concatenate([[0.0], np.cumsum(lengths)])
        moving = np.concatenate([[0.0], np.cumsum(lengths / speeds)])
        return cls(xy, vertex_s, unit, speeds, moving)

    @property
    def length_m(self) -> float:
        return float(self.vertex_s_m[-1])

    def segment_of(self, s_m: float | FloatArray) -> npt.NDArray[np.intp]:
        """Index of the segment holding station ``s_m`` (clamped to the route)."""
        idx = np.searchsorted(self.vertex_s_m, s_m, side="right") - 1
        return np.asarray(np.clip(idx, 0, len(self.unit) - 1), dtype=np.intp)

    def point_at(self, s_m: float | FloatArray) -> FloatArray:
        """Local ``(x_m, y_m)`` at station ``s_m`` (clamped); shape (2,) or (n, 2)."""
        s = np.clip(np.asarray(s_m, dtype=float), 0.0, self.length_m)
        seg = self.segment_of(s)
        along = (s - self.vertex_s_m[seg])[..., None]
        return np.asarray(self.xy_m[seg] + along * self.unit[seg], dtype=float)

    def heading_deg_at(self, s_m: float | FloatArray) -> FloatArray:
        """Route direction at ``s_m``, degrees clockwise from north."""
        u = self.unit[self.segment_of(s_m)]
        return np.asarray(np.degrees(np.arctan2(u[..., 0], u[..., 1])) % 360.0, dtype=float)

    def planned_speed_at(self, s_m: float | FloatArray) -> FloatArray:
        """Planned patrol speed (m/s) on the segment holding ``s_m``."""
        return np.asarray(self.leg_speed_m_s[self.segment_of(s_m)], dtype=float)

    def moving_time_s(self, s_m: float | FloatArray) -> FloatArray:
        """Planned time (s) to reach ``s_m`` from the start at planned speeds, halts excluded."""
        return np.asarray(np.interp(s_m, self.vertex_s_m, self.vertex_moving_time_s), dtype=float)

    def station_at_moving_time(self, m_s: float | FloatArray) -> FloatArray:
        """Inverse of :meth:`moving_time_s`: the station reached after ``m_s`` moving seconds."""
        return np.asarray(np.interp(m_s, self.vertex_moving_time_s, self.vertex_s_m), dtype=float)

    def match(
        self,
        x_m: float,
        y_m: float,
        lo_m: float,
        hi_m: float,
        *,
        hint_m: float,
        ambiguity_m: float = 25.0,
    ) -> RouteMatch:
        """Project a point onto the part of the route between stations ``lo_m`` and ``hi_m``.

        Among the candidate projections (one per segment) whose distance is
        within ``ambiguity_m`` of the nearest, the one whose station is closest
        to ``hint_m`` wins — where the route passes close to itself, the
        expected station decides, not a metre of GPS noise.
        """
        lo = float(np.clip(lo_m, 0.0, self.length_m))
        hi = float(np.clip(hi_m, lo, self.length_m))
        first = int(self.segment_of(lo))
        last = int(self.segment_of(hi))
        a = self.xy_m[first : last + 1]
        u = self.unit[first : last + 1]
        s_start = self.vertex_s_m[first : last + 1]
        seg_len = self.vertex_s_m[first + 1 : last + 2] - s_start
        px, py = x_m - a[:, 0], y_m - a[:, 1]
        along = px * u[:, 0] + py * u[:, 1]
        along = np.clip(along, np.maximum(0.0, lo - s_start), np.minimum(seg_len, hi - s_start))
        along = np.maximum(along, 0.0)
        fx = a[:, 0] + along * u[:, 0]
        fy = a[:, 1] + along * u[:, 1]
        dist = np.hypot(x_m - fx, y_m - fy)
        stations = s_start + along
        near = dist <= dist.min() + ambiguity_m
        k = int(np.flatnonzero(near)[np.argmin(np.abs(stations[near] - hint_m))])
        cross = u[k, 0] * (y_m - fy[k]) - u[k, 1] * (x_m - fx[k])
        return RouteMatch(
            station_m=float(stations[k]),
            cross_track_m=float(cross),
            distance_m=float(dist[k]),
            x_m=float(fx[k]),
            y_m=float(fy[k]),
        )
