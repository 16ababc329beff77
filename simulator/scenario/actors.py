"""Ground truth: where the real patrol and the threats are at each moment.

Positions are local metres in the mission's frame; ``t_s`` is scenario time
(seconds since the patrol's planned start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point

from overwatch.mission import MissionGeometry, PatrolSchedule
from overwatch.scenario.model import PatrolScript, Scenario, Threat

#: a static watch's exercise runs this long past its duration (s; see :attr:`World.end_s`)
STATIC_SLACK_S = 600.0


@dataclass(frozen=True)
class ActorState:
    """One actor at one moment (local metres, heading clockwise from north)."""

    x_m: float
    y_m: float
    heading_deg: float
    speed_m_s: float


class TruePatrol:
    """The patrol as it really moves: the plan, bent by the scenario's surprises."""

    def __init__(self, geometry: MissionGeometry, script: PatrolScript) -> None:
        self.geometry = geometry
        self.script = script
        mission = geometry.mission
        speeds = tuple(v * script.speed_factor for v in mission.patrol.leg_speeds_m_s)
        halts = [(h.at_m, h.duration_s) for h in mission.patrol.halts]
        halts += [(h.at_m, h.duration_s) for h in script.halts]
        self.schedule = PatrolSchedule.build(geometry.route, speeds, halts)

    @property
    def end_s(self) -> float:
        return self.script.late_start_s + self.schedule.duration_s

    def station_at(self, t_s: float) -> float:
        return float(self.schedule.station_at(t_s - self.script.late_start_s))

    def state_at(self, t_s: float) -> ActorState:
        s = self.station_at(t_s)
        x, y = self._xy(s)
        dt = 1.0
        s2 = self.station_at(t_s + dt)
        if s2 - s < 1e-6:
            heading = self._route_heading(s)
            return ActorState(x, y, heading, 0.0)
        x2, y2 = self._xy(s2)
        heading = math.degrees(math.atan2(x2 - x, y2 - y)) % 360.0
        return ActorState(x, y, heading, math.hypot(x2 - x, y2 - y) / dt)

    def reporting(self, t_s: float) -> bool:
        """False while the patrol's tracker is dropped out."""
        return not any(d.at_s <= t_s < d.at_s + d.duration_s for d in self.script.dropouts)

    def off_route_m(self, t_s: float) -> float:
        return abs(self._lateral(self.station_at(t_s)))

    def _route_heading(self, s: float) -> float:
        return float(self.schedule.heading_at_station(min(s, self.schedule.length_m - 1e-6)))

    def _lateral(self, s: float) -> float:
        for d in self.script.detours:
            if d.from_m < s < d.to_m:
                span = d.to_m - d.from_m
                ramp = min(0.25 * span, 300.0)
                k = min(1.0, (s - d.from_m) / ramp, (d.to_m - s) / ramp)
                return d.offset_m * math.sin(k * math.pi / 2) ** 2
        return 0.0

    def _xy(self, s: float) -> tuple[float, float]:
        p = shapely.line_interpolate_point(self.geometry.route, s)
        x, y = float(p.x), float(p.y)
        lateral = self._lateral(s)
        if lateral:
            h = math.radians(self._route_heading(s))
            # right of the direction of travel
            x += lateral * math.cos(h)
            y -= lateral * math.sin(h)
        return x, y


class TrueThreat:
    """A threat actor's true position over time (``None`` while absent)."""

    def __init__(self, geometry: MissionGeometry, threat: Threat) -> None:
        self.threat = threat
        self.start = np.array(geometry.frame.to_local(*threat.position.as_tuple()))
        self.end = (
            np.array(geometry.frame.to_local(*threat.moves_to.as_tuple()))
            if threat.moves_to is not None
            else self.start
        )

    def present(self, t_s: float) -> bool:
        t = self.threat
        return t.appear_s <= t_s and (t.disappear_s is None or t_s < t.disappear_s)

    def xy_at(self, t_s: float) -> tuple[float, float] | None:
        if not self.present(t_s):
            return None
        travel = np.linalg.norm(self.end - self.start)
        if travel < 1e-6 or self.threat.speed_m_s <= 0:
            return float(self.start[0]), float(self.start[1])
        k = min(1.0, (t_s - self.threat.appear_s) * self.threat.speed_m_s / travel)
        p = self.start + k * (self.end - self.start)
        return float(p[0]), float(p[1])

    def station_on_route(self, geometry: MissionGeometry) -> float:
        """Where along the route the patrol passes closest to the threat's first position."""
        return float(geometry.route.project(Point(self.start)))


class World:
    """The scenario's ground truth: the patrol and every threat."""

    def __init__(self, scenario: Scenario, geometry: MissionGeometry | None = None) -> None:
        self.scenario = scenario
        self.geometry = geometry or MissionGeometry.of(scenario.mission)
        self.patrol = TruePatrol(self.geometry, scenario.patrol)
        self.threats = [TrueThreat(self.geometry, t) for t in scenario.threats]

    @property
    def end_s(self) -> float:
        """When the exercise is over (scenario time): 30 s after the patrol has arrived; for a
        static watch of set duration, not before that duration has passed, with
        ``STATIC_SLACK_S`` more for the launch, the transit and a battery swap."""
        end = self.patrol.end_s + 30.0
        overwatch = self.scenario.mission.overwatch
        duration = overwatch.static.duration_s
        if overwatch.strategy == "static" and duration is not None:
            end = max(end, duration + STATIC_SLACK_S)
        return end

    def patrol_arrival_s(self, station_m: float) -> float:
        """When the real patrol reaches a station (scenario time)."""
        return self.scenario.patrol.late_start_s + float(
            self.patrol.schedule.arrival_time_s(station_m)
        )
