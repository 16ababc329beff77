"""Where to break a sortie for a battery swap: at the planned halt that costs least.

A station of the route counts as watched when the camera sees it between
``lead_max_s`` and ``lead_min_s`` before the patrol gets there. A drone that
leaves at ``t_leave`` and is back on station at ``t_back`` therefore misses
the stations the patrol reaches between ``t_leave + lead_max_s`` and
``t_back + lead_min_s`` — except while the patrol stands still: a halt inside
that interval costs nothing. So when the battery will not last the patrol,
the swap is planned at the halt ahead that leaves the least unwatched, leaving
just inside the lead window before the halt begins (``t_leave = t_halt -
lead_max_s + margin``) after running ahead to the halt, so that everything up
to it has been seen. When the patrol itself recovers the drone (``land_at_halt``), the
drone waits for it at the halt instead, and lands there as the patrol arrives. The
live rule is simpler than the offline planner's (:mod:`overwatch.planning.flight`) but
picks the same break on the example missions. Pure: times on the fix clock, positions local metres.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from overwatch.guidance.energy import EnergyModel
from overwatch.guidance.recovery import LandingSite
from overwatch.guidance.types import StopRequest
from overwatch.mission import Vehicle
from overwatch.tracking import PatrolPrediction

XY = tuple[float, float]
#: the landing site of a sortie that turns for home at a point at a time (fix clock)
SiteFinder = Callable[[XY, float], LandingSite]
#: running ahead flies faster than watching: count its battery this much dearer
_RUN_AHEAD_DRAIN = 1.15
#: a halt is preferred to a break anywhere unless it leaves this much more unwatched, s
_PREFER_HALT_S = 30.0


@dataclass(frozen=True)
class HaltWindow:
    """A halt in a forecast: its route station (m) and when it starts and ends (fix clock)."""

    station_m: float
    start_s: float
    end_s: float


@dataclass(frozen=True)
class SwapPlan:
    """A planned sortie break.

    ``leave_at_s`` is when to turn for the landing site (fix clock), after
    running ahead from ``run_ahead_from_s``; ``halt`` is the halt the break is
    hidden in; ``site_name`` the landing site; ``lost_s`` the patrol-seconds of
    route expected to go unwatched (0 when the halt absorbs the whole break).
    """

    leave_at_s: float
    run_ahead_from_s: float
    halt: HaltWindow
    site_name: str
    lost_s: float


def predicted_halts(pred: PatrolPrediction, after_s: float) -> list[HaltWindow]:
    """The halts in the forecast (flat stretches of its timetable) that end after ``after_s``."""
    t, s = pred.knot_t_s, pred.knot_s_m
    flat = np.flatnonzero((np.diff(s) <= 1e-6) & (np.diff(t) > 1.0))
    return [
        HaltWindow(float(s[i]), float(t[i]), float(t[i + 1]))
        for i in flat
        if float(t[i + 1]) > after_s
    ]


@dataclass(frozen=True)
class SwapPlanner:
    """Plans battery swaps for one vehicle (seconds, metres, percent).

    A break is only planned where the battery will be down to ``max_battery_pct``.
    """

    vehicle: Vehicle
    energy: EnergyModel
    alt_rel_m: float
    lead_s: float
    lead_min_s: float
    lead_max_s: float
    margin_s: float
    lead_margin_s: float
    max_battery_pct: float = 60.0
    #: the landing site is the patrol (``recovery: with_patrol``): wait for it at the halt
    #: and land there as it arrives, watching the road until then, instead of leaving a
    #: lead window early for a site away from the road
    land_at_halt: bool = False

    def needs_swap(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> bool:
        """Whether the battery runs short of watching to the route's end and landing."""
        end_m = pred.route.length_m
        t_end = float(pred.arrival_time_s(end_m))
        if not math.isfinite(t_end):
            return False
        end_xy = pred.route.point_at(end_m)
        dist = nearest_site((float(end_xy[0]), float(end_xy[1])), t_end).distance_m
        needed_s = max(t_end - now_s, 0.0) + self.energy.return_needed_s(
            distance_m=dist, alt_rel_m=self.alt_rel_m
        )
        return self.energy.flight_left_s(battery_pct) < needed_s + self.margin_s

    def absence_s(self, distance_m: float) -> float:
        """Clock seconds from leaving the track to being back over it via a site ``distance_m``
        away."""
        e = self.energy
        return (
            2.0 * e.transit_s(distance_m)
            + e.descent_s(self.alt_rel_m)
            + self.vehicle.turnaround_s
            + e.climb_s(self.alt_rel_m)
        )

    def plan(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> SwapPlan | None:
        """The best affordable break at a halt ahead, or None (swap when the battery says)."""
        e = self.energy
        drain = e.drain_pct_per_s()
        usable_pct = battery_pct - e.reserve_pct
        best: SwapPlan | None = None
        for halt in predicted_halts(pred, now_s):
            point = pred.route.point_at(halt.station_m)
            leave = max(now_s, self._leave_s(halt))
            site = nearest_site((float(point[0]), float(point[1])), leave)
            name, dist = site.name, site.distance_m
            spend_pct = drain * (_RUN_AHEAD_DRAIN * (leave - now_s))
            home_pct = drain * (
                e.return_needed_s(distance_m=dist, alt_rel_m=self.alt_rel_m) + self.margin_s
            )
            if spend_pct + home_pct > usable_pct:
                continue  # cannot get there and back on this battery
            if battery_pct - spend_pct > self.max_battery_pct:
                continue  # too early: a sortie is there to watch
            back = leave + self.absence_s(dist)
            lost = _unwatched_s(leave + self.lead_max_s, back + self.lead_min_s, halt)
            speed = max(float(pred.route.planned_speed_at(halt.station_m)), 0.5)
            extra_lead = max(self.lead_max_s - self.lead_margin_s - self.lead_s, 0.0)
            catch_up_s = extra_lead * speed / max(self.vehicle.cruise_speed_m_s - speed, 1.0)
            plan = SwapPlan(leave, leave - catch_up_s - 30.0, halt, name, lost)
            better = best is None or lost < best.lost_s - 1.0
            if better or (
                best is not None and lost <= best.lost_s + 1.0 and leave > best.leave_at_s
            ):
                best = plan
        if best is None:
            return None
        # breaking wherever the battery runs out loses the whole absence beyond the lead window
        anywhere = self._anywhere_lost_s(now_s, pred, battery_pct, nearest_site)
        return best if best.lost_s <= anywhere + _PREFER_HALT_S else None

    def _leave_s(self, halt: HaltWindow) -> float:
        """When to turn for the landing site of a break at ``halt``."""
        if self.land_at_halt:  # down as the patrol arrives, the road watched until then
            descent = self.energy.descent_s(self.alt_rel_m)
            return halt.start_s - self.lead_min_s - descent - self.lead_margin_s
        return halt.start_s - (self.lead_max_s - self.lead_margin_s)

    def stop_request(
        self,
        now_s: float,
        pred: PatrolPrediction,
        battery_pct: float,
        nearest_site: SiteFinder,
        safe_station: Callable[[float], float],
    ) -> StopRequest:
        """The stop to ask the patrol for when the break falls where the battery runs out:
        where the patrol is when the drone is down beside it (``land_at_halt``), else where
        the road watched so far ends, a lead window short of it; moved back to a safe point
        by ``safe_station``. It lasts the whole absence and the lead window to rebuild."""
        leave, site = self._forced_break(now_s, pred, battery_pct, nearest_site)
        if self.land_at_halt:
            down = (
                leave
                + self.energy.transit_s(site.distance_m)
                + self.energy.descent_s(self.alt_rel_m)
            )
            station = float(pred.station_at(down))
        else:
            watched = float(pred.station_at(leave + self.lead_s))
            speed = float(pred.route.planned_speed_at(watched))
            station = max(watched - self.lead_min_s * speed, float(pred.station_at(leave)))
        station = safe_station(station)
        by = float(pred.arrival_time_s(station))
        if not math.isfinite(by):
            by = leave
        duration = self.absence_s(site.distance_m) + self.lead_min_s
        return StopRequest(station, by, duration, site.name)

    def _forced_break(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> tuple[float, LandingSite]:
        """When, and for which site, the battery says go if the drone keeps the lead."""
        e = self.energy

        def site_then(t_s: float) -> LandingSite:
            p = pred.route.point_at(pred.station_at(t_s + self.lead_s))
            return nearest_site((float(p[0]), float(p[1])), t_s)

        def go_s(site: LandingSite) -> float:
            spare = e.flight_left_s(battery_pct) - e.return_needed_s(
                distance_m=site.distance_m, alt_rel_m=self.alt_rel_m
            )
            return now_s + max(spare - self.margin_s, 0.0)

        site = site_then(go_s(site_then(now_s)))  # where the lead point is when it must go
        return go_s(site), site

    def _anywhere_lost_s(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> float:
        """What a break where the battery runs out (on the lead point) would leave unwatched."""
        _, site = self._forced_break(now_s, pred, battery_pct, nearest_site)
        return max(self.absence_s(site.distance_m) - (self.lead_max_s - self.lead_min_s), 0.0)


def _unwatched_s(a_s: float, b_s: float, halt: HaltWindow) -> float:
    """Length of [a, b] outside the halt [start, end] (seconds)."""
    if b_s <= a_s:
        return 0.0
    overlap = max(0.0, min(b_s, halt.end_s) - max(a_s, halt.start_s))
    return (b_s - a_s) - overlap
