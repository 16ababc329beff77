"""Common sanity checks on fixes: impossible jumps, time order, staleness.

Every feed passes its fixes through one :class:`FixGuard`, so the rules are the
same whatever the source.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from overwatch.feeds.fix import FeedState, FeedStats, FeedStatus, PatrolFix
from overwatch.geo import geodesic_distance_m


@dataclass(frozen=True)
class GuardConfig:
    """Thresholds of the :class:`FixGuard`.

    ``max_speed_m_s``: fastest believable patrol speed (60 m/s suits vehicles);
    ``slack_m``: distance always allowed between fixes, whatever the time gap
    (receiver noise); ``reanchor_after``: after this many consecutive rejected
    jumps the guard believes the new position (the earlier fix was the wrong one);
    ``stale_after_s``: a last fix older than this (local clock) makes the feed STALE.
    """

    max_speed_m_s: float = 60.0
    slack_m: float = 25.0
    reanchor_after: int = 5
    stale_after_s: float = 5.0


class FixGuard:
    """Accepts or rejects fixes and tracks the feed's freshness.

    ``clock`` returns monotonic seconds; it dates fix *arrival* (the age in
    :class:`FeedStatus`), which stays right even when the source's clock is off.
    """

    def __init__(
        self,
        config: GuardConfig | None = None,
        stats: FeedStats | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or GuardConfig()
        self.stats = stats if stats is not None else FeedStats()
        self._clock = clock
        self._last: PatrolFix | None = None
        self._last_arrival_s: float | None = None
        self._rejected_in_a_row = 0
        self.connected = False

    @property
    def last_fix(self) -> PatrolFix | None:
        return self._last

    def accept(self, fix: PatrolFix) -> bool:
        """Count ``fix`` and say whether it should be passed on."""
        last = self._last
        if last is not None:
            dt_s = fix.time_s - last.time_s
            if dt_s < 0:
                self.stats.out_of_order += 1
                return False
            distance_m = geodesic_distance_m(last.lat_deg, last.lon_deg, fix.lat_deg, fix.lon_deg)
            if distance_m > self.config.slack_m + self.config.max_speed_m_s * dt_s:
                self._rejected_in_a_row += 1
                if self._rejected_in_a_row < self.config.reanchor_after:
                    self.stats.rejected_jumps += 1
                    return False
        self._rejected_in_a_row = 0
        self._last = fix
        self._last_arrival_s = self._clock()
        self.stats.good += 1
        return True

    def status(self) -> FeedStatus:
        """LIVE, STALE or DOWN, with the age in seconds of the last fix."""
        age_s = None if self._last_arrival_s is None else self._clock() - self._last_arrival_s
        if not self.connected:
            state = FeedState.DOWN
        elif age_s is None or age_s > self.config.stale_after_s:
            state = FeedState.STALE
        else:
            state = FeedState.LIVE
        return FeedStatus(state, age_s, self._last)
