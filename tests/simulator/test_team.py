"""``overwatch sim`` flies a team: each drone of the mission homed at its own launch site,
with its own system id, battery and ground crew, and the scenario's stand-in detector
looking through every drone's camera (issue 14 §5). Over real loopback sockets."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.errors import MissionError, SimulatorError
from overwatch.feeds.cot_xml import parse_cot_event
from overwatch.mission import Mission, load_mission
from overwatch.mission.model import Camera
from overwatch.ops.training import SimProcess, vehicles_announced
from overwatch.scenario.loader import load_scenario
from simulator import cli as sim_cli
from simulator.command import battery_capacity_mah, simulator_arguments
from simulator.fleet import SimulatedFleet, VehicleSpec, team_sysids
from simulator.geodesy import TangentPlane
from simulator.modes import Mode
from simulator.scenario.actors import World
from simulator.scenario.runner import ScenarioRunner, team_of
from tests.simulator.conftest import Gcs

ROOT = Path(__file__).resolve().parents[2]
RELIEF = ROOT / "missions" / "relief-patrol.yaml"
RELIEF_SCENARIO = ROOT / "missions" / "relief-patrol.scenario.yaml"
VEHICLE_PATROL = ROOT / "missions" / "vehicle-patrol.yaml"
QUICK_START = ("--gps-delay", "0.5", "--ekf-delay", "1")


def _distance_m(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    return math.hypot(*TangentPlane(lat_a, lon_a).to_xy(lat_b, lon_b))


def _report(port: int, sysid: int, timeout_s: float = 60.0) -> dict[str, Any]:
    """What the vehicle on ``port`` says of itself: its heartbeat's sysid, its home and its
    position (GLOBAL_POSITION_INT once it has a fix), asked for as a ground station does."""
    gcs = Gcs(port)
    try:
        beat = gcs.recv("HEARTBEAT", timeout_s)
        assert beat is not None, f"no heartbeat on port {port}"
        for msg_id in (mav.MAVLINK_MSG_ID_HOME_POSITION, mav.MAVLINK_MSG_ID_GLOBAL_POSITION_INT):
            gcs.command(mav.MAV_CMD_SET_MESSAGE_INTERVAL, msg_id, 200_000, target=sysid)
        home = gcs.recv("HOME_POSITION", timeout_s)
        position = gcs.recv("GLOBAL_POSITION_INT", timeout_s, cond=lambda m: m.lat != 0)
        assert home is not None and position is not None, f"no home or no position on {port}"
        return {
            "sysid": beat.get_srcSystem(),
            "home": (home.latitude / 1e7, home.longitude / 1e7, home.altitude / 1000.0),
            "home_from": home.get_srcSystem(),
            "position": (position.lat / 1e7, position.lon / 1e7),
        }
    finally:
        gcs.close()


def _assert_at_launch(report: dict[str, Any], mission: Mission, index: int) -> None:
    drone = mission.drones[index]
    site, alt = drone.launch.site, drone.launch.alt_msl_m
    assert report["sysid"] == report["home_from"] == drone.vehicle.sysid, report
    lat, lon, home_alt = report["home"]
    assert _distance_m(lat, lon, site.lat_deg, site.lon_deg) < 3.0, (index, report)
    assert home_alt == pytest.approx(alt, abs=2.0), (index, report)
    assert _distance_m(*report["position"], site.lat_deg, site.lon_deg) < 3.0, (index, report)


# -- the options ----------------------------------------------------------------------


def test_one_vehicle_per_drone_each_with_its_own_home_sysid_battery_and_crew() -> None:
    mission = load_mission(RELIEF)
    hexa1, hexa2 = mission.drones
    assert hexa1.launch.site != hexa2.launch.site  # the example's two launch sites
    ns = simulator_arguments(mission, RELIEF, [])
    assert ns.vehicles == 2  # by default one per drone
    first, second = ns.team
    assert first.home == (hexa1.launch.site.lat_deg, hexa1.launch.site.lon_deg, 272.0)
    assert second.home == (hexa2.launch.site.lat_deg, hexa2.launch.site.lon_deg, 268.0)
    assert (first.sysid, second.sysid) == (1, 2)
    assert second.params == {
        "BATT_CAPACITY": round(battery_capacity_mah(hexa2.vehicle.endurance_s)),
        "SIM_BATT_SWAP_S": hexa2.vehicle.turnaround_s,
    }
    fleet = sim_cli.fleet_from(ns)
    for vehicle, drone in zip(fleet.vehicles, mission.drones, strict=True):
        ap = vehicle.autopilot
        assert vehicle.sysid == ap.params["SYSID_THISMAV"] == drone.vehicle.sysid
        assert ap.params["SIM_BATT_SWAP_S"] == drone.vehicle.turnaround_s
        pose = vehicle.pose()
        site = drone.launch.site
        assert _distance_m(pose.lat_deg, pose.lon_deg, site.lat_deg, site.lon_deg) < 0.01
        assert pose.alt_msl_m == pytest.approx(drone.launch.alt_msl_m)
    # one drone only when asked for one; a third beside the first launch site, sysid 3
    assert simulator_arguments(mission, RELIEF, ["--vehicles", "1"]).vehicles == 1
    three = sim_cli.fleet_from(simulator_arguments(mission, RELIEF, ["--vehicles", "3"]))
    assert [v.sysid for v in three.vehicles] == [1, 2, 3]
    third = three.vehicles[2].pose()
    east, north = TangentPlane(hexa1.launch.site.lat_deg, hexa1.launch.site.lon_deg).to_xy(
        third.lat_deg, third.lon_deg
    )
    assert east == pytest.approx(10.0, abs=0.01) and north == pytest.approx(0.0, abs=0.01)


def test_each_drone_its_own_endurance_and_turnaround_unless_the_trainer_sets_them() -> None:
    mission = load_mission(RELIEF)
    hexa2 = mission.extra_drones[0]
    tired = replace(hexa2.vehicle, endurance_s=20 * 60.0, turnaround_s=90.0)
    team = replace(mission, extra_drones=(replace(hexa2, vehicle=tired),))
    ns = simulator_arguments(team, RELIEF, [], sitl=True)
    assert ns.team[0].params["BATT_CAPACITY"] == round(battery_capacity_mah(35 * 60.0, sitl=True))
    assert ns.team[1].params["BATT_CAPACITY"] == round(battery_capacity_mah(20 * 60.0, sitl=True))
    assert [spec.params["SIM_BATT_SWAP_S"] for spec in ns.team] == [360.0, 90.0]
    given = simulator_arguments(team, RELIEF, ["--param", "BATT_CAPACITY=5000"])
    assert all("BATT_CAPACITY" not in spec.params for spec in given.team)
    assert ("BATT_CAPACITY", 5000.0) in given.param


def test_a_mission_of_one_drone_keeps_one_vehicle_and_its_sysid() -> None:
    mission = load_mission(VEHICLE_PATROL)
    ns = simulator_arguments(mission, VEHICLE_PATROL, [])
    assert ns.vehicles == 1 and [spec.sysid for spec in ns.team] == [1]
    # a second vehicle past the mission's drone: beside its launch site, sysid 1 (2 is taken)
    sysid_2 = replace(mission, vehicle=replace(mission.vehicle, sysid=2))
    two = simulator_arguments(sysid_2, VEHICLE_PATROL, ["--vehicles", "2"])
    assert [v.sysid for v in sim_cli.fleet_from(two).vehicles] == [2, 1]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--vehicles", "0"], "--vehicles: expected 1 to 254 vehicles"),
        (["--vehicles", "-3"], "--vehicles: expected 1 to 254 vehicles"),
        (["--vehicles", "255"], "--vehicles: expected 1 to 254 vehicles"),
        (["--base-port", "65530", "--vehicles", "2"], "--base-port 65530 leaves no room for"),
    ],
)
def test_bad_team_options_say_which_option(extra: list[str], needle: str) -> None:
    with pytest.raises(SimulatorError, match=needle):
        simulator_arguments(load_mission(RELIEF), RELIEF, extra)


def test_a_sysid_the_simulator_cannot_give_names_the_drones_field() -> None:
    mission = load_mission(RELIEF)
    hexa2 = mission.extra_drones[0]
    gcs_id = replace(
        mission, extra_drones=(replace(hexa2, vehicle=replace(hexa2.vehicle, sysid=255)),)
    )
    with pytest.raises(MissionError, match=r"vehicles\[1\]\.sysid.*not 255"):
        simulator_arguments(gcs_id, RELIEF, [])


def test_sysids_of_a_team_never_clash() -> None:
    assert team_sysids(2, []) == [1, 2]
    assert team_sysids(3, [2]) == [2, 1, 3]
    assert team_sysids(2, [7, 3]) == [7, 3]
    with pytest.raises(SimulatorError, match="two vehicles have system id 4"):
        team_sysids(2, [4, 4])
    with pytest.raises(SimulatorError, match="two vehicles have system id 4"):
        SimulatedFleet((13.5, 2.1, 200.0), 2, team=[VehicleSpec(sysid=4), VehicleSpec(sysid=4)])


def test_overwatch_sim_refuses_no_vehicles_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "overwatch", "sim", str(RELIEF), "--vehicles", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--vehicles" in lines[0], lines


# -- on the wire ------------------------------------------------------------------------


def test_two_vehicles_serve_at_their_own_launch_sites_with_their_own_sysids(
    tmp_path: Path,
) -> None:
    mission = load_mission(RELIEF)
    with SimProcess(RELIEF, None, tmp_path, speedup=5.0, vehicles=2, extra_args=QUICK_START) as sim:
        assert len(sim.urls) == 2 and sim.urls[0] == sim.connect_url
        assert sim.sysids == [1, 2]
        log = (tmp_path / "simulator.log").read_text()
        assert f"vehicle 2: {sim.urls[1]} (sysid 2)" in log.splitlines()
        for i, url in enumerate(sim.urls):
            report = _report(int(url.rsplit(":", 1)[1]), sim.sysids[i])
            _assert_at_launch(report, mission, i)


def test_the_ground_station_reads_each_vehicle_line() -> None:
    text = (
        "vehicle 1: tcp:127.0.0.1:5760 (sysid 1)\n"
        "vehicle 2: tcp:127.0.0.1:5770 (ArduPilot SITL, sysid 7)\n"
        "vehicle 3: tcp:127.0.0.1:5780\n"
        "scenario 'x': patrol → nmea+udp://127.0.0.1:1, sightings → udp 127.0.0.1:2\n"
    )
    found = [(v.number, v.url, v.sysid) for v in vehicles_announced(text)]
    assert found == [
        (1, "tcp:127.0.0.1:5760", 1),
        (2, "tcp:127.0.0.1:5770", 7),
        (3, "tcp:127.0.0.1:5780", 3),
    ]


# -- the stand-in detector --------------------------------------------------------------


def test_the_detector_sees_through_drone_2s_camera_alone(tmp_path: Path) -> None:
    """Drone 1 waits on the ground at the compound; drone 2 hovers 60 m over the first
    threat looking straight down: the sighting comes from drone 2's camera, marked so."""
    scenario = load_scenario(RELIEF_SCENARIO)
    world = World(scenario)
    at_once = ["--gps-delay", "0", "--ekf-delay", "0"]
    fleet = sim_cli.fleet_from(simulator_arguments(scenario.mission, RELIEF, at_once))
    lead, second = fleet.vehicles
    threat = next(t for t in world.threats if t.threat.threat_id == "R1-watcher")
    xy = threat.xy_at(10.0)
    assert xy is not None
    lat, lon = world.geometry.frame.to_wgs84(*xy)
    ap = second.autopilot
    ap.step(0.02)
    assert ap.carry_to(lat, lon)  # the crew drives it out there
    assert ap.set_mode(Mode.GUIDED) and ap.arm(force=False) == 0
    ap.start_takeoff(60.0)
    ap.gimbal.point(-90.0, 0.0)
    for _ in range(2000):
        ap.step(0.02)
    assert ap.alt_rel_m > 55.0 and ap.gimbal.pitch_deg == pytest.approx(-90.0)
    assert lead.pose().alt_rel_m < 1.0

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5.0)
    truth = tmp_path / "truth.jsonl"
    runner = ScenarioRunner(
        world,
        lead,
        lambda: 0.0,
        patrol_feed=None,
        sightings_to=receiver.getsockname(),
        truth_path=truth,
        team=team_of(scenario.mission, fleet.vehicles, [1, 2]),
    )
    try:
        assert runner.watched == 2
        for t in range(10, 40):
            runner.sensor_look(float(t))
            if runner.sightings_sent:
                break
        assert runner.sightings_sent >= 1
        event = parse_cot_event(receiver.recv(65536))
        assert event.uid.startswith("det-2-"), event.uid
        assert _distance_m(event.lat_deg, event.lon_deg, lat, lon) < 30.0
    finally:
        runner.close()
        receiver.close()
    records = [json.loads(line) for line in truth.read_text().splitlines()]
    sightings = [r for r in records if r["what"] == "sighting"]
    assert sightings and all(r["sysid"] == 2 and r["truth_id"] == "R1-watcher" for r in sightings)
    drones = [r for r in records if r["what"] == "drone"]
    # vehicle 1's records as a lone drone's (no sysid), drone 2's with its sysid
    assert {r.get("sysid") for r in drones} == {None, 2}
    assert all(r["alt_rel_m"] > 55.0 for r in drones if r.get("sysid") == 2)


