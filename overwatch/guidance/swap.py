"""Where to break a sortie for a battery swap: at the planned halt that costs least.

A station of the route counts as watched when the camera sees it between
``lead_max_s`` and ``lead_min_s`` before the patrol gets there. A drone that
leaves at ``t_leave`` and is back on station at ``t_back`` therefore misses
the stations the patrol reaches between ``t_leave + lead_max_s`` and
``t_back + lead_min_s`` — except while the patrol stands still: a halt inside
that interval costs nothing. So when the battery will not last the patrol,
the swap is planned at the halt ahead that leaves the least unwatched over the
whole rest of the patrol (each choice counted to the end: a halt taken early that
spares a later break anywhere wins; near the end, staying within the reserve beats a
swap the patrol would be in before), leaving
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
#: how many breaks ahead a choice is followed before the rest is estimated
_LOOK_AHEAD = 2


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
    """Plans battery swaps for one vehicle (seconds, metres, percent)."""

    vehicle: Vehicle
    energy: EnergyModel
    alt_rel_m: float
    lead_s: float
    lead_min_s: float
    lead_max_s: float
    margin_s: float
    lead_margin_s: float
    #: a sortie to a fixed site breaks at a halt only once the battery is down to this
    max_battery_pct: float = 60.0
    #: the landing site is the patrol (``recovery: with_patrol``): wait for it at the halt
    #: and land there as it arrives, watching the road until then, instead of leaving a
    #: lead window early for a site away from the road
    land_at_halt: bool = False

    def needs_swap(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> bool:
        """Whether the battery runs short of watching to the route's end and landing."""
        return (
            self._short_of_end_s(
                now_s, self.energy.sortie_flight_left_s(battery_pct), pred, nearest_site
            )
            > 0.0
        )

    def _short_of_end_s(
        self, t0_s: float, budget_s: float, pred: PatrolPrediction, nearest_site: SiteFinder
    ) -> float:
        """How many seconds of flight ``budget_s`` (from ``t0_s``) falls short of watching to
        the route's end and landing (0: it lasts)."""
        end_m = pred.route.length_m
        t_end = float(pred.arrival_time_s(end_m))
        if not math.isfinite(t_end):
            return 0.0
        end_xy = pred.route.point_at(end_m)
        dist = nearest_site((float(end_xy[0]), float(end_xy[1])), t_end).distance_m
        needed_s = max(t_end - t0_s, 0.0) + self.energy.return_needed_s(
            distance_m=dist, alt_rel_m=self.alt_rel_m
        )
        return max(needed_s + self.margin_s - budget_s, 0.0)

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

    def halt_lost_s(self, leave_s: float, back_s: float, halt: HaltWindow) -> float:
        """Patrol-seconds a break at ``halt`` leaves unwatched, leaving at ``leave_s`` and
        back over the track at ``back_s``. From a fixed site: what the patrol reaches
        between the run-ahead's far end and the lead window's near end once back, outside
        the halt. Beside the patrol (``land_at_halt``): the road past the halt is watched
        again only once the drone is back and has built a lead window's lead; the halt's
        rest hides that."""
        if self.land_at_halt:
            return max(back_s + 2.0 * self.lead_min_s - halt.end_s, 0.0)
        return _unwatched_s(leave_s + self.lead_max_s, back_s + self.lead_min_s, halt)

    def break_lost_s(self, distance_m: float) -> float:
        """Patrol-seconds a break away from any halt leaves unwatched, via a site
        ``distance_m`` away: the road was watched a lead ahead when the drone left, and once
        back it builds the lead from over the patrol, a lead window to reach it."""
        return max(self.absence_s(distance_m) - self.lead_s + 2.0 * self.lead_min_s, 0.0)

    def choose(
        self, now_s: float, pred: PatrolPrediction, battery_pct: float, nearest_site: SiteFinder
    ) -> SwapChoice:
        """The break at a halt ahead that leaves least unwatched over the whole rest of the
        patrol, or none (break where the battery says, or stay to the end).

        Each choice is counted to the end: a halt's own cost, then what the fresh battery
        still cannot cover (the next halts or breaks, :data:`_LOOK_AHEAD` deep), so a halt
        taken early that spares a later break anywhere wins, and of two equal halts the
        later one. A break anywhere counts the whole absence beyond the lead window, or only
        the road left when the patrol finishes first."""
        halts = predicted_halts(pred, now_s)
        look = _LookAhead(self, pred, nearest_site)
        budget = self.energy.sortie_flight_left_s(battery_pct)
        return look.best(now_s, budget, halts, _LOOK_AHEAD, battery_pct)

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
        budget = self.energy.sortie_flight_left_s(battery_pct)
        leave, site = self._forced_break_after(now_s, budget, pred, nearest_site)
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

    def _forced_break_after(
        self, t0_s: float, budget_s: float, pred: PatrolPrediction, nearest_site: SiteFinder
    ) -> tuple[float, LandingSite]:
        """When, and for which site, ``budget_s`` seconds of flight from ``t0_s`` say go if
        the drone keeps the lead."""
        e = self.energy

        def site_then(t_s: float) -> LandingSite:
            p = pred.route.point_at(pred.station_at(t_s + self.lead_s))
            return nearest_site((float(p[0]), float(p[1])), t_s)

        def go_s(site: LandingSite) -> float:
            spare = budget_s - e.return_needed_s(
                distance_m=site.distance_m, alt_rel_m=self.alt_rel_m
            )
            return t0_s + max(spare - self.margin_s, 0.0)

        site = site_then(go_s(site_then(t0_s)))  # where the lead point is when it must go
        return go_s(site), site


