"""Where the patrol will be: a frozen forecast built from the tracker's state.

Times are on the fix clock (the ``time_s`` the feed stamps, UNIX seconds);
stations are metres along the route; positions local metres.

On the route, the forecast follows the planned route at the patrol's
*actual* pace (measured speed over planned speed) and still stops for the
planned halts ahead (and for what is left of a halt under way). Off the
route, it dead-reckons from the last position along the measured velocity.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from overwatch.tracking.route import RouteIndex

FloatArray = npt.NDArray[np.float64]


class TrackMode(enum.StrEnum):
    """ACQUIRING: no fix yet. ON_ROUTE: matched to the route. OFF_ROUTE: away
    from the route for too long (dead reckoning). STALE: no fix for too long."""

    ACQUIRING = "acquiring"
    ON_ROUTE = "on_route"
    OFF_ROUTE = "off_route"
    STALE = "stale"


@dataclass(frozen=True, eq=False)
class PatrolPrediction:
    """A forecast of the patrol's progress from reference time ``t_ref_s``.

    ``knot_t_s``/``knot_s_m`` describe station versus time along the route
    (piecewise linear, flat during halts). When ``dead_reckoning`` is true the
    patrol is off the route: positions follow ``origin_xy_m + velocity_m_s * dt``
    (for at most ``max_dead_reckoning_s``), and the route knots assume it
    rejoins the route at the point nearest to it (no earlier than where it left).
    """

    route: RouteIndex
    t_ref_s: float
    knot_t_s: FloatArray
    knot_s_m: FloatArray
    dead_reckoning: bool = False
    origin_xy_m: tuple[float, float] = (0.0, 0.0)
    velocity_m_s: tuple[float, float] = (0.0, 0.0)
    max_dead_reckoning_s: float = 120.0

    @classmethod
    def along_route(
        cls,
        route: RouteIndex,
        *,
        t_ref_s: float,
        station_m: float,
        pace: float,
        halt_remaining_s: float,
        halts_ahead: Sequence[tuple[float, float]],
    ) -> PatrolPrediction:
        """Forecast from ``station_m`` at ``t_ref_s`` moving at ``pace`` × planned speed.

        ``halt_remaining_s`` is spent at ``station_m`` first; ``halts_ahead``
        are ``(at_m, duration_s)`` pairs still to come (stations beyond
        ``station_m``).
        """
        s0 = float(np.clip(station_m, 0.0, route.length_m))
        merged: dict[float, float] = {}
        for at_m, duration_s in halts_ahead:
            if s0 < at_m <= route.length_m and duration_s > 0:
                merged[at_m] = merged.get(at_m, 0.0) + duration_s
        halt_at = np.asarray(sorted(merged), dtype=float)
        halt_dur = np.asarray([merged[a] for a in sorted(merged)], dtype=float)
        vs = route.vertex_s_m
        stations = np.concatenate([[s0], vs[vs > s0], halt_at])
        moving = (route.moving_time_s(stations) - route.moving_time_s(s0)) / pace
        # halts strictly before a station delay its arrival; a halt at the station itself does not
        before = halt_at[None, :] < stations[:, None] - 1e-9
        waited = (before * halt_dur[None, :]).sum(axis=1)
        arrive = t_ref_s + max(halt_remaining_s, 0.0) + moving + waited
        depart = arrive[len(arrive) - len(halt_at) :] + halt_dur
        t = np.concatenate([[t_ref_s], arrive, depart])
        s = np.concatenate([[s0], stations, halt_at])
        order = np.lexsort((s, t))
        return cls(route=route, t_ref_s=t_ref_s, knot_t_s=t[order], knot_s_m=s[order])

    # -- queries ---------------------------------------------------------------

    def station_at(self, t_s: float | FloatArray) -> FloatArray:
        """Predicted station (m) at time ``t_s``; before ``t_ref_s`` the reference station."""
        return np.asarray(np.interp(t_s, self.knot_t_s, self.knot_s_m), dtype=float)

    def arrival_time_s(self, s_m: float | FloatArray) -> FloatArray:
        """Predicted time the patrol reaches each station; NaN for stations already passed
        (behind the reference station) or beyond the route's end."""
        s = np.asarray(s_m, dtype=float)
        start, end = float(self.knot_s_m[0]), self.route.length_m
        axis = _strictly_increasing(self.knot_s_m)
        t = np.interp(s, axis, self.knot_t_s)
        return np.asarray(np.where((s < start - 1e-9) | (s > end + 1e-9), np.nan, t), dtype=float)

    def position_at(self, t_s: float | FloatArray) -> FloatArray:
        """Predicted local ``(x_m, y_m)``: on the route, or dead-reckoned off it."""
        if not self.dead_reckoning:
            return self.route.point_at(self.station_at(t_s))
        dt = np.clip(np.asarray(t_s, dtype=float) - self.t_ref_s, 0.0, self.max_dead_reckoning_s)
        ox, oy = self.origin_xy_m
        vx, vy = self.velocity_m_s
        return np.asarray(np.stack([ox + vx * dt, oy + vy * dt], axis=-1), dtype=float)

    def velocity_at(self, t_s: float, step_s: float = 1.0) -> tuple[float, float]:
        """Predicted ground velocity (m/s east, m/s north) at ``t_s``, by finite difference."""
        a = self.position_at(t_s)
        b = self.position_at(t_s + step_s)
        return float((b[0] - a[0]) / step_s), float((b[1] - a[1]) / step_s)

    def heading_deg_at(self, t_s: float) -> float:
        """Predicted direction of travel at ``t_s``, degrees clockwise from north."""
        if self.dead_reckoning:
            vx, vy = self.velocity_m_s
            if np.hypot(vx, vy) > 1e-6:
                return float(np.degrees(np.arctan2(vx, vy)) % 360.0)
        return float(self.route.heading_deg_at(self.station_at(t_s)))


def _strictly_increasing(s: FloatArray) -> FloatArray:
    """Nudge repeated stations (halts) so the first knot (the arrival) wins in interp."""
    nudge = 1e-9 * max(1.0, float(abs(s[-1])))
    return np.asarray(s + nudge * np.arange(len(s)), dtype=float)
