"""``plan(mission)``: choose a strategy, fly it within the constraints, score it against FOLLOW."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from overwatch.errors import ConstraintViolation, PlanningError
from overwatch.mission import Mission, MissionGeometry, Vehicle
from overwatch.planning.checks import drone_violations, plan_violations
from overwatch.planning.coverage import CoverageFunction, lead_coverage, team_coverage
from overwatch.planning.flight import Flight, Flyer
from overwatch.planning.landing import FixedSites, LandingPolicy, WithPatrol
from overwatch.planning.mavitems import fence_items, rally_items, sortie_items
from overwatch.planning.model import Plan, Sortie, TeamPlan, Trajectory
from overwatch.planning.relief import TeamMember, fly_team
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import STRATEGY_BY_NAME, FollowStrategy, Strategy, WatchRequest
from overwatch.planning.zone import FlyZone, where

#: vertical separation between the watch altitudes of a team's drones, metres: during a
#: relief the fresh drone takes over the very pose the tired one holds
RELIEF_SEPARATION_M = 15.0


def plan(
    mission: Mission,
    strategy: str | Strategy | None = None,
    *,
    coverage: CoverageFunction = lead_coverage,
    baseline: Strategy | None = None,
    step_s: float = 1.0,
) -> Plan:
    """Plan ``mission`` with ``strategy`` (a name, an object, or the mission's own choice).

    The first drone (``mission.vehicle``) flies alone, with battery swaps; see
    :func:`plan_team` for the whole team. ``coverage`` scores both the plan and
    the baseline (ArduPilot FOLLOW at the mission's offsets unless ``baseline``
    is given); ``step_s`` is the trajectory's time step in seconds. Raises
    :class:`ConstraintViolation` when the mission cannot be flown within its
    constraints.
    """
    return _single(_Setup.of(mission, strategy, step_s), coverage, baseline)


def plan_team(
    mission: Mission,
    strategy: str | Strategy | None = None,
    *,
    coverage: CoverageFunction = lead_coverage,
    baseline: Strategy | None = None,
    step_s: float = 1.0,
) -> TeamPlan:
    """Plan every drone of ``mission`` on the patrol's timeline (``overwatch.relief``).

    ``continuous`` (the default with two drones or more): the drones relieve one
    another on station, the fresh one watching beside the tired one for
    ``relief.overlap_s`` before the tired one leaves (:mod:`overwatch.planning.relief`).
    ``swap``: the first drone alone with battery swaps, as :func:`plan`. Either
    way :attr:`TeamPlan.single` is :func:`plan`'s result from the same call, to
    compare with. Arguments as for :func:`plan`; raises
    :class:`ConstraintViolation` (``relief`` when ``continuous`` has one drone).
    """
    mode = mission.relief_mode
    overlap = mission.overwatch.relief.overlap_s
    if mode == "continuous" and not mission.extra_drones:
        raise ConstraintViolation(
            "relief", "overwatch.relief.mode", "continuous relief needs two or more drones"
        )
    if not (overlap >= 0 and math.isfinite(overlap)):
        raise ConstraintViolation(
            "relief", "overwatch.relief.overlap", f"must be zero or more seconds, got {overlap}"
        )
    setup = _Setup.of(mission, strategy, step_s)
    single = _single(setup, coverage, baseline)
    if mode == "swap":
        return TeamPlan(
            mission, setup.geometry, single.strategy, mode, overlap, (single,), (),
            single.coverage, single,
        )  # fmt: skip
    altitudes = team_altitudes_m(mission, len(mission.drones))
    members = tuple(_member(setup, i, alt) for i, alt in enumerate(altitudes))
    team = fly_team(setup.zone, members, overlap)
    drones: list[Plan] = []
    views = [(f.trajectory, m.geometry) for m, f in zip(members, team.flights, strict=True)]
    merged = Trajectory.concat([t for t, _ in views])
    merged = merged.take(np.argsort(merged.t_s, kind="stable"))
    team_cov, own = team_coverage(coverage, views, merged)
    for member, flight, cov in zip(members, team.flights, own, strict=True):
        geo = member.geometry
        drones.append(
            Plan(
                mission=geo.mission,
                geometry=geo,
                strategy=single.strategy,
                trajectory=flight.trajectory,
                sorties=_sorties(flight, setup.zone, member.flight_alt_m, geo),
                fence_items=single.fence_items,
                rally_items=rally_items(geo, member.flight_alt_m),
                coverage=cov,
                baseline_trajectory=single.baseline_trajectory,
                baseline_coverage=single.baseline_coverage,
            )
        )
    _refuse_if([p for d in drones for p in drone_violations(d)])
    return TeamPlan(
        mission=mission,
        geometry=setup.geometry,
        strategy=single.strategy,
        relief_mode=mode,
        overlap_s=overlap,
        drones=tuple(drones),
        reliefs=team.reliefs,
        coverage=team_cov,
        single=single,
        notes=team.notes,
    )


@dataclass(frozen=True, eq=False)
class _Setup:
    """What every plan of one mission shares: its geometry, air, altitude and watch request."""

    mission: Mission
    strategy: Strategy
    geometry: MissionGeometry
    zone: FlyZone
    alt: float
    step_s: float

    @classmethod
    def of(cls, mission: Mission, strategy: str | Strategy | None, step_s: float) -> _Setup:
        chosen = _resolve(strategy if strategy is not None else mission.overwatch.strategy)
        geometry = MissionGeometry.of(mission)
        for vehicle in mission.vehicles:
            _check_vehicle(vehicle)
        alt = flight_altitude_m(mission)
        return cls(mission, chosen, geometry, FlyZone.build(geometry), alt, step_s)

    def request(self, geometry: MissionGeometry) -> WatchRequest:
        return WatchRequest(geometry, self.alt, self.step_s)


def _single(setup: _Setup, coverage: CoverageFunction, baseline: Strategy | None) -> Plan:
    mission, geometry, zone, alt = setup.mission, setup.geometry, setup.zone, setup.alt
    landing = landing_policy(geometry, zone)
    launch = (float(geometry.launch.x), float(geometry.launch.y))
    flyer = Flyer(zone, mission.vehicle, alt, landing, first_site=launch)
    request = setup.request(geometry)
    flight = flyer.fly(setup.strategy.watch_track(request))
    base = flyer.fly((baseline or FollowStrategy()).watch_track(request))
    result = Plan(
        mission=mission,
        geometry=geometry,
        strategy=setup.strategy.name,
        trajectory=flight.trajectory,
        sorties=_sorties(flight, zone, alt, geometry),
        fence_items=fence_items(geometry),
        rally_items=rally_items(geometry, alt),
        coverage=coverage(flight.trajectory, geometry),
        baseline_trajectory=base.trajectory,
        baseline_coverage=coverage(base.trajectory, geometry),
    )
    _refuse_if(plan_violations(result))
    return result


def _refuse_if(problems: list[str]) -> None:
    if problems:
        # a planner bug, not a user mistake: refuse to hand out an unsafe plan
        raise PlanningError("internal check failed: " + "; ".join(problems[:5]))


def team_altitudes_m(mission: Mission, count: int) -> tuple[float, ...]:
    """Each drone's watch altitude above home: the first at :func:`flight_altitude_m`, the
    others :data:`RELIEF_SEPARATION_M` apart above it (below when the band is full), so two
    drones on the same pose during a relief are separated vertically.

    Raises ``ConstraintViolation("altitude")`` when the airspace's band cannot hold them.
    """
    alt = flight_altitude_m(mission)
    lo, hi = mission.airspace.min_alt_agl_m, mission.airspace.max_alt_agl_m
    offsets = [k * RELIEF_SEPARATION_M * sign for k in range(1, count) for sign in (1, -1)]
    out = [alt] + [alt + o for o in offsets if lo - 1e-9 <= alt + o <= hi + 1e-9]
    out = out[:count]
    if len(out) < count:
        raise ConstraintViolation(
            "altitude",
            "airspace.altitude",
            f"{count} drones need {RELIEF_SEPARATION_M:.0f} m between their watch altitudes; "
            f"the band {lo:g}–{hi:g} m holds {len(out)}",
        )
    return tuple(out)


def _member(setup: _Setup, index: int, alt_m: float) -> TeamMember:
    geometry = setup.geometry.for_drone(index)
    zone = setup.zone
    site = (float(geometry.launch.x), float(geometry.launch.y))
    name = geometry.mission.vehicle.name
    if not zone.point_allowed(*site):
        raise ConstraintViolation(
            "airspace",
            f"{name}'s launch site at {where(geometry, *site)}",
            "inside forbidden airspace or outside the keep-in",
        )
    return TeamMember(
        index=index,
        geometry=geometry,
        flight_alt_m=alt_m,
        vehicle=geometry.mission.vehicle,
        landing=landing_policy(geometry, zone),
        track=setup.strategy.watch_track(WatchRequest(geometry, alt_m, setup.step_s)),
        first_site=site,
        launches_with_patrol=geometry.mission.launch.with_patrol,
    )


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


def _check_vehicle(v: Vehicle) -> None:
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


def _sorties(
    flight: Flight, zone: FlyZone, alt: float, geometry: MissionGeometry
) -> tuple[Sortie, ...]:
    cruise = geometry.mission.vehicle.cruise_speed_m_s
    out = []
    for leg in flight.sorties:
        out.append(
            Sortie(
                index=leg.index,
                takeoff_t_s=leg.takeoff_t_s,
                landing_t_s=leg.landing_t_s,
                takeoff_xy_m=leg.takeoff_xy_m,
                landing_xy_m=leg.landing_xy_m,
                items=sortie_items(flight, leg, geometry, alt, cruise, zone.segments_clear),
                distance_m=flight.trajectory.take(slice(leg.first, leg.last)).distance_m(),
                reserve_at_landing=leg.reserve_at_landing,
            )
        )
    return tuple(out)
