"""Where the drone may fly, in metres: checks, pushing targets inside, routing around.

A :class:`FlyZone` is built once per plan from a :class:`MissionGeometry`:

- ``blocked`` is everything the drone must not touch: keep-outs, the border zone
  (with the far side of the border) and, when there is a keep-in, everything
  outside it. A path is allowed when it does not intersect ``blocked``.
- ``safe`` is the allowed area shrunk by a margin, restricted to the piece the
  launch site is in. Desired positions that fall outside it are pushed to its
  nearest point, and transit legs are routed through its vertices
  (a visibility graph searched with A*, see :mod:`overwatch.planning.routing`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from overwatch.errors import ConstraintViolation
from overwatch.mission import MissionGeometry
from overwatch.planning.model import BoolArray, FloatArray
from overwatch.planning.routing import VisibilityRouter

#: how far pushed targets and routing vertices stay from anything blocked, metres
DEFAULT_MARGIN_M = 20.0


@dataclass(frozen=True, eq=False)
class FlyZone:
    """The allowed airspace of one mission (metres in the mission frame)."""

    geometry: MissionGeometry
    blocked: BaseGeometry
    safe: Polygon
    margin_m: float
    router: VisibilityRouter

    @classmethod
    def build(cls, geometry: MissionGeometry, margin_m: float = DEFAULT_MARGIN_M) -> FlyZone:
        """Build the zone; raises :class:`ConstraintViolation` if the launch site is not allowed."""
        work = geometry.extent
        outer = work.buffer(10 * work.length + 10_000.0, quad_segs=1)
        allowed: BaseGeometry = work if geometry.keep_in is None else geometry.keep_in
        allowed = allowed.difference(geometry.forbidden)
        blocked = outer.difference(allowed)
        shapely.prepare(blocked)
        launch = geometry.launch
        if bool(blocked.intersects(launch)):
            raise ConstraintViolation(
                "airspace",
                where(geometry, launch.x, launch.y),
                "the launch site is inside a keep-out, the border zone or outside the keep-in",
            )
        shrunk = allowed.buffer(-margin_m, quad_segs=2).simplify(margin_m / 4.0)
        safe = _piece_near(shrunk, launch)
        if safe is None or safe.area < 4 * margin_m * margin_m:
            raise ConstraintViolation(
                "reachability",
                where(geometry, launch.x, launch.y),
                "the launch site is walled in: no room to fly around it",
            )
        if _cut_off_from_route(shrunk, safe, geometry):
            raise ConstraintViolation(
                "reachability",
                where(geometry, launch.x, launch.y),
                "the launch site is walled in: keep-outs, the border or the keep-in "
                "cut it off from the route",
            )
        shapely.prepare(safe)
        clearance = blocked.buffer(margin_m / 2.0, quad_segs=2)
        shapely.prepare(clearance)
        router = VisibilityRouter.over(safe, blocked, clearance)
        return cls(geometry=geometry, blocked=blocked, safe=safe, margin_m=margin_m, router=router)

    # -- checks -----------------------------------------------------------------

    def point_allowed(self, x_m: float, y_m: float) -> bool:
        return not bool(shapely.intersects_xy(self.blocked, x_m, y_m))

    def segment_clear(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """True when the straight leg a→b (metres) touches nothing blocked."""
        if a == b:
            return self.point_allowed(*a)
        return not bool(self.blocked.intersects(shapely.linestrings([a, b])))

    def segments_clear(self, xy_m: FloatArray) -> BoolArray:
        """For a path (n, 2): is each of its n-1 legs clear? (Zero-length legs: as points.)"""
        if len(xy_m) < 2:
            return np.ones(0, dtype=bool)
        pairs = np.stack([xy_m[:-1], xy_m[1:]], axis=1)
        lines = shapely.linestrings(pairs)
        return np.asarray(~shapely.intersects(self.blocked, lines), dtype=bool)

    def in_safe(self, xy_m: FloatArray) -> BoolArray:
        return np.asarray(shapely.contains_xy(self.safe, xy_m[:, 0], xy_m[:, 1]), dtype=bool)

    # -- pushing and routing ----------------------------------------------------

    def push(self, xy_m: FloatArray) -> FloatArray:
        """Move each point (n, 2) that lies outside the safe area to the nearest safe point."""
        out = np.array(xy_m, dtype=float, copy=True)
        outside = ~self.in_safe(out)
        if outside.any():
            lines = shapely.shortest_line(self.safe.boundary, shapely.points(out[outside]))
            starts = shapely.get_coordinates(shapely.get_point(lines, 0))
            out[outside] = starts
        return out

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> FloatArray:
        """A clear polyline (m, 2) from a to b; raises :class:`ConstraintViolation` if none."""
        if self.segment_clear(a, b):
            return np.array([a, b], dtype=float)
        found = self.router.route(a, b)
        if found is None:
            raise ConstraintViolation(
                "reachability",
                f"from {where(self.geometry, *a)} to {where(self.geometry, *b)}",
                "no flyable path between these points around the keep-outs and the border",
            )
        return found

    def path_length_m(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        p = self.path(a, b)
        return float(np.hypot(*np.diff(p, axis=0).T).sum())


def _piece_near(geom: BaseGeometry, point: Point) -> Polygon | None:
    """The polygon of ``geom`` holding ``point``, else the nearest one (None if empty)."""
    if geom.is_empty:
        return None
    pieces = [
        g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and not g.is_empty
    ]
    if not pieces:
        return None
    return min(pieces, key=lambda g: g.distance(point))


#: a launch piece of airspace this far from the route, with another piece nearer, is cut off
_CUT_OFF_M = 250.0


def _cut_off_from_route(shrunk: BaseGeometry, safe: Polygon, geometry: MissionGeometry) -> bool:
    """True when the launch site's piece of airspace cannot get near the route but another can."""
    gap = safe.distance(geometry.route)
    if gap <= _CUT_OFF_M:
        return False
    others = [g for g in getattr(shrunk, "geoms", []) if g is not safe and not g.equals(safe)]
    return any(g.distance(geometry.route) < gap for g in others)


def where(geometry: MissionGeometry, x_m: float, y_m: float) -> str:
    """Human-readable location: lat/lon and the nearest route station in km."""
    lat, lon = geometry.frame.to_wgs84(float(x_m), float(y_m))
    station_km = geometry.route.project(Point(x_m, y_m)) / 1000.0
    return f"lat {lat:.5f}, lon {lon:.5f} (near route km {station_km:.2f})"
