"""The autopilot without sockets: fence geometry, loiter items, pose."""

from __future__ import annotations

import dataclasses
import math
import socket
import time

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import Autopilot, VehicleConfig, VehiclePose
from simulator.geodesy import TangentPlane
from simulator.mission_store import StoredItem
from simulator.modes import Mode
from simulator.telemetry import breach_type
from tests.simulator.conftest import HOME, GcsFactory, StartFleet

LAT, LON, ALT = HOME


def _airborne(alt_m: float = 20.0, **params: float) -> Autopilot:
    ap = Autopilot(VehicleConfig(*HOME, gps_fix_delay_s=0, ekf_gps_delay_s=0, params=params))
    ap.step(0.02)
    assert ap.set_mode(4)
    assert ap.arm(force=False) == 0
    ap.start_takeoff(alt_m)
    for _ in range(1500):
        ap.step(0.02)
    assert abs(ap.alt_rel_m - alt_m) < 0.5
    return ap


def _item(
    cmd: int,
    x_m: float = 0.0,
    y_m: float = 0.0,
    alt: float = 0.0,
    p1: float = 0.0,
    p3: float = 0.0,
    plane: TangentPlane | None = None,
) -> StoredItem:
    plane = plane or TangentPlane(LAT, LON)
    lat, lon = plane.to_lat_lon(x_m, y_m)
    return StoredItem(
        command=cmd, frame=3, param1=p1, param3=p3, x=round(lat * 1e7), y=round(lon * 1e7), z=alt
    )


def test_exclusion_polygon_and_circle_breaches() -> None:
    ap = _airborne(10.0, FENCE_TYPE=4)
    plane = TangentPlane(LAT, LON)
    square = [(-10, -10), (10, -10), (10, 10), (-10, 10)]
    fence = [dataclasses.replace(_item(5002, x, y, plane=plane), param1=4) for x, y in square]
    ap.store.replace(1, fence)
    assert ap.fence_breach_flags() == 4  # inside the exclusion square
    ap.store.replace(1, [_item(5004, 100, 0, p1=30, plane=plane)])
    assert ap.fence_breach_flags() == 0
    ap.store.replace(1, [_item(5003, 100, 0, p1=30, plane=plane)])
    assert ap.fence_breach_flags() == 4  # outside the inclusion circle


def test_loiter_turns_and_time_in_auto() -> None:
    ap = _airborne(20.0)
    mission = [
        StoredItem(16, 0),
        _item(18, 0, 30, 20, p1=1, p3=10),  # one turn, 10 m radius, 30 m north
        _item(19, 0, 0, 20, p1=5),  # loiter 5 s at home
        _item(17, 20, 0, 20),  # loiter unlimited
    ]
    ap.store.replace(0, mission)
    ap.mission.on_mission_changed()
    assert ap.set_mode(3)
    reached: list[int] = []
    farthest_from_centre = 0.0
    for _ in range(12000):
        ap.step(0.02)
        for _, msg in ap.outbox:
            if msg.get_type() == "MISSION_ITEM_REACHED":
                reached.append(msg.seq)
        ap.outbox.clear()
        if ap.mission.index == 1 and ap.mission.stage == 1:
            farthest_from_centre = max(
                farthest_from_centre, math.hypot(ap.body.x_m, ap.body.y_m - 30)
            )
    assert reached == [1, 2]
    assert 8.0 < farthest_from_centre < 12.5  # it circled at about the radius
    assert math.hypot(ap.body.x_m - 20, ap.body.y_m) < 2.0  # loitering at the last item


def test_pose_is_frozen_and_in_degrees() -> None:
    ap = _airborne(15.0)
    pose = ap.pose()
    assert isinstance(pose, VehiclePose)
    assert abs(pose.lat_deg - LAT) < 1e-5 and abs(pose.alt_msl_m - (ALT + 15)) < 0.5
    assert abs(pose.alt_rel_m - 15) < 0.5 and pose.time_s > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        pose.lat_deg = 0.0  # type: ignore[misc]


def test_bad_home_is_a_clear_error() -> None:
    from overwatch.errors import SimulatorError

    with pytest.raises(SimulatorError, match="latitude"):
        VehicleConfig(123.0, 2.0)


