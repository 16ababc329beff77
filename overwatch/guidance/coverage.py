"""Live lead coverage: the planner's metric, computed as the flight happens.

The same samples as the planner's :class:`~overwatch.planning.coverage.LeadCoverage`
(every ``station_step_m`` along the route, every ``lateral_step_m`` across
the corridor) and the same rule: a sample is covered when the camera footprint
contained it at some moment between ``lead_max_s`` and ``lead_min_s`` before
the patrol reached its station. Here the footprint is the drone's *real* one
(position, altitude, heading and gimbal) and the arrival times are the
patrol's *real* ones.

A sample's arrival time is known only once the patrol passes it, so until
then the moments it was seen are kept, as at most ``max_intervals`` runs
of consecutive sightings per sample (a ring: the oldest run is dropped first —
a run that ended more than ``lead_max_s`` ago can never count, since the
patrol has not arrived yet). :meth:`LiveCoverage.patrol_at` resolves the
samples the patrol has passed. Times are on one clock (the fix clock, UNIX
seconds); positions local metres.

Per tick the work is bounded: only stations near the footprint and not yet
passed are tested, all at once with numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from overwatch.geo.camera import footprint_corners, points_in_quad
from overwatch.guidance.types import VehicleSnapshot
from overwatch.mission import MissionGeometry
from overwatch.planning.model import Gap
from overwatch.tracking import PatrolPrediction, RouteIndex

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CameraPose:
    """Where the camera is and looks: local metres, ``height_m`` above the ground
    (flat ground: the altitude above home), ``yaw_deg`` clockwise from north
    (vehicle heading plus gimbal yaw), ``pitch_deg`` negative below the horizon."""

    x_m: float
    y_m: float
    height_m: float
    yaw_deg: float
    pitch_deg: float

    @classmethod
    def of_vehicle(cls, vehicle: VehicleSnapshot, geometry: MissionGeometry) -> CameraPose:
        """The pose from a vehicle snapshot; a missing gimbal angle takes the camera's default."""
        x, y = geometry.frame.to_local(vehicle.lat_deg, vehicle.lon_deg)
        cam = geometry.mission.vehicle.camera
        pitch = (
            cam.gimbal_pitch_deg if vehicle.gimbal_pitch_deg is None else vehicle.gimbal_pitch_deg
        )
        yaw = vehicle.heading_deg + (vehicle.gimbal_yaw_deg or 0.0)
        return cls(x, y, vehicle.alt_rel_m, yaw % 360.0, pitch)


@dataclass(frozen=True, eq=False)
class LiveCoverageSummary:
    """Where live coverage stands.

    ``lead_coverage`` is covered samples over all samples (pending ones count
    as not covered, so at the end of the route it is the planner's figure);
    ``resolved_coverage`` is covered over the samples the patrol has passed.
    ``station_fraction`` is the covered fraction at each of ``station_m``
    (pending stations: 0); ``gaps`` are runs of passed stations where nothing
    was covered.
    """

    lead_coverage: float
    resolved_coverage: float
    covered: int
    resolved: int
    sample_count: int
    station_m: FloatArray
    station_fraction: FloatArray
    gaps: tuple[Gap, ...]

    @property
    def longest_gap_m(self) -> float:
        return max((g.length_m for g in self.gaps), default=0.0)


def route_stations(length_m: float, step_m: float) -> FloatArray:
    """Sample stations: every ``step_m`` from 0, plus the route's end."""
    s = np.arange(0.0, length_m, step_m)
    if len(s) == 0 or length_m - s[-1] > 1e-6:
        s = np.append(s, length_m)
    return np.asarray(s, dtype=float)


#: Side of the grid cells that index the stations, metres.
_GRID_CELL_M = 100.0
#: A camera reach touching more cells than this scans the pending stations instead.
_GRID_MAX_CELLS = 64


def _station_grid(centres: FloatArray) -> dict[tuple[int, int], npt.NDArray[np.intp]]:
    """The station indices in each :data:`_GRID_CELL_M` cell, ascending."""
    cells = np.floor(centres / _GRID_CELL_M).astype(np.int64)
    grid: dict[tuple[int, int], list[int]] = {}
    for index, (i, j) in enumerate(cells.tolist()):
        grid.setdefault((i, j), []).append(index)
    return {key: np.asarray(members, dtype=np.intp) for key, members in grid.items()}


