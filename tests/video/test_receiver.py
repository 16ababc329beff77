"""Receiver behaviour on real streams: loss and recovery, MPEG-TS, files, snapshots, errors."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from overwatch.camera import VideoFrame
from overwatch.errors import VideoError
from overwatch.video import LatestFrame, VideoReceiver
from simulator.camera import StreamConfig, SyntheticCamera
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.conftest import OrbitClock
from tests.video.scene import Orbit


def _wait(predicate, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_stream_loss_then_recovery(rtp_camera: SyntheticCamera) -> None:
    with VideoReceiver(rtp_camera.config.uri, read_timeout_s=0.5) as receiver:
        assert _wait(lambda: receiver.stats().frames_decoded >= 15, 8.0), receiver.stats()
        rtp_camera.pause()
        assert _wait(lambda: not receiver.stats().connected, 5.0), receiver.stats()
        lost_at = receiver.stats().frames_decoded
        assert receiver.stats().fps < 1.0 or _wait(lambda: receiver.stats().fps < 1.0, 3.0)
        rtp_camera.pause(False)
        assert _wait(lambda: receiver.stats().frames_decoded >= lost_at + 15, 8.0)
        stats = receiver.stats()
    assert stats.connected
    assert stats.reconnects >= 1
    assert stats.last_error is not None


def test_receiver_waits_for_a_stream_that_starts_late(
    ground: GroundTexture, actors: list[SceneActor], udp_port: int
) -> None:
    config = StreamConfig(port=udp_port, transport="mpegts", fps=15)
    with VideoReceiver(config.uri, open_timeout_s=0.5, read_timeout_s=0.5) as receiver:
        time.sleep(1.2)  # nothing is sending yet
        assert receiver.stats().frames_decoded == 0
        assert not receiver.stats().connected
        camera = SyntheticCamera(ground, OrbitClock(Orbit()), lambda: actors, config)
        with camera:
            assert _wait(lambda: receiver.stats().frames_decoded >= 10, 10.0), receiver.stats()
        frame = receiver.latest.get()
        thumb = receiver.thumbnail.get()
    assert frame is not None and frame.rgb.shape == (480, 640, 3)
    assert frame.stamp is not None  # the MPEG-TS path carries the stamp as well
    assert thumb is not None and thumb.rgb.shape == (240, 320, 3)


def test_file_source_snapshot_and_end(tmp_path: Path) -> None:
    path = tmp_path / "clip.ts"
    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=15, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(20):
            rgb = np.zeros((240, 320, 3), np.uint8)
            rgb[:, : 16 * i] = (250, 20, 20)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    receiver = VideoReceiver(str(path))
    with receiver:
        assert receiver.finished.wait(10.0)
        snap_png = receiver.snapshot(tmp_path / "cue.png")
        snap_jpg = receiver.snapshot(tmp_path / "cue.jpg")
        with pytest.raises(VideoError, match=r"expected a \.png"):
            receiver.snapshot(tmp_path / "cue.gif")
    assert receiver.stats().frames_decoded == 20
    last = receiver.latest.get()
    assert last is not None and last.index == 19 and last.stamp is None
    image = cv2.imread(str(snap_png))
    assert image is not None and image.shape == (240, 320, 3)
    assert image[120, 100, 2] > 200  # red (BGR on disk) where the last frame is red
    jpeg = cv2.imread(str(snap_jpg))
    assert jpeg is not None and jpeg.shape == (240, 320, 3)


def test_bad_sources_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="no such file"):
        VideoReceiver(str(tmp_path / "missing.sdp"))
    with pytest.raises(VideoError, match="scheme 'http' is not supported"):
        VideoReceiver("http://example.invalid/stream")
    with pytest.raises(VideoError, match="nothing to snapshot"):
        VideoReceiver(str(Path(__file__))).snapshot(tmp_path / "x.png")


def _frame(index: int) -> VideoFrame:
    return VideoFrame(np.zeros((4, 4, 3), np.uint8), index, time.time())


async def test_latest_frame_keeps_only_the_newest_and_never_blocks_the_loop() -> None:
    latest = LatestFrame()
    assert latest.get() is None
    for i in range(100):
        latest.put(_frame(i))
    got = latest.get()
    assert got is not None and got.index == 99
    assert latest.wait_newer(99, timeout_s=0.05) is None

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, latest.put, _frame(100))
    newer = await latest.next_async(99, timeout_s=2.0)
    task.cancel()
    assert newer is not None and newer.index == 100
    assert ticks >= 10  # the loop kept running while we waited
