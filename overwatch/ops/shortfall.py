"""Why a live figure fell short of its plan: what the session saw that a plan does not.

A plan assumes the patrol keeps its schedule, the feed never drops and every break is
hidden in a halt. A live session keeps a tally of where that did not hold
(:class:`Shortfall`, fed each tick by the controller): time on a stale feed, the breaks
guidance flew away from a halt (each with the stretch it expected to leave unwatched),
setpoints the fence held back. At the end of a patrol watched more than
:data:`PLAN_SLACK` below its plan, :meth:`Shortfall.reasons` says it in a few short
clauses, with how late the patrol ran and the longest stretches left unwatched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from overwatch.guidance import FenceOutcome, GuidanceCommand, GuidanceState, LiveCoverageSummary
from overwatch.planning.model import Gap
from overwatch.tracking import TrackMode

#: a live figure this close below its plan's needs no explaining (a fraction of 1)
PLAN_SLACK = 0.03
#: a schedule slip, a stale feed or an unwatched stretch worth naming (s, s, m)
_LATE_S = 120.0
_STALE_S = 30.0
_GAP_M = 100.0


@dataclass
class Shortfall:
    """The tally (see the module docstring); times on the controller's clock."""

    stale_s: float = 0.0
    fenced: int = 0  # ticks whose setpoint the fence moved or held
    breaks: list[Gap] = field(default_factory=list)  # returns not hidden in a halt
    _last_s: float | None = None
    _returning: bool = False

    def observe(self, now_s: float, command: GuidanceCommand, mode: TrackMode) -> None:
        """One tick: the command guidance gave and the tracker's mode."""
        dt = 0.0 if self._last_s is None else min(max(now_s - self._last_s, 0.0), 5.0)
        self._last_s = now_s
        if mode is TrackMode.STALE:
            self.stale_s += dt
        if command.fence is not FenceOutcome.OK:
            self.fenced += 1
        returning = command.state in (GuidanceState.RETURNING, GuidanceState.LANDING)
        gap = command.gap
        # a swap is planned in a halt: every other return breaks the watch where it happens
        began = returning and not self._returning
        if began and gap is not None and not gap.reason.startswith("swap"):
            self.breaks.append(gap)
        self._returning = returning

    def reasons(self, summary: LiveCoverageSummary, slip_s: float | None) -> list[str]:
        """Short clauses, most telling first: the schedule, the feed, the breaks, the fence,
        then the longest unwatched stretches (``summary``: the live coverage at the end;
        ``slip_s``: how late the patrol was on its schedule, negative: early)."""
        found: list[str] = []
        if slip_s is not None and abs(slip_s) >= _LATE_S:
            found.append(
                f"the patrol was {abs(slip_s) / 60.0:.0f} min "
                f"{'late' if slip_s > 0 else 'early'} on its schedule"
            )
        if self.stale_s >= _STALE_S:
            found.append(f"the patrol feed was stale for {self.stale_s / 60.0:.1f} min")
        for gap in self.breaks:
            why = gap.reason.split(":", 1)[0] or "a"
            found.append(
                f"{why} return away from a halt (km {gap.start_m / 1000.0:.1f}"
                f"–{gap.end_m / 1000.0:.1f} expected unwatched)"
            )
        if self.fenced:
            found.append(f"the fence held back {self.fenced} setpoint(s)")
        gaps = sorted((g for g in summary.gaps if g.length_m >= _GAP_M), key=lambda g: -g.length_m)[
            :3
        ]
        if gaps:
            stretches = ", ".join(
                f"km {g.start_m / 1000.0:.2f}–{g.end_m / 1000.0:.2f}" for g in gaps
            )
            found.append(f"unwatched: {stretches}")
        return found or ["no cause seen: the stretches missed were short"]


def below_plan(live: float | None, planned: float | None) -> bool:
    """Whether ``live`` is more than :data:`PLAN_SLACK` below ``planned``."""
    return live is not None and planned is not None and live < planned - PLAN_SLACK
