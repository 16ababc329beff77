"""The session's clock: the patrol's fix time, carried forward between fixes.

In the field fix time is UTC and runs at wall-clock rate. In training the
simulator may run faster than real time, and every fix it publishes carries
simulated UTC; the session then runs on that time at ``rate`` simulated
seconds per wall second. Before the first fix the clock is the wall clock.
"""

from __future__ import annotations

import time


class SessionClock:
    """UNIX seconds on the patrol's time base (see the module docstring)."""

    def __init__(self, rate: float = 1.0, *, resync_s: float = 2.0) -> None:
        if rate <= 0:
            raise ValueError(f"clock rate must be positive, got {rate!r}")
        self.rate = rate
        self.resync_s = resync_s
        self._ref_s: float | None = None
        self._wall_at_ref = time.monotonic()

    def now(self) -> float:
        if self._ref_s is None:
            return time.time()
        return self._ref_s + (time.monotonic() - self._wall_at_ref) * self.rate

    def observe(self, fix_time_s: float) -> None:
        """A fix stamped ``fix_time_s`` just arrived: re-anchor when we have drifted."""
        if self._ref_s is None or abs(self.now() - fix_time_s) > self.resync_s * self.rate:
            self._ref_s = fix_time_s
            self._wall_at_ref = time.monotonic()

    def wall_seconds(self, session_s: float) -> float:
        """How many wall seconds ``session_s`` of session time take."""
        return session_s / self.rate
