"""The drone's video in the live session: receive, record, detect, geolocate, cue.

:class:`VideoPipeline` runs beside the session's tasks:

- a :class:`~overwatch.video.VideoReceiver` thread decodes the stream (and
  records it to ``run_dir/video/`` in MPEG-TS segments when the session has a
  run directory);
- a :class:`~overwatch.video.DetectionWorker` thread runs the blob detector on
  the newest frame and geolocates each detection from the vehicle's pose *at
  capture*: the pose is interpolated in a short history of telemetry samples
  kept on the session's clock, at the frame's capture stamp;
- on the event loop, :class:`~overwatch.ops.video_cues.SightingReporter` makes
  each sighting a camera :class:`~overwatch.cues.Sighting` in the cue book
  (sightings near the patrol itself are ours, not threats); a sighting that
  starts a new cue snapshots its frame to ``run_dir/snapshots/<cue>.jpg`` and
  attaches it to the cue.

Capture time: the camera stamps each frame on its own clock (simulated UTC in
training); :class:`~overwatch.video.capture_time.CaptureClock` maps the stamps
onto the session clock the telemetry poses are filed by, correcting the
offset between the two clocks from the measured latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from overwatch.errors import OverwatchError, VideoError
from overwatch.link import events as ev
from overwatch.ops.tasks import TaskSet
from overwatch.ops.video_cues import SightingReporter, VideoCounters, pose_of_state
from overwatch.video import (
    BlobDetector,
    CameraIntrinsics,
    CameraPose,
    DetectionWorker,
    Detector,
    FrameResult,
    Geolocator,
    VideoFrame,
    VideoReceiver,
)
from overwatch.video.capture_time import CaptureClock
from overwatch.video.pose_history import PoseHistory

if TYPE_CHECKING:
    from overwatch.ops.session import LiveSession

log = logging.getLogger(__name__)

#: the width of the frame the UI gets, pixels
THUMBNAIL_WIDTH_PX = 160
#: how long a frame may be silent before the video counts as lost, wall seconds
LOST_AFTER_S = 2.0
#: how long opening the stream may take, and the pause before trying a missing source again (s)
OPEN_TIMEOUT_S = 2.0
RETRY_S = 1.0


class VideoPipeline:
    """Receives ``url`` and turns what the detector finds into sightings for ``session``.

    ``url`` is anything :class:`~overwatch.video.VideoReceiver` opens (an
    ``.sdp`` file for RTP, ``udp://`` MPEG-TS, ``rtsp://``). ``min_report_s``
    is the shortest session time between two reports of one object to the cue
    book (the detector sees it in every frame).
    """

    def __init__(
        self,
        session: LiveSession,
        url: str,
        *,
        detector: Detector | None = None,
        min_report_s: float = 1.0,
        segment_s: float = 10.0,
    ) -> None:
        self.session = session
        self.url = url
        self.detector: Detector = detector or BlobDetector()
        self.min_report_s = min_report_s
        self.segment_s = segment_s
        self.counters = VideoCounters()
        self.history = PoseHistory(max_age_s=30.0, max_hold_s=1.0)
        self.capture_clock = CaptureClock()
        self.receiver: VideoReceiver | None = None
        self.worker: DetectionWorker | None = None
        self.intrinsics: CameraIntrinsics | None = None
        run_dir = session.config.run_dir
        self.record_dir = run_dir / "video" if run_dir is not None else None
        self.snapshot_dir = run_dir / "snapshots" if run_dir is not None else None
        self.detect_latency_ms: deque[float] = deque(maxlen=100)
        #: the detections of each frame, into the cue book
        self.reporter = SightingReporter(
            session.cues,
            session.tracker,
            session.note,
            self.counters,
            min_report_s=min_report_s,
            snapshot_dir=self.snapshot_dir,
        )
        self._mapped: tuple[int, float] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks = TaskSet(session.note)  # the session goes on without video
        self._remove_listener: Callable[[], None] | None = None
        self._state = "no video"
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Open the stream (in its thread), follow telemetry, detect once frames arrive."""
        self._loop = asyncio.get_running_loop()
        vehicle = self.session.vehicle
        if vehicle is not None:
            self._remove_listener = self.session.link.add_listener(
                self._on_link_event, sysid=vehicle.sysid
            )
        self._tasks.spawn(self._run(), "video")
        self._tasks.spawn(self._watch(), "video watch")

    async def stop(self) -> None:
        """Stop detecting and receiving; closes the recording's last segment."""
        self._closing = True  # results still in flight no longer reach the cue book
        await self._tasks.close()
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        if self.receiver is not None:
            await asyncio.to_thread(self.receiver.stop)

    # -- for screens ---------------------------------------------------------------------

    def thumbnail(self) -> npt.NDArray[np.uint8] | None:
        """The newest frame, about 160 px wide (RGB uint8), or None before the first."""
        if self.receiver is None:
            return None
        frame = self.receiver.thumbnail.get()
        return frame.rgb if frame is not None else None

    def status(self) -> str:
        """One line: ``640×480 15 fps 1.2 Mb/s 35 ms``, ``no video`` or ``video lost``."""
        if self.receiver is None:
            return "no video"
        frame = self.receiver.latest.get()
        if frame is None:
            return "no video"
        stats = self.receiver.stats()
        if not stats.connected or time.time() - frame.receive_unix_s > LOST_AFTER_S:
            return "video lost"
        text = f"{frame.width_px}×{frame.height_px} {stats.fps:.0f} fps"
        text += f" {stats.bitrate_bps / 1e6:.1f} Mb/s"
        if stats.latency_median_ms is not None:
            text += f" {stats.latency_median_ms:.0f} ms"
        return text

    # -- telemetry → pose history ----------------------------------------------------------

    def _on_link_event(self, event: ev.Event) -> None:
        if not isinstance(event, ev.GlobalPosition | ev.Attitude | ev.GimbalAttitude):
            return
        vehicle = self.session.vehicle
        if vehicle is None:
            return
        pose = pose_of_state(vehicle.state, self.session.clock.now())
        if pose is not None:
            self.history.add(pose)

    def capture_time_s(self, frame: VideoFrame) -> float:
        """When ``frame`` was captured, in session time (UNIX seconds on the patrol's clock)."""
        clock = self.session.clock
        found = self.capture_clock.capture_time(
            frame, session_now_s=clock.now(), wall_now_s=time.time(), rate=clock.rate
        )
        if found.from_stamp:
            self.counters.stamped_times += 1
        else:
            self.counters.estimated_times += 1
        return found.time_s

    def _pose_at(self, frame: VideoFrame) -> CameraPose | None:
        """(Worker thread.) The vehicle pose when ``frame`` was captured."""
        t = self.capture_time_s(frame)
        self._mapped = (frame.index, t)
        pose = self.history.at(t)
        if pose is None:
            self.counters.without_pose += 1
        return pose

    # -- detection ----------------------------------------------------------------------

    async def _run(self) -> None:
        """Open the source (an SDP file may not exist yet), then start the detector."""
        receiver: VideoReceiver | None = None
        complained = False
        while receiver is None:
            try:
                receiver = VideoReceiver(
                    self.url,
                    record_dir=self.record_dir,
                    segment_s=self.segment_s,
                    open_timeout_s=OPEN_TIMEOUT_S,
                    thumbnail_width_px=THUMBNAIL_WIDTH_PX,
                )
            except VideoError as exc:
                if "://" in self.url and not self.url.startswith("file://"):
                    self.session.note("error", f"video: {exc}")  # a bad URL will not heal
                    return
                if not complained:  # a file (the SDP) the camera has not written yet
                    self.session.note("warning", f"video: {exc}; retrying")
                    complained = True
                await asyncio.sleep(RETRY_S)
        self.receiver = receiver
        receiver.start()
        self.session.note("info", f"video: receiving {self.url}")
        await self._start_detector(receiver)

    async def _start_detector(self, receiver: VideoReceiver) -> None:
        """Wait for the first frame (its size sets the geolocator's camera), then detect."""
        first: VideoFrame | None = None
        while first is None:
            first = await receiver.latest.next_async(-1, timeout_s=0.5)
        hfov = self.session.mission.vehicle.camera.hfov_deg
        self.intrinsics = CameraIntrinsics(first.width_px, first.height_px, hfov)
        geolocator = Geolocator(self.intrinsics, frame=self.session.geometry.frame)
        self.worker = DetectionWorker(
            receiver.latest, self.detector, geolocator, self._pose_at, self._on_result
        )
        self.worker.start()
        describe = getattr(self.detector, "describe", None)
        if callable(describe):
            self.session.note("info", f"video detector: {describe()}")

    def _on_result(self, result: FrameResult) -> None:
        """(Worker thread.) Hand the result to the event loop."""
        mapped = self._mapped
        t = mapped[1] if mapped is not None and mapped[0] == result.frame_index else None
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self._handle, result, t)

    def _handle(self, result: FrameResult, capture_s: float | None) -> None:
        """(Event loop.) Count, filter and report one frame's sightings to the cue book."""
        if self._closing:
            return
        c = self.counters
        c.frames_detected += 1
        c.detections += len(result.detections)
        self.detect_latency_ms.append(result.latency_s * 1000.0)
        c.unplaced += len(result.detections) - len(result.sightings)
        if capture_s is None:
            return
        for i, sighting in enumerate(result.sightings):
            c.sightings += 1
            try:
                self.reporter.report(result, i, sighting, capture_s)
            except OverwatchError as exc:
                self.session.note("warning", f"camera sighting ignored: {exc}")

    def is_patrol(self, lat_deg: float, lon_deg: float, sigma_m: float, time_s: float) -> bool:
        """Whether a sighting is the patrol itself (see :meth:`SightingReporter.is_patrol`)."""
        return self.reporter.is_patrol(lat_deg, lon_deg, sigma_m, time_s)

    # -- health -------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Note when the video starts, is lost and comes back; and a failed detector."""
        reported_error = False
        while True:
            state = self.status()
            kind = "ok" if state not in ("no video", "video lost") else state
            if kind != self._state:
                if kind == "ok":
                    again = self._state == "video lost"
                    size = state.split(" ", 1)[0]  # the frame rate needs a while to settle
                    self.session.note("info", f"video {'back' if again else 'up'}: {size}")
                elif kind == "video lost":
                    self.session.note("error", "VIDEO LOST: no frames from the camera")
                self._state = kind
            worker = self.worker
            if worker is not None and worker.error is not None and not reported_error:
                reported_error = True
                self.session.note("error", f"video detector stopped: {worker.error}")
            await asyncio.sleep(0.5)
