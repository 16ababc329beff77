"""ArduPilot mission, fence and rally items for a plan (WGS84 degrees, metres above home).

Mission (one per sortie): the home placeholder at seq 0, ``NAV_TAKEOFF``,
``DO_CHANGE_SPEED``, the flight path simplified by Douglas–Peucker into
``NAV_WAYPOINT``s (with a speed change wherever the leg speed changes), a
``DO_SET_ROI_LOCATION`` on the road ahead whenever the aim point moves on,
``NAV_LOITER_TIME`` where the drone waits (halts), and ``NAV_RETURN_TO_LAUNCH``
when it lands where it took off, else ``NAV_LAND`` at the landing point.

Fence: the keep-in as an inclusion polygon, each keep-out and the border zone
(clipped to the mission's extent, simplified outward to a modest vertex count)
as exclusion polygons; ``param1`` of every vertex is its polygon's vertex
count, as ArduPilot expects through the mission protocol. Rally: one
``NAV_RALLY_POINT`` per rally point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from overwatch.items import Cmd, Frame, MissionItem, MissionType, home_placeholder, rally_point
from overwatch.mission import MissionGeometry
from overwatch.planning.flight import Flight, SortieLeg
from overwatch.planning.model import BoolArray, FloatArray, IntArray

#: Douglas–Peucker tolerance for waypoints, metres
WAYPOINT_TOLERANCE_M = 10.0
#: a stop at least this long becomes a NAV_LOITER_TIME, seconds
MIN_LOITER_S = 10.0
#: a new ROI is set when the aim point has moved this far, metres
ROI_STEP_M = 100.0
#: a new speed is set when the leg speed differs by this much, m/s
SPEED_STEP_M_S = 1.0
#: fence polygons are simplified to at most this many vertices
MAX_FENCE_VERTICES = 40


@dataclass(frozen=True)
class FencePolygon:
    """A fence polygon in local metres: ``inclusion`` (keep-in) or exclusion."""

    name: str
    polygon: Polygon
    inclusion: bool

    @property
    def vertex_count(self) -> int:
        return len(self.polygon.exterior.coords) - 1


def fence_polygons(geometry: MissionGeometry) -> tuple[FencePolygon, ...]:
    """The polygons the fence is made of, in the order the items list them."""
    out: list[FencePolygon] = []
    if geometry.keep_in is not None:
        out.append(FencePolygon("keep-in", _simplified(geometry.keep_in, outward=False), True))
    for name, poly in geometry.keep_outs:
        out.append(FencePolygon(name, _simplified(poly, outward=True), False))
    if geometry.border_zone is not None:
        clipped = geometry.border_zone.intersection(geometry.extent)
        name = (
            geometry.mission.airspace.border.name if geometry.mission.airspace.border else "border"
        )
        for i, piece in enumerate(_polygons(clipped)):
            out.append(
                FencePolygon(f"{name} zone {i + 1}", _simplified(piece, outward=True), False)
            )
    return tuple(out)


def fence_items(geometry: MissionGeometry) -> tuple[MissionItem, ...]:
    """FENCE items for ``geometry``'s keep-in, keep-outs and border zone."""
    items: list[MissionItem] = []
    for fp in fence_polygons(geometry):
        cmd = (
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION
            if fp.inclusion
            else Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
        )
        coords = np.asarray(fp.polygon.exterior.coords, dtype=float)[:-1]
        lat, lon = geometry.frame.to_wgs84(coords[:, 0], coords[:, 1])
        for a, o in zip(lat, lon, strict=True):
            items.append(
                MissionItem(
                    command=cmd,
                    frame=Frame.GLOBAL,
                    param1=float(len(coords)),
                    lat_deg=float(a),
                    lon_deg=float(o),
                    mission_type=MissionType.FENCE,
                )
            )
    return tuple(items)


def rally_items(geometry: MissionGeometry, alt_rel_m: float) -> tuple[MissionItem, ...]:
    """RALLY items, one per rally point, at ``alt_rel_m`` above home."""
    return tuple(
        rally_point(*geometry.frame.to_wgs84(float(p.x), float(p.y)), alt_rel_m)
        for p in geometry.rally
    )


