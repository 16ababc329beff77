"""Hand over only the newest frame: a one-slot holder, never a growing queue.

The receiver :meth:`LatestFrame.put`\\ s every decoded frame; readers either
peek with :meth:`get` (the UI thumbnail) or block for something newer than
what they saw with :meth:`wait_newer` (the detector). A slow reader simply
skips frames.
"""

from __future__ import annotations

import asyncio
import threading

import cv2
import numpy as np

from overwatch.camera import VideoFrame


def downscale(frame: VideoFrame, max_width_px: int) -> VideoFrame:
    """``frame`` shrunk (area-averaged) to at most ``max_width_px`` wide, same stamp."""
    if frame.width_px <= max_width_px:
        return frame
    height = max(1, round(frame.height_px * max_width_px / frame.width_px))
    small = np.asarray(
        cv2.resize(frame.rgb, (max_width_px, height), interpolation=cv2.INTER_AREA), np.uint8
    )
    return VideoFrame(small, frame.index, frame.receive_unix_s, frame.stamp)


class LatestFrame:
    """Thread-safe holder of the most recent :class:`VideoFrame`."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: VideoFrame | None = None

    def put(self, frame: VideoFrame) -> None:
        with self._cond:
            self._frame = frame
            self._cond.notify_all()

    def get(self) -> VideoFrame | None:
        """The newest frame, or None before the first one."""
        with self._cond:
            return self._frame

    def wait_newer(self, after_index: int, timeout_s: float) -> VideoFrame | None:
        """Block until a frame with ``index > after_index`` exists; None on timeout."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._frame is not None and self._frame.index > after_index, timeout_s
            )
            frame = self._frame
        return frame if frame is not None and frame.index > after_index else None

    async def next_async(self, after_index: int, timeout_s: float) -> VideoFrame | None:
        """:meth:`wait_newer` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_newer, after_index, timeout_s)
