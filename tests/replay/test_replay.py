"""A recorded flight played back: tlog (+ cues) → the snapshots the UI shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from overwatch.cues import CueBook, Sighting
from overwatch.errors import OverwatchError
from overwatch.link import Link
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.replay import snapshots_from_tlog
from simulator.fleet import SimulatedFleet

MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"


@pytest.fixture(scope="module")
def geometry() -> MissionGeometry:
    return MissionGeometry.of(load_mission(MISSION))


async def _record_a_takeoff(geometry: MissionGeometry, tlog: Path) -> None:
    site = geometry.mission.launch.site
    fleet = SimulatedFleet(
        home=(site.lat_deg, site.lon_deg, geometry.mission.launch.alt_msl_m),
        speedup=20.0,
        base_port=0,
        gps_fix_delay_s=1.0,
        ekf_gps_delay_s=2.0,
    )
    async with fleet, Link(fleet.urls[0], tlog_path=tlog) as link:
        vehicle = await link.wait_vehicle(timeout_s=10)
        await vehicle.request_telemetry()
        await vehicle.wait_ready(timeout_s=20)
        await vehicle.set_mode("GUIDED")
        await vehicle.arm()
        await vehicle.takeoff(40.0)
        while (vehicle.state.alt_rel_m or 0.0) < 35.0:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)


def test_a_recorded_takeoff_replays_with_its_cues(
    geometry: MissionGeometry, tmp_path: Path
) -> None:
    tlog = tmp_path / "flight.tlog"
    asyncio.run(_record_a_takeoff(geometry, tlog))
    book = CueBook(tmp_path / "cues.sqlite")
    site = geometry.mission.launch.site
    book.add_sighting(
        Sighting("person", site.lat_deg + 0.001, site.lon_deg, 5.0, 0.0, 0.9, "camera")
    )
    book.close()

    snaps = snapshots_from_tlog(tlog, geometry, cues_path=tmp_path / "cues.sqlite", step_s=0.25)

    assert len(snaps) > 5
    times = [s.time_s for s in snaps]
    assert times == sorted(times)
    first, last = snaps[0], snaps[-1]
    assert not first.drone.armed
    assert last.drone.armed and last.drone.airborne and last.drone.mode == "GUIDED"
    assert last.drone.alt_rel_m is not None and last.drone.alt_rel_m > 30
    assert len(last.drone.footprint) == 4
    assert any("GUIDED" in e.text for e in last.events)
    # the cue's clock is not the tlog's (a test time of 0): it is shown from the start
    assert [c.kind for c in first.cues] == ["person"]


def test_a_file_that_is_not_a_tlog_is_refused_clearly(
    geometry: MissionGeometry, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.tlog"
    junk.write_text("hello, this is not MAVLink\n" * 10)
    with pytest.raises(OverwatchError, match="no MAVLink packets"):
        snapshots_from_tlog(junk, geometry)
    with pytest.raises(OverwatchError, match="cannot read the tlog"):
        snapshots_from_tlog(tmp_path / "missing.tlog", geometry)