def sortie_items(
    flight: Flight,
    leg: SortieLeg,
    geometry: MissionGeometry,
    flight_alt_m: float,
    cruise_m_s: float,
    legs_clear: Callable[[FloatArray], BoolArray],
) -> tuple[MissionItem, ...]:
    """The ArduPilot mission for one sortie of ``flight``.

    ``legs_clear`` tells, for a polyline (n, 2) in metres, which of its legs
    stay in allowed airspace; the simplified waypoints are refined until every
    leg between them does.
    """
    frame = geometry.frame
    traj = flight.trajectory
    rows = np.arange(leg.first, leg.last)
    level = rows[traj.alt_rel_m[rows] >= flight_alt_m - 1e-6]
    home_lat, home_lon = frame.to_wgs84(*leg.takeoff_xy_m)
    items: list[MissionItem] = [
        home_placeholder(home_lat, home_lon, geometry.mission.launch.alt_msl_m),
        MissionItem(
            Cmd.NAV_TAKEOFF,
            Frame.GLOBAL_RELATIVE_ALT,
            lat_deg=home_lat,
            lon_deg=home_lon,
            alt_m=flight_alt_m,
        ),
        _speed(cruise_m_s),
    ]
    speed_now = cruise_m_s
    roi: tuple[float, float] | None = None
    xy = np.column_stack([traj.x_m[level], traj.y_m[level]])
    t = traj.t_s[level]
    here = leg.takeoff_xy_m  # where the vehicle is when the next item starts
    for kind, start, stop in _pieces(
        xy, traj.t_s[level][1] - traj.t_s[level][0] if len(level) > 1 else 1.0
    ):
        if kind == "wait":
            lat, lon = frame.to_wgs84(float(xy[start, 0]), float(xy[start, 1]))
            aim = flight.aim_xy_m[level[start]]
            roi = _maybe_roi(items, frame, roi, aim, force=True)
            here = _pair(xy[start])
            items.append(
                MissionItem(
                    Cmd.NAV_LOITER_TIME,
                    Frame.GLOBAL_RELATIVE_ALT,
                    param1=float(round(t[stop - 1] - t[start])),
                    lat_deg=lat,
                    lon_deg=lon,
                    alt_m=flight_alt_m,
                )
            )
            continue
        keep = start + _clear_simplification(xy[start:stop], legs_clear)
        prev = None
        for i in keep:
            if prev is None and math.dist(_pair(xy[i]), here) < 0.5:
                prev = i  # already there (take-off point or end of a wait)
                continue
            if prev is not None and t[i] > t[prev]:
                speed = float(np.hypot(*(xy[i] - xy[prev]))) / float(t[i] - t[prev])
                if speed > 0.5 and abs(speed - speed_now) >= SPEED_STEP_M_S:
                    # the speed item must come before the waypoint it applies to
                    items.append(_speed(speed))
                    speed_now = speed
            roi = _maybe_roi(items, frame, roi, flight.aim_xy_m[level[i]], force=False)
            lat, lon = frame.to_wgs84(float(xy[i, 0]), float(xy[i, 1]))
            items.append(
                MissionItem(
                    Cmd.NAV_WAYPOINT,
                    Frame.GLOBAL_RELATIVE_ALT,
                    lat_deg=lat,
                    lon_deg=lon,
                    alt_m=flight_alt_m,
                )
            )
            prev = i
            here = _pair(xy[i])
        if len(keep):
            here = _pair(xy[keep[-1]])
    if leg.lands_at_takeoff:
        items.append(MissionItem(Cmd.NAV_RETURN_TO_LAUNCH, Frame.MISSION))
    else:
        lat, lon = frame.to_wgs84(*leg.landing_xy_m)
        items.append(
            MissionItem(
                Cmd.NAV_LAND, Frame.GLOBAL_RELATIVE_ALT, lat_deg=lat, lon_deg=lon, alt_m=0.0
            )
        )
    return tuple(items)


