"""What guidance reads each tick and what it answers: frozen values, units in names."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, fields
from typing import Literal

from overwatch.mission import STRATEGIES, StrategyName
from overwatch.planning.model import Gap


class ReturnReason(enum.StrEnum):
    """Why the drone is flying back to land (its value is what notes say)."""

    ENERGY = "energy"  # the battery left is what the way back needs, with the margin
    SWAP = "swap"  # the planned battery swap, at a halt of the patrol's
    STALE = "stale"  # the patrol feed went stale and the contingency is to return
    OPERATOR = "operator"  # the operator asked for it
    STATIC_DONE = "static watch complete"  # a static watch lasted its duration
    JOB_DONE = "job done"  # the run is over: land where the crew is (beside the patrol too)
    RELIEVED = "relieved"  # another drone of the team has taken over the watch

    @property
    def needs_fresh_battery(self) -> bool:
        """Only a fresh battery ends this return (the operator's resume does not)."""
        return self in (ReturnReason.ENERGY, ReturnReason.SWAP, ReturnReason.RELIEVED)


class OperatorOverride(enum.StrEnum):
    """What the operator has taken over from guidance, until resumed."""

    HOLD = "hold"  # hold where the drone is
    LOOK_AT = "look_at"  # hold, camera on a point
    LAND = "land"  # land where the drone is


class GuidanceState(enum.StrEnum):
    """What the drone is doing, as guidance sees it.

    CLIMB_OUT: climbing to the watch altitude over where it is.
    WATCH_AHEAD: over the stretch the patrol reaches in L seconds (``lead``).
    LOITER_AHEAD: the patrol has halted; hold ahead of it, camera on what comes next.
    ESCORT: orbit the patrol's predicted position (``escort``).
    BOUNDING: hold the vantage point beside the stretch the patrol reaches in L seconds,
    camera on that stretch; hop to the next one as the lead point enters it (``bounding``).
    STATIC_WATCH: hold (camera straight down) or orbit over the static site, camera on it
    (``static``).
    RUN_AHEAD: a battery swap is planned at a halt ahead; watch the route up to it, as far
    ahead as the lead window allows, so the time away costs the least.
    WATCH_OFF_ROUTE: the patrol left the route: on a detour near it, watch the route ahead
    where it will rejoin; far from it, watch around its actual position and heading.
    WAITING_FOR_PATROL: no fix yet; hold over the start of the route.
    CONTINGENCY_ORBIT / CONTINGENCY_HOLD_CHECKPOINT: the feed is stale; orbit the last
    known position / hold over the next checkpoint (halt or route vertex) ahead.
    RETURNING: flying to home or the nearest rally point (energy, stale feed, operator).
    LANDING: at the return point (or on operator request): land.
    OPERATOR_HOLD: held where the operator said pause. LOOK_AT: held, camera on the
    operator's point.
    """

    CLIMB_OUT = "climb_out"
    WATCH_AHEAD = "watch_ahead"
    LOITER_AHEAD = "loiter_ahead"
    ESCORT = "escort"
    BOUNDING = "bounding"
    STATIC_WATCH = "static_watch"
    RUN_AHEAD = "run_ahead"
    WATCH_OFF_ROUTE = "watch_off_route"
    WAITING_FOR_PATROL = "waiting_for_patrol"
    CONTINGENCY_ORBIT = "contingency_orbit"
    CONTINGENCY_HOLD_CHECKPOINT = "contingency_hold_checkpoint"
    RETURNING = "returning"
    LANDING = "landing"
    OPERATOR_HOLD = "operator_hold"
    LOOK_AT = "look_at"


class FenceOutcome(enum.StrEnum):
    """What the fence check did to the wanted setpoint.

    OK: untouched. MOVED: the wanted point was in a forbidden area (or outside
    the keep-in, or within the fence margin) and was pushed to the nearest
    point ``fence_margin_m`` inside the allowed area. DETOUR: the straight path
    crossed a forbidden area; the setpoint is a corner of the allowed area on
    the way round (one leg at a time). SHORTENED: the
    straight path to it crossed a forbidden area; the setpoint stops short of
    it. HOLD: no allowed move; hold where the drone is. ESCAPE: the drone itself
    is inside a forbidden area; the setpoint is the nearest way out.
    """

    OK = "ok"
    MOVED = "moved"
    DETOUR = "detour"
    SHORTENED = "shortened"
    HOLD = "hold"
    ESCAPE = "escape"


ContingencyName = Literal["orbit", "hold_checkpoint", "return"]
#: guidance has one law per planned strategy
GuidanceMode = StrategyName
GUIDANCE_MODES: tuple[GuidanceMode, ...] = STRATEGIES


@dataclass(frozen=True)
class VehicleSnapshot:
    """The drone as guidance needs it.

    ``alt_rel_m`` is above home; ``heading_deg`` clockwise from north;
    ``battery_remaining_pct`` 0-100 (None: unknown); ``gimbal_pitch_deg``
    negative below the horizon and ``gimbal_yaw_deg`` relative to the vehicle's
    heading (None: the camera's defaults).
    """

    lat_deg: float
    lon_deg: float
    alt_rel_m: float
    heading_deg: float = 0.0
    battery_remaining_pct: float | None = None
    gimbal_pitch_deg: float | None = None
    gimbal_yaw_deg: float | None = None

    def __post_init__(self) -> None:
        for name in ("lat_deg", "lon_deg", "alt_rel_m", "heading_deg"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"VehicleSnapshot.{name} must be finite")


@dataclass(frozen=True)
class RoiTarget:
    """Where the camera should look: WGS84 degrees, ``alt_rel_m`` above home (0: ground)."""

    lat_deg: float
    lon_deg: float
    alt_rel_m: float = 0.0


@dataclass(frozen=True)
class StopRequest:
    """A stop the patrol's schedule does not give, for the operator to ask of the patrol.

    The battery will not last the patrol and no planned halt can hide the swap: if the
    patrol halts at route station ``station_m`` (a point outside every keep-out and the
    border buffer) by ``by_s`` (fix clock) for ``duration_s``, the drone is swapped at
    ``site_name`` and back on watch before the patrol walks on, and nothing goes unwatched.
    """

    station_m: float
    by_s: float
    duration_s: float
    site_name: str

    def text(self, now_s: float) -> str:
        """What to ask, for a screen or a log line: ``stop the patrol at km 4.20 in 3 min
        for 6 min (battery swap at …)``."""
        due_min = max(self.by_s - now_s, 0.0) / 60.0
        when = "now" if due_min < 0.5 else f"in {due_min:.0f} min"
        return (
            f"stop the patrol at km {self.station_m / 1000.0:.2f} {when} for "
            f"{math.ceil(self.duration_s / 60.0):.0f} min (battery swap at {self.site_name})"
        )


@dataclass(frozen=True)
class EnergyStatus:
    """The energy picture this tick.

    ``flight_left_s`` is flight time until the reserve is reached at the
    current drain; ``return_needed_s`` the time to fly to ``return_point`` and
    land; ``margin_s`` what is left over (``flight_left_s - return_needed_s``);
    ``must_return`` whether guidance has decided to go back. ``drain_pct_per_s``
    is the drain used (the larger of nominal and measured). When the battery
    will not last the patrol, ``swap_station_m``/``swap_leave_s`` say where
    (the halt's route station, None: wherever the battery runs out) and when
    (fix clock) the sortie is planned to break for a battery swap; when no halt can hide
    the break, ``stop_request`` is the stop to ask the patrol for.
    """

    battery_pct: float | None
    flight_left_s: float | None
    return_needed_s: float
    margin_s: float | None
    return_point: str
    drain_pct_per_s: float
    must_return: bool
    swap_station_m: float | None = None
    swap_leave_s: float | None = None
    stop_request: StopRequest | None = None


@dataclass(frozen=True)
class GuidanceCommand:
    """One tick's answer.

    ``action`` is ``"goto"`` (fly to the position setpoint with the velocity
    feed-forward) or ``"land"`` (land where the drone is). The setpoint is WGS84
    degrees and ``alt_rel_m`` above home, also given in local metres
    (``x_m``/``y_m``); the feed-forward is m/s north/east/down. ``yaw_deg`` is
    the heading to hold (None: let the ROI drive it). ``target_station_m`` is
    the route station the drone is placed over (None off the route), and
    ``lead_s`` how far ahead of the patrol (seconds of patrol time) that
    station is. ``gap`` is the stretch of route expected to go unwatched after
    a return (None when not returning).
    """

    time_s: float
    state: GuidanceState
    action: Literal["goto", "land"]
    lat_deg: float
    lon_deg: float
    alt_rel_m: float
    x_m: float
    y_m: float
    vn_m_s: float
    ve_m_s: float
    vd_m_s: float
    yaw_deg: float | None
    roi: RoiTarget | None
    fence: FenceOutcome
    energy: EnergyStatus
    target_station_m: float | None = None
    lead_s: float | None = None
    gap: Gap | None = None
    note: str = ""


@dataclass(frozen=True)
class GuidanceConfig:
    """Tuning of the guidance law (seconds, metres, m/s).

    ``mode``: ``lead``, ``escort``, ``bounding`` or ``static`` (None: the
    mission's strategy). ``lead_s``: the lead L (None: the mission's
    ``target_lead_s`` or the middle of its lead window). ``min_ahead_s``: while
    the patrol is halted the drone stays at least the distance the patrol
    covers in this many seconds at planned speed ahead of it (None: the
    mission's ``lead_min_s``). ``stale_contingency``: what to do when the
    feed goes stale. ``off_route_ahead_s``: how far ahead to dead-reckon a
    patrol off its route. ``return_margin_s``: go back when the energy margin
    falls under this. ``fence_margin_m``: keep setpoints this far inside the
    allowed area. ``arrive_radius_m``: at the return point within this → land.
    ``climb_tolerance_m``: below the watch altitude by more → CLIMB_OUT.
    ``drain_window_s``: battery samples kept to measure the drain.
    ``orbit_radius_m``: for contingency orbits (None: the escort radius).
    ``transit_drain_factor``: a transit at cruise speed drains the battery this
    many times faster than the nominal (endurance) rate (1.3 suits a multicopter
    whose endurance is quoted at 10 m/s and cruises at 15 m/s).
    ``plan_swaps``: when the battery will not last the patrol, break the sortie
    where it costs least over the rest of the patrol (at a planned halt, leaving
    ``swap_lead_margin_s`` inside the lead window after running ahead to the halt); from a
    fixed landing site only where the battery will be down to ``swap_max_battery_pct``.
    ``relaunch_lead_rate``: after a relaunch, the lead builds back from 0 at
    this many seconds of lead per second. ``detour_max_m``: a patrol off its
    route by less than this is on a detour: keep watching the route ahead.
    ``stale_forecast_s``: with the ``orbit`` contingency in ``lead``, a feed stale for
    up to this long, the patrol last seen on its route, is bridged on the forecast
    (the lead point goes on); only after it does the drone orbit the last position.
    """

    mode: GuidanceMode | None = None
    lead_s: float | None = None
    min_ahead_s: float | None = None
    stale_contingency: ContingencyName = "orbit"
    off_route_ahead_s: float = 30.0
    return_margin_s: float = 60.0
    fence_margin_m: float = 20.0
    arrive_radius_m: float = 10.0
    climb_tolerance_m: float = 5.0
    drain_window_s: float = 120.0
    orbit_radius_m: float | None = None
    checkpoint_min_ahead_m: float = 50.0
    transit_drain_factor: float = 1.3
    plan_swaps: bool = True
    swap_lead_margin_s: float = 25.0
    swap_max_battery_pct: float = 60.0
    relaunch_lead_rate: float = 0.5
    detour_max_m: float = 400.0
    stale_forecast_s: float = 120.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not value >= 0:
                raise ValueError(f"GuidanceConfig.{f.name} must be >= 0 (got {value!r})")
        if self.stale_contingency not in ("orbit", "hold_checkpoint", "return"):
            raise ValueError(
                "GuidanceConfig.stale_contingency must be 'orbit', 'hold_checkpoint' or "
                f"'return' (got {self.stale_contingency!r})"
            )
        if self.mode is not None and self.mode not in GUIDANCE_MODES:
            raise ValueError(
                f"GuidanceConfig.mode must be one of {', '.join(GUIDANCE_MODES)} "
                f"(got {self.mode!r})"
            )
