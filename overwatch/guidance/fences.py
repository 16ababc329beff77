"""Client-side fence checks: never send a setpoint the drone may not fly to.

A setpoint is acceptable when it lies in the allowed area (inside the
keep-in, outside every keep-out and the border zone) with ``margin_m`` to
spare, and the straight path from the drone to it stays allowed. Otherwise it
is pushed to the nearest point ``margin_m`` inside the allowed area, replaced
by a corner of that area on the way round the obstacle (a one-leg detour,
re-decided every tick), cut short before the first forbidden crossing, or the
drone holds. All metres in the mission's frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from overwatch.guidance.types import FenceOutcome
from overwatch.mission import MissionGeometry

#: how far the "everywhere" box reaches beyond the mission extent when there is no keep-in
_WORLD_PAD_M = 20_000.0


@dataclass(frozen=True)
class FencedPoint:
    """A checked setpoint (local metres) and what the check did."""

    x_m: float
    y_m: float
    outcome: FenceOutcome


class FenceGuard:
    """Checks setpoints against a mission's keep-in, keep-outs and border zone."""

    def __init__(self, geometry: MissionGeometry, margin_m: float = 20.0) -> None:
        self.geometry = geometry
        self.margin_m = margin_m
        world = geometry.keep_in or geometry.extent.buffer(_WORLD_PAD_M)
        allowed = world.difference(geometry.forbidden) if not geometry.forbidden.is_empty else world
        safe = allowed.buffer(-margin_m) if margin_m > 0 else allowed
        if safe.is_empty:  # a sliver of allowed area: use it as it is
            safe = allowed
        self.allowed: BaseGeometry = allowed
        self.safe: BaseGeometry = safe
        shapely.prepare(self.allowed)
        shapely.prepare(self.safe)
        # corners of the safe area's rings: waypoints for going round a forbidden area
        boundary = shapely.get_coordinates(safe.boundary) if not safe.is_empty else np.empty((0, 2))
        self._corners = np.unique(np.asarray(boundary, dtype=float).reshape(-1, 2), axis=0)

    def point_ok(self, x_m: float, y_m: float) -> bool:
        return self.geometry.is_allowed(Point(x_m, y_m))

    def point_safe(self, x_m: float, y_m: float) -> bool:
        """Inside the safe area: allowed, and ``margin_m`` or more from every boundary."""
        return not self.safe.is_empty and bool(self.safe.covers(Point(x_m, y_m)))

    def nearest_safe(self, x_m: float, y_m: float) -> tuple[float, float]:
        """(x, y) when it is inside the safe area (allowed, off the margin), else the safe
        point nearest it (unchanged when there is no safe area at all)."""
        if self.safe.is_empty or self.point_safe(x_m, y_m):
            return (x_m, y_m)
        return self._nearest_safe(x_m, y_m)

    def _nearest_safe(self, x_m: float, y_m: float) -> tuple[float, float]:
        near = nearest_points(self.safe, Point(x_m, y_m))[0]
        return (float(near.x), float(near.y))

    def path_ok(self, x0_m: float, y0_m: float, x1_m: float, y1_m: float) -> bool:
        if (x0_m, y0_m) == (x1_m, y1_m):
            return self.point_ok(x1_m, y1_m)
        return self.geometry.is_allowed(LineString([(x0_m, y0_m), (x1_m, y1_m)]))

    def check(
        self, drone_xy_m: tuple[float, float], wanted_xy_m: tuple[float, float]
    ) -> FencedPoint:
        """The setpoint to send instead of ``wanted_xy_m``, given the drone at ``drone_xy_m``."""
        dx, dy = drone_xy_m
        wx, wy = wanted_xy_m
        if not self.point_ok(dx, dy):
            return self._escape(dx, dy)
        outcome = FenceOutcome.OK
        if not self.safe.covers(Point(wx, wy)):
            # inside a forbidden area, or within the margin of one: a moving setpoint
            # there would carry the drone over the edge
            if self.safe.is_empty:
                return FencedPoint(dx, dy, FenceOutcome.HOLD)
            (wx, wy), outcome = self._nearest_safe(wx, wy), FenceOutcome.MOVED
        if self.path_ok(dx, dy, wx, wy):
            return FencedPoint(wx, wy, outcome)
        corner = self._detour(dx, dy, wx, wy)
        if corner is not None:
            return FencedPoint(corner[0], corner[1], FenceOutcome.DETOUR)
        return self._short_of_crossing(dx, dy, wx, wy)

    def _detour(self, dx: float, dy: float, wx: float, wy: float) -> tuple[float, float] | None:
        """A corner of the safe area the drone can fly to straight, on the way round:
        preferring corners that see the wanted point, then the shortest way via it."""
        corners = self._corners
        if len(corners) == 0:
            return None
        d_leg = np.hypot(corners[:, 0] - dx, corners[:, 1] - dy)
        useful = d_leg > 1.0
        if not useful.any():
            return None
        cand = corners[useful]
        d_leg = d_leg[useful]
        reach = self._clean_paths(np.array([dx, dy]), cand)
        if not reach.any():
            return None
        cand, d_leg = cand[reach], d_leg[reach]
        to_goal = np.hypot(cand[:, 0] - wx, cand[:, 1] - wy)
        sees_goal = self._clean_paths(np.array([wx, wy]), cand)
        cost = d_leg + to_goal + np.where(sees_goal, 0.0, 1e6)
        k = int(np.argmin(cost))
        return float(cand[k, 0]), float(cand[k, 1])

    def _clean_paths(
        self, origin: npt.NDArray[np.float64], ends: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.bool_]:
        """For each end point: is the straight path from ``origin`` allowed?"""
        segs = np.stack([np.broadcast_to(origin, ends.shape), ends], axis=1)
        lines = shapely.linestrings(segs)
        ok = ~shapely.intersects(self.geometry.forbidden, lines)
        if self.geometry.keep_in is not None:
            ok &= shapely.covers(self.geometry.keep_in, lines)
        return np.asarray(ok, dtype=bool)

    def _short_of_crossing(self, dx: float, dy: float, wx: float, wy: float) -> FencedPoint:
        """The farthest point along drone → wanted that is reached without a crossing,
        backed off by the margin; hold when that is nowhere."""
        path = LineString([(dx, dy), (wx, wy)])
        inside = path.intersection(self.allowed)
        start = Point(dx, dy)
        pieces = list(inside.geoms) if isinstance(inside, MultiLineString) else [inside]
        first = next(
            (p for p in pieces if isinstance(p, LineString) and p.distance(start) < 1e-6),
            None,
        )
        if first is None or first.length <= 1e-6:
            return FencedPoint(dx, dy, FenceOutcome.HOLD)
        reach = float(path.project(Point(first.coords[-1])))
        reach -= min(self.margin_m, 0.5 * reach)
        for _ in range(8):  # back off until the cut path is clean (the margin usually suffices)
            if reach <= 0.5:
                break
            p = path.interpolate(reach)
            if self.path_ok(dx, dy, float(p.x), float(p.y)):
                return FencedPoint(float(p.x), float(p.y), FenceOutcome.SHORTENED)
            reach *= 0.5
        return FencedPoint(dx, dy, FenceOutcome.HOLD)

    def _escape(self, dx: float, dy: float) -> FencedPoint:
        target = self.safe if not self.safe.is_empty else self.allowed
        if target.is_empty:
            return FencedPoint(dx, dy, FenceOutcome.HOLD)
        near = nearest_points(target, Point(dx, dy))[0]
        return FencedPoint(float(near.x), float(near.y), FenceOutcome.ESCAPE)
