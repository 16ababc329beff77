"""Continuous relief: several drones share one watch track, handing it over on station.

One drone watches at a time. When its battery says it must leave (the same
battery and return rules as a single drone's, :class:`~overwatch.planning.flight.Flyer`),
the next drone has already taken off, flown to the watch position and watched
beside it for ``overlap_s`` seconds; only then does the tired one fly home, land
with its reserve and swap its battery (``turnaround_s``) to be ready for a later
relief. Each sortie is flown by an unchanged :class:`Flyer` on a slice of the
track that starts where the drone must be on station, so take-off, transit,
keep-outs, border buffer, keep-in, altitudes and the reserve are enforced
exactly as for one drone.

The next drone is the one that can be on station soonest (among those on time,
the one ready longest). A drone that cannot reach the watch position is left
out of later reliefs; when no other drone can take over, the tired one swaps
its battery and comes back, as a single drone does (a note says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from shapely.geometry import Point

from overwatch.errors import ConstraintViolation
from overwatch.mission import MissionGeometry, Vehicle
from overwatch.planning.flight import Flight, Flyer, SortieLeg
from overwatch.planning.landing import XY, LandingPolicy, WithPatrol, as_xy, length_m
from overwatch.planning.model import Relief, Trajectory
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import WatchTrack
from overwatch.planning.zone import FlyZone

#: the fresh drone aims to be on station this much earlier than it must, s (corners of a
#: routed transit each cost a short step, so the arrival can be a little late)
_ARRIVAL_MARGIN_S = 10.0
#: a relief sortie's slice of the track covers at most the endurance plus this, s
_SLICE_SPARE_S = 120.0
#: a turnaround no relief waits for: each Flyer call flies exactly one sortie
_NO_RELAUNCH_S = 1e9
#: how often a late arrival is corrected by starting earlier
_ARRIVAL_RETRIES = 2


@dataclass(frozen=True, eq=False)
class TeamMember:
    """One drone as the relief planner sees it.

    ``geometry`` is the mission as this drone sees it (its launch and rally
    points), ``flight_alt_m`` its watch altitude above home, ``track`` its watch
    track (the strategy's, for its camera and altitude), ``first_site`` where it
    first takes off; ``launches_with_patrol`` when that site rides with the
    patrol (the first take-off is from the patrol's position).
    """

    index: int
    geometry: MissionGeometry
    flight_alt_m: float
    vehicle: Vehicle
    landing: LandingPolicy
    track: WatchTrack
    first_site: XY
    launches_with_patrol: bool


@dataclass(frozen=True, eq=False)
class TeamFlight:
    """The flown team: one :class:`Flight` per member (its sorties in order) and the reliefs."""

    flights: tuple[Flight, ...]
    reliefs: tuple[Relief, ...]
    notes: tuple[str, ...]


@dataclass
class _Sortie:
    """One sortie flown by one drone: the one-sortie flight and when it watched."""

    flight: Flight
    on_station_t_s: float
    leave_t_s: float
    finished: bool


@dataclass
class _Drone:
    member: TeamMember
    ready_t_s: float = -math.inf
    landed_xy: XY | None = None
    sorties: list[_Sortie] = field(default_factory=list)
    out_of_reach: bool = False


def fly_team(zone: FlyZone, members: tuple[TeamMember, ...], overlap_s: float) -> TeamFlight:
    """Fly the whole track with ``members`` relieving one another ``overlap_s`` on station."""
    team = [_Drone(m) for m in members]
    patrol = WithPatrol(RouteView.of(zone.geometry), members[0].vehicle.cruise_speed_m_s)
    planner = _ReliefPlanner(zone, patrol)
    first = team[0]
    current = planner.fly(first, 0, first.member.first_site)
    _record(first, current)
    reliefs: list[Relief] = []
    notes: list[str] = []
    tired = first
    while not current.finished:
        track = tired.member.track
        if current.leave_t_s >= float(track.t_s[-1]) - track.step_s:
            break
        must_be_on_s = current.leave_t_s - overlap_s
        chosen = planner.relieve(team, tired, must_be_on_s)
        name = tired.member.vehicle.name
        if chosen is None:
            # nobody else can: the tired drone swaps its battery and comes back itself
            swap = planner.relieve([tired], None, must_be_on_s)
            if swap is None:
                notes.append(f"{name} cannot come back after t={current.leave_t_s:.0f} s")
                break
            notes.append(
                f"no other drone can relieve {name} at t={current.leave_t_s:.0f} s: it swaps "
                f"its battery and is back on station at t={swap[1].on_station_t_s:.0f} s"
            )
            _record(tired, swap[1])
            current = swap[1]
            continue
        fresh, sortie = chosen
        _record(fresh, sortie)
        reliefs.append(_relief(zone.geometry, tired, fresh, current, sortie))
        overlap = current.leave_t_s - sortie.on_station_t_s
        if overlap < overlap_s:
            when = (
                f"{-overlap:.0f} s after {name} leaves"
                if overlap < 0
                else f"only {overlap:.0f} s before {name} leaves (wanted {overlap_s:.0f} s)"
            )
            notes.append(
                f"{fresh.member.vehicle.name} reaches the watch {when}: its battery swap "
                "or its transit is too long"
            )
        tired, current = fresh, sortie
    flights = tuple(_join(d) for d in team)
    return TeamFlight(flights, tuple(reliefs), tuple(notes))


@dataclass(frozen=True, eq=False)
class _ReliefPlanner:
    zone: FlyZone
    patrol: WithPatrol

    def relieve(
        self, team: list[_Drone], tired: _Drone | None, must_be_on_s: float
    ) -> tuple[_Drone, _Sortie] | None:
        """The drone of ``team`` (not ``tired``) that takes over, and its sortie (None: none can).

        It should be on station at ``must_be_on_s``; one that cannot make it flies as
        soon as it can."""
        options = []
        for d in team:
            if d is tired or d.out_of_reach:
                continue
            start, late = self._start_index(d, must_be_on_s)
            if self._takeoff_s(d, start) < d.ready_t_s - 1e-6:
                continue  # not ready before the track ends
            options.append((late, d.ready_t_s, d.member.index, d, start))
        for _, _, _, d, start in sorted(options, key=lambda o: o[:3]):
            try:
                sortie = self._fly_on_time(d, start, must_be_on_s)
            except ConstraintViolation:
                d.out_of_reach = True  # cannot reach the watch position from where it is
                continue
            if sortie is not None:
                return d, sortie
        return None

    def _fly_on_time(self, d: _Drone, start: int, must_be_on_s: float) -> _Sortie | None:
        """Fly from ``start``; when that arrives late, start earlier if the drone is ready.

        ``None`` when no start lets the drone take off once ready (a take-off site
        riding with the patrol makes the take-off time a prediction).
        """
        dt = d.member.track.step_s
        last = len(d.member.track) - 2
        sortie = None
        for _ in range(_ARRIVAL_RETRIES + 3):
            sortie = self.fly(d, start, self._site(d, self._takeoff_s(d, start)))
            takeoff = sortie.flight.sorties[0].takeoff_t_s
            if takeoff < d.ready_t_s - 1e-6:  # predicted too early: start later
                if start >= last:
                    break
                start = min(last, start + math.ceil((d.ready_t_s - takeoff) / dt))
                continue
            late_s = sortie.on_station_t_s - must_be_on_s
            earlier = max(0, start - math.ceil(late_s / dt) - 1)
            if late_s <= 0 or earlier == start or self._takeoff_s(d, earlier) < d.ready_t_s:
                return sortie
            start = earlier
        if sortie is None or sortie.flight.sorties[0].takeoff_t_s < d.ready_t_s - 1e-6:
            return None
        return sortie

    def _start_index(self, d: _Drone, must_be_on_s: float) -> tuple[int, float]:
        """The track index a relief sortie starts at, and how late (s) it is on station."""
        track = d.member.track
        wanted = must_be_on_s - _ARRIVAL_MARGIN_S
        start = int(np.clip(math.floor((wanted - float(track.t_s[0])) / track.step_s), 0, None))
        start = self._earliest_start(d, start)
        start = min(start, len(track) - 2)
        return start, max(0.0, float(track.t_s[start]) + _ARRIVAL_MARGIN_S - must_be_on_s)

    def _earliest_start(self, d: _Drone, start: int) -> int:
        """The first index from ``start`` on whose take-off is not before the drone is ready.

        The take-off time grows with the start (less than one for one when the watch
        moves away from the drone at the patrol's speed), so a doubling search and
        bisection find it; ``len(track) - 2`` when none is."""
        last = len(d.member.track) - 2
        if start >= last or self._takeoff_s(d, start) >= d.ready_t_s:
            return min(start, last)
        bad, step = start, 1
        good = min(last, start + step)
        while good < last and self._takeoff_s(d, good) < d.ready_t_s:
            bad, step = good, step * 2
            good = min(last, start + step)
        while good - bad > 1:
            mid = (bad + good) // 2
            if self._takeoff_s(d, mid) >= d.ready_t_s:
                good = mid
            else:
                bad = mid
        return good

    def _takeoff_s(self, d: _Drone, start: int) -> float:
        """When a Flyer on the track from ``start`` takes off (it computes it the same way)."""
        track = d.member.track
        dt = track.step_s
        t0 = float(track.t_s[start])
        v = d.member.vehicle
        climb_steps = math.ceil(d.member.flight_alt_m / v.climb_rate_m_s / dt)
        target = as_xy(self.zone.push(track.xy_m[start : start + 1])[0])
        site = self._site(d, t0 - climb_steps * dt)
        for _ in range(8):  # a site riding with the patrol: converges by patrol / cruise speed
            try:
                lead_in = length_m(self.zone.path(site, target)) / v.cruise_speed_m_s
            except ConstraintViolation:
                return t0  # unreachable: the flight says so
            takeoff = t0 - (climb_steps + math.ceil(lead_in / dt)) * dt
            moved = self._site(d, takeoff)
            if math.dist(moved, site) < 1.0:
                break
            site = moved
        return takeoff

    def _site(self, d: _Drone, t_s: float) -> XY:
        """Where drone ``d`` takes off at ``t_s``."""
        if d.landed_xy is None:
            if d.member.launches_with_patrol:
                return self.patrol.relaunch_site(self.zone, d.member.first_site, t_s)
            return d.member.first_site
        return d.member.landing.relaunch_site(self.zone, d.landed_xy, t_s)

    def fly(self, d: _Drone, start: int, site: XY) -> _Sortie:
        """One sortie of ``d`` on its track from index ``start``, taking off from ``site``."""
        m = d.member
        track = m.track
        span = math.ceil((m.vehicle.endurance_s + _SLICE_SPARE_S) / track.step_s)
        stop = min(len(track), start + span)
        piece = _slice(track, start, stop)
        vehicle = replace(m.vehicle, turnaround_s=_NO_RELAUNCH_S)
        flyer = Flyer(self.zone, vehicle, m.flight_alt_m, m.landing, first_site=site)
        flight = flyer.fly(piece)
        traj = flight.trajectory
        watching = np.flatnonzero(traj.watching)
        if len(watching) == 0:
            raise ConstraintViolation(
                "endurance", m.vehicle.name, "cannot reach the watch position"
            )
        last = float(traj.t_s[watching[-1]])
        finished = stop == len(track) and last >= float(track.t_s[-1]) - 2 * track.step_s
        return _Sortie(flight, float(traj.t_s[watching[0]]), last, finished)


def _record(d: _Drone, sortie: _Sortie) -> None:
    d.sorties.append(sortie)
    leg = sortie.flight.sorties[0]
    d.landed_xy = leg.landing_xy_m
    d.ready_t_s = leg.landing_t_s + d.member.vehicle.turnaround_s


def _relief(
    geometry: MissionGeometry, tired: _Drone, fresh: _Drone, old: _Sortie, new: _Sortie
) -> Relief:
    traj = new.flight.trajectory
    on = int(np.flatnonzero(traj.watching)[0])
    old_traj, aim = old.flight.trajectory, old.flight.aim_xy_m
    leave = int(np.flatnonzero(old_traj.watching)[-1])
    station = float(geometry.route.project(Point(float(aim[leave, 0]), float(aim[leave, 1]))))
    return Relief(
        tired=tired.member.index,
        tired_sortie=len(tired.sorties) - 1,
        fresh=fresh.member.index,
        fresh_sortie=len(fresh.sorties) - 1,
        on_station_t_s=new.on_station_t_s,
        leave_t_s=old.leave_t_s,
        station_m=station,
        xy_m=(float(traj.x_m[on]), float(traj.y_m[on])),
    )


def _slice(track: WatchTrack, start: int, stop: int) -> WatchTrack:
    """Steps ``start:stop`` of ``track``, without slack: a relieved drone keeps the clock
    (the fresh one takes over the very pose the tired one holds) and stays until its
    battery sends it home (no early leave, which only pays when the road goes unwatched
    during a swap)."""
    sl = slice(start, stop)
    return WatchTrack(
        t_s=track.t_s[sl],
        xy_m=track.xy_m[sl],
        aim_xy_m=track.aim_xy_m[sl],
        yaw_deg=track.yaw_deg[sl],
        gimbal_pitch_deg=track.gimbal_pitch_deg[sl],
        behind_s=0.0,
        ahead_s=0.0,
    )


def _join(d: _Drone) -> Flight:
    """One drone's sorties as one :class:`Flight`, on the ground (sortie -1) between them."""
    parts: list[Trajectory] = []
    aims: list[np.ndarray] = []
    legs: list[SortieLeg] = []
    rows = 0
    for k, s in enumerate(d.sorties):
        leg = s.flight.sorties[0]
        if k:
            prev = legs[-1]
            ground = _ground(
                prev.landing_t_s,
                leg.takeoff_t_s,
                prev.landing_xy_m,
                leg.takeoff_xy_m,
                d.member.track.step_s,
            )
            parts.append(ground)
            aims.append(np.column_stack([ground.x_m, ground.y_m]))
            rows += len(ground)
        traj = s.flight.trajectory
        parts.append(replace(traj, sortie=np.full(len(traj), k, dtype=np.int64)))
        aims.append(s.flight.aim_xy_m)
        legs.append(replace(leg, index=k, first=rows + leg.first, last=rows + leg.last))
        rows += len(traj)
    return Flight(
        Trajectory.concat(parts), np.vstack(aims) if aims else np.zeros((0, 2)), tuple(legs)
    )


def _ground(t_from: float, t_to: float, a: XY, b: XY, dt: float) -> Trajectory:
    t = np.arange(t_from + dt, t_to - 1e-9, dt)
    f = (t - t_from) / max(t_to - t_from, dt)
    x = a[0] + (b[0] - a[0]) * f
    y = a[1] + (b[1] - a[1]) * f
    zero = np.zeros(len(t))
    return Trajectory(
        t_s=t,
        x_m=x,
        y_m=y,
        alt_rel_m=zero,
        yaw_deg=zero,
        gimbal_pitch_deg=zero,
        sortie=np.full(len(t), -1, dtype=np.int64),
        watching=np.zeros(len(t), dtype=bool),
    )
