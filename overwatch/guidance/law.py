"""The live guidance law: one :class:`GuidanceCommand` per tick from the patrol forecast.

Called at 2 Hz or more with the time (the fix clock, UNIX seconds), a
:class:`VehicleSnapshot` and the :class:`PatrolTracker`. What it decides, in
order of precedence:

1. operator ``land``                         → LANDING where the drone is
2. a return under way (energy, operator, stale feed) → RETURNING, LANDING on arrival
3. operator ``hold`` / ``look at``            → OPERATOR_HOLD / LOOK_AT where the drone is
4. below the watch altitude                   → CLIMB_OUT over where it is
5. ``static``: STATIC_WATCH over the site, whatever the patrol does, until the
   watch's duration has passed (then RETURNING)
6. the patrol: no fix yet → WAITING_FOR_PATROL; feed stale → the configured
   contingency; off the route → WATCH_OFF_ROUTE (on a detour: the route ahead
   where it rejoins); a battery swap planned at a halt ahead → RUN_AHEAD; else
   ``lead`` (WATCH_AHEAD / LOITER_AHEAD), ``escort`` (ESCORT) or ``bounding``
   (BOUNDING).

``bounding`` and ``static`` fly the planner's own geometry
(:func:`overwatch.planning.strategies.vantage_points`,
:func:`~overwatch.planning.strategies.static_site`), so a plan's vantage points
and site are where the live drone goes.

Energy is checked every tick and starts a return with margin before the
reserve would be spent. When the battery will not last the patrol, the break
for a swap is planned where it costs least (:mod:`overwatch.guidance.swap`);
after a fresh battery the lead builds back from zero, so the stretch the
patrol is about to enter is watched first. Every setpoint goes through the
:class:`FenceGuard`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from overwatch.guidance.energy import EnergyModel
from overwatch.guidance.fences import FenceGuard
from overwatch.guidance.recovery import LandingSite, LandingSites
from overwatch.guidance.swap import HaltWindow, SiteFinder, SwapPlan, SwapPlanner
from overwatch.guidance.types import (
    EnergyStatus,
    FenceOutcome,
    GuidanceCommand,
    GuidanceConfig,
    GuidanceMode,
    GuidanceState,
    OperatorOverride,
    ReturnReason,
    RoiTarget,
    StopRequest,
    VehicleSnapshot,
)
from overwatch.mission import MissionGeometry
from overwatch.planning.model import Gap
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import bounding_hop_m, static_site, vantage_points
from overwatch.tracking import PatrolEstimate, PatrolPrediction, PatrolTracker, TrackMode

XY = tuple[float, float]
#: how often the sortie break is re-planned before the run-ahead begins, seconds
_SWAP_REPLAN_S = 5.0
#: the static watch's clock starts when the drone is this close to its orbit (or hold point)
_ON_STATION_M = 50.0
#: while the patrol is halted, the longest stay at either end of the sweep from the lead
#: point back over the patrol, seconds; and a lead point this close needs no sweep, metres
_HALT_SWEEP_S = 120.0
_HALT_SWEEP_MIN_M = 60.0
#: a stop asked of the patrol is moved back along the route, in steps of this, by up to
#: this, to a point outside the keep-outs and the border buffer, metres
_SAFE_STOP_STEP_M = 10.0
_SAFE_STOP_BACK_M = 2000.0


@dataclass(frozen=True)
class _Return:
    """A return in progress: where to (None: the nearest site, chosen when it is flown),
    why, and the gap it leaves."""

    point_name: str
    xy_m: XY | None
    reason: ReturnReason
    gap: Gap | None
    battery_pct: float | None = None  # when the return began
    speed_m_s: float = 0.0  # how fast the point moves (the patrol's, beside the patrol)
    #: it reached the point and is landing: a descent that drifts a few metres (LAND mode
    #: holds no position exactly) lands on, it does not turn back into a return
    landing: bool = False
    #: the point stays put even beside the patrol (a planned halt it waits at)
    fixed: bool = False


@dataclass(frozen=True)
class _Want:
    """What a state wants before the fence check (local metres, m/s east/north)."""

    state: GuidanceState
    xy_m: XY
    velocity_m_s: XY = (0.0, 0.0)
    alt_rel_m: float | None = None
    vd_m_s: float = 0.0
    roi_xy_m: XY | None = None
    yaw_deg: float | None = None
    target_station_m: float | None = None
    lead_s: float | None = None
    action: Literal["goto", "land"] = "goto"
    note: str = ""


class Guidance:
    """The guidance law for one mission. Pure: the caller passes time and state in."""

    def __init__(self, geometry: MissionGeometry, config: GuidanceConfig | None = None) -> None:
        self.geometry = geometry
        self.config = config or GuidanceConfig()
        mission = geometry.mission
        ow, air = mission.overwatch, mission.airspace
        self.mode: GuidanceMode = self.config.mode or ow.strategy
        lead = self.config.lead_s
        if lead is None:
            lead = ow.lead.target_lead_s
        self.lead_s: float = lead if lead is not None else 0.5 * (ow.lead_min_s + ow.lead_max_s)
        min_ahead = self.config.min_ahead_s
        self.min_ahead_s: float = ow.lead_min_s if min_ahead is None else min_ahead
        self.alt_rel_m = min(max(ow.altitude_agl_m, air.min_alt_agl_m), air.max_alt_agl_m)
        self.orbit_radius_m = self.config.orbit_radius_m or ow.escort.radius_m
        self.vehicle = mission.vehicle
        self.fence = FenceGuard(geometry, self.config.fence_margin_m)
        self.energy = EnergyModel(
            mission.vehicle, self.config.drain_window_s, self.config.transit_drain_factor
        )
        self.swaps = SwapPlanner(
            vehicle=mission.vehicle,
            energy=self.energy,
            alt_rel_m=self.alt_rel_m,
            lead_s=self.lead_s,
            lead_min_s=ow.lead_min_s,
            lead_max_s=ow.lead_max_s,
            margin_s=self.config.return_margin_s,
            lead_margin_s=self.config.swap_lead_margin_s,
            max_battery_pct=self.config.swap_max_battery_pct,
            land_at_halt=mission.launch.recovers_with_patrol,
        )
        self._swap_plan: SwapPlan | None = None
        self._stop_request: StopRequest | None = None  # when no halt can hide the swap
        self._swap_checked_s = -math.inf
        self._fresh_battery_s: float | None = None  # when a swapped battery was first seen
        pitch = mission.vehicle.camera.gimbal_pitch_deg
        self.look_ahead_m = self.alt_rel_m / math.tan(math.radians(-pitch)) if pitch < -5 else 100.0
        self._return: _Return | None = None
        self._relieved = False  # another drone has taken over: fly home at the next tick
        self._last_return_point: tuple[tuple[XY, float, bool], LandingSite] | None = None
        #: where sorties land (the mission's recovery)
        self.sites = LandingSites(
            geometry, self.fence, self.alt_rel_m / mission.vehicle.descent_rate_m_s
        )
        self._now_s = 0.0  # this tick's time and forecast, for the landing site
        self._pred: PatrolPrediction | None = None
        self._operator: OperatorOverride | None = None
        self._hold_xy: XY | None = None
        self._look_at_xy: XY | None = None
        # bounding: the planner's vantage points, one per stretch of ``_hop_m`` (computed
        # only for a bounding law: other laws never use them)
        self._hop_m = bounding_hop_m(ow.bounding.hop_m)
        self._vantage = (
            vantage_points(geometry, RouteView.of(geometry), self._hop_m, ow.bounding.standoff_m)
            if self.mode == "bounding"
            else None
        )
        # static: the site, and when the drone was first on station over it
        site = static_site(geometry, ow.static.site)
        self._site: XY = (float(site[0]), float(site[1]))
        self._static_from_s: float | None = None

    # -- operator overrides -------------------------------------------------------

    def operator_hold(self) -> None:
        """Pause: hold where the drone is at the next tick."""
        self._operator, self._hold_xy = OperatorOverride.HOLD, None

    def operator_look_at(self, lat_deg: float, lon_deg: float) -> None:
        """Hold where the drone is and point the camera at (``lat_deg``, ``lon_deg``)."""
        if not (math.isfinite(lat_deg) and math.isfinite(lon_deg) and abs(lat_deg) <= 90):
            raise ValueError(f"look at: not a position: {lat_deg!r}, {lon_deg!r}")
        self._operator, self._hold_xy = OperatorOverride.LOOK_AT, None
        self._look_at_xy = self.geometry.frame.to_local(lat_deg, lon_deg)

    def operator_land(self) -> None:
        """Land where the drone is."""
        self._operator = OperatorOverride.LAND

    def operator_return(self) -> None:
        """Go back to home or the nearest rally point and land there (a guided RTL)."""
        self._operator = None
        self._return = _Return("", None, ReturnReason.OPERATOR, None)

    def job_done_return(self) -> None:
        """The job is done: land where the crew is, beside the patrol when it recovers the
        drone (``recovery: with_patrol``), else at home or the nearest rally point."""
        self._operator = None
        self._return = _Return("", None, ReturnReason.JOB_DONE, None)

    def relieved_return(self) -> None:
        """Another drone of the team watches now: fly to the quickest landing site, land,
        and wait there for a fresh battery (only a fresh pack ends this return)."""
        self._operator = None
        self._relieved = True

    def operator_resume(self) -> None:
        """Cancel hold, look-at, land and an operator return; guidance takes over again.

        A return started for energy or a battery swap is not cancelled (only a
        fresh battery does that).
        """
        self._operator = None
        self._hold_xy = self._look_at_xy = None
        if self._return is not None and not self._return.reason.needs_fresh_battery:
            self._return = None

    # -- the tick ----------------------------------------------------------------

    def tick(
        self, now_s: float, vehicle: VehicleSnapshot, tracker: PatrolTracker
    ) -> GuidanceCommand:
        """The command for this moment."""
        frame = self.geometry.frame
        drone = frame.to_local(vehicle.lat_deg, vehicle.lon_deg)
        self.energy.observe(now_s, vehicle.battery_remaining_pct)
        if self._battery_swapped(vehicle):
            self._return = None
            self._swap_plan = None
            self._fresh_battery_s = now_s
        est = tracker.estimate(now_s)
        pred = tracker.prediction()
        # a stale feed says nowhere the patrol is: land at a fixed site then
        self._now_s, self._pred = now_s, (pred if est.mode is not TrackMode.STALE else None)
        self._update_swap_plan(now_s, vehicle, pred)
        energy = self._energy_status(drone, vehicle)
        if self._relieved:
            self._relieved = False
            if self._return is None or not self._return.reason.needs_fresh_battery:
                # no gap: the drone that took over watches on
                self._start_return(now_s, drone, vehicle, None, ReturnReason.RELIEVED)
        elif (
            self._return is None
            and energy.must_return
            and self._operator is not OperatorOverride.LAND
        ):
            self._start_return(now_s, drone, vehicle, pred, ReturnReason.ENERGY)
        elif (
            self._return is None
            and self._swap_plan is not None
            and now_s >= self._swap_plan.leave_at_s
            and self._operator is None
            and est.mode is not TrackMode.STALE
        ):
            self._start_return(now_s, drone, vehicle, pred, ReturnReason.SWAP)
            if self.swaps.land_at_halt:  # the patrol will stand at the halt: land there
                self._return = self._at_halt(self._return, self._swap_plan.halt)
            self._swap_plan = None
        elif (
            self._return is not None
            and self._return.reason is ReturnReason.STALE
            and est.mode is not TrackMode.STALE
        ):
            self._return = None
        elif self._return is None and self.static_watch_done(now_s):
            self._start_return(now_s, drone, vehicle, None, ReturnReason.STATIC_DONE)
        want = self._decide(now_s, drone, vehicle, est, pred)
        energy = self._energy_status(drone, vehicle)
        return self._finish(now_s, drone, vehicle, want, energy)

    def _decide(
        self,
        now_s: float,
        drone: XY,
        vehicle: VehicleSnapshot,
        est: PatrolEstimate,
        pred: PatrolPrediction | None,
    ) -> _Want:
        if self._operator is OperatorOverride.LAND:
            return _Want(GuidanceState.LANDING, drone, action="land", note="operator: land")
        if (
            self._return is None
            and est.mode is TrackMode.STALE
            and self.config.stale_contingency == "return"
        ):
            self._start_return(now_s, drone, vehicle, pred, ReturnReason.STALE)
        if self._return is not None:
            return self._returning(drone, vehicle)
        if self._operator in (OperatorOverride.HOLD, OperatorOverride.LOOK_AT):
            if self._hold_xy is None:
                self._hold_xy = drone
            if self._operator is OperatorOverride.LOOK_AT and self._look_at_xy is not None:
                return _Want(
                    GuidanceState.LOOK_AT,
                    self._hold_xy,
                    alt_rel_m=vehicle.alt_rel_m,
                    roi_xy_m=self._look_at_xy,
                    note="operator: look at",
                )
            return _Want(
                GuidanceState.OPERATOR_HOLD,
                self._hold_xy,
                alt_rel_m=vehicle.alt_rel_m,
                note="operator: hold",
            )
        if vehicle.alt_rel_m < self.alt_rel_m - self.config.climb_tolerance_m:
            return _Want(
                GuidanceState.CLIMB_OUT,
                drone,
                vd_m_s=-self.vehicle.climb_rate_m_s,
                yaw_deg=vehicle.heading_deg,
            )
        if self.mode == "static":
            return self._static(now_s, drone)
        if pred is None or est.station_m is None:
            start = tuple(self.geometry.route.coords[0])
            return _Want(
                GuidanceState.WAITING_FOR_PATROL,
                (float(start[0]), float(start[1])),
                roi_xy_m=self._route_xy(self.look_ahead_m),
                note="no patrol fix yet",
            )
        if est.mode is TrackMode.STALE:
            return self._contingency(now_s, est, pred)
        if est.mode is TrackMode.OFF_ROUTE:
            cross = est.cross_track_m
            on_detour = cross is not None and abs(cross) <= self.config.detour_max_m
            if self.mode in ("lead", "bounding") and on_detour:
                want = (
                    self._lead(now_s, est, pred)
                    if self.mode == "lead"
                    else self._bounding(now_s, pred)
                )
                return replace(
                    want,
                    state=GuidanceState.WATCH_OFF_ROUTE,
                    note="patrol on a detour: watching the route where it rejoins",
                )
            return self._off_route(now_s, pred)
        if self.mode == "escort":
            return self._escort(now_s, pred)
        if self.mode == "bounding":
            return self._bounding(now_s, pred)
        plan = self._swap_plan
        if plan is not None and now_s >= plan.run_ahead_from_s:
            return self._run_ahead(now_s, pred, plan)
        return self._lead(now_s, est, pred)

    # -- the states -----------------------------------------------------------------

    def _lead(self, now_s: float, est: PatrolEstimate, pred: PatrolPrediction) -> _Want:
        route = pred.route
        lead_s, min_ahead_s = self.lead_s, self.min_ahead_s
        if self._fresh_battery_s is not None:  # relaunched: build the lead back from zero
            climbed_s = self._fresh_battery_s + self.energy.climb_s(self.alt_rel_m)
            ramp = self.config.relaunch_lead_rate * max(now_s - climbed_s, 0.0)
            if ramp < lead_s:
                lead_s, min_ahead_s = ramp, min(min_ahead_s, ramp)
            else:
                self._fresh_battery_s = None
        s_patrol = float(pred.station_at(now_s))
        s_lead = float(pred.station_at(now_s + lead_s))
        min_ahead_m = min_ahead_s * float(route.planned_speed_at(s_patrol))
        s_target = min(max(s_lead, s_patrol + min_ahead_m), route.length_m)
        if est.halted and self._sweep_near(now_s, s_target - s_patrol):
            s_target = s_patrol
        xy = route.point_at(s_target)
        if est.halted or s_target > s_lead:
            velocity: XY = (0.0, 0.0)
        else:
            velocity = _route_velocity(pred, now_s + lead_s)
        arrival = float(pred.arrival_time_s(s_target))
        return _Want(
            GuidanceState.LOITER_AHEAD if est.halted else GuidanceState.WATCH_AHEAD,
            (float(xy[0]), float(xy[1])),
            velocity_m_s=velocity,
            roi_xy_m=self._route_xy(s_target + self.look_ahead_m),
            yaw_deg=float(route.heading_deg_at(s_target)),
            target_station_m=s_target,
            lead_s=None if math.isnan(arrival) else arrival - now_s,
        )

    def _sweep_near(self, now_s: float, ahead_m: float) -> bool:
        """While the patrol stands still, whether to watch from over it rather than from the
        lead point: a halt that outlasts its forecast leaves the stretch between the two
        seen too long before the patrol walks it (more than ``lead_max`` ahead), so the drone
        sweeps back to the patrol every ``_HALT_SWEEP_S`` or so, and that stretch is seen
        afresh within the lead window whenever the patrol moves on."""
        ow = self.geometry.mission.overwatch
        half = min(max((ow.lead_max_s - ow.lead_min_s) / 4.0, 30.0), _HALT_SWEEP_S)
        return ahead_m > _HALT_SWEEP_MIN_M and int(now_s // half) % 2 == 1

    def _run_ahead(self, now_s: float, pred: PatrolPrediction, plan: SwapPlan) -> _Want:
        """Before a planned swap: watch as far ahead as the lead window allows, up to the halt."""
        route = pred.route
        far_s = self.geometry.mission.overwatch.lead_max_s - self.config.swap_lead_margin_s
        s_target = min(float(pred.station_at(now_s + far_s)), plan.halt.station_m)
        xy = route.point_at(s_target)
        arrival = float(pred.arrival_time_s(s_target))
        return _Want(
            GuidanceState.RUN_AHEAD,
            (float(xy[0]), float(xy[1])),
            roi_xy_m=self._route_xy(s_target + self.look_ahead_m),
            yaw_deg=float(route.heading_deg_at(s_target)),
            target_station_m=s_target,
            lead_s=None if math.isnan(arrival) else arrival - now_s,
            note=(
                f"battery swap at {plan.site_name} planned during the halt at "
                f"{plan.halt.station_m / 1000:.1f} km"
            ),
        )

    def _escort(self, now_s: float, pred: PatrolPrediction) -> _Want:
        ahead_s = self.geometry.mission.overwatch.escort.ahead_s
        center = pred.position_at(now_s + ahead_s)
        cx, cy = float(center[0]), float(center[1])
        cv = pred.velocity_at(now_s + ahead_s)
        return self._orbit(
            GuidanceState.ESCORT, now_s, (cx, cy), cv, float(pred.station_at(now_s + ahead_s))
        )

    def _bounding(self, now_s: float, pred: PatrolPrediction) -> _Want:
        """Hold the vantage point of the stretch the patrol reaches in L seconds, camera on
        the route point the patrol reaches then: the drone hops on L seconds before the
        patrol enters the next stretch, as the plan has it."""
        assert self._vantage is not None  # a bounding law has its vantage points
        s_lead = float(pred.station_at(now_s + self.lead_s))
        count = len(self._vantage)
        k = min(max(int(s_lead // self._hop_m), 0), count - 1)
        x, y = float(self._vantage[k, 0]), float(self._vantage[k, 1])
        roi = self._route_xy(s_lead)
        arrival = float(pred.arrival_time_s(s_lead))
        return _Want(
            GuidanceState.BOUNDING,
            (x, y),
            roi_xy_m=roi,
            yaw_deg=math.degrees(math.atan2(roi[0] - x, roi[1] - y)) % 360.0,
            target_station_m=s_lead,
            lead_s=None if math.isnan(arrival) else arrival - now_s,
            note=f"vantage point {k + 1} of {count}",
        )

    def _static(self, now_s: float, drone: XY) -> _Want:
        """Hold over the site (camera straight down) or orbit it, camera on the site."""
        radius = self.geometry.mission.overwatch.static.orbit_radius_m
        site = self._site
        off_orbit_m = abs(math.hypot(drone[0] - site[0], drone[1] - site[1]) - radius)
        if self._static_from_s is None and off_orbit_m <= _ON_STATION_M:
            self._static_from_s = now_s
        if radius > 0.0:
            want = self._orbit(
                GuidanceState.STATIC_WATCH, now_s, site, (0.0, 0.0), None, radius_m=radius
            )
        else:
            want = _Want(GuidanceState.STATIC_WATCH, site, roi_xy_m=site)
        return replace(want, note="static watch over the site")

    def static_watch_done(self, now_s: float) -> bool:
        """Whether a static watch of limited duration has lasted it, from the moment the drone
        was first on station (a watch without one lasts the patrol)."""
        duration = self.geometry.mission.overwatch.static.duration_s
        started = self._static_from_s
        return (
            self.mode == "static"
            and duration is not None
            and started is not None
            and now_s - started >= duration
        )

    def _orbit(
        self,
        state: GuidanceState,
        now_s: float,
        center: XY,
        center_velocity: XY,
        station: float | None,
        *,
        radius_m: float | None = None,
    ) -> _Want:
        r = self.orbit_radius_m if radius_m is None else radius_m
        speed = min(0.5 * self.vehicle.cruise_speed_m_s, self.vehicle.max_speed_m_s)
        omega = speed / r if r > 0 else 0.0
        theta = (omega * now_s) % (2 * math.pi)  # clockwise from north
        x = center[0] + r * math.sin(theta)
        y = center[1] + r * math.cos(theta)
        vx = center_velocity[0] + omega * r * math.cos(theta)
        vy = center_velocity[1] - omega * r * math.sin(theta)
        yaw = math.degrees(math.atan2(center[0] - x, center[1] - y)) % 360.0 if r > 0 else None
        return _Want(
            state,
            (x, y),
            velocity_m_s=(vx, vy),
            roi_xy_m=center,
            yaw_deg=yaw,
            target_station_m=station,
        )

    def _off_route(self, now_s: float, pred: PatrolPrediction) -> _Want:
        ahead = self.config.off_route_ahead_s
        p = pred.position_at(now_s + ahead)
        look = pred.position_at(now_s + 2 * ahead)
        heading = pred.heading_deg_at(now_s)
        return _Want(
            GuidanceState.WATCH_OFF_ROUTE,
            (float(p[0]), float(p[1])),
            velocity_m_s=pred.velocity_at(now_s + ahead),
            roi_xy_m=(float(look[0]), float(look[1])),
            yaw_deg=heading,
            note="patrol off its route: dead reckoning",
        )

    def _contingency(self, now_s: float, est: PatrolEstimate, pred: PatrolPrediction) -> _Want:
        note = f"patrol feed stale for {est.age_s:.0f} s"
        bridge = (
            self.config.stale_contingency == "orbit"
            and self.mode == "lead"
            and est.age_s is not None
            and est.age_s <= self.config.stale_forecast_s
            and est.mode is TrackMode.STALE
            and self._last_seen_on_route(est)
        )
        if bridge:  # a short dropout on the road: the patrol most likely drives on
            return replace(
                self._lead(now_s, est, pred), note=f"{note}: watching ahead on the forecast"
            )
        if self.config.stale_contingency == "hold_checkpoint" and est.station_m is not None:
            s = self._next_checkpoint(est.station_m, pred)
            xy = pred.route.point_at(s)
            return _Want(
                GuidanceState.CONTINGENCY_HOLD_CHECKPOINT,
                (float(xy[0]), float(xy[1])),
                roi_xy_m=self._route_xy(s + self.look_ahead_m),
                yaw_deg=float(pred.route.heading_deg_at(s)),
                target_station_m=s,
                note=note,
            )
        assert est.x_m is not None and est.y_m is not None
        want = self._orbit(
            GuidanceState.CONTINGENCY_ORBIT, now_s, (est.x_m, est.y_m), (0.0, 0.0), None
        )
        return replace(want, note=note)

    @staticmethod
    def _last_seen_on_route(est: PatrolEstimate) -> bool:
        """The last fix before the feed went stale put the patrol on its route."""
        return est.station_m is not None and (
            est.cross_track_m is None or abs(est.cross_track_m) <= 50.0
        )

    def _next_checkpoint(self, station_m: float, pred: PatrolPrediction) -> float:
        """The nearest planned halt or route vertex ahead of ``station_m`` (or the route's end)."""
        beyond = station_m + self.config.checkpoint_min_ahead_m
        halts = [a for a, _ in self.geometry.schedule.halts if a >= beyond]
        vertices = pred.route.vertex_s_m[pred.route.vertex_s_m >= beyond]
        candidates = halts + [float(v) for v in vertices]
        return min(candidates) if candidates else pred.route.length_m

    def _returning(self, drone: XY, vehicle: VehicleSnapshot) -> _Want:
        assert self._return is not None
        ret = self._return
        # an operator's return: the nearest launch or rally site, chosen now (the operator
        # asked for home); beside the patrol: where the patrol will be, re-aimed each tick
        # until the landing begins
        operator = ret.reason is ReturnReason.OPERATOR
        if ret.xy_m is None or (
            self.sites.moving and not ret.landing and not operator and not ret.fixed
        ):
            site = self._return_point(drone, fixed=operator)
            self._return = ret = replace(
                ret, point_name=site.name, xy_m=site.xy_m, speed_m_s=site.speed_m_s
            )
        assert ret.xy_m is not None
        dx, dy = ret.xy_m[0] - drone[0], ret.xy_m[1] - drone[1]
        dist = math.hypot(dx, dy)
        note = f"returning to {ret.point_name} ({ret.reason})"
        if ret.landing or dist <= self.config.arrive_radius_m:
            self._return = replace(ret, landing=True)
            return _Want(GuidanceState.LANDING, ret.xy_m, action="land", note=note)
        # slowing down into the site, but never slower than a site that moves (the patrol)
        speed = min(self.vehicle.cruise_speed_m_s, dist / 5.0 + ret.speed_m_s)
        alt = min(
            max(vehicle.alt_rel_m, self.geometry.mission.airspace.min_alt_agl_m), self.alt_rel_m
        )
        return _Want(
            GuidanceState.RETURNING,
            ret.xy_m,
            velocity_m_s=(speed * dx / dist, speed * dy / dist),
            alt_rel_m=alt,
            yaw_deg=math.degrees(math.atan2(dx, dy)) % 360.0,
            note=note,
        )

    # -- energy -----------------------------------------------------------------------

    def _return_point(self, drone: XY, *, fixed: bool = False) -> LandingSite:
        """Where a sortie turning for home from ``drone`` now lands (the mission's
        recovery, :mod:`overwatch.guidance.recovery`; ``fixed``: a launch or rally site in
        any case): its name, position and the distance to plan with. A tick asks several
        times from one position: the last answer is kept for it."""
        key = (drone, self._now_s, fixed)
        last = self._last_return_point
        if last is not None and last[0] == key:
            return last[1]
        site = self.sites.site(drone, self._now_s, None if fixed else self._pred)
        self._last_return_point = (key, site)
        return site

    def _site_finder(self, pred: PatrolPrediction) -> SiteFinder:
        """The landing site from a point at a time, on ``pred`` (for the swap planner)."""
        return lambda xy, t_s: self.sites.site(xy, t_s, pred)

    def _at_halt(self, ret: _Return | None, halt: HaltWindow) -> _Return | None:
        """``ret`` to the planned halt's route point (the nearest safe point to it), where
        the patrol will stand for the swap, instead of wherever the patrol is meanwhile."""
        if ret is None:
            return None
        xy = self.fence.nearest_safe(*self._route_xy(halt.station_m))
        name = f"the patrol at the halt at km {halt.station_m / 1000.0:.2f}"
        return replace(ret, point_name=name, xy_m=xy, speed_m_s=0.0, fixed=True)

    def _battery_swapped(self, vehicle: VehicleSnapshot) -> bool:
        """On the ground after an energy return or a swap, with a fresher battery than it
        flew back on."""
        ret, pct = self._return, vehicle.battery_remaining_pct
        if ret is None or not ret.reason.needs_fresh_battery:
            return False
        if ret.battery_pct is None or pct is None:
            return False
        # a fresh pack reads well above the tired one, however full that still was
        fresher = min(10.0, 0.5 * (100.0 - ret.battery_pct))
        return vehicle.alt_rel_m < 1.0 and pct > ret.battery_pct + fresher

    def _update_swap_plan(
        self, now_s: float, vehicle: VehicleSnapshot, pred: PatrolPrediction | None
    ) -> None:
        """Plan (or drop) the sortie break; fixed once the run-ahead has begun."""
        plan = self._swap_plan
        if plan is not None and now_s >= plan.run_ahead_from_s:
            return
        if now_s - self._swap_checked_s < _SWAP_REPLAN_S:
            return
        self._swap_checked_s = now_s
        self._stop_request = None
        pct = vehicle.battery_remaining_pct
        if (
            not self.config.plan_swaps
            or self.mode != "lead"
            or pred is None
            or pct is None
            or self._return is not None
            or vehicle.alt_rel_m < self.alt_rel_m - self.config.climb_tolerance_m
        ):
            self._swap_plan = None
            return
        nearest = self._site_finder(pred)
        if not self.swaps.needs_swap(now_s, pred, pct, nearest):
            self._swap_plan = None
            return
        choice = self.swaps.choose(now_s, pred, pct, nearest)
        self._swap_plan = choice.plan
        if choice.plan is None and not choice.stays:
            self._stop_request = self.swaps.stop_request(
                now_s, pred, pct, nearest, self._safe_station
            )

    def _safe_station(self, s_m: float) -> float:
        """The route station at or short of ``s_m`` where the patrol can stop for the drone:
        the first, stepping back, off every keep-out and the border buffer by the fence
        margin (``s_m`` when none is within ``_SAFE_STOP_BACK_M``)."""
        back = 0.0
        while back <= _SAFE_STOP_BACK_M and s_m - back >= 0.0:
            if self.fence.point_safe(*self._route_xy(s_m - back)):
                return s_m - back
            back += _SAFE_STOP_STEP_M
        return s_m

    def _energy_status(self, drone: XY, vehicle: VehicleSnapshot) -> EnergyStatus:
        site = self._return_point(drone)
        name = site.name
        needed = self.energy.return_needed_s(
            distance_m=site.distance_m, alt_rel_m=vehicle.alt_rel_m
        )
        pct = vehicle.battery_remaining_pct
        left = None if pct is None else self.energy.flight_left_s(pct)
        margin = None if left is None else left - needed
        return EnergyStatus(
            battery_pct=pct,
            flight_left_s=left,
            return_needed_s=needed,
            margin_s=margin,
            return_point=self._return.point_name if self._return is not None else name,
            drain_pct_per_s=self.energy.drain_pct_per_s(),
            must_return=(margin is not None and margin <= self.config.return_margin_s)
            or (self._return is not None and self._return.reason.needs_fresh_battery),
            swap_station_m=None if self._swap_plan is None else self._swap_plan.halt.station_m,
            swap_leave_s=None if self._swap_plan is None else self._swap_plan.leave_at_s,
            stop_request=self._stop_request,
        )

    def _start_return(
        self,
        now_s: float,
        drone: XY,
        vehicle: VehicleSnapshot,
        pred: PatrolPrediction | None,
        reason: ReturnReason,
    ) -> None:
        site = self._return_point(drone)
        gap = None
        if pred is not None:
            gap = self._gap_after_return(now_s, site.xy_m, site.distance_m, vehicle, pred, reason)
        self._return = _Return(
            site.name, site.xy_m, reason, gap, vehicle.battery_remaining_pct, site.speed_m_s
        )

    def _gap_after_return(
        self,
        now_s: float,
        home: XY,
        dist: float,
        vehicle: VehicleSnapshot,
        pred: PatrolPrediction,
        reason: ReturnReason,
    ) -> Gap:
        """The stretch that goes unwatched: from what is watched now to where the lead
        point will be when a fresh sortie (after ``turnaround_s``) is back on station."""
        v = self.vehicle
        route = pred.route
        start = float(pred.station_at(now_s + self.lead_s))
        relaunch = now_s + self.energy.return_needed_s(distance_m=dist, alt_rel_m=vehicle.alt_rel_m)
        relaunch += v.turnaround_s
        climb = self.alt_rel_m / v.climb_rate_m_s
        back = relaunch + climb
        for _ in range(3):  # the lead point moves while the drone flies out to it
            target = route.point_at(pred.station_at(back + self.lead_s))
            back = (
                relaunch
                + climb
                + math.hypot(target[0] - home[0], target[1] - home[1]) / v.cruise_speed_m_s
            )
        end = float(pred.station_at(back + self.lead_s))
        return Gap(
            start_m=start,
            end_m=max(end, start),
            reason=f"{reason}: back on station at t+{back - now_s:.0f} s",
        )

    # -- output -------------------------------------------------------------------------

    def _route_xy(self, s_m: float) -> XY:
        """The route point at station ``s_m`` (clamped to the route)."""
        line = self.geometry.route
        p = line.interpolate(min(max(s_m, 0.0), line.length))
        return float(p.x), float(p.y)

    def _finish(
        self, now_s: float, drone: XY, vehicle: VehicleSnapshot, want: _Want, energy: EnergyStatus
    ) -> GuidanceCommand:
        frame = self.geometry.frame
        if want.action == "land":
            fenced_xy, outcome = drone, FenceOutcome.OK
            if not self.fence.point_ok(*drone):
                fenced = self.fence.check(drone, drone)
                fenced_xy, outcome = (fenced.x_m, fenced.y_m), fenced.outcome
        else:
            fenced = self.fence.check(drone, want.xy_m)
            fenced_xy, outcome = (fenced.x_m, fenced.y_m), fenced.outcome
        velocity = want.velocity_m_s if outcome is FenceOutcome.OK else (0.0, 0.0)
        speed = math.hypot(*velocity)
        if speed > self.vehicle.max_speed_m_s:
            velocity = (
                velocity[0] * self.vehicle.max_speed_m_s / speed,
                velocity[1] * self.vehicle.max_speed_m_s / speed,
            )
        alt = self.alt_rel_m if want.alt_rel_m is None else want.alt_rel_m
        if want.action == "land":
            alt = 0.0
        lat, lon = frame.to_wgs84(*fenced_xy)
        roi = None
        if want.roi_xy_m is not None:
            roi_lat, roi_lon = frame.to_wgs84(*want.roi_xy_m)
            roi = RoiTarget(roi_lat, roi_lon, 0.0)
        note = want.note
        if outcome is not FenceOutcome.OK:
            note = (note + "; " if note else "") + f"fence: {outcome.value}"
        return GuidanceCommand(
            time_s=now_s,
            state=want.state,
            action=want.action,
            lat_deg=lat,
            lon_deg=lon,
            alt_rel_m=alt,
            x_m=fenced_xy[0],
            y_m=fenced_xy[1],
            vn_m_s=float(velocity[1]),
            ve_m_s=float(velocity[0]),
            vd_m_s=want.vd_m_s,
            yaw_deg=want.yaw_deg,
            roi=roi,
            fence=outcome,
            energy=energy,
            target_station_m=want.target_station_m,
            lead_s=want.lead_s,
            gap=self._return.gap if self._return is not None else None,
            note=note,
        )


def _route_velocity(pred: PatrolPrediction, t_s: float, step_s: float = 1.0) -> XY:
    """The forecast's velocity along the route at ``t_s`` (m/s east, north), even off it."""
    a = pred.route.point_at(pred.station_at(t_s))
    b = pred.route.point_at(pred.station_at(t_s + step_s))
    return float((b[0] - a[0]) / step_s), float((b[1] - a[1]) / step_s)