@dataclass(frozen=True)
class SwapChoice:
    """A choice of break and what it leaves unwatched to the patrol's end (patrol-seconds):
    ``plan``, at a halt; else (None) where the battery runs out, and then ``stays``: the
    patrol is in before a fresh battery would be back, so the drone watches on within its
    reserve and is not relaunched."""

    lost_s: float
    plan: SwapPlan | None
    stays: bool = False


class _LookAhead:
    """Breaks counted to the patrol's end for :meth:`SwapPlanner.plan` (landing sites are
    asked once per point and time)."""

    def __init__(self, planner: SwapPlanner, pred: PatrolPrediction, nearest: SiteFinder):
        self.p, self.pred = planner, pred
        self._nearest = nearest
        self._sites: dict[tuple[float, float], LandingSite] = {}
        self.full_s = planner.energy.sortie_flight_left_s(100.0)  # a fresh battery
        self.t_end = float(pred.arrival_time_s(pred.route.length_m))

    def site(self, station_m: float, t_s: float) -> LandingSite:
        key = (round(station_m), round(t_s))
        found = self._sites.get(key)
        if found is None:
            xy = self.pred.route.point_at(station_m)
            found = self._sites[key] = self._nearest((float(xy[0]), float(xy[1])), t_s)
        return found

    def best(
        self,
        t0_s: float,
        budget_s: float,
        halts: list[HaltWindow],
        depth: int,
        battery_pct: float | None = None,
    ) -> SwapChoice:
        """The least unwatched from ``t0_s`` on ``budget_s`` seconds of flight: a halt's
        plan, or None (lasting to the end, or a break where the battery runs out).
        ``battery_pct``: the battery now, for the first break (see :meth:`_too_full`)."""
        p = self.p
        if p._short_of_end_s(t0_s, budget_s, self.pred, self._nearest) <= 0.0:
            return SwapChoice(0.0, None)
        lost, stays = self._anywhere_s(t0_s, budget_s, halts, depth)
        best = SwapChoice(lost + _PREFER_HALT_S, None, stays)
        for i, halt in enumerate(halts):
            leave = max(t0_s, p._leave_s(halt))
            site = self.site(halt.station_m, leave)
            home_s = p.energy.return_needed_s(distance_m=site.distance_m, alt_rel_m=p.alt_rel_m)
            if (leave - t0_s) * _RUN_AHEAD_DRAIN + home_s + p.margin_s > budget_s:
                continue  # cannot get there and back on this battery
            if battery_pct is not None and self._too_full(battery_pct, leave - t0_s):
                continue
            back = leave + p.absence_s(site.distance_m)
            own = p.halt_lost_s(leave, back, halt)
            if depth > 0:
                lost = own + self.best(back, self.full_s, halts[i + 1 :], depth - 1).lost_s
            else:
                lost = own + self._rough_s(back)
            if lost < best.lost_s - 1.0 or (
                best.plan is not None and lost <= best.lost_s + 1.0 and leave > best.plan.leave_at_s
            ):
                best = SwapChoice(lost, self._plan(leave, halt, site, own))
        return best

    def _too_full(self, battery_pct: float, until_leave_s: float) -> bool:
        """A sortie to a fixed site breaks at a halt only once the battery is down to
        :attr:`SwapPlanner.max_battery_pct`: the cost of its transit both ways is an estimate
        (on real ArduCopter SITL a dearer drain made a 90 s halt at 84 % look cheaper than
        the checkpoint it then could not reach), and an early swap far from the road is
        the dearest mistake. Beside the patrol a swap costs no transit and is not held back."""
        p = self.p
        if p.land_at_halt:
            return False
        spend = p.energy.sortie_drain_pct_per_s() * _RUN_AHEAD_DRAIN * until_leave_s
        return battery_pct - spend > p.max_battery_pct

    def _plan(self, leave_s: float, halt: HaltWindow, site: LandingSite, lost_s: float) -> SwapPlan:
        """The plan of a break at ``halt`` that leaves ``lost_s`` of its own unwatched."""
        p = self.p
        speed = max(float(self.pred.route.planned_speed_at(halt.station_m)), 0.5)
        extra_lead = max(p.lead_max_s - p.lead_margin_s - p.lead_s, 0.0)
        catch_up_s = extra_lead * speed / max(p.vehicle.cruise_speed_m_s - speed, 1.0)
        return SwapPlan(leave_s, leave_s - catch_up_s - 30.0, halt, site.name, lost_s)

    def _anywhere_s(
        self, t0_s: float, budget_s: float, halts: list[HaltWindow], depth: int
    ) -> tuple[float, bool]:
        """A break where the battery runs out and what the fresh battery leaves after it;
        and whether the drone should rather stay to the end (no relaunch)."""
        p = self.p
        leave, site = p._forced_break_after(t0_s, budget_s, self.pred, self._nearest)
        cut = max(self.t_end - (leave + p.lead_s), 0.0)  # the road left if it never came back
        lost = p.break_lost_s(site.distance_m)
        if lost >= cut:
            return cut, True  # the patrol is in before a fresh battery would be back: stay
        back = leave + p.absence_s(site.distance_m)
        if depth > 0:
            after = [h for h in halts if h.end_s > back]
            return lost + self.best(back, self.full_s, after, depth - 1).lost_s, False
        return lost + self._rough_s(back), False

    def _rough_s(self, t0_s: float) -> float:
        """Past the look-ahead: one break's worth of absence per battery still short."""
        p = self.p
        short = p._short_of_end_s(t0_s, self.full_s, self.pred, self._nearest)
        if short <= 0.0:
            return 0.0
        return p.break_lost_s(0.0) * math.ceil(short / self.full_s)


def _unwatched_s(a_s: float, b_s: float, halt: HaltWindow) -> float:
    """Length of [a, b] outside the halt [start, end] (seconds)."""
    if b_s <= a_s:
        return 0.0
    overlap = max(0.0, min(b_s, halt.end_s) - max(a_s, halt.start_s))
    return (b_s - a_s) - overlap