def douglas_peucker(xy: FloatArray, tolerance_m: float) -> IntArray:
    """Indices of the points of polyline ``xy`` (n, 2) kept by Douglas–Peucker; ends always kept."""
    n = len(xy)
    if n <= 2:
        return np.arange(n, dtype=np.int64)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = xy[b] - xy[a]
        pts = xy[a + 1 : b] - xy[a]
        length = float(np.hypot(*seg))
        if length < 1e-9:
            dist = np.hypot(pts[:, 0], pts[:, 1])
        else:
            dist = np.abs(seg[0] * pts[:, 1] - seg[1] * pts[:, 0]) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance_m:
            m = a + 1 + i
            keep[m] = True
            stack.append((a, m))
            stack.append((m, b))
    return np.flatnonzero(keep).astype(np.int64)


def _clear_simplification(
    xy: FloatArray, legs_clear: Callable[[FloatArray], BoolArray]
) -> IntArray:
    """Douglas–Peucker indices of ``xy``, refined back to every point where a leg is not clear."""
    keep = douglas_peucker(xy, WAYPOINT_TOLERANCE_M)
    if len(keep) < 2:
        return keep
    ok = legs_clear(xy[keep])
    if ok.all():
        return keep
    parts = [keep[:1]]
    for a, b, fine in zip(keep[:-1], keep[1:], ok, strict=True):
        parts.append(
            np.array([b], dtype=np.int64) if fine else np.arange(a + 1, b + 1, dtype=np.int64)
        )
    return np.concatenate(parts)


def _pieces(xy: FloatArray, step_s: float) -> list[tuple[str, int, int]]:
    """Split a level path into ("move", start, stop) and ("wait", start, stop) index ranges."""
    n = len(xy)
    if n == 0:
        return []
    still = np.concatenate([[False], np.hypot(*np.diff(xy, axis=0).T) < 0.2])
    out: list[tuple[str, int, int]] = []
    min_steps = max(2, math.ceil(MIN_LOITER_S / step_s))
    i = 0
    move_start = 0
    while i < n:
        if still[i]:
            j = i
            while j < n and still[j]:
                j += 1
            if j - i + 1 >= min_steps:
                if i - 1 > move_start:
                    out.append(("move", move_start, i))
                out.append(("wait", i - 1, j))
                move_start = j - 1
            i = j
        else:
            i += 1
    if n > move_start:
        out.append(("move", move_start, n))
    return out


def _pair(a: FloatArray) -> tuple[float, float]:
    return (float(a[0]), float(a[1]))


def _speed(speed_m_s: float) -> MissionItem:
    return MissionItem(
        Cmd.DO_CHANGE_SPEED, Frame.MISSION, param1=1.0, param2=round(speed_m_s, 2), param3=-1.0
    )


def _maybe_roi(
    items: list[MissionItem],
    frame: object,
    last: tuple[float, float] | None,
    aim: FloatArray,
    *,
    force: bool,
) -> tuple[float, float]:
    here = (float(aim[0]), float(aim[1]))
    if not force and last is not None and math.dist(last, here) < ROI_STEP_M:
        return last
    lat, lon = frame.to_wgs84(*here)  # type: ignore[attr-defined]
    items.append(
        MissionItem(
            Cmd.DO_SET_ROI_LOCATION, Frame.GLOBAL_RELATIVE_ALT, lat_deg=lat, lon_deg=lon, alt_m=0.0
        )
    )
    return here


def _polygons(geom: BaseGeometry) -> Sequence[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and g.area > 1.0]


def _simplified(poly: Polygon, *, outward: bool) -> Polygon:
    """``poly`` cut to ``MAX_FENCE_VERTICES`` vertices, grown (outward) or shrunk to stay safe."""
    if len(poly.exterior.coords) - 1 <= MAX_FENCE_VERTICES:
        return Polygon(poly.exterior.coords)
    tol = 5.0
    while True:
        grown = poly.buffer(tol if outward else -tol, join_style="mitre")
        pieces = _polygons(grown)
        if pieces:
            piece = max(pieces, key=lambda p: p.area)
            simple = piece.simplify(tol, preserve_topology=True)
            if (
                isinstance(simple, Polygon)
                and len(simple.exterior.coords) - 1 <= MAX_FENCE_VERTICES
            ):
                return Polygon(simple.exterior.coords)
        tol *= 2.0
        if tol > 1e6:
            return Polygon(poly.minimum_rotated_rectangle.exterior.coords)
