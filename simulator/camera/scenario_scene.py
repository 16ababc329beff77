"""A training scenario as the synthetic camera sees it: its ground, its actors, its clock.

Scenario time ``t_s`` is seconds since the patrol's planned start; the
simulator boots ``pre_roll_s`` earlier (as :class:`simulator.scenario.runner.ScenarioRunner`
counts it). The camera stamps frames with the scenario's simulated UTC, the
same time base the patrol feed's fixes carry, so a ground station can line
frames up with its telemetry and the patrol's track.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.camera.scene import GroundTexture, SceneActor, build_ground
from simulator.scenario.actors import World

#: how far the rendered ground reaches beyond the route and the launch site, metres
GROUND_MARGIN_M = 1500.0


class ScenarioScene:
    """The actors of ``world`` at the simulator's clock ``sim_now`` (simulated seconds)."""

    def __init__(
        self, world: World, sim_now: Callable[[], float], *, pre_roll_s: float = 180.0
    ) -> None:
        self.world = world
        self.sim_now = sim_now
        self.pre_roll_s = pre_roll_s
        mission = world.scenario.mission
        self._start_unix_s = mission.patrol.start_time.timestamp()
        self._patrol_kind = "vehicle" if mission.patrol.kind == "vehicle" else "person"
        self._patrol_id = f"patrol-{mission.patrol.callsign}"

    def scenario_time_s(self, sim_time_s: float) -> float:
        """Scenario seconds (since the patrol's planned start) at simulated ``sim_time_s``."""
        return sim_time_s - self.pre_roll_s

    def unix_time_s(self, sim_time_s: float) -> float:
        """Simulated UTC (UNIX seconds) at simulated second ``sim_time_s``."""
        return self._start_unix_s + self.scenario_time_s(sim_time_s)

    def actors(self) -> list[SceneActor]:
        """The patrol and every threat present now, at their true positions."""
        return self.actors_at(self.scenario_time_s(self.sim_now()))

    def actors_at(self, t_s: float) -> list[SceneActor]:
        """The patrol and every threat present at scenario time ``t_s``."""
        world = self.world
        frame = world.geometry.frame
        patrol = world.patrol.state_at(t_s)
        lat, lon = frame.to_wgs84(patrol.x_m, patrol.y_m)
        actors = [
            SceneActor.sized(
                self._patrol_id,
                self._patrol_kind,
                lat,
                lon,
                4.8 if self._patrol_kind == "vehicle" else 1.75,
                heading_deg=patrol.heading_deg,
                colour_rgb=(236, 236, 232),
            )
        ]
        for threat in world.threats:
            xy = threat.xy_at(t_s)
            if xy is None:
                continue
            t = threat.threat
            lat, lon = frame.to_wgs84(*xy)
            kind = t.kind if t.kind in ("person", "vehicle", "object") else "object"
            actors.append(SceneActor.sized(t.threat_id, kind, lat, lon, t.size_m))
        return actors

    def build_ground(self) -> GroundTexture:
        """The ground texture: the route as a road, reaching past the launch site."""
        world = self.world
        frame = world.geometry.frame
        route = [frame.to_wgs84(x, y) for x, y in world.geometry.route.coords]
        launch = world.scenario.mission.launch.site
        xs = [x for x, _ in world.geometry.route.coords]
        ys = [y for _, y in world.geometry.route.coords]
        lx, ly = frame.to_local(launch.lat_deg, launch.lon_deg)
        xs.append(lx)
        ys.append(ly)
        extent = (
            min(xs) - GROUND_MARGIN_M,
            min(ys) - GROUND_MARGIN_M,
            max(xs) + GROUND_MARGIN_M,
            max(ys) + GROUND_MARGIN_M,
        )
        return build_ground(frame, [route], extent_m=extent)
