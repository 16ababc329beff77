"""The session's clock: the patrol's fix time, carried forward between fixes.

In the field fix time is UTC and runs at wall-clock rate. In training the
simulator may run faster than real time, and every fix it publishes carries
simulated UTC; the session then runs on that time at ``rate`` simulated
seconds per wall second. Before the first fix the clock is the wall clock.

A simulator on a busy machine falls behind its speed-up (it slips rather than
replay a backlog), so a clock that only ran at ``rate`` would drift from the
fixes by up to its re-anchoring threshold (2 wall seconds: 50 simulated seconds
at 25×) and guidance would place the drone that far off. So each fix also
steers the clock's *pace*: it carries on from where it is, never backwards, at
the pace the fixes themselves keep (smoothed over about ten of them), a little
faster or slower so as to close the gap to the fix within ``catch_up_s`` wall
seconds. A gap wider than ``resync_s`` wall seconds (a
restarted simulator, a feed back after an outage) is jumped at once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

#: the pace stays within these factors of ``rate``
MIN_PACE, MAX_PACE = 0.5, 2.0
#: the fixes' own pace is measured over this many wall seconds
PACE_WINDOW_S = 2.0


class SessionClock:
    """UNIX seconds on the patrol's time base (see the module docstring).

    ``monotonic`` is the wall clock it runs on (``time.monotonic``; tests give
    their own).
    """

    def __init__(
        self,
        rate: float = 1.0,
        *,
        resync_s: float = 2.0,
        catch_up_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"clock rate must be positive, got {rate!r}")
        if catch_up_s <= 0:
            raise ValueError(f"catch_up_s must be positive, got {catch_up_s!r}")
        self.rate = rate
        self.resync_s = resync_s
        self.catch_up_s = catch_up_s
        self.pace = 1.0  # the clock runs at rate × pace
        self.jumps = 0  # re-anchorings that moved the clock at once
        self._monotonic = monotonic
        self._ref_s: float | None = None
        self._wall_at_ref = monotonic()
        self._source_pace = 1.0  # how fast the fixes' own time runs, over rate
        self._recent: deque[tuple[float, float]] = deque()  # (fix time, wall time)

    def now(self) -> float:
        if self._ref_s is None:
            return time.time()
        return self._at(self._monotonic())

    def _at(self, wall_s: float) -> float:
        assert self._ref_s is not None
        return self._ref_s + (wall_s - self._wall_at_ref) * self.rate * self.pace

    def observe(self, fix_time_s: float) -> None:
        """A fix stamped ``fix_time_s`` just arrived: follow it (see the module docstring)."""
        wall = self._monotonic()
        if self._ref_s is not None:
            now = self._at(wall)
            error = fix_time_s - now
            if abs(error) <= self.resync_s * self.rate:
                self._learn_pace(fix_time_s, wall)
                self._ref_s, self._wall_at_ref = now, wall
                wanted = self._source_pace + error / (self.rate * self.catch_up_s)
                self.pace = min(MAX_PACE, max(MIN_PACE, wanted))
                return
            self.jumps += 1
        self._ref_s, self._wall_at_ref, self.pace = fix_time_s, wall, 1.0
        self._source_pace = 1.0
        self._recent.clear()
        self._recent.append((fix_time_s, wall))

    def _learn_pace(self, fix_time_s: float, wall: float) -> None:
        """The fixes' own pace, measured over the last ``PACE_WINDOW_S`` wall seconds
        (one fix to the next is all arrival jitter at a high speed-up)."""
        recent = self._recent
        recent.append((fix_time_s, wall))
        while len(recent) > 2 and wall - recent[1][1] >= PACE_WINDOW_S:
            recent.popleft()
        first_fix, first_wall = recent[0]
        if wall - first_wall >= PACE_WINDOW_S / 2 and fix_time_s > first_fix:
            seen = (fix_time_s - first_fix) / ((wall - first_wall) * self.rate)
            self._source_pace = min(MAX_PACE, max(MIN_PACE, seen))

    def wall_seconds(self, session_s: float) -> float:
        """How many wall seconds ``session_s`` of session time take."""
        return session_s / self.rate
