"""``rtsp://`` sources: the receiver pulls the camera's stream through a GStreamer RTSP server."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from overwatch.video import VideoReceiver
from simulator.camera import StreamConfig, SyntheticCamera
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.conftest import OrbitClock
from tests.video.scene import Orbit

RELAY = Path(__file__).with_name("rtsp_relay.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # has python3-gi; needs gir1.2-gst-rtsp-server-1.0


def test_receiver_reads_rtsp_with_capture_stamps(
    ground: GroundTexture, actors: list[SceneActor], udp_port: int
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        rtsp_port = probe.getsockname()[1]
    relay = subprocess.Popen(
        [SYSTEM_PYTHON, str(RELAY), str(rtsp_port), str(udp_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    camera = SyntheticCamera(
        ground, OrbitClock(Orbit()), lambda: actors, StreamConfig(port=udp_port, fps=15)
    )
    try:
        assert relay.stdout is not None
        assert relay.stdout.readline().strip() == "ready", relay.stderr
        camera.start()
        with VideoReceiver(f"rtsp://127.0.0.1:{rtsp_port}/cam") as receiver:
            deadline = time.monotonic() + 15
            while receiver.stats().frames_decoded < 20 and time.monotonic() < deadline:
                time.sleep(0.1)
            stats = receiver.stats()
            frame = receiver.latest.get()
    finally:
        camera.stop()
        relay.terminate()
        relay.communicate(timeout=10)
    assert stats.frames_decoded >= 20, stats
    assert frame is not None and frame.rgb.shape == (480, 640, 3)
    assert frame.stamp is not None  # the SEI stamp survives RTSP depayload/repayload
    assert stats.latency_median_ms is not None and stats.latency_median_ms < 500
