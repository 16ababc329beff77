"""Which of the patrol's fixes go out wrong: the scenario's outliers and bad sentences.

:class:`FeedFaults` is asked once per fix the patrol's tracker sends, in time
order, and answers how that fix goes out: true, displaced (an outlier), or
corrupted (a bad sentence). Fixes not sent (a dropout) use up nothing, so a
fault due inside a dropout falls on the first fix after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from overwatch.scenario.model import Outlier, PatrolScript


@dataclass(frozen=True)
class FixFault:
    """How one fix goes out: ``outlier`` displaces it, ``corrupt`` spoils its encoding."""

    outlier: Outlier | None = None
    corrupt: bool = False

    def displaced(self, x_m: float, y_m: float) -> tuple[float, float]:
        """Where the fix says the patrol is (local metres, x east, y north)."""
        if self.outlier is None:
            return x_m, y_m
        bearing = math.radians(self.outlier.bearing_deg)
        offset = self.outlier.offset_m
        return x_m + offset * math.sin(bearing), y_m + offset * math.cos(bearing)


TRUE_FIX = FixFault()


class FeedFaults:
    """The scenario's feed faults, used up by the fixes sent.

    An outlier falls on the first fix sent at or after its ``at_s`` (two due
    at once fall on successive fixes); a burst of bad sentences spoils each
    fix sent from its ``at_s`` on until ``count`` have gone (bursts that
    overlap spoil the same fixes, each counting them).
    """

    def __init__(self, script: PatrolScript) -> None:
        self._outliers = sorted(script.outliers, key=lambda o: o.at_s)
        self._bursts = [
            [b.at_s, b.count] for b in sorted(script.bad_sentences, key=lambda b: b.at_s)
        ]

    def next_fix(self, t_s: float) -> FixFault:
        """How the fix sent at scenario time ``t_s`` goes out (call once per fix sent)."""
        outlier = None
        if self._outliers and self._outliers[0].at_s <= t_s:
            outlier = self._outliers.pop(0)
        corrupt = False
        for burst in self._bursts:
            if burst[0] <= t_s and burst[1] > 0:
                burst[1] -= 1
                corrupt = True
        if outlier is None and not corrupt:
            return TRUE_FIX
        return FixFault(outlier, corrupt)
