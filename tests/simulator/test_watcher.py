"""The pose watcher beside a real autopilot: ArduPilot's gimbal reports, decoded."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.watcher import MavlinkWatcher


def _from_vehicle(*messages: Any) -> list[Any]:
    """The messages as the watcher receives them: packed by system 1 and parsed back."""
    sender = mav.MAVLink(None, srcSystem=1, srcComponent=1)
    parser = mav.MAVLink(None)
    return [parser.decode(bytearray(m.pack(sender))) for m in messages]


def _quat(pitch_deg: float, yaw_deg: float) -> list[float]:
    p, y = math.radians(pitch_deg) / 2, math.radians(yaw_deg) / 2
    return [
        math.cos(p) * math.cos(y),
        -math.sin(p) * math.sin(y),
        math.sin(p) * math.cos(y),
        math.cos(p) * math.sin(y),
    ]


def _watch(
    vehicle_pitch_deg: float,
    vehicle_yaw_deg: float,
    mount: list[float],
    flags: int,
    *,
    body_frame: bool,
) -> MavlinkWatcher:
    watcher = MavlinkWatcher("127.0.0.1", 1, mount_in_body_frame=body_frame)
    for msg in _from_vehicle(
        mav.MAVLink_global_position_int_message(
            5000, 135000000, 21000000, 300000, 80000, 0, 0, 0, 9000
        ),
        mav.MAVLink_attitude_message(
            5000, 0.0, math.radians(vehicle_pitch_deg), math.radians(vehicle_yaw_deg), 0, 0, 0
        ),
        mav.MAVLink_gimbal_device_attitude_status_message(0, 0, 5000, flags, mount, 0, 0, 0, 0),
    ):
        watcher._on_message(msg)
    return watcher


def test_a_servo_mount_turns_with_the_airframe() -> None:
    # nose down 30° at speed, the servo mount at +20° from the airframe: the camera
    # looks 10° below the horizon, straight ahead
    flags = mav.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME | mav.GIMBAL_DEVICE_FLAGS_YAW_LOCK
    pose = _watch(-30.0, 90.0, _quat(20.0, 0.0), flags, body_frame=True).pose()
    assert pose.gimbal_pitch_deg == pytest.approx(-10.0, abs=0.1)
    assert pose.gimbal_yaw_deg == pytest.approx(0.0, abs=0.1)
    assert pose.yaw_deg == pytest.approx(90.0) and pose.alt_rel_m == pytest.approx(80.0)


def test_a_stabilised_gimbal_reports_from_the_horizon() -> None:
    flags = mav.GIMBAL_DEVICE_FLAGS_YAW_IN_EARTH_FRAME
    pose = _watch(-30.0, 90.0, _quat(-45.0, 120.0), flags, body_frame=False).pose()
    assert pose.gimbal_pitch_deg == pytest.approx(-45.0, abs=0.1)
    assert pose.gimbal_yaw_deg == pytest.approx(30.0, abs=0.1)  # from the nose
    vehicle_frame = mav.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME | mav.GIMBAL_DEVICE_FLAGS_YAW_LOCK
    locked = _watch(0.0, 90.0, _quat(-45.0, 10.0), vehicle_frame, body_frame=False).pose()
    assert locked.gimbal_yaw_deg == pytest.approx(10.0, abs=0.1)  # a lock is no frame
