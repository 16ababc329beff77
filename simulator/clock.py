"""Simulated time: a speed-up factor over the wall clock.

Every vehicle timer (failsafes, DISARM_DELAY, GPS/EKF start-up, stream
rates, fault-injection latency and outages) and every MAVLink timestamp use
simulated seconds. The clock only says how far simulated time *should* have
got; each vehicle steps its physics up to that point, so a vehicle's own
``time_s`` is the authority for what it has done.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from overwatch.errors import SimulatorError


class SimClock:
    """Simulated seconds = ``speedup`` × wall seconds since ``start()``.

    If the simulation cannot keep up (too many vehicles, too high a
    speed-up) the clock *slips*: ``slip()`` moves its origin so that the
    vehicles are not asked to replay a backlog in one burst.
    """

    def __init__(
        self, speedup: float = 1.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not speedup > 0:
            raise SimulatorError(f"speed-up must be a positive number, got {speedup!r}")
        self.speedup = float(speedup)
        self._monotonic = monotonic
        self._wall0 = monotonic()
        self._sim0 = 0.0

    def now_s(self) -> float:
        """Simulated seconds since the clock started."""
        return self._sim0 + (self._monotonic() - self._wall0) * self.speedup

    def slip(self, to_sim_s: float) -> None:
        """Make ``now_s()`` equal ``to_sim_s`` now (used when the simulation lags)."""
        self._wall0 = self._monotonic()
        self._sim0 = to_sim_s

    def wall_s(self, sim_s: float) -> float:
        """Wall seconds that ``sim_s`` simulated seconds take."""
        return sim_s / self.speedup
