"""Lead coverage: how much of the route corridor the camera saw in time.

The route is sampled every ``station_step_m`` along it and every
``lateral_step_m`` across the corridor width. A sample is covered when the
camera footprint (flat ground, height = altitude above home) contains it at
some moment between ``lead_max_s`` and ``lead_min_s`` before the patrol
reaches that station.

The computation is vectorised: for each airborne step, the candidate stations
are the ones whose arrival time lies inside the lead window (a contiguous
range, since arrival times are monotone in station), kept only if they lie
within the footprint's bounding circle plus half the corridor. Each remaining
(step, station) pair clips the station's cross-corridor segment against the
footprint quad (Cyrus–Beck), which decides all lateral samples at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from overwatch.geo.camera import footprint_corners
from overwatch.mission import Camera, MissionGeometry
from overwatch.planning.model import BoolArray, Coverage, FloatArray, Gap, IntArray, Trajectory
from overwatch.planning.routeview import RouteView

_EPS = 1e-6
#: (step, station) pairs handled at once, to bound memory
_CHUNK_PAIRS = 400_000


class CoverageFunction(Protocol):
    """Scores a trajectory against a mission; :func:`overwatch.planning.plan` takes one."""

    def __call__(self, trajectory: Trajectory, geometry: MissionGeometry) -> Coverage: ...


@dataclass(frozen=True)
class LeadCoverage:
    """The lead-coverage metric (see the module docstring); steps in metres."""

    station_step_m: float = 10.0
    lateral_step_m: float = 10.0

    def __call__(self, trajectory: Trajectory, geometry: MissionGeometry) -> Coverage:
        grid = _Grid.of(geometry, self.station_step_m, self.lateral_step_m)
        covered = grid.covered(trajectory, geometry.mission.vehicle.camera)
        return grid.score(covered, trajectory)

    def team(
        self, views: Sequence[tuple[Trajectory, MissionGeometry]], merged: Trajectory
    ) -> tuple[Coverage, tuple[Coverage, ...]]:
        """The team's coverage (a sample any drone saw counts) and each drone's own.

        ``views`` holds each drone's trajectory with the geometry it sees (its
        camera); ``merged`` is all of them in time order, for the gaps' reasons.
        """
        grid = _Grid.of(views[0][1], self.station_step_m, self.lateral_step_m)
        each = [grid.covered(traj, geo.mission.vehicle.camera) for traj, geo in views]
        union = np.logical_or.reduce(each)
        own = tuple(grid.score(c, traj) for c, (traj, _) in zip(each, views, strict=True))
        return grid.score(union, merged), own


def team_coverage(
    coverage: CoverageFunction,
    views: Sequence[tuple[Trajectory, MissionGeometry]],
    merged: Trajectory,
) -> tuple[Coverage, tuple[Coverage, ...]]:
    """The team's coverage and each drone's, with any coverage function.

    :class:`LeadCoverage` sees each drone through its own camera; another
    function scores the merged trajectory through the first drone's camera.
    """
    if isinstance(coverage, LeadCoverage):
        return coverage.team(views, merged)
    own = tuple(coverage(traj, geo) for traj, geo in views)
    return coverage(merged, views[0][1]), own


@dataclass(frozen=True, eq=False)
class _Grid:
    """The samples along and across the corridor, and the patrol's timing at each station."""

    geometry: MissionGeometry
    station_step_m: float
    route_length_m: float
    stations: FloatArray
    offsets: FloatArray
    centres: FloatArray
    normals: FloatArray
    arrival: FloatArray

    @classmethod
    def of(cls, geometry: MissionGeometry, station_step_m: float, lateral_step_m: float) -> _Grid:
        route = RouteView.of(geometry)
        stations = _stations(route.length_m, station_step_m)
        width = geometry.mission.overwatch.corridor_width_m
        lanes = max(1, round(width / lateral_step_m) + 1)
        offsets = np.linspace(-width / 2.0, width / 2.0, lanes) if width > 0 else np.zeros(1)
        heading = np.radians(route.heading_deg(stations))
        return cls(
            geometry=geometry,
            station_step_m=station_step_m,
            route_length_m=route.length_m,
            stations=stations,
            offsets=offsets,
            centres=route.points(stations),
            normals=np.column_stack([np.cos(heading), -np.sin(heading)]),  # to the right
            arrival=route.arrival_time_s(stations),
        )

    def covered(self, trajectory: Trajectory, cam: Camera) -> BoolArray:
        """Which samples (stations × lanes) the camera saw inside the lead window."""
        ow = self.geometry.mission.overwatch
        covered = np.zeros((len(self.stations), len(self.offsets)), dtype=bool)
        rows = np.flatnonzero(trajectory.airborne & (trajectory.alt_rel_m > 0.5))
        if len(rows):
            quads = footprint_corners(
                trajectory.x_m[rows],
                trajectory.y_m[rows],
                trajectory.alt_rel_m[rows],
                trajectory.yaw_deg[rows],
                trajectory.gimbal_pitch_deg[rows],
                cam.hfov_deg,
                cam.vfov_deg,
            )
            t = trajectory.t_s[rows]
            first = np.searchsorted(self.arrival, t + ow.lead_min_s, side="left")
            last = np.searchsorted(self.arrival, t + ow.lead_max_s, side="right")
            _cover(
                covered,
                quads,
                first,
                last,
                self.centres,
                self.normals,
                self.offsets,
                ow.corridor_width_m / 2.0,
                self.station_step_m,
            )
        return covered

    def score(self, covered: BoolArray, trajectory: Trajectory) -> Coverage:
        ow = self.geometry.mission.overwatch
        fraction = covered.mean(axis=1)
        gaps = _gaps(
            self.stations,
            fraction,
            self.route_length_m,
            self.station_step_m,
            self.arrival,
            trajectory,
            ow.lead_min_s,
            ow.lead_max_s,
        )
        return Coverage(
            lead_coverage=float(covered.mean()),
            longest_gap_m=max((g.length_m for g in gaps), default=0.0),
            gaps=gaps,
            sample_count=int(covered.size),
            station_m=self.stations,
            station_fraction=fraction,
        )


