"""End to end: the simulator's camera films a threat, the live session cues it from the video.

``overwatch sim`` runs as its own process with the Konni scenario and
``--video-out``; a :class:`LiveSession` receives the RTP stream. The drone is
flown directly over the link to hover near the scenario's first threat (a
person by the road) and look at it; only the camera pipeline makes cues here
(the scenario's stand-in detector is not listened to).
"""

from __future__ import annotations

import asyncio
import math
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import pytest
from pymavlink import mavutil

from overwatch.cues.model import CueSource
from overwatch.geo import LocalFrame, geodesic_distance_m
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.training import SimProcess, free_port
from overwatch.ops.video import VideoPipeline
from overwatch.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"
SPEEDUP = 10.0
HOVER_ALT_M = 25.0
STANDOFF_M = 30.0


def _threat_position(threat_id: str) -> tuple[float, float]:
    """Where the scenario puts a (static) threat: WGS84 degrees."""
    for threat in load_scenario(SCENARIO).threats:
        if threat.threat_id == threat_id:
            assert threat.moves_to is None
            return threat.position.lat_deg, threat.position.lon_deg
    raise AssertionError(f"{threat_id} is not in {SCENARIO}")


def _discover_stream(url: str, timeout_s: float = 10.0) -> tuple[Any, Any]:
    """Ask the vehicle for CAMERA_INFORMATION and VIDEO_STREAM_INFORMATION, as QGC does."""
    conn = mavutil.mavlink_connection(url, source_system=254, source_component=190)
    try:
        if conn.wait_heartbeat(timeout=timeout_s) is None:
            raise AssertionError("no heartbeat from the simulator")
        replies = []
        for name in ("CAMERA_INFORMATION", "VIDEO_STREAM_INFORMATION"):
            message_id = getattr(mavutil.mavlink, f"MAVLINK_MSG_ID_{name}")
            deadline = time.monotonic() + timeout_s
            reply = None
            while reply is None and time.monotonic() < deadline:
                conn.mav.command_long_send(
                    target_system=conn.target_system,
                    target_component=1,
                    command=mavutil.mavlink.MAV_CMD_REQUEST_MESSAGE,
                    confirmation=0,
                    param1=message_id,
                    param2=0,
                    param3=0,
                    param4=0,
                    param5=0,
                    param6=0,
                    param7=0,
                )
                reply = conn.recv_match(type=name, blocking=True, timeout=1.0)
            assert reply is not None, f"the vehicle did not answer a request for {name}"
            replies.append(reply)
        return replies[0], replies[1]
    finally:
        conn.close()


async def _wait_for(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimProcess]:
    process = SimProcess(
        MISSION,
        SCENARIO,
        tmp_path / "sim",
        speedup=SPEEDUP,
        video_port=free_port(socket.SOCK_DGRAM),
        extra_args=(
            "--pre-roll", "20",
            "--gps-delay", "1",
            "--ekf-delay", "2",
            "--param", "WPNAV_SPEED=2000",
        ),
    )  # fmt: skip
    process.start()
    yield process
    process.stop()


