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


RELIEF = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"
T0_S = 1_796_103_000.0


def _write_team_tlog(tlog: Path, sites: list[tuple[float, float]]) -> None:
    """A tlog two vehicles wrote, sysid 1 flying at 40 m and sysid 2 on the ground until it
    goes GUIDED half-way, with a ground station's and a gimbal's heartbeats among theirs."""
    from pymavlink.dialects.v20 import ardupilotmega as mav

    from overwatch.link.tlog import TlogWriter

    def link(sysid: int, compid: int = 1) -> mav.MAVLink:
        return mav.MAVLink(None, srcSystem=sysid, srcComponent=compid)

    vehicles = {1: link(1), 2: link(2)}
    gcs, gimbal = link(255, 190), link(1, 154)
    writer = TlogWriter(tlog)
    armed = mav.MAV_MODE_FLAG_SAFETY_ARMED | mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    try:
        for step in range(40):  # 10 s at 4 Hz
            t = T0_S + step * 0.25
            for sysid, (lat, lon) in zip((1, 2), sites, strict=True):
                m = vehicles[sysid]
                flying = sysid == 1
                guided = flying or step >= 20
                lat += step * 2e-5 if flying else 0.0
                alt_mm = 40_000 if flying else 0
                beat = m.heartbeat_encode(
                    mav.MAV_TYPE_HEXAROTOR,
                    mav.MAV_AUTOPILOT_ARDUPILOTMEGA,
                    armed if flying else mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                    4 if guided else 0,  # GUIDED, STABILIZE
                    mav.MAV_STATE_ACTIVE if flying else mav.MAV_STATE_STANDBY,
                )
                gps = m.gps_raw_int_encode(
                    int(step * 250e3), 3, int(lat * 1e7), int(lon * 1e7), 0, 80, 120, 0, 0, 14
                )
                position = m.global_position_int_encode(
                    step * 250, int(lat * 1e7), int(lon * 1e7), 0, alt_mm, 0, 0, 0, 9000
                )
                battery = 64 if flying else 100
                status = m.sys_status_encode(0, 0, 0, 0, 15_600, 0, battery, 0, 0, 0, 0, 0, 0)
                for message in (beat, gps, position, status):
                    writer.write(message.pack(m), t)
            if step == 30:
                text = vehicles[2].statustext_encode(6, b"EKF3 IMU0 is using GPS")
                writer.write(text.pack(vehicles[2]), t)
            beats = (
                (gcs, gcs.heartbeat_encode(mav.MAV_TYPE_GCS, mav.MAV_AUTOPILOT_INVALID, 0, 0, 0)),
                (gimbal, gimbal.heartbeat_encode(mav.MAV_TYPE_GIMBAL, 8, 0, 0, 0)),
            )
            for sender, beat in beats:
                writer.write(beat.pack(sender), t + 0.1)
    finally:
        writer.close()


def test_a_tlog_of_two_vehicles_replays_both_by_their_mission_names(tmp_path: Path) -> None:
    team = MissionGeometry.of(load_mission(RELIEF))
    sites = [(d.launch.site.lat_deg, d.launch.site.lon_deg) for d in team.mission.drones]
    tlog = tmp_path / "flight.tlog"
    _write_team_tlog(tlog, sites)

    snaps = snapshots_from_tlog(tlog, team, step_s=0.5)

    last = snaps[-1]
    assert [(d.name, d.sysid) for d in last.drones] == [("Hexa-1", 1), ("Hexa-2", 2)]
    hexa1, hexa2 = last.drones
    assert hexa1.airborne and hexa1.mode == "GUIDED" and len(hexa1.footprint) == 4
    assert not hexa2.airborne and hexa2.footprint == () and hexa2.battery_pct == 100
    assert hexa1.battery_pct == 64
    # each at its own place, with its own trail: Hexa-1 flew north, Hexa-2 stayed put
    for drone, (lat, lon), moved in zip(last.drones, sites, (True, False), strict=True):
        assert drone.position is not None
        assert abs(drone.position[1] - lon) < 1e-6
        north = drone.position[0] - lat
        assert 30 * 2e-5 < north < 40 * 2e-5 if moved else abs(north) < 1e-6
    assert len(set(hexa1.trail)) > 10 and len(set(hexa2.trail)) == 1
    assert last.drone is hexa1 and last.duty is None  # the one up is shown first
    texts = [e.text for e in last.events]
    assert "Hexa-2: mode STABILIZE → GUIDED" in texts
    assert "Hexa-2: EKF3 IMU0 is using GPS" in texts
    assert not any("Hexa-1: mode" in t for t in texts)
    # before Hexa-2 changed mode, it was already there, on the ground
    assert [d.mode for d in snaps[2].drones] == ["GUIDED", "STABILIZE"]


def test_a_vehicle_the_mission_does_not_list_is_named_by_its_sysid(
    geometry: MissionGeometry, tmp_path: Path
) -> None:
    team = MissionGeometry.of(load_mission(RELIEF))
    tlog = tmp_path / "flight.tlog"
    _write_team_tlog(
        tlog, [(d.launch.site.lat_deg, d.launch.site.lon_deg) for d in team.mission.drones]
    )
    last = snapshots_from_tlog(tlog, geometry, step_s=1.0)[-1]
    lone = geometry.mission.vehicle
    assert lone.sysid == 1
    assert [d.name for d in last.drones] == [lone.name, "vehicle 2"]
    assert "vehicle 2: mode STABILIZE → GUIDED" in [e.text for e in last.events]


async def test_the_replay_screen_lists_both_drones(tmp_path: Path) -> None:
    from overwatch.tui.replay import make_replay_app
    from overwatch.tui.widgets.telemetry import TelemetryPanel

    team = MissionGeometry.of(load_mission(RELIEF))
    tlog = tmp_path / "flight.tlog"
    _write_team_tlog(
        tlog, [(d.launch.site.lat_deg, d.launch.site.lon_deg) for d in team.mission.drones]
    )
    snaps = snapshots_from_tlog(tlog, team, step_s=0.5)
    app = make_replay_app(team, snaps, clock=lambda: 0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")  # the end of the recording: both drones heard
        await pilot.pause()
        assert app.shown_snapshot is snaps[-1]
        panel = app.query_one(TelemetryPanel)
        text = str(panel.render())
        assert "1 Hexa-1" in text and "2 Hexa-2" in text
        assert str(panel.border_title) == "Team · cmds → on duty (Hexa-1)"
        await pilot.press("v", "v")
        await pilot.pause()
        assert str(panel.border_title) == "Team · cmds → Hexa-2"
        assert "2: GUIDED  disarmed  on ground" in str(panel.render())