def test_udp_output(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gcs:
        gcs.bind(("127.0.0.1", 0))
        gcs.settimeout(0.2)
        port = gcs.getsockname()[1]
        start_fleet(speedup=10, udp_out=("127.0.0.1", port))
        parser = mav.MAVLink(None)
        enc = mav.MAVLink(None, srcSystem=255, srcComponent=190)
        heartbeat = None
        end = time.monotonic() + 5
        while heartbeat is None and time.monotonic() < end:
            try:
                data, addr = gcs.recvfrom(4096)
            except TimeoutError:
                continue
            msgs = parser.parse_buffer(data) or []
            heartbeat = next((m for m in msgs if m.get_type() == "HEARTBEAT"), None)
        assert heartbeat is not None and heartbeat.get_srcSystem() == 1
        gcs.sendto(
            mav.MAVLink_command_long_message(1, 1, 512, 0, 148, 0, 0, 0, 0, 0, 0).pack(enc), addr
        )
        ack = None
        end = time.monotonic() + 5
        while ack is None and time.monotonic() < end:
            try:
                data, _ = gcs.recvfrom(4096)
            except TimeoutError:
                continue
            ack = next(
                (m for m in parser.parse_buffer(data) or [] if m.get_type() == "COMMAND_ACK"), None
            )
        assert ack is not None and ack.result == 0


def test_follow_target_message_is_understood() -> None:
    from simulator.follow import OtherSystems

    others = OtherSystems()
    enc = mav.MAVLink(None, srcSystem=9, srcComponent=1)
    msg = mav.MAVLink_follow_target_message(
        0, 0, round((LAT + 0.001) * 1e7), round(LON * 1e7), ALT + 2.0,
        [0.0, 3.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0], 0,
    )  # fmt: skip
    decoded = mav.MAVLink(None).parse_buffer(msg.pack(enc))[0]
    others.observe(decoded, 5.0, own_sysid=1)
    fix = others.fresh(9, 6.0)
    assert fix is not None and others.first_sysid == 9
    assert abs(fix.lat_deg - (LAT + 0.001)) < 1e-7 and fix.ve_m_s == 3.0
    assert fix.heading_deg == 0.0  # identity quaternion: facing north
    assert others.fresh(9, 8.5) is None  # silent for more than 3 s: lost


def test_streams_from_sr0_parameters_at_boot_and_nan_targets_ignored() -> None:
    ap = Autopilot(VehicleConfig(*HOME, params={"SR0_POSITION": 5}))
    assert ap.streams.interval_s(33) == pytest.approx(0.2)
    assert ap.streams.interval_s(30) == -1.0
    ap.goto(1.0, 2.0, 3.0)
    ap.goto(math.nan, 0.0, 0.0)
    assert ap.nav.target == (1.0, 2.0, 3.0)


def test_roi_sysid_faces_the_other_system() -> None:
    ap = _airborne(20.0)
    plane = TangentPlane(LAT, LON)
    lat, lon = plane.to_lat_lon(-50.0, 0.0)  # 50 m west
    enc = mav.MAVLink(None, srcSystem=77, srcComponent=1)
    fix = mav.MAVLink_global_position_int_message(
        0, round(lat * 1e7), round(lon * 1e7), round(ALT * 1000), 0, 0, 0, 0, 65535
    )
    decoded = mav.MAVLink(None).parse_buffer(fix.pack(enc))[0]
    ap.others.observe(decoded, ap.time_s, ap.sysid)
    ap.set_roi_sysid(77)
    # the gimbal tracks it too (MOUNT_MODE_SYSID_TARGET)
    for _ in range(200):
        ap.step(0.02)
    assert abs(ap.body.yaw_deg - 270.0) < 2.0
    assert abs(ap.gimbal.pitch_deg + math.degrees(math.atan2(20, 50))) < 2.0
    assert ap.gimbal.mode == mav.MAV_MOUNT_MODE_SYSID_TARGET  # in MOUNT_STATUS


def test_rtl_goes_to_the_nearest_rally_point() -> None:
    ap = _airborne(20.0)
    plane = TangentPlane(LAT, LON)
    ap.goto(300.0, 0.0, 20.0)
    for _ in range(5000):
        ap.step(0.02)
    ap.store.replace(2, [_item(5100, 250, 0, 25, plane=plane)])
    assert ap.set_mode(6)
    for _ in range(20000):
        ap.step(0.02)
        if not ap.armed:
            break
    assert not ap.armed and ap.body.on_ground
    assert math.hypot(ap.body.x_m - 250.0, ap.body.y_m) < 2.0  # landed at the rally point


def test_47_naming_on_the_wire(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=5, param_naming="4.7")
    gcs = gcs_factory(ft.port())
    gcs.mav.param_request_read_send(1, 1, b"MAV_SYSID", -1)
    value = gcs.recv("PARAM_VALUE", 2.0)
    assert value is not None and value.param_id == "MAV_SYSID" and value.param_value == 1
    gcs.mav.param_request_read_send(1, 1, b"SYSID_THISMAV", -1)
    assert gcs.recv("PARAM_VALUE", 0.5) is None


@pytest.mark.parametrize(
    ("breaches", "reported"),
    [
        (0, mav.FENCE_BREACH_NONE),
        (mav.FENCE_TYPE_ALT_MAX, mav.FENCE_BREACH_MAXALT),
        (mav.FENCE_TYPE_CIRCLE, mav.FENCE_BREACH_BOUNDARY),
        (mav.FENCE_TYPE_POLYGON, mav.FENCE_BREACH_BOUNDARY),
        (mav.FENCE_TYPE_ALT_MAX | mav.FENCE_TYPE_POLYGON, mav.FENCE_BREACH_BOUNDARY),
    ],
)
def test_fence_status_names_the_breach_as_arducopter_does(breaches: int, reported: int) -> None:
    # GCS_MAVLINK::send_fence_status: the ceiling is MAXALT, circle and polygon BOUNDARY
    assert breach_type(breaches) == reported


@pytest.mark.parametrize(
    ("enable", "options", "mode", "after"),
    [
        (1, 0, Mode.GUIDED, Mode.RTL),
        (2, 0, Mode.GUIDED, Mode.RTL),  # 2 was "continue in AUTO": now an FS_OPTIONS bit
        (5, 0, Mode.GUIDED, Mode.LAND),
        (7, 0, Mode.GUIDED, Mode.BRAKE),
        (1, 16, Mode.LOITER, Mode.LOITER),  # FS_OPTIONS 16: a pilot's mode flies on
        (1, 16, Mode.GUIDED, Mode.RTL),
    ],
)
def test_a_lost_ground_station_does_what_arducopter_does(
    enable: int, options: int, mode: Mode, after: Mode
) -> None:
    ap = _airborne(20.0, FS_GCS_ENABLE=enable, FS_OPTIONS=options, FS_GCS_TIMEOUT=3)
    assert ap.set_mode(mode)
    ap.failsafes.last_gcs_heartbeat_s = ap.time_s
    for _ in range(250):  # 5 s without a heartbeat
        ap.step(0.02)
    assert ap.failsafes.gcs
    assert ap.mode == after
