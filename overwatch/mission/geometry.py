"""A mission seen in metres: shapely geometry in the mission's local frame.

Built once per mission by :meth:`MissionGeometry.of`; the planner, the
live guidance and the simulator all work from it.

The border is a line the drone must never cross nor approach closer than its
buffer. "Crossing" is made concrete with the launch site: the side of the
border the drone launches from is ours, the other side is forbidden as a
whole, so ``forbidden`` contains the buffer zone and everything beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from overwatch.geo import LocalFrame
from overwatch.mission.model import Mission
from overwatch.mission.schedule import PatrolSchedule

#: how far beyond the mission's extent the "far side of the border" reaches
_FAR_MARGIN_M = 50_000.0


@dataclass(frozen=True)
class MissionGeometry:
    """Metric geometry of a mission (metres in ``frame``)."""

    mission: Mission
    frame: LocalFrame
    route: LineString
    schedule: PatrolSchedule
    launch: Point
    rally: tuple[Point, ...]
    keep_in: Polygon | None
    keep_outs: tuple[tuple[str, Polygon], ...]
    border: LineString | None
    border_zone: BaseGeometry | None  # buffer ∪ far side
    forbidden: BaseGeometry  # keep-outs ∪ border zone (may be empty)
    extent: Polygon  # a box around everything, for maps and searches

    @classmethod
    def of(cls, mission: Mission) -> MissionGeometry:
        frame = LocalFrame.around(frame_points(mission))
        route = frame.line([p.as_tuple() for p in mission.patrol.route])
        schedule = PatrolSchedule.build(
            route,
            mission.patrol.leg_speeds_m_s,
            [(h.at_m, h.duration_s) for h in mission.patrol.halts],
        )
        launch = frame.point(*mission.launch.site.as_tuple())
        rally = tuple(frame.point(*p.as_tuple()) for p in mission.launch.rally)
        air = mission.airspace
        keep_in = frame.polygon([p.as_tuple() for p in air.keep_in]) if air.keep_in else None
        keep_outs = tuple(
            (k.name, frame.polygon([p.as_tuple() for p in k.polygon])) for k in air.keep_out
        )
        others = [
            frame.point(*p.as_tuple())
            for d in mission.extra_drones
            for p in (d.launch.site, *d.launch.rally)
        ]
        everything = unary_union([route, launch, *rally, *others, *(p for _, p in keep_outs)])
        if keep_in is not None:
            everything = everything.union(keep_in)
        minx, miny, maxx, maxy = everything.bounds
        pad = 2_000.0
        extent = box(minx - pad, miny - pad, maxx + pad, maxy + pad)
        border = border_zone = None
        if air.border is not None:
            border = frame.line([p.as_tuple() for p in air.border.line])
            border_zone = far_side_zone(border, air.border.buffer_m, launch, extent)
        forbidden = unary_union(
            [p for _, p in keep_outs] + ([border_zone] if border_zone is not None else [])
        )
        shapely.prepare(forbidden)
        return cls(
            mission=mission,
            frame=frame,
            route=route,
            schedule=schedule,
            launch=launch,
            rally=rally,
            keep_in=keep_in,
            keep_outs=keep_outs,
            border=border,
            border_zone=border_zone,
            forbidden=forbidden,
            extent=extent,
        )

    def for_drone(self, index: int) -> MissionGeometry:
        """The same geometry (same frame, same forbidden zone) seen by drone ``index``.

        Its ``mission`` is :meth:`Mission.as_drone`, and ``launch`` and ``rally``
        are that drone's; the far side of the border stays the one away from the
        first drone's launch site (the loader checks that every site is on our side).
        """
        if index == 0:
            return self
        mission = self.mission.as_drone(index)
        return replace(
            self,
            mission=mission,
            launch=self.frame.point(*mission.launch.site.as_tuple()),
            rally=tuple(self.frame.point(*p.as_tuple()) for p in mission.launch.rally),
        )

    def is_allowed(self, geom: BaseGeometry) -> bool:
        """True when ``geom`` (a point or a path, metres) stays where the drone may fly."""
        if self.keep_in is not None and not self.keep_in.covers(geom):
            return False
        return not bool(self.forbidden.intersects(geom))

    def allowed_mask(self, xy_m: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`is_allowed` for an (n, 2) array of points."""
        pts = shapely.points(xy_m)
        ok = ~shapely.intersects(self.forbidden, pts)
        if self.keep_in is not None:
            ok &= shapely.covers(self.keep_in, pts)
        return np.asarray(ok, dtype=bool)


def frame_points(mission: Mission) -> list[tuple[float, float]]:
    """The points whose bounding box centres the mission's local frame: the route, every
    drone's launch site and the keep-in (``(lat_deg, lon_deg)``)."""
    pts = [p.as_tuple() for p in mission.patrol.route]
    pts.extend(d.launch.site.as_tuple() for d in mission.drones)
    if mission.airspace.keep_in:
        pts.extend(p.as_tuple() for p in mission.airspace.keep_in)
    return pts


def far_side_zone(
    border: LineString, buffer_m: float, ours: Point, extent: Polygon
) -> BaseGeometry:
    """The border's buffer plus everything on the side of it away from ``ours``.

    The line is extended at both ends well past the mission's extent, so the
    far side is a closed region even when the border is drawn short.
    """
    reach = max(extent.bounds[2] - extent.bounds[0], extent.bounds[3] - extent.bounds[1])
    reach += _FAR_MARGIN_M
    coords = np.asarray(border.coords, dtype=float)
    head = coords[0] - _unit(coords[1] - coords[0]) * reach
    tail = coords[-1] + _unit(coords[-1] - coords[-2]) * reach
    extended = LineString(np.vstack([head, coords, tail]))
    left = extended.buffer(reach, single_sided=True)
    right = extended.buffer(-reach, single_sided=True)
    far = right if left.buffer(1e-6).contains(ours) else left
    return unary_union([border.buffer(buffer_m), far])


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.hypot(v[0], v[1]))
    return v / n if n > 0 else np.array([1.0, 0.0])