#: the default coverage function
lead_coverage = LeadCoverage()


def _stations(length_m: float, step_m: float) -> FloatArray:
    s = np.arange(0.0, length_m, step_m)
    return np.asarray(
        np.append(s, length_m) if length_m - (s[-1] if len(s) else -1) > 1e-6 else s, dtype=float
    )


def _cover(
    covered: BoolArray,
    quads: FloatArray,
    first: IntArray,
    last: IntArray,
    centres: FloatArray,
    normals: FloatArray,
    offsets: FloatArray,
    half_width_m: float,
    step_m: float,
) -> None:
    """Mark in ``covered`` (stations × lanes) every sample some footprint holds."""
    q_centre = quads.mean(axis=1)
    q_radius = np.hypot(*(quads - q_centre[:, None, :]).transpose(2, 0, 1)).max(axis=1)
    area2 = _signed_area2(quads)
    usable = np.abs(area2) > 1.0
    first, last = _tighten(first, last, centres, q_centre, q_radius + half_width_m + 1.0, step_m)
    counts = np.where(usable, np.maximum(last - first, 0), 0)
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        # take steps until about _CHUNK_PAIRS pairs
        base = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, base + _CHUNK_PAIRS, side="right"))
        stop = max(stop, start + 1)
        sl = slice(start, stop)
        c = counts[sl]
        total = int(c.sum())
        start = stop
        if total == 0:
            continue
        step = np.repeat(np.arange(sl.start, sl.stop), c)
        station = np.repeat(first[sl], c) + (np.arange(total) - np.repeat(np.cumsum(c) - c, c))
        near = (
            np.hypot(*(centres[station] - q_centre[step]).T) <= q_radius[step] + half_width_m + 1.0
        )
        step, station = step[near], station[near]
        if len(step) == 0:
            continue
        lo, hi = _clip_lines(quads[step], np.sign(area2[step]), centres[station], normals[station])
        for j, u in enumerate(offsets):
            hit = (lo <= u + _EPS) & (u - _EPS <= hi)
            covered[station[hit], j] = True


