"""Typed decoding with units, telemetry requests and the vehicle state they fill."""

from __future__ import annotations

import asyncio
import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.link import Link, events, mode_name, mode_number
from overwatch.link.decode import Decoder, quaternion_to_euler_deg, to_event
from tests.link.peer import HOME_ALT_MSL_M, HOME_LAT_DEG, HOME_LON_DEG, PeerHost


async def test_request_telemetry_fills_the_state_in_si_units(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    host.vehicle.unsupported_streams.add(mavlink.MAVLINK_MSG_ID_GIMBAL_DEVICE_ATTITUDE_STATUS)
    host.vehicle.alt_rel_m = 12.5
    accepted = await vehicle.request_telemetry()
    assert accepted["GLOBAL_POSITION_INT"] is True
    assert accepted["GIMBAL_DEVICE_ATTITUDE_STATUS"] is False  # refused, not an error
    progress: list[str] = []
    await vehicle.wait_ready(timeout_s=5, progress_cb=progress.append)
    assert progress[-1] == "ready"
    await asyncio.sleep(0.3)  # every stream at least once
    s = vehicle.state
    assert s.lat_deg == pytest.approx(HOME_LAT_DEG, abs=1e-7)
    assert s.lon_deg == pytest.approx(HOME_LON_DEG, abs=1e-7)
    assert s.alt_msl_m == pytest.approx(HOME_ALT_MSL_M + 12.5)
    assert s.alt_rel_m == pytest.approx(12.5)
    assert (s.vn_m_s, s.ve_m_s, s.vd_m_s) == pytest.approx((1.5, -2.5, 0.5))
    assert s.groundspeed_m_s == pytest.approx(math.hypot(1.5, 2.5))
    assert s.heading_deg == pytest.approx(90.5)
    assert (s.roll_deg, s.pitch_deg, s.yaw_deg) == pytest.approx((2.0, -3.0, 90.5))
    assert s.battery_voltage_v == pytest.approx(15.8)
    assert s.battery_current_a == pytest.approx(12.34)
    assert s.battery_remaining_pct == 76
    assert s.battery_time_left_s == 900
    assert (s.gps_fix_type, s.gps_satellites) == (3, 14)
    assert s.gps_hdop == pytest.approx(0.87)
    assert s.ekf_ok is True
    assert s.landed_state == "IN_AIR"
    assert s.home is not None and s.home.alt_msl_m == pytest.approx(HOME_ALT_MSL_M)
    assert s.mode == "STABILIZE" and s.armed is False
    assert s.mission_current_seq == 1
    assert s.link_quality_pct() == 100.0
    age = s.age_s(asyncio.get_running_loop().time())
    assert age is not None and age < 0.5


async def test_events_iterator_and_status_text(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    texts = vehicle.events(events.StatusText)

    async def first() -> events.StatusText:
        return await anext(texts)

    waiting = asyncio.create_task(first())
    await asyncio.sleep(0.05)
    host.vehicle.send_statustext("PreArm: GPS not healthy", severity=3)
    text = await asyncio.wait_for(waiting, 2)
    await texts.aclose()
    assert (text.text, text.severity, text.sysid) == ("PreArm: GPS not healthy", 3, 1)
    assert vehicle.state.status_texts[-1].text == "PreArm: GPS not healthy"


async def test_wait_ready_names_what_is_missing(link: Link) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    from overwatch.errors import LinkTimeout

    with pytest.raises(LinkTimeout, match="GPS 3D fix"):
        await vehicle.wait_ready(timeout_s=0.3)  # no telemetry requested: no GPS


def _decode_one(message: object) -> events.Event | None:
    codec = mavlink.MAVLink(None, srcSystem=7, srcComponent=1)
    packet = message.pack(codec)  # type: ignore[attr-defined]
    decoded = Decoder().feed(packet)
    assert len(decoded) == 1
    return to_event(decoded[0])


def test_decoder_units_for_unknown_values() -> None:
    position = _decode_one(
        mavlink.MAVLink_global_position_int_message(0, 0, 0, 0, 0, 0, 0, 0, 65535)
    )
    assert isinstance(position, events.GlobalPosition) and position.heading_deg is None
    status = _decode_one(
        mavlink.MAVLink_sys_status_message(0, 0, 0, 0, 11100, -1, -1, 0, 0, 0, 0, 0, 0)
    )
    assert isinstance(status, events.SysStatus)
    assert status.voltage_v == pytest.approx(11.1)
    assert status.current_a is None and status.remaining_pct is None
    gps = _decode_one(
        mavlink.MAVLink_gps_raw_int_message(0, 1, 0, 0, 0, 65535, 65535, 65535, 0, 255)
    )
    assert isinstance(gps, events.GpsRaw)
    assert (gps.fix_type, gps.satellites, gps.hdop, gps.ground_speed_m_s) == (1, None, None, None)
    ack = _decode_one(mavlink.MAVLink_command_ack_message(400, 4))
    assert isinstance(ack, events.CommandAck) and ack.result_name == "MAV_RESULT_FAILED"
    assert ack.sysid == 7


def test_gimbal_attitude_from_quaternion_and_mount_status() -> None:
    pitch = math.radians(-30) / 2
    q = [math.cos(pitch), 0.0, math.sin(pitch), 0.0]
    gimbal = _decode_one(
        mavlink.MAVLink_gimbal_device_attitude_status_message(0, 0, 0, 0, q, 0, 0, 0, 0)
    )
    assert isinstance(gimbal, events.GimbalAttitude)
    assert gimbal.pitch_deg == pytest.approx(-30)
    assert quaternion_to_euler_deg(1, 0, 0, 0) == (0, 0, 0)
    mount = _decode_one(mavlink.MAVLink_mount_status_message(0, 0, -4500, 0, 9000))
    assert isinstance(mount, events.GimbalAttitude)
    assert (mount.pitch_deg, mount.yaw_deg) == pytest.approx((-45, 90))


def test_arducopter_mode_table() -> None:
    assert mode_name(4) == "GUIDED" and mode_name(27) == "AUTO_RTL" and mode_name(8) == "MODE_8"
    assert mode_number("smart_rtl") == 21
    with pytest.raises(ValueError, match="GUIDED"):
        mode_number("GUIDE")
