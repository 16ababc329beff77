"""Build a real run directory: a scenario run's truth log, a cue store, a tlog, a manifest.

The scenario is written here, on the example mission, with three threats:
``T1-watcher`` at 1.0 km (the drone flies over it, and it is cued),
``T2-pickup`` at 1.6 km (the patrol drives past it, never cued) and
``T3-device`` at 9 km (the run ends before the patrol gets there).
The drone flies a known path: along the route from station 600 m at
scenario time 0 to station 1400 m at 160 s, 80 m up, camera straight down,
then it is on the ground. The run lasts until scenario time 300 s.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import shapely

from overwatch.cues import CueBook, CueKind, CueSource, Sighting
from overwatch.link import TlogWriter
from overwatch.link.decode import new_mavlink
from overwatch.scenario.loader import load_scenario
from overwatch.scoring.cuelog import epoch_s
from overwatch.scoring.rundir import RunManifest
from simulator.pose import VehiclePose
from simulator.scenario.actors import World
from simulator.scenario.runner import ScenarioRunner

MISSIONS = Path(__file__).resolve().parents[2] / "missions"
MISSION = MISSIONS / "vehicle-patrol.yaml"
PRE_ROLL_S = 20.0
END_S = 300.0
FLY_FROM_M, FLY_TO_M, FLY_UNTIL_S = 600.0, 1400.0, 160.0
ALT_M = 80.0

SCENARIO = f"""\
schema_version: 1
name: Scoring drill
mission: {MISSION}
seed: 11
threats:
  - {{id: T1-watcher, kind: person, at: 1.0 km, offset: 20 m, appear: 0 s}}
  - {{id: T2-pickup, kind: vehicle, at: 1.6 km, offset: -40 m, appear: 0 s}}
  - {{id: T3-device, kind: object, at: 9 km, offset: 8 m, appear: 0 s}}
sensor:
  detection_probability: 90 %
  position_sigma: 4 m
"""


class SteppingClock:
    """Simulated seconds since boot; each reading advances it by ``step_s``."""

    def __init__(self, step_s: float = 0.5) -> None:
        self.now_s = 0.0
        self.step_s = step_s

    def __call__(self) -> float:
        self.now_s += self.step_s
        return self.now_s


class KnownPath:
    """A drone flying along the route (see the module docstring); pose at the clock's time."""

    def __init__(self, world: World, clock: SteppingClock) -> None:
        self.world = world
        self.clock = clock

    def pose(self) -> VehiclePose:
        t = self.clock.now_s - PRE_ROLL_S
        geo = self.world.geometry
        launch_alt = self.world.scenario.mission.launch.alt_msl_m
        if 0.0 <= t <= FLY_UNTIL_S:
            s = FLY_FROM_M + (FLY_TO_M - FLY_FROM_M) * t / FLY_UNTIL_S
            p = shapely.line_interpolate_point(geo.route, s)
            lat, lon = geo.frame.to_wgs84(float(p.x), float(p.y))
            heading = float(geo.schedule.heading_at_station(s))
            return VehiclePose(lat, lon, launch_alt + ALT_M, ALT_M, 0, 0, heading, -90.0, 0, t)
        lat, lon = geo.frame.to_wgs84(geo.launch.x, geo.launch.y)
        return VehiclePose(lat, lon, launch_alt, 0.0, 0, 0, 0.0, -45.0, 0, t)


@dataclass(frozen=True)
class BuiltRun:
    root: Path
    world: World
    t1_cue: str
    false_cue: str
    mark_cue: str
    t1_cue_t_s: float
    tlog_packets: int


