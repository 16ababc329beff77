"""Recording survives ``kill -9``: every finished segment opens and decodes with PyAV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av

from simulator.camera import StreamConfig, SyntheticCamera
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.conftest import OrbitClock
from tests.video.scene import Orbit

REPO = Path(__file__).resolve().parents[2]


def _finished(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ts")) if folder.exists() else []


def test_recording_survives_kill_9(
    ground: GroundTexture, actors: list[SceneActor], udp_port: int, tmp_path: Path
) -> None:
    out_dir = tmp_path / "rec"
    config = StreamConfig(port=udp_port, fps=15, sdp_path=tmp_path / "cam.sdp")
    camera = SyntheticCamera(ground, OrbitClock(Orbit()), lambda: actors, config)
    camera.start()
    recorder = subprocess.Popen(
        [sys.executable, "-m", "overwatch.video.record", str(config.sdp_path), str(out_dir),
         "--segment-s", "1"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while len(_finished(out_dir)) < 3 and time.monotonic() < deadline:
            assert recorder.poll() is None, recorder.stderr.read() if recorder.stderr else ""
            time.sleep(0.1)
        time.sleep(0.5)  # be in the middle of a segment
        os.kill(recorder.pid, signal.SIGKILL)
        recorder.wait(timeout=10)
    finally:
        if recorder.poll() is None:
            recorder.kill()
            recorder.wait()
        for pipe in (recorder.stdout, recorder.stderr):
            if pipe is not None:
                pipe.close()
        camera.stop()
    assert recorder.returncode == -signal.SIGKILL
    segments = _finished(out_dir)
    assert len(segments) >= 3
    assert len(list(out_dir.glob("*.ts.part"))) <= 1  # at most the one being written is lost
    for segment in segments:
        with av.open(str(segment)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (640, 480)
            frames = sum(1 for _ in container.decode(stream))
        assert frames >= 10, (segment.name, frames)  # about 1 s at 15 fps


def test_record_command_reports_a_bad_source_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "overwatch.video.record", "http://example.invalid/x", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "scheme 'http' is not supported" in done.stderr
    assert "Traceback" not in done.stderr
