"""GStreamer (what QGroundControl uses) decodes the camera's RTP stream, stamps and all."""

from __future__ import annotations

import shutil
import subprocess
import time

from simulator.camera import StreamConfig, SyntheticCamera, gstreamer_caps
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.conftest import OrbitClock
from tests.video.scene import Orbit

FRAME_BYTES = 640 * 480 * 3 // 2  # I420


def _parser() -> list[str]:
    """QGroundControl puts h264parse (gstreamer1.0-plugins-bad) before the decoder; use it too
    when installed, as it is the stricter judge of access-unit boundaries."""
    inspect = shutil.which("gst-inspect-1.0")
    if inspect and subprocess.run([inspect, "h264parse"], capture_output=True).returncode == 0:
        return ["!", "h264parse"]
    return []


def test_gstreamer_decodes_the_rtp_stream(
    ground: GroundTexture, actors: list[SceneActor], udp_port: int
) -> None:
    gst = shutil.which("gst-launch-1.0")
    assert gst is not None, "apt-get install gstreamer1.0-tools gstreamer1.0-libav ..."
    config = StreamConfig(port=udp_port, fps=15)
    pipeline = [
        gst, "-q",
        "udpsrc", "address=127.0.0.1", f"port={udp_port}", f"caps={gstreamer_caps(config)}",
        "timeout=3000000000",
        "!", "rtph264depay", *_parser(),
        "!", "avdec_h264",
        "!", "video/x-raw,format=I420",
        "!", "identity", "eos-after=30",
        "!", "fdsink", "fd=1",
    ]  # fmt: skip
    receiver = subprocess.Popen(pipeline, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    camera = SyntheticCamera(ground, OrbitClock(Orbit()), lambda: actors, config)
    time.sleep(0.5)  # let udpsrc bind before the first keyframe goes out
    camera.start()
    try:
        out, err = receiver.communicate(timeout=30)
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.communicate()
        camera.stop()
    assert receiver.returncode == 0, err.decode(errors="replace")
    frames = len(out) // FRAME_BYTES
    assert frames >= 29, (frames, err.decode(errors="replace"))
    assert len(out) % FRAME_BYTES == 0
