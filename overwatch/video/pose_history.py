"""Recent vehicle poses by time, interpolated: the pose a frame was captured from.

Telemetry arrives at its own rate (position 5 Hz, attitude 10 Hz, gimbal
2 Hz in ArduPilot's defaults) and a frame reaches the detector tens of
milliseconds after its capture; the geolocator needs the pose *at capture*.
:class:`PoseHistory` keeps a short, time-ordered history of poses and
interpolates between the two samples around a given time (angles the short
way round). Times are seconds on any one clock (the session's UNIX time).
Thread-safe: the link adds samples on the event loop, the detector reads in
its thread.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from dataclasses import replace

from overwatch.camera import CameraPose, PoseLike


def _lerp(a: float, b: float, k: float) -> float:
    return a + (b - a) * k


def _lerp_deg(a: float, b: float, k: float) -> float:
    """Interpolate an angle in degrees along the shorter arc."""
    delta = (b - a + 180.0) % 360.0 - 180.0
    return a + delta * k


def interpolate(p: PoseLike, q: PoseLike, time_s: float) -> CameraPose:
    """The pose at ``time_s`` between ``p`` (earlier) and ``q`` (later)."""
    span = q.time_s - p.time_s
    k = 0.0 if span <= 0 else min(1.0, max(0.0, (time_s - p.time_s) / span))
    return CameraPose(
        lat_deg=_lerp(p.lat_deg, q.lat_deg, k),
        lon_deg=_lerp(p.lon_deg, q.lon_deg, k),
        alt_msl_m=_lerp(p.alt_msl_m, q.alt_msl_m, k),
        alt_rel_m=_lerp(p.alt_rel_m, q.alt_rel_m, k),
        roll_deg=_lerp_deg(p.roll_deg, q.roll_deg, k),
        pitch_deg=_lerp_deg(p.pitch_deg, q.pitch_deg, k),
        yaw_deg=_lerp_deg(p.yaw_deg, q.yaw_deg, k) % 360.0,
        gimbal_pitch_deg=_lerp(p.gimbal_pitch_deg, q.gimbal_pitch_deg, k),
        gimbal_yaw_deg=_lerp_deg(p.gimbal_yaw_deg, q.gimbal_yaw_deg, k),
        time_s=time_s,
    )


class PoseHistory:
    """The last ``max_age_s`` seconds of poses (by their ``time_s``).

    :meth:`at` answers for any time between the oldest sample and
    ``max_hold_s`` after the newest one (the newest pose is held that long);
    outside that it answers None rather than guess. A sample more than
    ``max_jump_back_s`` older than the newest means the clock was set back
    (the session clock re-anchors on the patrol's first fix): the history
    starts again from it; slightly older samples are dropped.
    """

    def __init__(
        self, *, max_age_s: float = 30.0, max_hold_s: float = 1.0, max_jump_back_s: float = 5.0
    ) -> None:
        self.max_age_s = max_age_s
        self.max_hold_s = max_hold_s
        self.max_jump_back_s = max_jump_back_s
        self._times: deque[float] = deque()
        self._poses: deque[CameraPose] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._times)

    def add(self, pose: PoseLike) -> None:
        """Record ``pose`` (taken at ``pose.time_s``); out-of-order samples are dropped."""
        sample = CameraPose.of(pose)
        with self._lock:
            if self._times and sample.time_s < self._times[-1] - self.max_jump_back_s:
                self._times.clear()  # the clock was set back (re-anchored): start afresh
                self._poses.clear()
            if self._times and sample.time_s < self._times[-1]:
                return
            if self._times and sample.time_s == self._times[-1]:
                self._poses[-1] = sample
                return
            self._times.append(sample.time_s)
            self._poses.append(sample)
            while self._times and self._times[0] < sample.time_s - self.max_age_s:
                self._times.popleft()
                self._poses.popleft()

    def newest(self) -> CameraPose | None:
        with self._lock:
            return self._poses[-1] if self._poses else None

    def at(self, time_s: float) -> CameraPose | None:
        """The interpolated pose at ``time_s``, or None outside the history."""
        with self._lock:
            if not self._times:
                return None
            if time_s < self._times[0] or time_s > self._times[-1] + self.max_hold_s:
                return None
            i = bisect.bisect_right(self._times, time_s)
            if i >= len(self._times):
                return replace(self._poses[-1], time_s=time_s)
            if i == 0:
                return self._poses[0]
            return interpolate(self._poses[i - 1], self._poses[i], time_s)
