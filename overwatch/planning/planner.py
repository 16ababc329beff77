"""``plan(mission)``: choose a strategy, fly it within the constraints, score it against FOLLOW."""

from __future__ import annotations

import math

import numpy as np

from overwatch.errors import ConstraintViolation, PlanningError
from overwatch.mission import Mission, MissionGeometry
from overwatch.planning.checks import plan_violations
from overwatch.planning.coverage import CoverageFunction, lead_coverage
from overwatch.planning.flight import Flight, Flyer
from overwatch.planning.landing import FixedSites, LandingPolicy, WithPatrol
from overwatch.planning.mavitems import fence_items, rally_items, sortie_items
from overwatch.planning.model import Plan, Sortie, Trajectory
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import STRATEGY_BY_NAME, FollowStrategy, Strategy, WatchRequest
from overwatch.planning.zone import FlyZone, where


def plan(
    mission: Mission,
    strategy: str | Strategy | None = None,
    *,
    coverage: CoverageFunction = lead_coverage,
    baseline: Strategy | None = None,
    step_s: float = 1.0,
) -> Plan:
    """Plan ``mission`` with ``strategy`` (a name, an object, or the mission's own choice).

    ``coverage`` scores both the plan and the baseline (ArduPilot FOLLOW at
    the mission's offsets unless ``baseline`` is given); ``step_s`` is the
    trajectory's time step in seconds. Raises :class:`ConstraintViolation`
    when the mission cannot be flown within its constraints.
    """
    chosen = _resolve(strategy if strategy is not None else mission.overwatch.strategy)
    geometry = MissionGeometry.of(mission)
    _check_vehicle(mission)
    alt = flight_altitude_m(mission)
    zone = FlyZone.build(geometry)
    landing = landing_policy(geometry, zone)
    launch = (float(geometry.launch.x), float(geometry.launch.y))
    flyer = Flyer(zone, mission.vehicle, alt, landing, first_site=launch)
    request = WatchRequest(geometry, alt, step_s)
    flight = flyer.fly(chosen.watch_track(request))
    base = flyer.fly((baseline or FollowStrategy()).watch_track(request))
    result = Plan(
        mission=mission,
        geometry=geometry,
        strategy=chosen.name,
        trajectory=flight.trajectory,
        sorties=_sorties(flight, zone, alt, mission.vehicle.cruise_speed_m_s),
        fence_items=fence_items(geometry),
        rally_items=rally_items(geometry, alt),
        coverage=coverage(flight.trajectory, geometry),
        baseline_trajectory=base.trajectory,
        baseline_coverage=coverage(base.trajectory, geometry),
    )
    problems = plan_violations(result)
    if problems:
        # a planner bug, not a user mistake: refuse to hand out an unsafe plan
        raise PlanningError("internal check failed: " + "; ".join(problems[:5]))
    return result


def flight_altitude_m(mission: Mission) -> float:
    """The watch altitude above home: the mission's, clamped to the airspace limits."""
    air = mission.airspace
    if air.min_alt_agl_m > air.max_alt_agl_m:
        raise ConstraintViolation(
            "altitude",
            "airspace",
            f"min_alt_agl_m {air.min_alt_agl_m} is above max_alt_agl_m {air.max_alt_agl_m}",
        )
    return float(min(max(mission.overwatch.altitude_agl_m, air.min_alt_agl_m), air.max_alt_agl_m))


def landing_policy(geometry: MissionGeometry, zone: FlyZone) -> LandingPolicy:
    """Where sorties land (``launch.recovery``): beside the patrol, who carries the drone on,
    or the launch site, or the quickest of the launch site and the rally points."""
    recovery = geometry.mission.launch.recovery_mode
    if recovery == "with_patrol":
        return WithPatrol(RouteView.of(geometry), geometry.mission.vehicle.cruise_speed_m_s)
    launch = (float(geometry.launch.x), float(geometry.launch.y))
    sites = [launch]
    for i, p in enumerate(geometry.rally if recovery == "rally" else ()):
        xy = (float(p.x), float(p.y))
        here = f"rally point {i + 1} at {where(geometry, *xy)}"
        if not zone.point_allowed(*xy):
            raise ConstraintViolation(
                "rally", here, "inside forbidden airspace or outside the keep-in"
            )
        try:
            zone.path(launch, xy)
        except ConstraintViolation as exc:
            raise ConstraintViolation("rally", here, "unreachable from the launch site") from exc
        sites.append(xy)
    return FixedSites(tuple(sites))


def _resolve(strategy: str | Strategy) -> Strategy:
    if isinstance(strategy, str):
        found = STRATEGY_BY_NAME.get(strategy)
        if found is None:
            known = ", ".join(sorted(STRATEGY_BY_NAME))
            raise PlanningError(f"unknown strategy {strategy!r} (expected one of: {known})")
        return found
    return strategy


def _check_vehicle(mission: Mission) -> None:
    v = mission.vehicle
    for name in (
        "cruise_speed_m_s",
        "max_speed_m_s",
        "climb_rate_m_s",
        "descent_rate_m_s",
        "endurance_s",
    ):
        value = getattr(v, name)
        if not (value > 0 and math.isfinite(value)):
            raise ConstraintViolation(
                "vehicle", f"vehicle.{name}", f"must be a positive number, got {value}"
            )
    if not 0.0 <= v.reserve_fraction < 1.0:
        raise ConstraintViolation(
            "vehicle", "vehicle.reserve_fraction", f"must be in [0, 1), got {v.reserve_fraction}"
        )


def _sorties(flight: Flight, zone: FlyZone, alt: float, cruise: float) -> tuple[Sortie, ...]:
    out = []
    for leg in flight.sorties:
        out.append(
            Sortie(
                index=leg.index,
                takeoff_t_s=leg.takeoff_t_s,
                landing_t_s=leg.landing_t_s,
                takeoff_xy_m=leg.takeoff_xy_m,
                landing_xy_m=leg.landing_xy_m,
                items=sortie_items(flight, leg, zone.geometry, alt, cruise, zone.segments_clear),
                distance_m=_slice(flight.trajectory, leg.first, leg.last).distance_m(),
                reserve_at_landing=leg.reserve_at_landing,
            )
        )
    return tuple(out)


def _slice(traj: Trajectory, first: int, last: int) -> Trajectory:
    sl = slice(first, last)
    return Trajectory(
        t_s=traj.t_s[sl],
        x_m=traj.x_m[sl],
        y_m=traj.y_m[sl],
        alt_rel_m=traj.alt_rel_m[sl],
        yaw_deg=traj.yaw_deg[sl],
        gimbal_pitch_deg=traj.gimbal_pitch_deg[sl],
        sortie=np.asarray(traj.sortie[sl], dtype=np.int64),
        watching=traj.watching[sl],
    )
