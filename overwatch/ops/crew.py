"""One drone of the team and what flies it: its mission view, its controller, its driver.

A live session has one :class:`Crew` per drone of the mission (``vehicles:``).
Each sees the mission as that drone does (:meth:`MissionGeometry.for_drone`: its
launch and rally points, its camera), watches at its own altitude (the
planner's :func:`~overwatch.planning.planner.team_altitudes_m`, 15 m apart, as
two drones share a pose while one relieves the other) and has its own
controller and vehicle driver. What the team shares stays in the session: the
patrol tracker, the clock, the coverage, the cue book and the links.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

from overwatch.link import Vehicle
from overwatch.mission import MissionGeometry
from overwatch.ops.controller import Controller
from overwatch.ops.driver import VehicleDriver
from overwatch.ops.state import LatLon
from overwatch.ops.team import ARM_S, CrewInput
from overwatch.planning.planner import team_altitudes_m
from overwatch.tracking import PatrolTracker


@dataclass(eq=False)
class Crew:
    """Drone ``index`` of the mission's team, and the controller and driver that fly it."""

    index: int
    geometry: MissionGeometry
    controller: Controller
    flight: VehicleDriver
    #: where it was lately (airborne), for the map
    trail: deque[LatLon]

    @property
    def name(self) -> str:
        return self.geometry.mission.vehicle.name

    @property
    def sysid(self) -> int:
        return self.geometry.mission.vehicle.sysid

    @property
    def vehicle(self) -> Vehicle | None:
        """Its vehicle, once heard."""
        return self.flight.vehicle


def team_geometries(geometry: MissionGeometry) -> tuple[MissionGeometry, ...]:
    """The mission as each drone of its team sees it, each at its own watch altitude (a
    team of one: ``geometry`` itself)."""
    drones = geometry.mission.drones
    if len(drones) == 1:
        return (geometry,)
    out = []
    for i, alt_m in enumerate(team_altitudes_m(geometry.mission, len(drones))):
        mine = geometry.for_drone(i)
        mission = mine.mission
        overwatch = replace(mission.overwatch, altitude_agl_m=alt_m)
        out.append(replace(mine, mission=replace(mission, overwatch=overwatch)))
    return tuple(out)


def crew_input(crew: Crew, duty: Crew, tracker: PatrolTracker, now_s: float) -> CrewInput:
    """``crew`` as the team's coordinator sees it this tick (``duty``: the drone on duty)."""
    vehicle = crew.vehicle
    if vehicle is None or not vehicle.state.heartbeat_seen:
        return CrewInput(heard=False)
    state = vehicle.state
    command = crew.controller.last_command
    frame = crew.geometry.frame
    here = None
    if state.lat_deg is not None and state.lon_deg is not None and state.has_position:
        here = frame.to_local(state.lat_deg, state.lon_deg)
    distance = None
    if here is not None and command is not None:
        distance = math.hypot(command.x_m - here[0], command.y_m - here[1])
    return CrewInput(
        heard=True,
        link_lost=state.link_lost,
        armed=state.armed,
        airborne=state.armed and (state.alt_rel_m or 0.0) > 2.0,
        mode=state.mode or "",
        battery_pct=state.battery_remaining_pct,
        command=command,
        station_distance_m=distance,
        launching=crew.flight.launching,
        launch_failures=crew.flight.launch_failures,
        launch_error=crew.flight.launch_error,
        lead_time_s=_lead_time_s(crew, here, duty, tracker, now_s),
    )


def _lead_time_s(
    crew: Crew, here: tuple[float, float] | None, duty: Crew, tracker: PatrolTracker, now_s: float
) -> float:
    """Seconds ``crew`` needs from where it stands to be watching beside ``duty``: arming,
    the climb, and the transit to where ``duty``'s watch will be by then (its lead point
    moves on with the patrol's forecast; off the route, its setpoint now)."""
    vehicle = crew.geometry.mission.vehicle
    climb_s = crew.geometry.mission.overwatch.altitude_agl_m / vehicle.climb_rate_m_s
    target = duty.controller.last_command
    if here is None or target is None or crew is duty:
        return ARM_S + climb_s
    pred = tracker.prediction()
    lead_s = target.lead_s
    cruise = vehicle.cruise_speed_m_s
    transit_s = math.hypot(target.x_m - here[0], target.y_m - here[1]) / cruise
    if pred is not None and lead_s is not None and target.target_station_m is not None:
        for _ in range(3):  # the lead point moves on while the drone flies out to it
            t_s = now_s + ARM_S + climb_s + transit_s + lead_s
            x, y = pred.route.point_at(float(pred.station_at(t_s)))
            transit_s = (
                math.hypot(float(x) - here[0], float(y) - here[1]) / vehicle.cruise_speed_m_s
            )
    return ARM_S + climb_s + transit_s


__all__ = ["Crew", "crew_input", "team_geometries"]