class LiveCoverage:
    """Incremental lead coverage for one mission; see the module docstring."""

    def __init__(
        self,
        geometry: MissionGeometry,
        *,
        station_step_m: float = 10.0,
        lateral_step_m: float = 10.0,
        max_intervals: int = 4,
        merge_gap_s: float = 2.0,
    ) -> None:
        if station_step_m <= 0 or lateral_step_m <= 0 or max_intervals < 1:
            raise ValueError("LiveCoverage needs positive steps and max_intervals >= 1")
        mission = geometry.mission
        ow = mission.overwatch
        self.lead_min_s = ow.lead_min_s
        self.lead_max_s = ow.lead_max_s
        self.hfov_deg = mission.vehicle.camera.hfov_deg
        self.vfov_deg = mission.vehicle.camera.vfov_deg
        self.merge_gap_s = merge_gap_s
        self.station_step_m = station_step_m
        route = RouteIndex.build(geometry.route, (1.0,) * (len(geometry.route.coords) - 1))
        self.stations = route_stations(route.length_m, station_step_m)
        self.length_m = route.length_m
        width = ow.corridor_width_m
        self.half_width_m = width / 2.0
        lanes = max(1, round(width / lateral_step_m) + 1)
        offsets = np.linspace(-width / 2.0, width / 2.0, lanes) if width > 0 else np.zeros(1)
        self.lanes = len(offsets)
        self.centres = route.point_at(self.stations)
        heading = np.radians(route.heading_deg_at(self.stations))
        right = np.column_stack([np.cos(heading), -np.sin(heading)])
        self.samples_xy = (
            self.centres[:, None, :] + offsets[None, :, None] * right[:, None, :]
        ).reshape(-1, 2)
        n = len(self.samples_xy)
        self._start = np.full((n, max_intervals), np.nan)
        self._end = np.full((n, max_intervals), np.nan)
        self._slot = np.zeros(n, dtype=np.intp)
        self._last_seen = np.full(n, -np.inf)
        self._covered = np.zeros(n, dtype=bool)
        self.arrival_s = np.full(len(self.stations), np.nan)
        self._resolved = 0  # stations [0, _resolved) are passed
        self._patrol: tuple[float, float] | None = None
        #: station indices by grid cell, to find those near the camera without a scan
        self._grid = _station_grid(self.centres)

    @property
    def sample_count(self) -> int:
        return len(self.samples_xy)

    # -- input ----------------------------------------------------------------------

    def observe(self, now_s: float, pose: CameraPose) -> int:
        """The camera held ``pose`` at ``now_s``: note which pending samples it sees.

        Returns how many samples were in view.
        """
        if pose.height_m <= 0.5 or self._resolved >= len(self.stations):
            return 0
        quad = footprint_corners(
            pose.x_m,
            pose.y_m,
            pose.height_m,
            pose.yaw_deg,
            pose.pitch_deg,
            self.hfov_deg,
            self.vfov_deg,
        )
        centre = quad.mean(axis=0)
        radius = float(np.hypot(*(quad - centre).T).max())
        stations = self._stations_near(centre[0], centre[1], radius + self.half_width_m + 1.0)
        if len(stations) == 0:
            return 0
        idx = (stations[:, None] * self.lanes + np.arange(self.lanes)[None, :]).ravel()
        inside = points_in_quad(quad, self.samples_xy[idx])
        seen = idx[inside]
        self._record(now_s, seen)
        return len(seen)

    def _stations_near(self, x_m: float, y_m: float, reach_m: float) -> npt.NDArray[np.intp]:
        """The pending stations within ``reach_m`` of (x, y), in route order: those of the
        grid cells the circle touches, or of the whole route when it touches many."""
        cell = _GRID_CELL_M
        i0, i1 = math.floor((x_m - reach_m) / cell), math.floor((x_m + reach_m) / cell)
        j0, j1 = math.floor((y_m - reach_m) / cell), math.floor((y_m + reach_m) / cell)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > _GRID_MAX_CELLS:
            candidates = np.arange(self._resolved, len(self.stations))
        else:
            found = [
                self._grid[key]
                for i in range(i0, i1 + 1)
                for j in range(j0, j1 + 1)
                if (key := (i, j)) in self._grid
            ]
            if not found:
                return np.empty(0, dtype=np.intp)
            candidates = np.sort(np.concatenate(found))
            candidates = candidates[candidates >= self._resolved]
        centres = self.centres[candidates]
        near = np.hypot(centres[:, 0] - x_m, centres[:, 1] - y_m) <= reach_m
        return candidates[near]

    def _record(self, now_s: float, idx: npt.NDArray[np.intp]) -> None:
        if len(idx) == 0:
            return
        cont = now_s - self._last_seen[idx] <= self.merge_gap_s
        grow, fresh = idx[cont], idx[~cont]
        self._end[grow, self._slot[grow]] = now_s
        slot = (self._slot[fresh] + 1) % self._start.shape[1]
        self._slot[fresh] = slot
        self._start[fresh, slot] = now_s
        self._end[fresh, slot] = now_s
        self._last_seen[idx] = now_s

    def patrol_at(self, time_s: float, station_m: float) -> int:
        """The patrol is at ``station_m`` at ``time_s``: resolve the samples it has passed.

        Arrival times between two calls are interpolated linearly. Stations
        behind the first position reported never got an arrival time and stay
        uncovered. Returns how many stations were resolved.
        """
        if not (math.isfinite(time_s) and math.isfinite(station_m)):
            return 0
        prev = self._patrol
        if prev is None:
            behind = int(np.searchsorted(self.stations, station_m - 1e-9, side="left"))
            self._resolved = max(self._resolved, behind)
            self._patrol = (time_s, station_m)
            return 0
        if time_s <= prev[0]:
            return 0  # an old report
        if station_m <= prev[1]:
            # halted, or a step back (noise): still at the furthest station, now
            self._patrol = (time_s, prev[1])
            return 0
        passed = int(np.searchsorted(self.stations, station_m + 1e-9, side="right"))
        first = self._resolved
        if passed <= first:
            self._patrol = (time_s, station_m)
            return 0
        t0, s0 = prev
        s = self.stations[first:passed]
        frac = (s - s0) / (station_m - s0)
        arrival = t0 + np.clip(frac, 0.0, 1.0) * (time_s - t0)
        self.arrival_s[first:passed] = arrival
        rows = slice(first * self.lanes, passed * self.lanes)
        a = np.repeat(arrival, self.lanes)[:, None]
        hit = (self._start[rows] <= a - self.lead_min_s) & (self._end[rows] >= a - self.lead_max_s)
        self._covered[rows] = hit.any(axis=1)
        self._resolved = passed
        self._patrol = (time_s, station_m)
        return passed - first

    # -- output --------------------------------------------------------------------

    @property
    def covered(self) -> BoolArray:
        """Covered flag per sample (stations × lanes, flattened); pending samples are False."""
        return self._covered.copy()

    def provisional(self, prediction: PatrolPrediction) -> BoolArray:
        """Per pending sample, covered if the patrol arrives when ``prediction`` says
        (shape: the pending samples, stations from the first not yet passed)."""
        first = self._resolved
        arrival = prediction.arrival_time_s(self.stations[first:])
        rows = slice(first * self.lanes, None)
        a = np.repeat(arrival, self.lanes)[:, None]
        hit = (self._start[rows] <= a - self.lead_min_s) & (self._end[rows] >= a - self.lead_max_s)
        return np.asarray(hit.any(axis=1), dtype=bool)

    def summary(self) -> LiveCoverageSummary:
        grid = self._covered.reshape(len(self.stations), self.lanes)
        fraction = grid.mean(axis=1)
        resolved = self._resolved * self.lanes
        covered = int(self._covered.sum())
        return LiveCoverageSummary(
            lead_coverage=covered / self.sample_count,
            resolved_coverage=covered / resolved if resolved else 0.0,
            covered=covered,
            resolved=resolved,
            sample_count=self.sample_count,
            station_m=self.stations.copy(),
            station_fraction=fraction,
            gaps=self._gaps(fraction),
        )

    def _gaps(self, fraction: FloatArray) -> tuple[Gap, ...]:
        unseen = np.zeros(len(self.stations), dtype=bool)
        unseen[: self._resolved] = fraction[: self._resolved] <= 0.0
        edges = np.diff(np.concatenate([[0], unseen.astype(np.int8), [0]]))
        starts = np.flatnonzero(edges == 1)
        stops = np.flatnonzero(edges == -1) - 1
        half = self.station_step_m / 2.0
        return tuple(
            Gap(
                start_m=float(max(0.0, self.stations[a] - half)),
                end_m=float(min(self.length_m, self.stations[b] + half)),
                reason="not seen inside the lead window",
            )
            for a, b in zip(starts, stops, strict=True)
        )
