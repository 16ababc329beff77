"""Place a frame's capture on the session's clock (UNIX seconds on the patrol's clock).

A camera stamps each frame with its capture time on its own clock (UTC on a
real drone, simulated UTC in training) and, when that runs apart from the
wall clock, with the wall clock too. The session keeps its own clock, which
follows the patrol feed's fix times, may run ``rate`` times faster than the
wall clock (a simulator's speed-up), and is off by however late its anchoring
fix was read; telemetry poses are filed on that clock as they arrive.

So a capture stamp is not used as it is. From each frame, the session clock's
reading *at capture* is estimated from the measured wall-clock latency
(``now − latency × rate``); the stamp's offset from that estimate is tracked
as a running median over recent frames, and the capture time is the stamp
minus that offset: as precise frame to frame as the stamps, on the clock the
poses are filed by, whatever the camera's clock base. Frames without a stamp
use the estimate directly.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

from overwatch.camera import VideoFrame


@dataclass(frozen=True)
class CaptureTime:
    """When a frame was captured on the session's clock (seconds) and whether a stamp said so."""

    time_s: float
    from_stamp: bool


class CaptureClock:
    """Maps frames' capture stamps onto the session clock (see the module docstring).

    ``window`` is how many recent frames the stamp-clock offset is the median of.
    """

    def __init__(self, window: int = 31) -> None:
        self._offsets: deque[float] = deque(maxlen=window)

    @property
    def offset_s(self) -> float | None:
        """The camera clock minus the session clock (seconds); None before a stamped frame."""
        return statistics.median(self._offsets) if self._offsets else None

    def capture_time(
        self, frame: VideoFrame, *, session_now_s: float, wall_now_s: float, rate: float = 1.0
    ) -> CaptureTime:
        """``frame``'s capture on a clock reading ``session_now_s`` at wall time ``wall_now_s``.

        ``rate`` is session seconds per wall second.
        """
        stamp = frame.stamp
        glass_s = stamp.glass_unix_s if stamp is not None else frame.receive_unix_s
        estimate = session_now_s - max(0.0, wall_now_s - glass_s) * rate
        if stamp is None:
            return CaptureTime(estimate, False)
        self._offsets.append(stamp.capture_unix_s - estimate)
        offset = statistics.median(self._offsets)
        return CaptureTime(stamp.capture_unix_s - offset, True)
