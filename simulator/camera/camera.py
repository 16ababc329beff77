"""The synthetic camera: pose in, stamped H.264 frames out, at a steady frame rate.

It samples the vehicle pose and the actors, renders the view, stamps it with
the capture time and streams it. Ground truth (which actor appears where) is
kept for the last few seconds so tests and benchmarks can score a detector.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from overwatch.camera import CameraIntrinsics, CameraPose, CaptureStamp, PoseLike, RgbImage
from simulator.camera.render import ActorTruth, GroundRenderer
from simulator.camera.scene import ActorLike, GroundTexture
from simulator.camera.stream import H264Streamer, StreamConfig

log = logging.getLogger(__name__)

PoseSource = Callable[[], PoseLike]
ActorSource = Callable[[], Sequence[ActorLike]]
UnixTimeOf = Callable[[float], float]


@dataclass(frozen=True)
class CapturedFrame:
    """One rendered frame with its stamp, the pose it was rendered from and the truth."""

    stamp: CaptureStamp
    pose: CameraPose
    truths: tuple[ActorTruth, ...]
    rgb: RgbImage | None = field(default=None, repr=False)


class SyntheticCamera:
    """Renders and streams at ``config.fps`` in a background thread (:meth:`start`/:meth:`stop`).

    ``pose_source`` and ``actor_source`` are called once per frame (in the
    camera thread). Each frame is stamped with the wall clock as its capture
    time, unless ``unix_time_of`` is given: it maps the pose's ``time_s``
    (simulated seconds) to the simulated UTC of a simulator at a speed-up,
    and the stamp then also carries the wall clock for latency. Frames are
    paced at ``config.fps`` of wall time, each showing the world at the
    simulated time it is rendered; when rendering falls behind, frames are
    skipped, never queued. If rendering or sending fails the thread stops
    and the exception is kept in :attr:`error`.
    """

    def __init__(
        self,
        ground: GroundTexture,
        pose_source: PoseSource,
        actor_source: ActorSource,
        config: StreamConfig,
        *,
        hfov_deg: float = 60.0,
        stabilised_gimbal: bool = True,
        truth_history_s: float = 30.0,
        unix_time_of: UnixTimeOf | None = None,
    ) -> None:
        self._unix_time_of = unix_time_of
        self.config = config
        self.intrinsics = CameraIntrinsics(config.width_px, config.height_px, hfov_deg)
        self.renderer = GroundRenderer(ground, self.intrinsics, stabilised_gimbal=stabilised_gimbal)
        self._pose_source = pose_source
        self._actor_source = actor_source
        self._truth: deque[CapturedFrame] = deque(maxlen=int(truth_history_s * config.fps) + 1)
        self._truth_lock = threading.Lock()
        self._seq = 0
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._streamer: H264Streamer | None = None
        self.frames_sent = 0
        self.error: BaseException | None = None

    def capture(self) -> CapturedFrame:
        """Render one frame now (no streaming); records its truth."""
        wall_unix_s = time.time()
        pose = CameraPose.of(self._pose_source())
        if self._unix_time_of is None:
            stamp = CaptureStamp(wall_unix_s, self._seq, pose.time_s)
        else:
            capture_unix_s = self._unix_time_of(pose.time_s)
            stamp = CaptureStamp(capture_unix_s, self._seq, pose.time_s, wall_unix_s)
        image, truths = self.renderer.render(pose, self._actor_source())
        self._seq += 1
        captured = CapturedFrame(stamp, pose, tuple(truths), image)
        with self._truth_lock:
            self._truth.append(CapturedFrame(stamp, pose, tuple(truths)))
        return captured

    def truth(self, seq: int) -> CapturedFrame | None:
        """The pose and ground truth of frame ``seq`` if still in the history."""
        with self._truth_lock:
            for item in reversed(self._truth):
                if item.stamp.seq == seq:
                    return item
        return None

    def start(self) -> None:
        """Open the stream and start rendering/sending in a daemon thread."""
        if self._thread is not None:
            return
        self._streamer = H264Streamer(self.config)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="synthetic-camera", daemon=True)
        self._thread.start()

    def pause(self, paused: bool = True) -> None:
        """Stop (or resume) sending frames, e.g. to simulate a link drop."""
        if paused:
            self._paused.set()
        else:
            self._paused.clear()

    def stop(self) -> None:
        """Stop the thread and close the stream."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        if self._streamer is not None:
            self._streamer.close()
            self._streamer = None

    def _run(self) -> None:
        assert self._streamer is not None
        period = 1.0 / self.config.fps
        next_t = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now < next_t:
                    self._stop.wait(next_t - now)
                    continue
                # Skip frames rather than fall behind when a frame took too long.
                next_t = max(next_t + period, now)
                if self._paused.is_set():
                    continue
                captured = self.capture()
                assert captured.rgb is not None
                self._streamer.send(captured.rgb, captured.stamp)
                self.frames_sent += 1
        except Exception as exc:  # surfaced to the owner via .error
            log.exception("synthetic camera stopped")
            self.error = exc

    def __enter__(self) -> SyntheticCamera:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