async def test_camera_detection_becomes_a_cue_with_snapshot_and_recording(
    sim: SimProcess, tmp_path: Path
) -> None:
    info, stream = await asyncio.to_thread(_discover_stream, sim.connect_url)
    assert (info.resolution_h, info.resolution_v) == (640, 480)
    assert (stream.resolution_h, stream.resolution_v) == (640, 480)
    assert stream.uri == f"udp://0.0.0.0:{sim.video_port}"
    assert sim.video_sdp.exists()

    geometry = MissionGeometry.of(load_mission(MISSION))
    run_dir = tmp_path / "run"
    session = LiveSession(
        geometry,
        SessionConfig(
            connect=sim.connect_url,
            patrol_feed=sim.patrol_url,
            video_url=str(sim.video_sdp),
            run_dir=run_dir,
            speedup=SPEEDUP,
        ),
    )
    try:
        await session.start()
        video = session.video
        assert isinstance(video, VideoPipeline)
        vehicle = session.vehicle
        assert vehicle is not None
        await vehicle.wait_ready(timeout_s=20.0)
        await _wait_for(lambda: "fps" in video.status(), 10.0, "video frames")
        await asyncio.sleep(2.0)  # a full statistics window
        status = re.fullmatch(r"640×480 (\d+) fps \d+\.\d Mb/s \d+ ms", video.status())
        assert status is not None, video.status()
        # frames flow; how many per second a loaded machine keeps is `just bench`'s figure
        assert int(status.group(1)) >= 1

        thumb = video.thumbnail()
        assert thumb is not None and thumb.dtype.name == "uint8"
        assert thumb.ndim == 3 and thumb.shape[2] == 3 and thumb.shape[1] <= 200

        t_lat, t_lon = _threat_position("T1-watcher")
        frame = LocalFrame(t_lat, t_lon)
        # hover south of the threat, at a slant the blob detector resolves a person from
        h_lat, h_lon = frame.to_wgs84(0.0, -STANDOFF_M)

        await vehicle.set_mode("GUIDED")
        await vehicle.arm()
        await vehicle.takeoff(HOVER_ALT_M)
        await _wait_for(
            lambda: (vehicle.state.alt_rel_m or 0.0) > HOVER_ALT_M - 3.0, 20.0, "take-off"
        )
        await vehicle.roi_location(t_lat, t_lon, 0.0)
        vehicle.goto(h_lat, h_lon, HOVER_ALT_M)

        def camera_cue_near_threat() -> bool:
            for cue in session.cues.cues():
                if cue.source is not CueSource.CAMERA or str(cue.kind) != "person":
                    continue
                if geodesic_distance_m(cue.lat_deg, cue.lon_deg, t_lat, t_lon) < 15.0:
                    return True
            return False

        await _wait_for(camera_cue_near_threat, 40.0, "a camera cue near the threat")
        s = vehicle.state
        assert s.lat_deg is not None and s.lon_deg is not None and s.alt_rel_m is not None
        ground_m = geodesic_distance_m(s.lat_deg, s.lon_deg, t_lat, t_lon)
        slant_m = math.hypot(ground_m, s.alt_rel_m)
        cues = [
            c
            for c in session.cues.cues()
            if c.source is CueSource.CAMERA and str(c.kind) == "person"
        ]
        best = min(cues, key=lambda c: geodesic_distance_m(c.lat_deg, c.lon_deg, t_lat, t_lon))
        error_m = geodesic_distance_m(best.lat_deg, best.lon_deg, t_lat, t_lon)
        assert error_m <= 0.03 * slant_m + best.sigma_m, (error_m, slant_m, best.sigma_m)

        assert best.snapshot_path is not None
        snapshot = Path(best.snapshot_path)
        assert snapshot == run_dir / "snapshots" / f"{best.id}.jpg"
        image = cv2.imread(str(snapshot))
        assert image is not None and image.shape == (480, 640, 3)

        # frames are stamped in simulated UTC, the patrol feed's time base the session follows:
        # the camera's clock is the session's, give or take what the session clock may drift
        # from the fixes before it re-anchors (2 wall seconds; a loaded machine slows the
        # simulator below its speed-up), and far from the wall clock's UTC
        assert video.counters.stamped_times > 0 and video.counters.estimated_times == 0
        offset_s = video.capture_clock.offset_s
        drift_s = session.clock.resync_s * session.clock.rate
        assert offset_s is not None and abs(offset_s) < drift_s, offset_s
        assert video.counters.without_pose < video.counters.frames_detected / 4
        assert any("new cue" in e.text and "camera" in e.text for e in session.events)

        sim.stop()  # the drone's video goes away
        await _wait_for(lambda: video.status() == "video lost", 10.0, "the video to be lost")
        await _wait_for(
            lambda: any("VIDEO LOST" in e.text for e in session.events), 5.0, "a VIDEO LOST note"
        )
    finally:
        await session.close()

    segments = sorted((run_dir / "video").glob("*.ts"))
    assert segments, "no recorded video segments"
    decoded = 0
    for segment in segments:
        with av.open(str(segment)) as container:
            for picture in container.decode(video=0):
                assert (picture.width, picture.height) == (640, 480)
                decoded += 1
    assert decoded >= 30
