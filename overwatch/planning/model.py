"""What the planner produces: a :class:`Plan`.

Everything is in the mission's local metric frame (``x_m`` east, ``y_m``
north) and mission time (seconds since the patrol's planned start), except the
MAVLink items, which are already in WGS84 degrees because they go straight to
the vehicle and the exporters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from overwatch.items import MissionItem
from overwatch.mission import Mission, MissionGeometry

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A timed flight path sampled at a fixed step (arrays of equal length).

    ``alt_rel_m`` is above home (the launch site); ``yaw_deg`` is where the
    camera looks, clockwise from north (vehicle heading plus gimbal yaw);
    ``gimbal_pitch_deg`` is negative below the horizon; ``sortie`` is the
    sortie index, or -1 while the drone is on the ground; ``watching`` is true
    while the camera is on task (not climbing out or transiting home).
    """

    t_s: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    alt_rel_m: FloatArray
    yaw_deg: FloatArray
    gimbal_pitch_deg: FloatArray
    sortie: IntArray
    watching: BoolArray

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def airborne(self) -> BoolArray:
        return np.asarray(self.sortie >= 0, dtype=bool)

    def take(self, rows: slice | IntArray) -> Trajectory:
        """The rows ``rows`` (a slice or indices) as a trajectory of their own."""
        return Trajectory(
            t_s=self.t_s[rows],
            x_m=self.x_m[rows],
            y_m=self.y_m[rows],
            alt_rel_m=self.alt_rel_m[rows],
            yaw_deg=self.yaw_deg[rows],
            gimbal_pitch_deg=self.gimbal_pitch_deg[rows],
            sortie=np.asarray(self.sortie[rows], dtype=np.int64),
            watching=np.asarray(self.watching[rows], dtype=bool),
        )

    @classmethod
    def concat(cls, parts: Sequence[Trajectory]) -> Trajectory:
        """Trajectories one after the other, row for row (an empty one for none)."""

        def cat(name: str) -> npt.NDArray[Any]:
            return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)

        return cls(
            t_s=cat("t_s"),
            x_m=cat("x_m"),
            y_m=cat("y_m"),
            alt_rel_m=cat("alt_rel_m"),
            yaw_deg=cat("yaw_deg"),
            gimbal_pitch_deg=cat("gimbal_pitch_deg"),
            sortie=cat("sortie").astype(np.int64),
            watching=cat("watching").astype(bool),
        )

    def distance_m(self) -> float:
        """Horizontal plus vertical distance flown, metres."""
        mask = self.airborne[1:] & self.airborne[:-1]
        d = np.sqrt(np.diff(self.x_m) ** 2 + np.diff(self.y_m) ** 2 + np.diff(self.alt_rel_m) ** 2)
        return float(d[mask].sum())


@dataclass(frozen=True)
class Sortie:
    """One flight on one battery: take off, watch, come back and land.

    ``items`` is the ArduPilot mission for it, starting with the home
    placeholder at seq 0; ``reserve_at_landing`` is the battery fraction left
    on touchdown (compare with the vehicle's ``reserve_fraction``).
    """

    index: int
    takeoff_t_s: float
    landing_t_s: float
    takeoff_xy_m: tuple[float, float]
    landing_xy_m: tuple[float, float]
    items: tuple[MissionItem, ...]
    distance_m: float
    reserve_at_landing: float

    @property
    def flight_time_s(self) -> float:
        return self.landing_t_s - self.takeoff_t_s


@dataclass(frozen=True)
class Gap:
    """A stretch of route (stations in metres) that was not watched in time, and why."""

    start_m: float
    end_m: float
    reason: str = ""

    @property
    def length_m(self) -> float:
        return self.end_m - self.start_m


@dataclass(frozen=True, eq=False)
class Coverage:
    """Lead coverage of a trajectory against the patrol's timing.

    Samples lie every 10 m along the route and across the corridor width; a
    sample is covered when the camera footprint contains it at some moment
    between ``lead_max_s`` and ``lead_min_s`` before the patrol reaches its
    station. ``station_m``/``station_fraction`` give the covered fraction at
    each station (for plots); ``gaps`` are runs of stations with no sample
    covered.
    """

    lead_coverage: float
    longest_gap_m: float
    gaps: tuple[Gap, ...]
    sample_count: int
    station_m: FloatArray
    station_fraction: FloatArray


@dataclass(frozen=True, eq=False)
class Plan:
    """The plan for a mission with one strategy, and its FOLLOW baseline."""

    mission: Mission
    geometry: MissionGeometry
    strategy: str
    trajectory: Trajectory
    sorties: tuple[Sortie, ...]
    fence_items: tuple[MissionItem, ...]
    rally_items: tuple[MissionItem, ...]
    coverage: Coverage
    baseline_trajectory: Trajectory
    baseline_coverage: Coverage

    @property
    def flight_distance_m(self) -> float:
        return sum(s.distance_m for s in self.sorties)

    @property
    def flight_time_s(self) -> float:
        return sum(s.flight_time_s for s in self.sorties)

    @property
    def min_reserve_at_landing(self) -> float:
        return min((s.reserve_at_landing for s in self.sorties), default=1.0)


@dataclass(frozen=True)
class Relief:
    """One hand-over of the watch from a tired drone to a fresh one.

    Drones are indices into ``mission.drones``, sorties indices into that drone's
    ``TeamPlan.drones[i].sorties``. The fresh drone is on station (watching the
    same stretch) from ``on_station_t_s``; the tired one leaves at ``leave_t_s``
    (mission time, s). ``station_m`` is the route station the camera was aimed at
    when the tired drone left, ``xy_m`` where the fresh drone took over.
    """

    tired: int
    tired_sortie: int
    fresh: int
    fresh_sortie: int
    on_station_t_s: float
    leave_t_s: float
    station_m: float
    xy_m: tuple[float, float]

    @property
    def overlap_s(self) -> float:
        """How long both drones watched together; negative: the fresh one came late."""
        return self.leave_t_s - self.on_station_t_s


@dataclass(frozen=True, eq=False)
class TeamPlan:
    """The plan for every drone of a mission on the patrol's one timeline.

    ``drones[i]`` is drone ``i``'s own :class:`Plan`: its mission is
    ``mission.as_drone(i)`` (its vehicle and launch first), its trajectory,
    sorties and items are its own, its ``coverage`` is what it watched alone,
    and its baseline is the single drone's FOLLOW baseline. ``coverage`` is the
    team's lead coverage (a sample watched by any drone counts). ``single`` is
    the first drone alone with battery swaps, planned in the same call, for
    comparison. With ``relief_mode == "swap"`` the team is ``single`` alone.
    """

    mission: Mission
    geometry: MissionGeometry
    strategy: str
    relief_mode: str
    overlap_s: float
    drones: tuple[Plan, ...]
    reliefs: tuple[Relief, ...]
    coverage: Coverage
    single: Plan
    notes: tuple[str, ...] = ()

    def reliefs_of(self, drone: int) -> tuple[Relief, ...]:
        """The reliefs drone ``drone`` takes part in (as the tired or the fresh one)."""
        return tuple(r for r in self.reliefs if drone in (r.tired, r.fresh))

    @property
    def min_relief_overlap_s(self) -> float | None:
        """The shortest overlap of any relief (``None`` without reliefs)."""
        return min((r.overlap_s for r in self.reliefs), default=None)