def build_run(root: Path) -> BuiltRun:
    """Write a complete run directory at ``root`` and say what is in it."""
    root.mkdir(parents=True, exist_ok=True)
    scenario_path = root / "drill.scenario.yaml"
    scenario_path.write_text(SCENARIO)
    world = World(load_scenario(scenario_path))
    clock = SteppingClock()
    runner = ScenarioRunner(
        world,
        KnownPath(world, clock),
        clock,
        patrol_feed=None,
        truth_path=root / "truth.jsonl",
        pre_roll_s=PRE_ROLL_S,
    )
    asyncio.run(runner.run(until_s=END_S, tick_wall_s=0.0))
    records = [json.loads(x) for x in (root / "truth.jsonl").read_text().splitlines()]
    mission = world.scenario.mission
    t0 = epoch_s(mission.patrol.start_time)
    t1_cue, t1_time, false_cue, mark_cue = _cues(root / "cues.sqlite", records, t0)
    packets = _tlog(root / "flight.tlog", records, t0)
    RunManifest(
        mission=MISSION,
        scenario=scenario_path,
        started_utc=mission.patrol.start_time.astimezone(UTC),
        speedup=10.0,
        mode="lead",
    ).write(root)
    return BuiltRun(root, world, t1_cue, false_cue, mark_cue, t1_time, packets)


def _cues(path: Path, records: list[dict[str, Any]], t0: float) -> tuple[str, float, str, str]:
    """A real cue store: T1 cued from its true sightings, one false camera cue, one mark."""
    book = CueBook(path, clock=lambda: t0 + 100.0)
    t1 = [r for r in records if r["what"] == "sighting" and r["truth_id"] == "T1-watcher"]
    assert len(t1) >= 3, "the drone flew over T1: the sensor must have seen it"
    cue = None
    for r in t1[:5]:
        cue = book.add_sighting(
            Sighting(CueKind.PERSON, float(r["lat_deg"]), float(r["lon_deg"]),
                     float(r["sigma_m"]), t0 + float(r["t_s"]), 0.7, CueSource.CAMERA)
        )  # fmt: skip
    assert cue is not None
    book.acknowledge(cue.id)
    book.note(cue.id, "man with binoculars on the ridge")
    # a "vehicle" the detector saw 1.5 km north of the road, where nothing was
    drone = [r for r in records if r["what"] == "drone" and float(r["alt_rel_m"]) > 10]
    lat, lon = float(drone[10]["lat_deg"]) + 0.0135, float(drone[10]["lon_deg"])
    false = book.add_sighting(
        Sighting(CueKind.VEHICLE, lat, lon, 8.0, t0 + 40.0, 0.55, CueSource.CAMERA)
    )
    book.dismiss(false.id)
    book.note(false.id, "goat herd")
    mark = book.mark(
        lat - 0.02, lon + 0.01, "unknown", "smoke seen from the road", time_s=t0 + 50.0
    )
    book.close()
    return cue.id, float(t1[0]["t_s"]), false.id, mark.id


def _tlog(path: Path, records: list[dict[str, Any]], t0: float) -> int:
    """A real tlog: vehicle and GCS heartbeats and GLOBAL_POSITION_INT along the true track."""
    vehicle = new_mavlink(sysid=1, compid=1)
    gcs = new_mavlink(sysid=255, compid=190)
    writer = TlogWriter(path)
    drone = [r for r in records if r["what"] == "drone"][::5]
    for r in drone:
        when = t0 + float(r["t_s"])
        hb = vehicle.heartbeat_encode(2, 3, 89, 4, 4)  # quadrotor, ArduPilot, GUIDED, active
        writer.write(hb.pack(vehicle), when)
        writer.write(gcs.heartbeat_encode(6, 8, 0, 0, 4).pack(gcs), when)
        pos = vehicle.global_position_int_encode(
            int(float(r["t_s"]) * 1000) % 2**32,
            round(float(r["lat_deg"]) * 1e7),
            round(float(r["lon_deg"]) * 1e7),
            round((272.0 + float(r["alt_rel_m"])) * 1000),
            round(float(r["alt_rel_m"]) * 1000),
            0, 0, 0, 0,
        )  # fmt: skip
        writer.write(pos.pack(vehicle), when + 0.1)
    packets = writer.packets
    writer.close()
    return packets
