"""Fly a watch track: push it into allowed airspace, respect the vehicle, split it into sorties.

The drone is simulated on the track's time grid (about 1 s). Each step it
moves towards its desired pose at most ``max_speed_m_s`` (``cruise_speed`` on
transits), straight when the leg is clear and along a routed path around
obstacles when it is not. Before each step it checks the battery: if, after
the step, flying back to a landing site at cruise speed and descending would
eat into the reserve, it turns back now. After landing, the battery swap takes
``turnaround_s`` and the drone relaunches to catch up with the track. Within a
track's slack the drone may lag or run ahead of the clock (see :class:`Flyer`);
the landing sites are a :class:`~overwatch.planning.landing.LandingPolicy`.

Battery use is counted in airborne time: ``reserve = 1 - flight_time / endurance``.
Take-off and landing are vertical legs over the launch or landing site at the
vehicle's climb and descent rates.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from overwatch.errors import ConstraintViolation
from overwatch.mission import Vehicle
from overwatch.planning.landing import XY, LandingPolicy
from overwatch.planning.landing import as_xy as _xy
from overwatch.planning.landing import length_m as _length_m
from overwatch.planning.model import BoolArray, FloatArray, IntArray, Trajectory
from overwatch.planning.strategies import WatchTrack
from overwatch.planning.zone import FlyZone, where

#: a drone closer than this to its desired position counts as on task, metres
ON_TASK_M = 30.0
#: routed return legs are worked out exactly once the estimate comes this close to the limit, s
_RETURN_SLACK_S = 90.0
#: the detour factor of the return leg is refreshed every this many steps
_DETOUR_REFRESH_STEPS = 30
#: how much a metre of progress on this battery is worth against a metre left unwatched
_PROGRESS_WEIGHT = 0.25
#: a sortie stays at least this fraction of its remaining time before it may leave early
_MIN_STAY_FRACTION = 0.5
#: at most this many sorties before the planner gives up
MAX_SORTIES = 500


@dataclass(frozen=True)
class SortieLeg:
    """One flight in a :class:`Flight`: its rows ``first:last`` of the trajectory."""

    index: int
    takeoff_t_s: float
    landing_t_s: float
    takeoff_xy_m: XY
    landing_xy_m: XY
    first: int
    last: int
    reserve_at_landing: float
    lands_at_takeoff: bool


@dataclass(frozen=True, eq=False)
class Flight:
    """A flown track: the trajectory, where the camera aimed, and the sorties."""

    trajectory: Trajectory
    aim_xy_m: FloatArray
    sorties: tuple[SortieLeg, ...]


@dataclass
class _Rows:
    t: list[float]
    x: list[float]
    y: list[float]
    alt: list[float]
    yaw: list[float]
    pitch: list[float]
    sortie: list[int]
    watching: list[bool]
    aim_x: list[float]
    aim_y: list[float]

    @classmethod
    def empty(cls) -> _Rows:
        return cls([], [], [], [], [], [], [], [], [], [])

    def add(
        self,
        t: float,
        p: XY,
        alt: float,
        yaw: float,
        pitch: float,
        sortie: int,
        watching: bool,
        aim: XY,
    ) -> None:
        self.t.append(t)
        self.x.append(p[0])
        self.y.append(p[1])
        self.alt.append(alt)
        self.yaw.append(yaw)
        self.pitch.append(pitch)
        self.sortie.append(sortie)
        self.watching.append(watching)
        self.aim_x.append(aim[0])
        self.aim_y.append(aim[1])

    def __len__(self) -> int:
        return len(self.t)


@dataclass(frozen=True, eq=False)
class _Cursor:
    """The pushed watch track with what stepping along it needs (indices are track steps)."""

    track: WatchTrack
    desired: FloatArray  # (n, 2) pushed into the safe area
    seg_ok: BoolArray  # leg i → i+1 is clear
    cum_m: FloatArray  # path length from index 0, metres
    blocked_legs: IntArray  # indices i whose leg i → i+1 is not clear
    behind: int
    ahead: int

    @classmethod
    def of(cls, track: WatchTrack, zone: FlyZone) -> _Cursor:
        desired = zone.push(track.xy_m)
        seg_ok = zone.segments_clear(desired)
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(desired, axis=0).T))])
        dt = track.step_s
        return cls(
            track=track,
            desired=desired,
            seg_ok=seg_ok,
            cum_m=cum,
            blocked_legs=np.flatnonzero(~seg_ok).astype(np.int64),
            behind=max(0, math.floor(track.behind_s / dt)),
            ahead=max(0, math.floor(track.ahead_s / dt)),
        )

    @property
    def n(self) -> int:
        return len(self.desired)

    @property
    def nominal_speed_m_s(self) -> float:
        """Average speed along the track when followed on time, m/s."""
        return float(self.cum_m[-1]) / max(float(self.track.t_s[-1] - self.track.t_s[0]), 1e-9)

    def index_at(self, t_s: float) -> int:
        return round((t_s - float(self.track.t_s[0])) / self.track.step_s)

    def point(self, i: int) -> XY:
        return _xy(self.desired[i])

    def at(self, kappa: float) -> XY:
        """Desired position at a fractional track index."""
        i = min(int(kappa), self.n - 1)
        f = kappa - i
        if f <= 1e-12 or i >= self.n - 1:
            return self.point(i)
        a, b = self.desired[i], self.desired[i + 1]
        return (float(a[0] + (b[0] - a[0]) * f), float(a[1] + (b[1] - a[1]) * f))

    def walk(self, kappa: float, goal: float, dist_m: float) -> float:
        """The fractional track index (at most ``goal``) that ``dist_m`` metres of flight reach.

        Zero-length legs (the track standing still, e.g. in a halt) are passed
        at once; a leg that is not clear is never entered.
        """
        cum = self.cum_m
        i = min(int(kappa), self.n - 1)
        here = cum[i] + (kappa - i) * (cum[min(i + 1, self.n - 1)] - cum[i])
        c = here + dist_m
        j = int(np.searchsorted(cum, c + 1e-9, side="right")) - 1
        if j >= self.n - 1:
            new = float(self.n - 1)
        else:
            seg = cum[j + 1] - cum[j]
            new = j + (c - cum[j]) / seg if seg > 0 else float(j)
        b = int(np.searchsorted(self.blocked_legs, i, side="left"))
        if b < len(self.blocked_legs):
            new = min(new, float(self.blocked_legs[b]))
        return max(min(new, goal), kappa)


@dataclass
class _LeavePlan:
    """When a sortie should leave its track (mission time, s), and from when it runs ahead."""

    leave_at_s: float = math.inf
    run_ahead_from_s: float = math.inf
    decided: bool = False


@dataclass(frozen=True)
class Flyer:
    """Flies watch tracks for one vehicle in one zone at one altitude (metres above home).

    The drone follows the track with a *cursor*: the track index whose pose it
    takes. Normally the cursor is the current time's index; a track's
    ``behind_s``/``ahead_s`` slack lets it lag (catching up after a battery
    swap, from where it left off if that is still useful) or run ahead (just
    before leaving for a swap, to watch further ahead). The moment to leave is
    chosen among those the battery allows to leave the shortest stretch of track
    unwatched — a patrol halt during the swap costs nothing, for instance.
    """

    zone: FlyZone
    vehicle: Vehicle
    flight_alt_m: float
    landing: LandingPolicy
    first_site: XY

    def fly(self, track: WatchTrack) -> Flight:
        v = self.vehicle
        dt = track.step_s
        cursor = _Cursor.of(track, self.zone)
        lead_in = _length_m(self.zone.path(self.first_site, cursor.point(0))) / v.cruise_speed_m_s
        climb_steps = math.ceil(self.flight_alt_m / v.climb_rate_m_s / dt)
        t_launch = float(track.t_s[0]) - (climb_steps + math.ceil(lead_in / dt)) * dt
        rows = _Rows.empty()
        legs: list[SortieLeg] = []
        site = self.first_site
        resume = 0.0
        while True:
            if len(legs) >= MAX_SORTIES:
                raise ConstraintViolation(
                    "endurance", "the whole route", f"more than {MAX_SORTIES} sorties"
                )
            leg, finished, resume = self._sortie(len(legs), site, t_launch, cursor, resume, rows)
            legs.append(leg)
            t_relaunch = leg.landing_t_s + math.ceil(v.turnaround_s / dt) * dt
            last_useful = float(track.t_s[-1]) + cursor.behind * dt
            if finished or t_relaunch >= last_useful:
                break
            site = self.landing.relaunch_site(self.zone, leg.landing_xy_m, t_relaunch)
            t = leg.landing_t_s + dt
            while t < t_relaunch - 1e-9:
                frac = (t - leg.landing_t_s) / max(t_relaunch - leg.landing_t_s, dt)
                ground = _lerp(leg.landing_xy_m, site, frac)
                rows.add(t, ground, 0.0, 0.0, 0.0, -1, False, ground)
                t += dt
            t_launch = t_relaunch
        traj = Trajectory(
            t_s=np.asarray(rows.t),
            x_m=np.asarray(rows.x),
            y_m=np.asarray(rows.y),
            alt_rel_m=np.asarray(rows.alt),
            yaw_deg=np.asarray(rows.yaw),
            gimbal_pitch_deg=np.asarray(rows.pitch),
            sortie=np.asarray(rows.sortie, dtype=np.int64),
            watching=np.asarray(rows.watching, dtype=bool),
        )
        aim = np.column_stack([rows.aim_x, rows.aim_y])
        return Flight(traj, aim, tuple(legs))

    # -- one sortie -----------------------------------------------------------------

    def _sortie(
        self, index: int, site: XY, t_launch: float, cur: _Cursor, resume: float, rows: _Rows
    ) -> tuple[SortieLeg, bool, float]:
        """Fly one sortie; returns it, whether the track is done, and the cursor to resume from."""
        v, zone, alt, track = self.vehicle, self.zone, self.flight_alt_m, cur.track
        dt = track.step_s
        n = cur.n
        cruise = v.cruise_speed_m_s
        vmax = max(v.max_speed_m_s, cruise)
        usable = v.endurance_s * (1.0 - v.reserve_fraction)
        pitch0 = v.camera.gimbal_pitch_deg
        descent_s = math.ceil(alt / v.descent_rate_m_s / dt) * dt
        climb_steps = math.ceil(alt / v.climb_rate_m_s / dt)
        first_row = len(rows)
        kappa = float(np.clip(max(resume, cur.index_at(t_launch) - cur.behind), 0, n - 1))
        aim0 = _xy(track.aim_xy_m[int(kappa)])
        yaw0 = _bearing(site, cur.at(kappa), float(track.yaw_deg[int(kappa)]))
        if climb_steps * dt + descent_s > usable:
            raise ConstraintViolation(
                "endurance",
                where(zone.geometry, *site),
                f"climbing to {alt:.0f} m and landing take {climb_steps * dt + descent_s:.0f} s, "
                f"more than the {usable:.0f} s a battery gives above the reserve",
            )
        for i in range(climb_steps + 1):
            h = min(alt, i * dt * v.climb_rate_m_s)
            rows.add(t_launch + i * dt, site, h, yaw0, pitch0, index, False, aim0)
        t = t_launch + climb_steps * dt
        p = site
        on_track = False
        watched = 0
        finished = False
        battery = _Battery(self, usable, cruise, descent_s)
        chaser = _Chaser(zone)
        leave = _LeavePlan()
        while True:
            tn = t + dt
            k = cur.index_at(tn)
            if k >= n + cur.ahead or (kappa >= n - 1 and on_track and k >= n - 1):
                finished = True
                break
            if tn >= leave.leave_at_s:
                break
            lo = float(min(max(k - cur.behind, 0), n - 1))
            goal = float(min(max(k, 0) + (cur.ahead if tn >= leave.run_ahead_from_s else 0), n - 1))
            goal = max(goal, lo)
            cap = (vmax if k > 0 else cruise) * dt
            new_kappa = kappa
            if on_track and kappa < goal:
                new_kappa = cur.walk(kappa, goal, cap)
                if new_kappa > kappa:
                    pn, reached = cur.at(new_kappa), True
                else:  # the next leg is not clear: go round it
                    new_kappa = float(min(int(kappa) + 1, n - 1))
                    pn, reached = chaser.step(p, cur.at(new_kappa), cap, False)
                if new_kappa < lo:  # fell too far behind: aim at the first useful pose
                    new_kappa, reached = lo, False
            elif on_track:
                pn, reached = p, True
            else:
                new_kappa = max(kappa, lo)
                pn, reached = chaser.step(p, cur.at(new_kappa), cap, False)
            if not battery.can_afford(pn, tn, tn - t_launch):
                break
            if not leave.decided and battery.near_limit(
                pn, tn, tn - t_launch, self._horizon_s(cur)
            ):
                leave = self._plan_leave(cur, battery, pn, tn, tn - t_launch)
            kappa, p, t, on_track = new_kappa, pn, tn, reached
            ki = min(round(kappa), n - 1)
            aim = _xy(track.aim_xy_m[ki])
            if on_track and math.dist(p, _xy(track.xy_m[ki])) < ON_TASK_M / 2:
                yaw, pitch = float(track.yaw_deg[ki]), float(track.gimbal_pitch_deg[ki])
            else:
                yaw = _bearing(p, aim, float(track.yaw_deg[ki]))
                pitch = -math.degrees(math.atan2(alt, max(math.dist(p, aim), 1e-6)))
            watching = k >= 0 and math.dist(p, cur.at(kappa)) < ON_TASK_M
            watched += watching
            rows.add(t, p, alt, yaw, pitch, index, watching, aim)
        if watched == 0 and not finished and index == 0:
            raise ConstraintViolation(
                "endurance",
                where(zone.geometry, *cur.at(kappa)),
                f"one battery ({v.endurance_s:.0f} s, reserve {v.reserve_fraction:.0%}) "
                "cannot reach "
                f"the watch position and come back from {where(zone.geometry, *site)}",
            )
        path = self.landing.return_path(zone, p, t, cruise)
        for q in _sample_path(path, cruise * dt)[1:]:
            t += dt
            rows.add(t, q, alt, _bearing(p, q, 0.0), pitch0, index, False, q)
            p = q
        landing_xy = _xy(path[-1])
        for i in range(1, round(descent_s / dt) + 1):
            t += dt
            h = max(0.0, alt - i * dt * v.descent_rate_m_s)
            rows.add(t, landing_xy, h, 0.0, pitch0, index, False, landing_xy)
        leg = SortieLeg(
            index=index,
            takeoff_t_s=t_launch,
            landing_t_s=t,
            takeoff_xy_m=site,
            landing_xy_m=landing_xy,
            first=first_row,
            last=len(rows),
            reserve_at_landing=1.0 - (t - t_launch) / v.endurance_s,
            lands_at_takeoff=math.dist(landing_xy, site) < 1.0,
        )
        # a later sortie that cannot reach its watch position ends the plan (out of range)
        return leg, finished or watched == 0, kappa

    def _absence_s(self, distance_m: float) -> float:
        """Time away from the track for a swap, given the distance to the landing site, s."""
        v = self.vehicle
        fly = 2.0 * distance_m / v.cruise_speed_m_s
        return (
            fly
            + self.flight_alt_m / v.descent_rate_m_s
            + v.turnaround_s
            + self.flight_alt_m / v.climb_rate_m_s
        )

    def _horizon_s(self, cur: _Cursor) -> float:
        """How long before the battery limit the moment to leave is chosen, s."""
        return self._absence_s(0.0) + (cur.ahead + cur.behind) * cur.track.step_s + 120.0

    def _plan_leave(
        self, cur: _Cursor, battery: _Battery, p: XY, t: float, elapsed: float
    ) -> _LeavePlan:
        """Pick the leave time in [t, latest] that leaves the least track unwatched."""
        dt = cur.track.step_s
        latest = t + battery.spare_s(p, t, elapsed)
        end_t = float(cur.track.t_s[-1]) - cur.ahead * dt
        if latest >= end_t or cur.ahead + cur.behind == 0:
            return _LeavePlan(decided=True)
        # leave no earlier than half-way through what is left: a sortie is there to watch
        cand = np.arange(t + _MIN_STAY_FRACTION * (latest - t), latest + 1e-9, max(dt, 5.0))
        if len(cand) == 0:
            return _LeavePlan(decided=True)
        k_now = cur.index_at(t)
        k_cand = np.clip(
            np.rint((cand - float(cur.track.t_s[0])) / dt).astype(np.int64), 0, cur.n - 1
        )
        k_far = np.minimum(k_cand + cur.ahead, cur.n - 1)
        away = np.asarray(
            [
                self._absence_s(self.landing.lower_bound_m(cur.point(int(i)), float(tc)))
                for i, tc in zip(k_far, cand, strict=True)
            ]
        )
        k_back = np.rint((cand + away - float(cur.track.t_s[0])) / dt).astype(np.int64) - cur.behind
        total = float(cur.cum_m[-1])
        seen = cur.cum_m[k_far]
        resumed = np.where(k_back >= cur.n, total, cur.cum_m[np.clip(k_back, 0, cur.n - 1)])
        missed = np.maximum(resumed - seen, 0.0)
        progress = seen - cur.cum_m[min(max(k_now, 0), cur.n - 1)]
        best = int(np.argmin(missed - _PROGRESS_WEIGHT * progress))
        leave_at = float(cand[best])
        speed_gain = max(self.vehicle.max_speed_m_s / max(cur.nominal_speed_m_s, 0.1) - 1.0, 0.2)
        # start early: running ahead stops by itself at the slack's end
        run = 1.5 * cur.ahead * dt / speed_gain + 30.0
        return _LeavePlan(leave_at_s=leave_at, run_ahead_from_s=leave_at - run, decided=True)


@dataclass
class _Chaser:
    """Moves the drone towards a (moving) target, straight when clear, else along a routed detour.

    The detour's corners are kept between steps and reused while the target
    stays visible from the last corner, so routing runs once per obstacle,
    not once per step.
    """

    zone: FlyZone
    corners: list[XY] = field(default_factory=list)

    def step(self, p: XY, target: XY, cap_m: float, known_clear: bool) -> tuple[XY, bool]:
        """Move from p towards target by at most ``cap_m``; (new position, target reached?)."""
        if known_clear or self.zone.segment_clear(p, target):
            self.corners.clear()
            return _towards(p, target, cap_m)
        if not self.corners or not self.zone.segment_clear(self.corners[-1], target):
            path = self.zone.path(p, target)
            self.corners = [_xy(c) for c in path[1:-1]]
        if not self.corners:  # numerically clear after all
            return _towards(p, target, cap_m)
        q, reached = _towards(p, self.corners[0], cap_m)
        if reached:
            self.corners.pop(0)
        return q, False


def _towards(p: XY, target: XY, cap_m: float) -> tuple[XY, bool]:
    d = math.dist(p, target)
    if d <= cap_m:
        return target, True
    f = cap_m / d
    return (p[0] + (target[0] - p[0]) * f, p[1] + (target[1] - p[1]) * f), False


@dataclass
class _Battery:
    """Decides, step by step, whether the drone can still get home with the reserve.

    The exact (routed) return leg is costly, so it is worked out only when a
    cheap estimate (straight-line bound times the last seen detour factor)
    comes within ``_RETURN_SLACK_S`` of the limit, and every
    ``_DETOUR_REFRESH_STEPS`` steps to keep the detour factor current.
    """

    flyer: Flyer
    usable_s: float
    cruise_m_s: float
    descent_s: float
    detour: float = 1.0
    steps: int = 0

    def near_limit(self, p: XY, t: float, elapsed: float, horizon_s: float) -> bool:
        rough = self.flyer.landing.lower_bound_m(p, t) / self.cruise_m_s
        return elapsed + rough * self.detour + self.descent_s + horizon_s > self.usable_s

    def spare_s(self, p: XY, t: float, elapsed: float) -> float:
        """Seconds the drone may stay out from now, by the exact return from here (an estimate)."""
        path = self.flyer.landing.return_path(self.flyer.zone, p, t, self.cruise_m_s)
        back = _length_m(path) / self.cruise_m_s + len(path) + self.descent_s
        return max(0.0, self.usable_s - elapsed - back)

    def can_afford(self, p: XY, t: float, elapsed: float) -> bool:
        self.steps += 1
        landing = self.flyer.landing
        rough = landing.lower_bound_m(p, t) / self.cruise_m_s
        if elapsed + rough + self.descent_s > self.usable_s:
            return False
        refresh = self.steps % _DETOUR_REFRESH_STEPS == 0
        if (
            not refresh
            and elapsed + rough * self.detour + self.descent_s + _RETURN_SLACK_S < self.usable_s
        ):
            return True
        path = landing.return_path(self.flyer.zone, p, t, self.cruise_m_s)
        exact = _length_m(path) / self.cruise_m_s
        self.detour = max(1.0, exact / rough) if rough > 1.0 else max(self.detour, 1.0)
        # the return leg is flown on the time grid, with a short step at each corner
        corners = max(len(path) - 1, 1)
        return elapsed + exact + corners + self.descent_s <= self.usable_s


def _lerp(a: XY, b: XY, f: float) -> XY:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def _bearing(a: XY, b: XY, fallback: float) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if math.hypot(dx, dy) < 1.0:
        return fallback
    return math.degrees(math.atan2(dx, dy)) % 360.0


def _sample_path(path: FloatArray, step_m: float) -> list[XY]:
    """Points along a polyline at most ``step_m`` apart, from its start to its end.

    Every vertex of the polyline is kept (a step stops short at a corner), so the
    straight legs between samples never cut a corner of a routed path.
    """
    out = [_xy(path[0])]
    for a, b in itertools.pairwise(path):
        length = float(np.hypot(*(b - a)))
        if length <= 1e-9:
            continue
        count = math.ceil(length / step_m)
        for i in range(1, count + 1):
            f = min(i * step_m / length, 1.0)
            out.append((float(a[0] + (b[0] - a[0]) * f), float(a[1] + (b[1] - a[1]) * f)))
    return out
