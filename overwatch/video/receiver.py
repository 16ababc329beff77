"""Receive, decode and (optionally) record a video stream in a background thread.

The thread opens the source, demuxes packets, reads the capture stamp from
each access unit's SEI, feeds the recorder (no re-encoding), decodes, and puts
every decoded frame into :attr:`VideoReceiver.latest` (full size) and
:attr:`VideoReceiver.thumbnail` (small, for the UI). When a live stream stops
for ``read_timeout_s`` or fails, it closes and opens it again by itself.
Nothing here runs on an asyncio loop.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import av
import cv2

from overwatch.camera import Box, VideoFrame
from overwatch.errors import VideoError
from overwatch.video.latest import LatestFrame, downscale
from overwatch.video.recorder import SegmentedRecorder
from overwatch.video.sei import find_capture_stamp
from overwatch.video.source import describe_source, open_source
from overwatch.video.stats import StatsTracker, StreamStats

#: how a detection is boxed on a snapshot: colour (BGR, red) and clearance in pixels
SNAPSHOT_BOX_BGR = (40, 40, 255)
SNAPSHOT_BOX_PAD_PX = 4


class VideoReceiver:
    """Decodes ``uri`` in a daemon thread; :meth:`start`, :meth:`stop`, :meth:`stats`.

    ``uri``: ``udp://host:port`` (MPEG-TS), an ``.sdp`` file (RTP), ``rtsp://…``
    or a media file. ``record_dir`` turns on segmented recording.
    ``thumbnail_width_px`` sizes the UI frame. ``realtime_files`` paces file
    playback at the stream's frame rate instead of decoding as fast as possible.
    A stopped live stream is noticed after about two ``read_timeout_s`` (the
    first timeout flushes FFmpeg's parser, the second ends the read).
    """

    def __init__(
        self,
        uri: str,
        *,
        record_dir: Path | None = None,
        segment_s: float = 10.0,
        open_timeout_s: float = 5.0,
        read_timeout_s: float = 1.0,
        reconnect_delay_s: float = 0.2,
        thumbnail_width_px: int = 320,
        realtime_files: bool = False,
        rtsp_transport: str = "tcp",
    ) -> None:
        self.spec = describe_source(uri, rtsp_transport=rtsp_transport)
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.reconnect_delay_s = reconnect_delay_s
        self.thumbnail_width_px = thumbnail_width_px
        self.realtime_files = realtime_files
        self.latest = LatestFrame()
        self.thumbnail = LatestFrame()
        self.recorder = (
            SegmentedRecorder(record_dir, segment_s=segment_s) if record_dir is not None else None
        )
        self._stats = StatsTracker()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._index = 0
        self.finished = threading.Event()
        """Set when a file source reached its end (live sources never finish)."""

    # -- control ----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="video-receiver", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread (within about one read timeout) and finish the recording."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.read_timeout_s + self.open_timeout_s + 2.0)
            self._thread = None
        if self.recorder is not None:
            self.recorder.close()

    def stats(self) -> StreamStats:
        return self._stats.snapshot()

    def snapshot(self, path: Path) -> Path:
        """Save the newest full-size frame to ``path`` (``.png`` or ``.jpg``)."""
        frame = self.latest.get()
        if frame is None:
            raise VideoError("no video frame received yet: nothing to snapshot")
        return save_snapshot(frame, path)

    def __enter__(self) -> VideoReceiver:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                container = open_source(
                    self.spec,
                    open_timeout_s=self.open_timeout_s,
                    read_timeout_s=self.read_timeout_s,
                )
            except VideoError as exc:
                self._stats.connection(False, str(exc))
                self._stop.wait(self.reconnect_delay_s)
                continue
            try:
                self._stats.connection(True)
                self._pump(container)
                if not self.spec.is_live:
                    self.finished.set()
                    return
                self._stats.connection(False, "stream ended")
            except (av.FFmpegError, OSError) as exc:
                self._stats.connection(False, f"stream lost: {exc}")
            finally:
                container.close()
                if self.recorder is not None:
                    self.recorder.new_source()
            self._stop.wait(self.reconnect_delay_s)

    def _pump(self, container: Any) -> None:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"  # frame threading would add a frame of latency
        pace_start: float | None = None
        for packet in container.demux(stream):
            if self._stop.is_set():
                return
            if packet.size == 0:
                continue
            data = bytes(packet)
            if len(data) <= 8 and data.endswith(b"\x09\xf0"):
                continue  # a lone access unit delimiter flushed at a stream pause
            self._stats.packet(len(data))
            stamp = find_capture_stamp(data)
            try:
                frames = packet.decode()
            except av.InvalidDataError as exc:
                self._stats.decode_error(str(exc))
                frames = []
            if self.recorder is not None:
                # After decoding: the recorder re-targets the packet at its own stream.
                self.recorder.write(packet, stream)
            for frame in frames:
                if self.realtime_files and not self.spec.is_live and frame.time is not None:
                    if pace_start is None:
                        pace_start = time.monotonic() - float(frame.time)
                    delay = pace_start + float(frame.time) - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                rgb = frame.to_ndarray(format="rgb24")
                received = time.time()
                video_frame = VideoFrame(rgb, self._index, received, stamp)
                self._index += 1
                self._stats.frame(received, stamp.seq if stamp else None, video_frame.latency_s)
                self.latest.put(video_frame)
                self.thumbnail.put(downscale(video_frame, self.thumbnail_width_px))


def save_snapshot(frame: VideoFrame, path: Path, *, box: Box | None = None) -> Path:
    """Write ``frame`` as PNG or JPEG (by suffix); raises :class:`VideoError` on failure.

    ``box`` (pixels) is drawn around a detection, a few pixels clear of it.
    """
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise VideoError(f"snapshot {str(path)!r}: expected a .png, .jpg or .jpeg file name")
    bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
    if box is not None:
        pad = SNAPSHOT_BOX_PAD_PX
        top_left = (max(0, math.floor(box.x0) - pad), max(0, math.floor(box.y0) - pad))
        bottom_right = (
            min(frame.width_px - 1, math.ceil(box.x1) + pad),
            min(frame.height_px - 1, math.ceil(box.y1) + pad),
        )
        cv2.rectangle(bgr, top_left, bottom_right, SNAPSHOT_BOX_BGR, 2)
    try:
        ok = cv2.imwrite(str(path), bgr)
    except cv2.error as exc:
        raise VideoError(f"cannot write snapshot {str(path)!r}: {exc}") from exc
    if not ok:
        raise VideoError(f"cannot write snapshot {str(path)!r}")
    return path
