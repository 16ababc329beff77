"""The patrol's route seen as stations (metres along it) and mission times.

Wraps :class:`PatrolSchedule` with what strategies need: points at any
station, extended straight beyond both ends (the drone may sweep before the
start), and times before the start or after the end, extrapolated at the first
and last leg's speeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from overwatch.mission import MissionGeometry, PatrolSchedule
from overwatch.planning.model import FloatArray


@dataclass(frozen=True, eq=False)
class RouteView:
    """Stations (m), times (s) and local points (m) of a patrol route."""

    schedule: PatrolSchedule

    @classmethod
    def of(cls, geometry: MissionGeometry) -> RouteView:
        return cls(geometry.schedule)

    @property
    def length_m(self) -> float:
        return self.schedule.length_m

    @cached_property
    def _coords(self) -> FloatArray:
        return np.asarray(self.schedule.route.coords, dtype=float)

    @cached_property
    def _vertex_s(self) -> FloatArray:
        c = self._coords
        return np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1])))])

    @cached_property
    def _end_dirs(self) -> tuple[FloatArray, FloatArray]:
        c = self._coords
        first = c[1] - c[0]
        last = c[-1] - c[-2]
        return first / max(float(np.hypot(*first)), 1e-9), last / max(float(np.hypot(*last)), 1e-9)

    @cached_property
    def _end_speeds(self) -> tuple[float, float]:
        kt, ks = self.schedule.knot_t_s, self.schedule.knot_s_m
        moving = np.flatnonzero(np.diff(ks) > 0)
        first, last = moving[0], moving[-1]
        v0 = (ks[first + 1] - ks[first]) / (kt[first + 1] - kt[first])
        v1 = (ks[last + 1] - ks[last]) / (kt[last + 1] - kt[last])
        return float(v0), float(v1)

    @cached_property
    def mean_speed_m_s(self) -> float:
        """Average moving speed of the patrol (halts left out), m/s."""
        halted = sum(d for _, d in self.schedule.halts)
        return self.length_m / max(self.schedule.duration_s - halted, 1e-9)

    @cached_property
    def max_speed_m_s(self) -> float:
        kt, ks = self.schedule.knot_t_s, self.schedule.knot_s_m
        dt = np.diff(kt)
        ok = dt > 0
        return float((np.diff(ks)[ok] / dt[ok]).max())

    def points(self, s_m: FloatArray) -> FloatArray:
        """Local (n, 2) points at stations ``s_m``, extended straight past both ends."""
        s = np.atleast_1d(np.asarray(s_m, dtype=float))
        length = self.length_m
        c, vs = self._coords, self._vertex_s
        xy = np.column_stack([np.interp(s, vs, c[:, 0]), np.interp(s, vs, c[:, 1])])
        d0, d1 = self._end_dirs
        before = np.minimum(s, 0.0)[:, None]
        after = np.maximum(s - length, 0.0)[:, None]
        return np.asarray(xy + before * d0 + after * d1, dtype=float)

    def station_at(self, t_s: FloatArray) -> FloatArray:
        """Station at mission time ``t_s``; before the start and after the end, extrapolated."""
        t = np.asarray(t_s, dtype=float)
        v0, v1 = self._end_speeds
        s = self.schedule.station_at(t)
        s = np.where(t < 0.0, t * v0, s)
        end = self.schedule.duration_s
        return np.asarray(np.where(t > end, self.length_m + (t - end) * v1, s), dtype=float)

    def arrival_time_s(self, s_m: FloatArray) -> FloatArray:
        """First time the patrol is at ``s_m``; extrapolated outside the route."""
        s = np.asarray(s_m, dtype=float)
        v0, v1 = self._end_speeds
        t = self.schedule.arrival_time_s(s)
        t = np.where(s < 0.0, s / v0, t)
        last = float(self.schedule.arrival_time_s(self.length_m))
        return np.asarray(
            np.where(s > self.length_m, last + (s - self.length_m) / v1, t), dtype=float
        )

    def heading_deg(self, s_m: FloatArray) -> FloatArray:
        """Route bearing at ``s_m``, degrees clockwise from north."""
        s = np.clip(np.asarray(s_m, dtype=float), 0.0, self.length_m)
        return np.asarray(self.schedule.heading_at_station(s), dtype=float)


def bearing_deg(dx_m: FloatArray, dy_m: FloatArray) -> FloatArray:
    """Bearing of a vector (east, north) in degrees clockwise from north, [0, 360)."""
    return np.asarray(np.degrees(np.arctan2(dx_m, dy_m)) % 360.0, dtype=float)
