"""Geofence items grouped into shapes, and back.

ArduPilot (MAVLink mission type FENCE) sends a fence as a flat list of items:
polygon vertices (``NAV_FENCE_POLYGON_VERTEX_INCLUSION``/``_EXCLUSION``,
``param1`` = the polygon's vertex count), circles (``param1`` = radius in
metres) and at most one return point. File formats such as QGroundControl's
``.plan`` store shapes instead; this module converts between the two.
Positions are WGS84 degrees ``(lat_deg, lon_deg)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from overwatch.errors import FormatError
from overwatch.items import Cmd, Frame, MissionItem, MissionType

LatLon = tuple[float, float]

_POLYGON_CMDS: dict[int, bool] = {
    Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION: True,
    Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION: False,
}
_CIRCLE_CMDS: dict[int, bool] = {
    Cmd.NAV_FENCE_CIRCLE_INCLUSION: True,
    Cmd.NAV_FENCE_CIRCLE_EXCLUSION: False,
}


@dataclass(frozen=True)
class FencePolygon:
    """A fence polygon: the drone must stay inside (``inclusion``) or outside it."""

    inclusion: bool
    vertices: tuple[LatLon, ...]


@dataclass(frozen=True)
class FenceCircle:
    """A fence circle of ``radius_m`` metres around ``center`` (lat_deg, lon_deg)."""

    inclusion: bool
    center: LatLon
    radius_m: float


@dataclass(frozen=True)
class Fence:
    """A whole fence; ``return_point`` is ``(lat_deg, lon_deg, alt_rel_m)`` or None."""

    polygons: tuple[FencePolygon, ...] = ()
    circles: tuple[FenceCircle, ...] = ()
    return_point: tuple[float, float, float] | None = None


def fence_from_items(items: Sequence[MissionItem], *, source: str = "fence items") -> Fence:
    """Group a flat fence item list into shapes.

    Raises :class:`FormatError` naming ``source`` and the item when a polygon's
    vertex count is wrong or an item is not a fence command.
    """
    polygons: list[FencePolygon] = []
    circles: list[FenceCircle] = []
    return_point: tuple[float, float, float] | None = None
    i = 0
    while i < len(items):
        item = items[i]
        cmd = item.command
        if cmd in _POLYGON_CMDS:
            count = round(item.param1)
            if count < 3:
                raise FormatError(
                    f"{source}[{i}]: polygon vertex count (param1) is {item.param1:g}; "
                    "expected 3 or more"
                )
            group = items[i : i + count]
            if len(group) < count or any(
                g.command != cmd or round(g.param1) != count for g in group
            ):
                raise FormatError(
                    f"{source}[{i}]: polygon of {count} vertices is not followed by "
                    f"{count - 1} more vertices of the same kind"
                )
            polygons.append(
                FencePolygon(_POLYGON_CMDS[cmd], tuple((g.lat_deg, g.lon_deg) for g in group))
            )
            i += count
            continue
        if cmd in _CIRCLE_CMDS:
            if not item.param1 > 0:
                raise FormatError(
                    f"{source}[{i}]: circle radius (param1) is {item.param1:g}; expected > 0 m"
                )
            circles.append(
                FenceCircle(_CIRCLE_CMDS[cmd], (item.lat_deg, item.lon_deg), item.param1)
            )
        elif cmd == Cmd.NAV_FENCE_RETURN_POINT:
            return_point = (item.lat_deg, item.lon_deg, item.alt_m)
        else:
            raise FormatError(
                f"{source}[{i}]: command {cmd} is not a fence command "
                "(expected 5000-5004, NAV_FENCE_*)"
            )
        i += 1
    return Fence(tuple(polygons), tuple(circles), return_point)


def fence_to_items(fence: Fence) -> tuple[MissionItem, ...]:
    """The flat FENCE item list for ``fence``: return point, polygons, then circles.

    Vertices and circles use ``Frame.GLOBAL`` with altitude 0 (ArduPilot ignores it);
    the return point uses ``Frame.GLOBAL_RELATIVE_ALT``.
    """
    out: list[MissionItem] = []
    if fence.return_point is not None:
        lat, lon, alt = fence.return_point
        out.append(
            MissionItem(
                command=Cmd.NAV_FENCE_RETURN_POINT,
                frame=Frame.GLOBAL_RELATIVE_ALT,
                lat_deg=lat,
                lon_deg=lon,
                alt_m=alt,
                mission_type=MissionType.FENCE,
            )
        )
    for poly in fence.polygons:
        cmd = (
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION
            if poly.inclusion
            else Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
        )
        out.extend(
            MissionItem(
                command=cmd,
                frame=Frame.GLOBAL,
                param1=float(len(poly.vertices)),
                lat_deg=lat,
                lon_deg=lon,
                mission_type=MissionType.FENCE,
            )
            for lat, lon in poly.vertices
        )
    for circle in fence.circles:
        cmd = Cmd.NAV_FENCE_CIRCLE_INCLUSION if circle.inclusion else Cmd.NAV_FENCE_CIRCLE_EXCLUSION
        out.append(
            MissionItem(
                command=cmd,
                frame=Frame.GLOBAL,
                param1=circle.radius_m,
                lat_deg=circle.center[0],
                lon_deg=circle.center[1],
                mission_type=MissionType.FENCE,
            )
        )
    return tuple(out)


def signed_area_deg2(vertices: Iterable[LatLon]) -> float:
    """Shoelace area in lon/lat degrees²: positive for a counter-clockwise ring.

    Only its sign is meaningful (the degrees are not scaled to metres); fine for
    fences far from the poles and the antimeridian.
    """
    pts = list(vertices)
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(pts, pts[1:] + pts[:1], strict=True):
        total += lon1 * lat2 - lon2 * lat1
    return total / 2.0


def clockwise(vertices: Sequence[LatLon]) -> tuple[LatLon, ...]:
    """The ring with clockwise winding (seen on a north-up map), first vertex kept."""
    if signed_area_deg2(vertices) > 0:
        return (vertices[0], *reversed(vertices[1:]))
    return tuple(vertices)
