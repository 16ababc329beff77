"""The session's video pipeline waits for a camera whose SDP file is not written yet."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from overwatch.feeds import PatrolFix
from overwatch.geo import LocalFrame
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.training import free_port
from overwatch.ops.video import VideoPipeline
from overwatch.video import CameraPose
from simulator.camera import SceneActor, StreamConfig, SyntheticCamera, build_ground

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"


async def test_video_starts_when_the_sdp_appears_and_reports_loss(tmp_path: Path) -> None:
    geometry = MissionGeometry.of(load_mission(MISSION))
    sdp = tmp_path / "late" / "camera.sdp"
    session = LiveSession(
        geometry,
        SessionConfig(
            connect=f"tcp:127.0.0.1:{free_port()}",  # never connected in this test
            patrol_feed=f"nmea+udp://127.0.0.1:{free_port(socket.SOCK_DGRAM)}",
            run_dir=tmp_path / "run",
        ),
    )
    pipeline = VideoPipeline(session, str(sdp))
    await pipeline.start()
    try:
        await asyncio.sleep(0.3)
        assert pipeline.status() == "no video" and pipeline.thumbnail() is None
        assert any("retrying" in e.text for e in session.events)

        site = geometry.mission.launch.site
        frame = LocalFrame(site.lat_deg, site.lon_deg)
        pose = CameraPose(site.lat_deg, site.lon_deg, 322.0, 50.0, gimbal_pitch_deg=-60.0)
        actor = SceneActor.sized("car", "vehicle", *frame.to_wgs84(0.0, 25.0), 4.5)
        sdp.parent.mkdir()
        config = StreamConfig(port=free_port(socket.SOCK_DGRAM), fps=15, sdp_path=sdp)
        ground = build_ground(frame, [], extent_m=(-300.0, -300.0, 300.0, 300.0))
        with SyntheticCamera(ground, lambda: pose, lambda: [actor], config, hfov_deg=70.0):
            deadline = time.monotonic() + 10.0
            while "fps" not in pipeline.status():
                assert time.monotonic() < deadline, pipeline.status()
                await asyncio.sleep(0.1)
            thumb = pipeline.thumbnail()
            assert thumb is not None and thumb.shape[1] <= 200 and thumb.shape[2] == 3
        deadline = time.monotonic() + 8.0
        while pipeline.status() != "video lost":
            assert time.monotonic() < deadline, pipeline.status()
            await asyncio.sleep(0.1)
    finally:
        await pipeline.stop()
        await session.close()
    # without a vehicle there is no pose: detections are not placed on the ground
    assert pipeline.counters.reported == 0
    assert pipeline.counters.frames_detected > 0 and pipeline.counters.without_pose > 0


async def test_the_patrol_itself_is_not_a_threat(tmp_path: Path) -> None:
    geometry = MissionGeometry.of(load_mission(MISSION))
    session = LiveSession(
        geometry,
        SessionConfig(
            connect=f"tcp:127.0.0.1:{free_port()}",
            patrol_feed=f"nmea+udp://127.0.0.1:{free_port(socket.SOCK_DGRAM)}",
        ),
    )
    pipeline = VideoPipeline(session, str(tmp_path / "camera.sdp"))
    lat, lon = geometry.frame.to_wgs84(*geometry.route.coords[0])
    assert not pipeline.is_patrol(lat, lon, 3.0, 1_796_000_000.0)  # no patrol fix yet
    session.on_fix(PatrolFix(1_796_000_000.0, lat, lon, speed_m_s=0.0, course_deg=90.0), 0.0)
    near = LocalFrame(lat, lon).to_wgs84(12.0, 5.0)
    far = LocalFrame(lat, lon).to_wgs84(120.0, 5.0)
    assert pipeline.is_patrol(*near, 3.0, 1_796_000_001.0)
    assert not pipeline.is_patrol(*far, 3.0, 1_796_000_001.0)
    assert pipeline.is_patrol(*far, 50.0, 1_796_000_001.0)  # a vague sighting might be us
    await session.close()