def test_each_drone_looks_with_its_own_camera_model() -> None:
    mission = load_mission(RELIEF)
    hexa2 = mission.extra_drones[0]
    narrow = Camera(hfov_deg=20.0, vfov_deg=15.0, gimbal_pitch_deg=-60.0)
    team = replace(
        mission, extra_drones=(replace(hexa2, vehicle=replace(hexa2.vehicle, camera=narrow)),)
    )
    fleet = sim_cli.fleet_from(simulator_arguments(team, RELIEF, ["--vehicles", "3"]))
    members = team_of(team, fleet.vehicles, [v.sysid for v in fleet.vehicles])
    assert [(m.sysid, m.camera) for m in members] == [(2, narrow), (3, mission.vehicle.camera)]


# -- real ArduPilot SITL ----------------------------------------------------------------


@pytest.mark.sitl
@pytest.mark.timeout(600)
def test_sitl_flies_the_team_each_instance_homed_at_its_launch_site(tmp_path: Path) -> None:
    """``overwatch sim --sitl`` on the relief mission: two SITL instances, each with its own
    --home, SYSID_THISMAV and battery, and the scenario's detector watching both."""
    mission = load_mission(RELIEF)
    sitl = os.environ["ARDUPILOT_SITL"]
    with SimProcess(RELIEF, RELIEF_SCENARIO, tmp_path, speedup=5.0, sitl=sitl) as sim:
        assert sim.sysids == [1, 2] and len(set(sim.urls)) == 2
        for i, url in enumerate(sim.urls):
            port = int(url.rsplit(":", 1)[1])
            _assert_at_launch(_report(port, sim.sysids[i], timeout_s=120.0), mission, i)
            gcs = Gcs(port)
            try:
                capacity = _param(gcs, sim.sysids[i], "BATT_CAPACITY")
            finally:
                gcs.close()
            endurance_s = mission.drones[i].vehicle.endurance_s
            assert capacity == pytest.approx(battery_capacity_mah(endurance_s, sitl=True), abs=1)
        log = (tmp_path / "simulator.log").read_text()
        assert "vehicle 2 watched on tcp:127.0.0.1:" in log, log
        truth = tmp_path / "truth.jsonl"
    records = [json.loads(line) for line in truth.read_text().splitlines()]
    second = [r for r in records if r["what"] == "drone" and r.get("sysid") == 2]
    assert second, "the detector never watched drone 2"
    post = mission.drones[1].launch.site
    assert _distance_m(second[-1]["lat_deg"], second[-1]["lon_deg"], post.lat_deg, post.lon_deg) < 5


def _param(gcs: Gcs, sysid: int, name: str) -> float:
    for _ in range(5):
        gcs.mav.param_request_read_send(sysid, 1, name.encode(), -1)
        msg = gcs.recv("PARAM_VALUE", 2.0, cond=lambda m: m.param_id == name)
        if msg is not None:
            return float(msg.param_value)
    raise AssertionError(f"no {name} from vehicle {sysid}")
