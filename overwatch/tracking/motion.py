"""Recent motion of the patrol from its last fixes: fitted velocity and speed.

A least-squares line through the positions of the last ``window_s`` seconds
gives a velocity far less noisy than differencing two fixes; when every fix
in the window carries the receiver's own (Doppler) speed, its median is used
instead.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _Sample:
    t_s: float
    x_m: float
    y_m: float
    speed_m_s: float | None
    course_deg: float | None


class MotionWindow:
    """The fixes of the last ``window_s`` seconds (local metres, fix-clock seconds)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._samples: deque[_Sample] = deque()

    def add(
        self, t_s: float, x_m: float, y_m: float, speed_m_s: float | None, course_deg: float | None
    ) -> None:
        self._samples.append(_Sample(t_s, x_m, y_m, speed_m_s, course_deg))
        while self._samples and t_s - self._samples[0].t_s > self.window_s:
            self._samples.popleft()

    def clear(self) -> None:
        self._samples.clear()

    @property
    def span_s(self) -> float:
        """Time between the oldest and the newest fix kept, seconds."""
        if len(self._samples) < 2:
            return 0.0
        return self._samples[-1].t_s - self._samples[0].t_s

    def velocity_m_s(self) -> tuple[float, float] | None:
        """Ground velocity (m/s east, m/s north); None with fewer than two fixes.

        Uses the last fix's speed and course when it has both, else a
        least-squares fit of the window.
        """
        if not self._samples:
            return None
        last = self._samples[-1]
        if last.speed_m_s is not None and last.course_deg is not None:
            c = math.radians(last.course_deg)
            return last.speed_m_s * math.sin(c), last.speed_m_s * math.cos(c)
        if len(self._samples) < 2:
            return None
        t = np.fromiter((s.t_s for s in self._samples), float)
        x = np.fromiter((s.x_m for s in self._samples), float)
        y = np.fromiter((s.y_m for s in self._samples), float)
        tc = t - t.mean()
        denom = float((tc * tc).sum())
        if denom <= 0:
            return None
        return float((tc * (x - x.mean())).sum() / denom), float(
            (tc * (y - y.mean())).sum() / denom
        )

    def stopped_since(self, radius_m: float, tail: int = 5) -> float | None:
        """Time of the earliest fix of the unbroken run, ending with the newest, that lies
        within ``radius_m`` of the centroid of the last ``tail`` fixes (None if empty)."""
        if not self._samples:
            return None
        recent = list(self._samples)[-tail:]
        cx = sum(s.x_m for s in recent) / len(recent)
        cy = sum(s.y_m for s in recent) / len(recent)
        since = self._samples[-1].t_s
        for sample in reversed(self._samples):
            if math.hypot(sample.x_m - cx, sample.y_m - cy) > radius_m:
                break
            since = sample.t_s
        return since

    def speed_m_s(self) -> float | None:
        """Ground speed (m/s) over the window: the median reported speed when every
        fix has one, else the fitted velocity's magnitude."""
        if not self._samples:
            return None
        reported = [s.speed_m_s for s in self._samples if s.speed_m_s is not None]
        if len(reported) == len(self._samples):
            return float(statistics.median(reported))
        v = self.velocity_m_s()
        return None if v is None else math.hypot(*v)
