"""The pieces the live video integration rests on, each checked on its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.camera import CameraIntrinsics, CameraPose, CaptureStamp, VideoFrame
from overwatch.video.capture_time import CaptureClock
from overwatch.video.pose_history import PoseHistory
from overwatch.video.sei import find_capture_stamp
from simulator.autopilot import Autopilot, VehicleConfig
from simulator.camera import StreamConfig, camera_information, video_stream_information
from simulator.camera.stamp_sei import stamp_sei_nal
from simulator.handlers import handle
from simulator.telemetry import attach_camera


def _request(ap: Autopilot, message_id: int) -> list[Any]:
    gcs = mav.MAVLink(None, srcSystem=255, srcComponent=190)
    msg = gcs.command_long_encode(
        target_system=1,
        target_component=1,
        command=mav.MAV_CMD_REQUEST_MESSAGE,
        confirmation=0,
        param1=message_id,
        param2=0,
        param3=0,
        param4=0,
        param5=0,
        param6=0,
        param7=0,
    )
    msg.pack(gcs)  # sets the header (source system/component) as on the wire
    ap.outbox.clear()
    handle(ap, msg, "link")
    vehicle = mav.MAVLink(None, srcSystem=1, srcComponent=1)
    return [gcs.decode(bytearray(m.pack(vehicle))) for _, m in ap.outbox]  # as on the wire


def test_vehicle_answers_camera_requests_only_with_a_camera() -> None:
    ap = Autopilot(VehicleConfig(home_lat_deg=13.5, home_lon_deg=2.1, home_alt_msl_m=220.0))
    (ack,) = _request(ap, mav.MAVLINK_MSG_ID_CAMERA_INFORMATION)
    assert ack.get_type() == "COMMAND_ACK" and ack.result == mav.MAV_RESULT_FAILED
    config = StreamConfig(port=5611, fps=15)
    intrinsics = CameraIntrinsics(640, 480, 70.0)
    attach_camera(
        ap,
        camera_information(intrinsics).as_mavlink(),
        video_stream_information(config, intrinsics).as_mavlink(),
    )
    info, ack = _request(ap, mav.MAVLINK_MSG_ID_CAMERA_INFORMATION)  # the reply, then the ack
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    assert (info.resolution_h, info.resolution_v) == (640, 480)
    stream, ack = _request(ap, mav.MAVLINK_MSG_ID_VIDEO_STREAM_INFORMATION)
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    assert stream.uri == "udp://0.0.0.0:5611" and stream.framerate == 15


def test_stamp_with_simulated_utc_carries_the_wall_clock_too() -> None:
    stamp = CaptureStamp(1_796_000_000.5, 7, 123.25, wall_unix_s=1_795_000_000.25)
    back = find_capture_stamp(stamp_sei_nal(stamp))
    assert back == stamp
    frame = VideoFrame(np.zeros((4, 4, 3), np.uint8), 0, 1_795_000_000.30, back)
    assert frame.latency_s is not None and abs(frame.latency_s - 0.05) < 1e-6
    plain = CaptureStamp(1_795_000_000.25, 8, 1.0)
    assert find_capture_stamp(stamp_sei_nal(plain)) == plain
    assert plain.glass_unix_s == plain.capture_unix_s


def test_pose_history_interpolates_position_and_angles_the_short_way() -> None:
    history = PoseHistory(max_age_s=10.0, max_hold_s=0.5)
    a = CameraPose(13.0, 2.0, 300.0, 80.0, yaw_deg=350.0, gimbal_pitch_deg=-40.0, time_s=100.0)
    b = replace(a, lat_deg=13.001, yaw_deg=10.0, gimbal_pitch_deg=-50.0, time_s=101.0)
    history.add(a)
    history.add(b)
    mid = history.at(100.25)
    assert mid is not None
    assert abs(mid.lat_deg - 13.00025) < 1e-9
    assert abs((mid.yaw_deg - 355.0 + 180.0) % 360.0 - 180.0) < 1e-9  # through north
    assert abs(mid.gimbal_pitch_deg + 42.5) < 1e-9
    assert history.at(99.0) is None  # before the history
    held = history.at(101.4)
    assert held is not None and held.lat_deg == b.lat_deg and held.time_s == 101.4
    assert history.at(101.6) is None  # too far past the newest sample
    history.add(replace(a, time_s=100.5))  # out of order: dropped
    assert len(history) == 2
    history.add(replace(b, time_s=120.0))
    assert len(history) == 1  # older than max_age_s
    history.add(replace(b, time_s=60.0))  # the clock was set back: start afresh
    assert len(history) == 1 and history.at(60.0) is not None


def test_capture_clock_puts_stamps_on_the_session_clock() -> None:
    rgb = np.zeros((4, 4, 3), np.uint8)
    clock = CaptureClock(window=5)
    rate = 10.0  # session seconds per wall second
    offset = 3600.4  # the camera's clock runs an hour (and a bit) ahead of the session's
    wall_now, session_now = 1_795_000_010.0, 1_796_000_100.0
    for i, latency_s in enumerate((0.050, 0.030, 0.045, 0.200, 0.040)):  # one late frame
        capture_wall = wall_now - latency_s
        capture_session = session_now - latency_s * rate
        stamp = CaptureStamp(capture_session + offset, i, 1.0 * i, wall_unix_s=capture_wall)
        found = clock.capture_time(
            VideoFrame(rgb, i, wall_now, stamp),
            session_now_s=session_now,
            wall_now_s=wall_now,
            rate=rate,
        )
        assert found.from_stamp
        assert abs(found.time_s - capture_session) < 1e-6  # latency noise is not in the stamps
        wall_now += 1 / 15
        session_now += rate / 15
    assert clock.offset_s is not None and abs(clock.offset_s - offset) < 1e-6
    # no stamp: from the time it came out of the decoder
    found = clock.capture_time(
        VideoFrame(rgb, 9, wall_now - 0.01, None),
        session_now_s=session_now,
        wall_now_s=wall_now,
        rate=rate,
    )
    assert not found.from_stamp and abs(found.time_s - (session_now - 0.1)) < 1e-6
