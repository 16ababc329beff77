"""The lockstep harness with a team: every drone of the mission talks over the one
in-process transport, so a ground station in the same process hears every sysid on its
one link, and the scenario runner watches every drone (issue 14 §5)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.mission import load_mission
from overwatch.scoring.truth import TruthLog
from simulator.geodesy import TangentPlane
from simulator.lockstep import run_lockstep
from tests.ops.lockstep import in_process_world
from tests.ops.runs import ROOT, SIM_ARGS

RELIEF = ROOT / "missions" / "relief-patrol.yaml"
RELIEF_SCENARIO = ROOT / "missions" / "relief-patrol.scenario.yaml"


def test_a_ground_station_in_process_hears_both_drones_on_one_transport(tmp_path: Path) -> None:
    mission = load_mission(RELIEF)

    async def main() -> tuple[list[Any], int]:
        world_of = in_process_world(RELIEF, RELIEF_SCENARIO, tmp_path, SIM_ARGS, speedup=10.0)
        async with world_of as world:
            assert [v.sysid for v in world.fleet.vehicles] == [1, 2]
            gcs = mav.MAVLink(None, srcSystem=255, srcComponent=190)
            heard: list[Any] = []

            async def station() -> list[Any]:
                # as a ground station would: ask each vehicle, by its sysid, for its home
                asked_s = -math.inf
                while world.fleet.time_s < 40.0:
                    if world.fleet.time_s - asked_s > 2.0:
                        asked_s = world.fleet.time_s
                        for sysid in (1, 2):
                            msg = gcs.command_long_encode(
                                sysid, 1, mav.MAV_CMD_REQUEST_MESSAGE, 0,
                                mav.MAVLINK_MSG_ID_HOME_POSITION, 0, 0, 0, 0, 0, 0,
                            )  # fmt: skip
                            world.transport.write(msg.pack(gcs))
                    chunk = await world.transport.read()
                    heard.extend(gcs.parse_buffer(chunk) or [])
                return heard

            await world.run(station(), limit_s=120.0)
            return heard, len(world.fleet.vehicles)

    heard, count = run_lockstep(main)
    assert count == 2
    beats = {m.get_srcSystem() for m in heard if m.get_type() == "HEARTBEAT"}
    assert beats == {1, 2}
    homes = {m.get_srcSystem(): m for m in heard if m.get_type() == "HOME_POSITION"}
    assert set(homes) == {1, 2}, "each vehicle answers what is asked of it alone"
    for sysid, drone in zip((1, 2), mission.drones, strict=True):
        home, site = homes[sysid], drone.launch.site
        east, north = TangentPlane(site.lat_deg, site.lon_deg).to_xy(
            home.latitude / 1e7, home.longitude / 1e7
        )
        assert math.hypot(east, north) < 3.0, (sysid, east, north)
    acks = [m for m in heard if m.get_type() == "COMMAND_ACK"]
    # each command went to both vehicles on the shared channel; only its target acked it
    assert acks and {m.get_srcSystem() for m in acks} == {1, 2}
    assert all(m.target_system == 255 for m in acks)
    records = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    watched = {r.get("sysid") for r in records if r["what"] == "drone"}
    assert watched == {None, 2}  # vehicle 1's records as a lone drone's, drone 2's marked
    # the scorer keeps them apart: the first drone's track, and drone 2's beside it
    truth = TruthLog.read(tmp_path / "truth.jsonl")
    assert list(truth.team_rows) == [2]
    for rows, drone in (
        (truth.drone_rows, mission.drones[0]),
        (truth.team_rows[2], mission.drones[1]),
    ):
        site = drone.launch.site
        east, north = TangentPlane(site.lat_deg, site.lon_deg).to_xy(rows[-1, 1], rows[-1, 2])
        assert math.hypot(east, north) < 3.0
