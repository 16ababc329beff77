"""``recovery: with_patrol`` in the built-in simulator: the patrol picks the landed drone up
and carries it on until it is armed for its next sortie."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

from overwatch.scenario.loader import load_scenario
from simulator import Autopilot, VehicleConfig
from simulator.modes import Mode
from simulator.scenario.actors import World
from simulator.scenario.runner import PICKUP_RADIUS_M, ScenarioRunner

FOOT = Path(__file__).resolve().parents[2] / "missions" / "foot-patrol.scenario.yaml"


def _world(recovery: str) -> World:
    scenario = load_scenario(FOOT)
    mission = scenario.mission
    launch = replace(mission.launch, recovery=recovery)
    return World(replace(scenario, mission=replace(mission, launch=launch)))


def _landed_at(world: World, east_m: float) -> Autopilot:
    """A drone flown up and landed ``east_m`` east of the patrol's start."""
    lat, lon = world.geometry.frame.to_wgs84(*_start_xy(world))
    ap = Autopilot(VehicleConfig(lat, lon, 320.0, gps_fix_delay_s=0, ekf_gps_delay_s=0))
    ap.step(0.02)
    assert ap.set_mode(Mode.GUIDED) and ap.arm(force=False) == 0
    ap.start_takeoff(10.0)
    for _ in range(500):
        ap.step(0.02)
    assert not ap.carry_to(lat, lon), "a flying drone is nobody's to carry"
    assert ap.set_mode(Mode.LAND)
    for _ in range(5000):
        ap.step(0.02)
        if not ap.armed:
            break
    assert not ap.armed and ap.body.on_ground
    ap.body.x_m += east_m  # where it came down
    return ap


def _start_xy(world: World) -> tuple[float, float]:
    state = world.patrol.state_at(0.0)
    return (state.x_m, state.y_m)


def _distance_to_patrol_m(world: World, ap: Autopilot, t_s: float) -> float:
    pose = ap.pose()
    x, y = world.geometry.frame.to_local(pose.lat_deg, pose.lon_deg)
    state = world.patrol.state_at(t_s)
    return math.hypot(x - state.x_m, y - state.y_m)


def test_the_patrol_picks_up_a_drone_landed_beside_it_and_carries_it_until_armed(
    tmp_path: Path,
) -> None:
    world = _world("with_patrol")
    ap = _landed_at(world, 40.0)
    truth = tmp_path / "truth.jsonl"
    runner = ScenarioRunner(world, ap, lambda: 0.0, patrol_feed=None, truth_path=truth)
    try:
        for t in range(0, 900, 5):
            runner.publish_patrol(float(t))
            assert _distance_to_patrol_m(world, ap, float(t)) < 1.0, t
        state = world.patrol.state_at(895.0)
        moved_m = math.hypot(state.x_m - _start_xy(world)[0], state.y_m - _start_xy(world)[1])
        assert moved_m > 500.0, "the patrol should have walked on"
        assert runner.carrying and runner.pickups == 1
        # armed for the next sortie: the patrol lets go
        assert ap.set_mode(Mode.GUIDED) and ap.arm(force=False) == 0
        runner.publish_patrol(960.0)
        assert not runner.carrying
        assert _distance_to_patrol_m(world, ap, 960.0) > 50.0
    finally:
        runner.close()
    records = [json.loads(line) for line in truth.read_text().splitlines()]
    assert [r["count"] for r in records if r["what"] == "pickup"] == [1]


def test_nobody_carries_a_drone_landed_far_away_or_recovered_at_a_site() -> None:
    far = _world("with_patrol")
    ap = _landed_at(far, PICKUP_RADIUS_M + 50.0)
    runner = ScenarioRunner(far, ap, lambda: 0.0, patrol_feed=None)
    try:
        runner.publish_patrol(0.0)
        assert not runner.carrying and _distance_to_patrol_m(far, ap, 0.0) > PICKUP_RADIUS_M
    finally:
        runner.close()
    site = _world("rally")
    ap = _landed_at(site, 0.0)
    runner = ScenarioRunner(site, ap, lambda: 0.0, patrol_feed=None)
    try:
        for t in range(0, 300, 5):
            runner.publish_patrol(float(t))
        assert runner.pickups == 0 and _distance_to_patrol_m(site, ap, 295.0) > 100.0
    finally:
        runner.close()