def _tighten(
    first: IntArray,
    last: IntArray,
    centres: FloatArray,
    q_centre: FloatArray,
    reach_m: FloatArray,
    step: float,
) -> tuple[IntArray, IntArray]:
    """Shrink each station range [first, last) by the triangle inequality.

    A station ``s`` is at least ``d(c, p(s0)) - |s - s0|`` from the footprint
    centre ``c`` (the route between two stations is no shorter than the straight
    line), so stations closer to the range's ends than that bound allows are cut.
    ``step`` is the station spacing along the route, metres (the last one may be shorter,
    which only makes the cut more cautious).
    """
    n = len(centres)
    if n < 2:
        return first, last
    ok = last > first
    f = np.clip(first, 0, n - 1)
    lst = np.clip(last - 1, 0, n - 1)
    d_first = np.hypot(*(centres[f] - q_centre).T)
    d_last = np.hypot(*(centres[lst] - q_centre).T)
    cut_lo = np.floor(np.maximum(d_first - reach_m, 0.0) / step).astype(np.int64)
    cut_hi = np.floor(np.maximum(d_last - reach_m, 0.0) / step).astype(np.int64)
    new_first = np.where(ok, first + cut_lo, first)
    new_last = np.where(ok, last - cut_hi, last)
    return new_first, np.maximum(new_last, new_first)


def _signed_area2(quads: FloatArray) -> FloatArray:
    x, y = quads[..., 0], quads[..., 1]
    return np.asarray(
        (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1), dtype=float
    )


def _clip_lines(
    quads: FloatArray, sign: FloatArray, origin: FloatArray, direction: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Cyrus–Beck: for lines ``origin + u·direction``, the u-interval inside each convex quad."""
    edge = np.roll(quads, -1, axis=1) - quads
    rel = origin[:, None, :] - quads
    a = (edge[..., 0] * rel[..., 1] - edge[..., 1] * rel[..., 0]) * sign[:, None]
    b = (edge[..., 0] * direction[:, None, 1] - edge[..., 1] * direction[:, None, 0]) * sign[
        :, None
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = -a / b
    lo = np.where(b > _EPS, bound, -np.inf).max(axis=1)
    hi = np.where(b < -_EPS, bound, np.inf).min(axis=1)
    parallel_out = ((np.abs(b) <= _EPS) & (a < -_EPS)).any(axis=1)
    hi = np.where(parallel_out, -np.inf, hi)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _gaps(
    stations: FloatArray,
    fraction: FloatArray,
    length_m: float,
    step_m: float,
    arrival: FloatArray,
    trajectory: Trajectory,
    lead_min_s: float,
    lead_max_s: float,
) -> tuple[Gap, ...]:
    unseen = fraction <= 0.0
    if not unseen.any():
        return ()
    edges = np.diff(np.concatenate([[0], unseen.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1) - 1
    gaps = []
    for a, b in zip(starts, stops, strict=True):
        mid = (a + b) // 2
        reason = _why(
            trajectory, float(arrival[mid]) - lead_max_s, float(arrival[mid]) - lead_min_s
        )
        gaps.append(
            Gap(
                start_m=float(max(0.0, stations[a] - step_m / 2.0)),
                end_m=float(min(length_m, stations[b] + step_m / 2.0)),
                reason=reason,
            )
        )
    return tuple(gaps)


def _why(trajectory: Trajectory, t0_s: float, t1_s: float) -> str:
    """Why nothing was seen in the lead window [t0, t1]."""
    if len(trajectory) == 0:
        return "no flight"
    inside = (trajectory.t_s >= t0_s) & (trajectory.t_s <= t1_s)
    if not inside.any():
        if t1_s < trajectory.t_s[0]:
            return "drone not yet launched"
        return "drone landed for good: the rest of the route is beyond its range or endurance"
    sortie = trajectory.sortie[inside]
    if (sortie < 0).mean() > 0.5:
        return "drone on the ground: battery swap between sorties"
    if (~trajectory.watching[inside]).mean() > 0.5:
        return "drone away from its watch position: climbing, transiting, catching up or returning"
    return "outside the camera footprint: airspace restriction or camera geometry"
