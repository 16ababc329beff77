"""The patrol's timetable: where along its route it is at each moment.

Times are seconds since the patrol's planned start (mission time); stations
are metres along the route from its first point. The schedule follows the
per-leg speeds and stops for each halt.

>>> from shapely.geometry import LineString
>>> s = PatrolSchedule.build(LineString([(0, 0), (1000, 0)]), (10.0,), [(500.0, 60.0)])
>>> float(s.arrival_time_s(500.0)), float(s.departure_time_s(500.0)), float(s.duration_s)
(50.0, 110.0, 160.0)
>>> float(s.station_at(80.0))
500.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString

FloatArray = npt.NDArray[np.float64]
_EPS_M = 1e-6


@dataclass(frozen=True)
class PatrolSchedule:
    """Piecewise-linear station-versus-time of a patrol along ``route`` (metres)."""

    route: LineString
    #: knot times (s) and stations (m); stations are non-decreasing, flat during halts
    knot_t_s: FloatArray
    knot_s_m: FloatArray
    halts: tuple[tuple[float, float], ...]  # (at_m, duration_s), sorted

    @classmethod
    def build(
        cls,
        route: LineString,
        leg_speeds_m_s: Sequence[float],
        halts: Sequence[tuple[float, float]],
    ) -> PatrolSchedule:
        coords = np.asarray(route.coords, dtype=float)
        legs = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
        if len(leg_speeds_m_s) != len(legs):
            raise ValueError(f"need {len(legs)} leg speeds, got {len(leg_speeds_m_s)}")
        vertex_s = np.concatenate([[0.0], np.cumsum(legs)])
        length = float(vertex_s[-1])
        halt_list = sorted((min(max(a, 0.0), length), d) for a, d in halts if d > 0)
        breaks = sorted({*vertex_s.tolist(), *(a for a, _ in halt_list)})
        t, s = 0.0, 0.0
        knots_t, knots_s = [0.0], [0.0]
        halt_iter = iter(halt_list)
        next_halt = next(halt_iter, None)
        while next_halt is not None and next_halt[0] <= _EPS_M:
            t += next_halt[1]
            knots_t.append(t)
            knots_s.append(0.0)
            next_halt = next(halt_iter, None)
        for b in breaks[1:]:
            if b - s <= _EPS_M:
                continue
            leg = min(int(np.searchsorted(vertex_s, (s + b) / 2.0) - 1), len(legs) - 1)
            t += (b - s) / float(leg_speeds_m_s[max(leg, 0)])
            s = b
            knots_t.append(t)
            knots_s.append(s)
            while next_halt is not None and abs(next_halt[0] - s) <= _EPS_M:
                t += next_halt[1]
                knots_t.append(t)
                knots_s.append(s)
                next_halt = next(halt_iter, None)
        return cls(
            route=route,
            knot_t_s=np.asarray(knots_t),
            knot_s_m=np.asarray(knots_s),
            halts=tuple(halt_list),
        )

    @property
    def length_m(self) -> float:
        return float(self.knot_s_m[-1])

    @property
    def duration_s(self) -> float:
        return float(self.knot_t_s[-1])

    def station_at(self, t_s: float | FloatArray) -> FloatArray:
        """Station (m along the route) at mission time ``t_s``; clamped to the ends."""
        return np.asarray(np.interp(t_s, self.knot_t_s, self.knot_s_m), dtype=float)

    def arrival_time_s(self, s_m: float | FloatArray) -> FloatArray:
        """First mission time at which the patrol reaches station ``s_m``."""
        return np.asarray(np.interp(s_m, self._arrival_axis, self.knot_t_s), dtype=float)

    def departure_time_s(self, s_m: float | FloatArray) -> FloatArray:
        """Last mission time at which the patrol is at station ``s_m`` (after any halt)."""
        return np.asarray(np.interp(s_m, self._departure_axis, self.knot_t_s), dtype=float)

    def position_at(self, t_s: float | FloatArray) -> FloatArray:
        """Local ``(x_m, y_m)`` of the patrol at ``t_s``; shape (2,) or (n, 2)."""
        stations = np.atleast_1d(self.station_at(t_s))
        pts = shapely.line_interpolate_point(self.route, stations)
        xy = shapely.get_coordinates(pts)
        return np.asarray(xy[0] if np.ndim(t_s) == 0 else xy, dtype=float)

    def heading_at_station(self, s_m: float | FloatArray) -> FloatArray:
        """Route direction at station ``s_m`` as a bearing, degrees clockwise from north."""
        coords = self._coords
        leg = np.clip(np.searchsorted(self._vertex_s, s_m, side="right") - 1, 0, len(coords) - 2)
        d = coords[leg + 1] - coords[leg]
        return np.degrees(np.arctan2(d[..., 0], d[..., 1])) % 360.0

    def is_halted(self, t_s: float) -> bool:
        return any(self.arrival_time_s(a) <= t_s < self.departure_time_s(a) for a, _ in self.halts)

    @cached_property
    def _coords(self) -> FloatArray:
        return np.asarray(self.route.coords, dtype=float)

    @cached_property
    def _vertex_s(self) -> FloatArray:
        c = self._coords
        return np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1])))])

    @cached_property
    def _arrival_axis(self) -> FloatArray:
        return self._strict(first=True)

    @cached_property
    def _departure_axis(self) -> FloatArray:
        return self._strict(first=False)

    def _strict(self, *, first: bool) -> FloatArray:
        # Stations repeat during halts; nudge repeats so interp has a strictly
        # increasing axis and picks the arrival (first) or departure (last) knot.
        s = self.knot_s_m.copy()
        n = len(s)
        nudge = 1e-12 * max(1.0, self.length_m)
        if first:
            for i in range(1, n):
                if s[i] <= s[i - 1]:
                    s[i] = s[i - 1] + nudge
        else:
            for i in range(n - 2, -1, -1):
                if s[i] >= s[i + 1]:
                    s[i] = s[i + 1] - nudge
        return s
