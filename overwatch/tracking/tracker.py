"""The patrol tracker: map-match fixes to the planned route and forecast progress.

Feed it fixes in time order with :meth:`PatrolTracker.update`; ask
:meth:`PatrolTracker.estimate` for where the patrol is now and
:meth:`PatrolTracker.prediction` for where it will be. Pure: no clock, no
I/O — the caller passes times (the fix clock, UNIX seconds).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC
from typing import Protocol

import numpy as np

from overwatch.mission import MissionGeometry
from overwatch.tracking.config import TrackerConfig
from overwatch.tracking.motion import MotionWindow
from overwatch.tracking.prediction import PatrolPrediction, TrackMode
from overwatch.tracking.route import RouteIndex, RouteMatch


class FixLike(Protocol):
    """What the tracker reads from a fix (``overwatch.feeds.fix.PatrolFix`` fits)."""

    @property
    def time_s(self) -> float: ...
    @property
    def lat_deg(self) -> float: ...
    @property
    def lon_deg(self) -> float: ...
    @property
    def speed_m_s(self) -> float | None: ...
    @property
    def course_deg(self) -> float | None: ...


@dataclass(frozen=True)
class TrackFix:
    """A minimal patrol fix: UNIX seconds, WGS84 degrees, optional m/s and course (deg)."""

    time_s: float
    lat_deg: float
    lon_deg: float
    speed_m_s: float | None = None
    course_deg: float | None = None


@dataclass(frozen=True)
class PatrolEstimate:
    """The patrol now, as the tracker sees it.

    ``time_s`` is the last accepted fix's time (None before any); ``age_s``
    its age at the time asked. ``station_m`` is the filtered distance along
    the route; ``cross_track_m`` the last fix's signed distance from it
    (positive left of the direction of travel). ``speed_m_s`` is the filtered
    speed along the route (0 while halted), ``ground_speed_m_s`` the fitted
    speed over ground, ``pace`` the smoothed ratio of actual to planned speed.
    ``schedule_slip_s`` is how late (positive) the patrol is on its planned
    timetable at its current station, when the mission gives a start time.
    """

    mode: TrackMode
    time_s: float | None
    age_s: float | None
    station_m: float | None
    cross_track_m: float | None
    x_m: float | None
    y_m: float | None
    lat_deg: float | None
    lon_deg: float | None
    speed_m_s: float
    ground_speed_m_s: float | None
    course_deg: float | None
    pace: float
    halted: bool
    halted_for_s: float
    planned_halt_index: int | None
    off_route_for_s: float
    schedule_slip_s: float | None
    fixes_accepted: int
    fixes_rejected: int

    @property
    def on_route(self) -> bool:
        return self.mode is TrackMode.ON_ROUTE


class PatrolTracker:
    """Tracks one patrol along the mission's route. Call :meth:`update` per fix."""

    def __init__(self, geometry: MissionGeometry, config: TrackerConfig | None = None) -> None:
        self.geometry = geometry
        self.config = config or TrackerConfig()
        patrol = geometry.mission.patrol
        legs = len(geometry.route.coords) - 1
        speeds = patrol.leg_speeds_m_s
        if len(speeds) != legs:
            speeds = (patrol.speed_m_s,) * legs
        self.route = RouteIndex.build(geometry.route, speeds)
        self.halts: tuple[tuple[float, float], ...] = geometry.schedule.halts
        start = patrol.start_time
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.start_time_s: float = start.timestamp()
        self._motion = MotionWindow(self.config.halt_window_s)
        self._mode = TrackMode.ACQUIRING
        self._t: float | None = None
        self._s: float | None = None
        self._v = 0.0
        self._s_max = 0.0
        self._pace = 1.0
        self._pace_log: deque[tuple[float, float]] = deque()
        self._last_match: RouteMatch | None = None
        self._xy: tuple[float, float] | None = None
        self._latlon: tuple[float, float] | None = None
        self._anchor_s = 0.0
        self._anchor_t = 0.0
        self._off_since: float | None = None
        self._rejoin_since: float | None = None
        self._halted = False
        self._halt_since: float | None = None
        self._moving_since: float | None = None
        self._current_halt: int | None = None
        self._consumed: set[int] = set()
        self._accepted = 0
        self._rejected = 0
        self._prediction: PatrolPrediction | None = None

    # -- input -----------------------------------------------------------------

    def update(self, fix: FixLike) -> PatrolEstimate:
        """Take one fix; returns the estimate as of that fix.

        Fixes with non-finite or out-of-range coordinates, or not newer than
        the last accepted fix, are counted in ``fixes_rejected`` and ignored.
        """
        t, lat, lon = float(fix.time_s), float(fix.lat_deg), float(fix.lon_deg)
        valid = all(math.isfinite(v) for v in (t, lat, lon)) and abs(lat) <= 90 and abs(lon) <= 180
        if not valid or (self._t is not None and t <= self._t):
            self._rejected += 1
            return self.estimate(self._t if self._t is not None else t)
        cfg = self.config
        x, y = self.geometry.frame.to_local(lat, lon)
        dt = None if self._t is None else t - self._t
        after_gap = dt is not None and dt > cfg.stale_after_s
        if after_gap:
            self._motion.clear()
        self._motion.add(t, x, y, fix.speed_m_s, fix.course_deg)
        match = self._match(t, x, y, dt, after_gap)
        rejoined = self._classify(t, match)
        if self._mode is not TrackMode.OFF_ROUTE:
            self._filter(t, dt, match, fix, reset=after_gap or rejoined or self._s is None)
            if match.distance_m <= cfg.off_route_m:
                self._anchor_s, self._anchor_t = float(self._s or 0.0), t
        self._detect_halt(t)
        self._update_pace(t, dt)
        self._t = t
        self._xy = (x, y)
        self._latlon = (lat, lon)
        self._last_match = match
        self._accepted += 1
        self._prediction = None
        return self.estimate(t)

    def _match(self, t: float, x: float, y: float, dt: float | None, after_gap: bool) -> RouteMatch:
        cfg = self.config
        if self._s is None:
            planned = float(self.geometry.schedule.station_at(t - self.start_time_s))
            lo, hi, hint = 0.0, self.route.length_m, planned
        elif self._mode is TrackMode.OFF_ROUTE or after_gap or dt is None:
            elapsed = t - self._anchor_t
            lo = self._anchor_s - cfg.window_back_m
            hi = self._anchor_s + cfg.max_patrol_speed_m_s * elapsed + cfg.window_margin_m
            hint = self._anchor_s + self._v * elapsed
        else:
            lo = self._s - cfg.window_back_m
            hi = self._s + cfg.max_patrol_speed_m_s * dt + cfg.window_margin_m
            hint = self._s + self._v * dt
        return self.route.match(x, y, lo, hi, hint_m=hint, ambiguity_m=cfg.ambiguity_m)

    def _classify(self, t: float, match: RouteMatch) -> bool:
        """Update ON/OFF_ROUTE from the match; True when the patrol has just rejoined."""
        cfg = self.config
        if self._mode is TrackMode.ACQUIRING:
            self._mode = TrackMode.ON_ROUTE
        if match.distance_m > cfg.off_route_m:
            self._rejoin_since = None
            if self._off_since is None:
                self._off_since = t
            if t - self._off_since >= cfg.off_route_after_s:
                self._mode = TrackMode.OFF_ROUTE
            return False
        if self._mode is not TrackMode.OFF_ROUTE:
            self._off_since = None
            return False
        if match.distance_m > cfg.rejoin_m:
            self._rejoin_since = None
            return False
        if self._rejoin_since is None:
            self._rejoin_since = t
        if t - self._rejoin_since < cfg.rejoin_after_s:
            return False
        self._mode = TrackMode.ON_ROUTE
        self._off_since = self._rejoin_since = None
        return True

    def _filter(
        self, t: float, dt: float | None, match: RouteMatch, fix: FixLike, *, reset: bool
    ) -> None:
        """Alpha-beta filter on station; the feed's own speed/course nudges the speed."""
        cfg = self.config
        if reset or dt is None or self._s is None:
            if self._s is None:
                self._v = float(self.route.planned_speed_at(match.station_m))
                self._moving_since = t
            self._s = match.station_m
        else:
            predicted = self._s + self._v * dt
            residual = match.station_m - predicted
            self._s = predicted + cfg.alpha * residual
            self._v += cfg.beta / dt * residual
        if fix.speed_m_s is not None and math.isfinite(fix.speed_m_s):
            along = float(fix.speed_m_s)
            if fix.course_deg is not None and math.isfinite(fix.course_deg):
                heading = float(self.route.heading_deg_at(self._s))
                along *= math.cos(math.radians(fix.course_deg - heading))
            self._v += cfg.course_gain * (along - self._v)
        self._v = min(max(self._v, 0.0), cfg.max_patrol_speed_m_s)
        floor = max(0.0, self._s_max - cfg.window_back_m)
        self._s = min(max(self._s, floor), self.route.length_m)
        self._s_max = max(self._s_max, self._s)

    def _detect_halt(self, t: float) -> None:
        cfg = self.config
        speed = self._motion.speed_m_s()
        if speed is None:
            return
        if self._halted:
            if speed > cfg.resume_speed_m_s:
                self._halted = False
                self._halt_since = None
                if self._current_halt is not None:
                    self._consumed.add(self._current_halt)
                self._current_halt = None
                self._moving_since = t
            return
        settled = self._motion.span_s >= 0.5 * cfg.halt_window_s
        if settled and speed < cfg.halt_speed_m_s:
            self._halted = True
            since = self._motion.stopped_since(cfg.halt_radius_m)
            self._halt_since = since if since is not None else t
            self._v = 0.0
            self._current_halt = self._planned_halt_near(self._s)
            # the slowing-down before the halt was detected is not the patrol's pace
            before = [
                p for when, p in self._pace_log if when <= self._halt_since - cfg.halt_window_s
            ]
            if before:
                self._pace = before[-1]

    def _planned_halt_near(self, s: float | None) -> int | None:
        if s is None:
            return None
        best: int | None = None
        for i, (at_m, _) in enumerate(self.halts):
            gap = abs(at_m - s)
            if i in self._consumed or gap > self.config.halt_match_m:
                continue
            if best is None or gap < abs(self.halts[best][0] - s):
                best = i
        return best

    def _update_pace(self, t: float, dt: float | None) -> None:
        cfg = self.config
        if dt is None or self._halted or self._mode is not TrackMode.ON_ROUTE or self._s is None:
            return
        if self._moving_since is None or t - self._moving_since < cfg.halt_window_s:
            return
        planned = float(self.route.planned_speed_at(self._s))
        instant = self._v / planned
        gain = 1.0 - math.exp(-dt / cfg.pace_time_constant_s)
        self._pace += gain * (instant - self._pace)
        self._pace = min(max(self._pace, cfg.min_pace), cfg.max_pace)
        self._pace_log.append((t, self._pace))
        while self._pace_log and t - self._pace_log[0][0] > 3.0 * cfg.halt_window_s:
            self._pace_log.popleft()

    # -- output ----------------------------------------------------------------

    def estimate(self, now_s: float) -> PatrolEstimate:
        """The patrol as of ``now_s`` (fix clock): STALE when the last fix is too old."""
        mode = self._mode
        age = None if self._t is None else now_s - self._t
        if age is not None and age > self.config.stale_after_s:
            mode = TrackMode.STALE
        speed = self._motion.speed_m_s()
        velocity = self._motion.velocity_m_s()
        course = None
        if velocity is not None and math.hypot(*velocity) > 0.3:
            course = math.degrees(math.atan2(velocity[0], velocity[1])) % 360.0
        slip = None
        if self._s is not None and self._t is not None:
            planned = float(self.geometry.schedule.arrival_time_s(self._s))
            slip = (self._t - self.start_time_s) - planned
        halted_for = 0.0
        if self._halted and self._halt_since is not None and self._t is not None:
            halted_for = self._t - self._halt_since
        off_for = 0.0
        if self._off_since is not None and self._t is not None:
            off_for = self._t - self._off_since
        match = self._last_match
        return PatrolEstimate(
            mode=mode,
            time_s=self._t,
            age_s=age,
            station_m=self._s,
            cross_track_m=None if match is None else match.cross_track_m,
            x_m=None if self._xy is None else self._xy[0],
            y_m=None if self._xy is None else self._xy[1],
            lat_deg=None if self._latlon is None else self._latlon[0],
            lon_deg=None if self._latlon is None else self._latlon[1],
            speed_m_s=0.0 if self._halted else self._v,
            ground_speed_m_s=speed,
            course_deg=course,
            pace=self._pace,
            halted=self._halted,
            halted_for_s=halted_for,
            planned_halt_index=self._current_halt,
            off_route_for_s=off_for,
            schedule_slip_s=slip,
            fixes_accepted=self._accepted,
            fixes_rejected=self._rejected,
        )

    def prediction(self) -> PatrolPrediction | None:
        """The forecast from the last fix (None before the first fix).

        The forecast itself does not age: ask it about any time. Whether the
        feed has gone stale is :meth:`estimate`'s ``mode``.
        """
        if self._prediction is None and self._s is not None and self._t is not None:
            self._prediction = self._build_prediction(self._t, self._s)
        return self._prediction

    def _build_prediction(self, t: float, s: float) -> PatrolPrediction:
        cfg = self.config
        remaining = 0.0
        if self._halted:
            if self._current_halt is not None and self._halt_since is not None:
                planned_s = self.halts[self._current_halt][1]
                remaining = max(planned_s - (t - self._halt_since), 0.0)
            else:
                remaining = cfg.unplanned_halt_s
        ahead = [
            h
            for i, h in enumerate(self.halts)
            if i not in self._consumed and i != self._current_halt and h[0] > s
        ]
        if self._mode is not TrackMode.OFF_ROUTE:
            return PatrolPrediction.along_route(
                self.route,
                t_ref_s=t,
                station_m=s,
                pace=self._pace,
                halt_remaining_s=remaining,
                halts_ahead=ahead,
            )
        # Off the route: dead-reckon positions; for arrival times assume it rejoins
        # at the route point nearest to where it is now (no earlier than where it
        # left: a detour alongside the route keeps making progress along it), after
        # covering its distance from the route at planned speed.
        velocity = (0.0, 0.0) if self._halted else self._motion.velocity_m_s() or (0.0, 0.0)
        match = self._last_match
        anchor = self._anchor_s if match is None else max(self._anchor_s, match.station_m)
        back = match.distance_m if match is not None else 0.0
        detour_s = back / float(self.route.planned_speed_at(anchor))
        along = PatrolPrediction.along_route(
            self.route,
            t_ref_s=t,
            station_m=anchor,
            pace=self._pace,
            halt_remaining_s=remaining + detour_s,
            halts_ahead=[h for h in ahead if h[0] > anchor],
        )
        assert self._xy is not None
        return replace(
            along,
            dead_reckoning=True,
            origin_xy_m=self._xy,
            velocity_m_s=(float(velocity[0]), float(velocity[1])),
            max_dead_reckoning_s=cfg.max_dead_reckoning_s,
        )

    # -- conveniences for callers that want one number ---------------------------

    def locate(self, lat_deg: float, lon_deg: float) -> RouteMatch:
        """Where a point (a threat cue, say) lies along the route: the nearest projection on
        the whole route, ties between close legs going to the one nearest the patrol."""
        x, y = self.geometry.frame.to_local(lat_deg, lon_deg)
        hint = self._s if self._s is not None else 0.0
        return self.route.match(
            x, y, 0.0, self.route.length_m, hint_m=hint, ambiguity_m=self.config.ambiguity_m
        )

    def arrival_times_s(self, stations_m: np.ndarray) -> np.ndarray:
        """Predicted arrival time (fix clock) at each station; NaN if passed or unknown."""
        prediction = self.prediction()
        if prediction is None:
            return np.full(np.shape(stations_m), np.nan)
        return prediction.arrival_time_s(stations_m)
