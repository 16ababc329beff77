"""A small closed loop for guidance tests: a kinematic drone, a scripted patrol, the tracker."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from overwatch.guidance import Guidance, GuidanceCommand, VehicleSnapshot
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolTracker, TrackFix
from tests.tracking.missions import START_S
from tests.tracking.streams import route_index


@dataclass
class Drone:
    """A point-mass drone that flies to setpoints at up to ``max_speed_m_s``.

    Battery drains ``drain_pct_per_s`` while airborne.
    """

    x_m: float
    y_m: float
    alt_rel_m: float
    max_speed_m_s: float = 15.0
    climb_m_s: float = 3.0
    descent_m_s: float = 2.0
    battery_pct: float = 100.0
    drain_pct_per_s: float = 0.0
    heading_deg: float = 0.0
    landed: bool = False
    path: list[tuple[float, float]] = field(default_factory=list)

    def step(self, cmd: GuidanceCommand, dt: float) -> None:
        if self.landed:
            return
        self.battery_pct -= self.drain_pct_per_s * dt
        if cmd.action == "land":
            self.alt_rel_m = max(0.0, self.alt_rel_m - self.descent_m_s * dt)
            self.landed = self.alt_rel_m <= 0.0
            return
        ex, ey = cmd.x_m - self.x_m, cmd.y_m - self.y_m
        vx, vy = cmd.ve_m_s + 0.5 * ex, cmd.vn_m_s + 0.5 * ey
        speed = math.hypot(vx, vy)
        if speed > self.max_speed_m_s:
            vx, vy = vx * self.max_speed_m_s / speed, vy * self.max_speed_m_s / speed
        dist = math.hypot(ex, ey)
        if math.hypot(vx, vy) * dt > dist and math.hypot(cmd.ve_m_s, cmd.vn_m_s) < 0.1:
            self.x_m, self.y_m = cmd.x_m, cmd.y_m
        else:
            self.x_m += vx * dt
            self.y_m += vy * dt
        if speed > 0.5:
            self.heading_deg = math.degrees(math.atan2(vx, vy)) % 360.0
        dz = cmd.alt_rel_m - self.alt_rel_m
        rate = self.climb_m_s if dz > 0 else self.descent_m_s
        self.alt_rel_m += max(-rate * dt, min(rate * dt, dz))
        self.path.append((self.x_m, self.y_m))

    def snapshot(self, geometry: MissionGeometry) -> VehicleSnapshot:
        lat, lon = geometry.frame.to_wgs84(self.x_m, self.y_m)
        return VehicleSnapshot(
            lat_deg=lat,
            lon_deg=lon,
            alt_rel_m=self.alt_rel_m,
            heading_deg=self.heading_deg,
            battery_remaining_pct=self.battery_pct,
        )


@dataclass
class Loop:
    """Patrol fixes (mission time → true station) into the tracker, guidance, the drone."""

    geometry: MissionGeometry
    guidance: Guidance
    drone: Drone
    station: Callable[[float], float]
    tracker: PatrolTracker = field(init=False)
    feed_on: Callable[[float], bool] = lambda t: True
    noise_m: float = 2.0
    seed: int = 3
    commands: list[tuple[float, GuidanceCommand]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tracker = PatrolTracker(self.geometry)
        self._rng = np.random.default_rng(self.seed)
        self._route = route_index(self.geometry)

    def patrol_xy(self, t: float) -> tuple[float, float]:
        p = self._route.point_at(self.station(t))
        return float(p[0]), float(p[1])

    def run(self, t0: float, t1: float, dt: float = 0.5) -> GuidanceCommand:
        cmd = None
        for k in range(round((t1 - t0) / dt)):
            t = t0 + k * dt
            if self.feed_on(t):
                x, y = self.patrol_xy(t)
                nx, ny = self._rng.normal(0.0, self.noise_m, 2)
                lat, lon = self.geometry.frame.to_wgs84(x + float(nx), y + float(ny))
                self.tracker.update(TrackFix(START_S + t, lat, lon))
            cmd = self.guidance.tick(START_S + t, self.drone.snapshot(self.geometry), self.tracker)
            self.commands.append((t, cmd))
            self.drone.step(cmd, dt)
        assert cmd is not None
        return cmd
