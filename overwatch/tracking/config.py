"""Tuning of the patrol tracker: thresholds in metres, seconds and m/s."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class TrackerConfig:
    """How the tracker matches, smooths and classifies the patrol's fixes.

    Map matching
        ``max_patrol_speed_m_s`` bounds how far along the route the patrol can
        have gone since the last fix (the forward search window);
        ``window_back_m`` how far back a noisy fix may land; ``window_margin_m``
        pads the window; ``ambiguity_m`` is the distance slack within which the
        expected station breaks ties between legs that pass close to each other.
    Smoothing
        ``alpha``/``beta`` are the gains of the alpha-beta filter on station;
        ``course_gain`` weighs the feed's own speed/course when present;
        ``pace_time_constant_s`` smooths the pace (actual / planned speed), which
        is clamped to [``min_pace``, ``max_pace``].
    Halts
        the patrol is halted when its speed, fitted over ``halt_window_s``,
        stays under ``halt_speed_m_s`` (it resumes above ``resume_speed_m_s``);
        the halt began with the first of the recent fixes within ``halt_radius_m``
        of where it stands;
        a halt within ``halt_match_m`` of a planned halt is that halt; an
        unplanned halt is predicted to last ``unplanned_halt_s`` more.
    Deviation
        more than ``off_route_m`` from the route for ``off_route_after_s`` →
        OFF_ROUTE; back within ``rejoin_m`` for ``rejoin_after_s`` → ON_ROUTE.
        Off the route the forecast dead-reckons for at most ``max_dead_reckoning_s``.
    Staleness
        no fix for ``stale_after_s`` → STALE.
    """

    max_patrol_speed_m_s: float = 30.0
    window_back_m: float = 40.0
    window_margin_m: float = 60.0
    ambiguity_m: float = 25.0
    alpha: float = 0.3
    beta: float = 0.05
    course_gain: float = 0.5
    pace_time_constant_s: float = 20.0
    min_pace: float = 0.2
    max_pace: float = 4.0
    halt_window_s: float = 15.0
    halt_speed_m_s: float = 0.6
    resume_speed_m_s: float = 1.0
    halt_radius_m: float = 12.0
    halt_match_m: float = 100.0
    unplanned_halt_s: float = 0.0
    off_route_m: float = 50.0
    off_route_after_s: float = 15.0
    rejoin_m: float = 25.0
    rejoin_after_s: float = 3.0
    max_dead_reckoning_s: float = 120.0
    stale_after_s: float = 10.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not value >= 0:
                raise ValueError(f"TrackerConfig.{f.name} must be >= 0 (got {value!r})")
        if self.min_pace <= 0 or self.max_pace < self.min_pace:
            raise ValueError("TrackerConfig needs 0 < min_pace <= max_pace")
        if self.resume_speed_m_s < self.halt_speed_m_s:
            raise ValueError("TrackerConfig.resume_speed_m_s must be >= halt_speed_m_s")
        if self.rejoin_m > self.off_route_m:
            raise ValueError("TrackerConfig.rejoin_m must be <= off_route_m")
