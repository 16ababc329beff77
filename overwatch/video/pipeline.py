"""Run a detector on the newest frames in a worker thread and geolocate what it finds.

The worker takes frames from a :class:`LatestFrame` (skipping any it is too
slow for), detects, looks up the vehicle pose at the frame's capture time via
``pose_at`` and geolocates. Results go to ``on_result`` (called in the worker
thread; hand them to asyncio with ``loop.call_soon_threadsafe``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from overwatch.camera import Detection, PoseLike, Sighting, VideoFrame
from overwatch.video.detect import Detector
from overwatch.video.geolocate import Geolocator
from overwatch.video.latest import LatestFrame

log = logging.getLogger(__name__)

PoseLookup = Callable[[VideoFrame], PoseLike | None]


@dataclass(frozen=True)
class FrameResult:
    """Detections of one frame and the sightings placed on the ground (seconds).

    ``capture_unix_s`` is the capture time on the vehicle's clock (simulated
    UTC in training); ``picked_up_unix_s`` is when the detector took the
    frame (wall clock): minus ``glass_unix_s`` (the wall clock at capture) it
    is the glass-to-detector latency. ``frame`` is the frame itself (for a
    snapshot of what was detected).
    """

    frame_index: int
    capture_unix_s: float
    seq: int | None
    detections: tuple[Detection, ...]
    sightings: tuple[Sighting, ...]
    detect_s: float
    picked_up_unix_s: float
    glass_unix_s: float | None = None
    frame: VideoFrame | None = field(default=None, repr=False, compare=False)

    @property
    def latency_s(self) -> float:
        """Capture → picked up by the detector, wall seconds."""
        glass = self.capture_unix_s if self.glass_unix_s is None else self.glass_unix_s
        return self.picked_up_unix_s - glass


class DetectionWorker:
    """Detect + geolocate in a daemon thread; :meth:`start` / :meth:`stop`.

    If the detector or ``on_result`` fails, the thread stops and keeps the
    exception in :attr:`error`.
    """

    def __init__(
        self,
        latest: LatestFrame,
        detector: Detector,
        geolocator: Geolocator,
        pose_at: PoseLookup,
        on_result: Callable[[FrameResult], None],
    ) -> None:
        self.latest = latest
        self.detector = detector
        self.geolocator = geolocator
        self.pose_at = pose_at
        self.on_result = on_result
        self.frames_processed = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def process(self, frame: VideoFrame) -> FrameResult:
        """Detect and geolocate one frame (also usable without the thread)."""
        picked_up = time.time()
        start = time.perf_counter()
        detections = self.detector.detect(frame.rgb)
        elapsed = time.perf_counter() - start
        capture = frame.stamp.capture_unix_s if frame.stamp else frame.receive_unix_s
        pose = self.pose_at(frame)
        sightings: list[Sighting] = []
        if pose is not None:
            size = (frame.width_px, frame.height_px)
            for det in detections:
                sighting = self.geolocator.locate(det, pose, capture, image_size_px=size)
                if sighting is not None:
                    sightings.append(sighting)
        return FrameResult(
            frame.index,
            capture,
            frame.stamp.seq if frame.stamp else None,
            tuple(detections),
            tuple(sightings),
            elapsed,
            picked_up,
            frame.stamp.glass_unix_s if frame.stamp else frame.receive_unix_s,
            frame,
        )

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="video-detect", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def _run(self) -> None:
        seen = -1
        try:
            while not self._stop.is_set():
                frame = self.latest.wait_newer(seen, timeout_s=0.2)
                if frame is None:
                    continue
                seen = frame.index
                self.on_result(self.process(frame))
                self.frames_processed += 1
        except Exception as exc:  # surfaced to the owner via .error
            log.exception("detection worker stopped")
            self.error = exc
