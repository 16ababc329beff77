"""Points, lines and polygons as mission files write them, read with their locations.

A point is ``{lat: 13.52, lon: 1.07}`` or a pair ``[13.52, 1.07]`` —
always latitude first (unlike GeoJSON). A line is a list of points or
``{file: routes/road.geojson}`` (relative to the mission file; see
:mod:`overwatch.mission.routes`), optionally ``reverse: true`` and, for a
GeoPackage of several layers, ``layer: NAME``. A polygon
is a list of at least three points; closing it (repeating the first point)
is optional. Polygons must be simple: the error says where edges cross.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import LineString

from overwatch.errors import AlreadyReported, MissionError
from overwatch.geo import LocalFrame
from overwatch.mission.model import GeoPoint
from overwatch.mission.nodes import Field, raise_all
from overwatch.mission.routes import EXTENSIONS, read_line_file

POINT_EXPECTED = "a point {lat: 13.52, lon: 1.07} or a pair [lat, lon] in degrees"


def read_point(f: Field) -> GeoPoint:
    """A WGS84 point from ``{lat, lon}`` or ``[lat, lon]``; ranges are checked."""
    if f.is_mapping:
        section = f.mapping(("lat", "lon"), required=("lat", "lon"))
        lat_f, lon_f = section["lat"], section["lon"]
    elif f.is_sequence and len(f.items()) == 2:
        lat_f, lon_f = f.items()
    else:
        raise f.wrong(POINT_EXPECTED, "not a point")
    lat, lon = lat_f.number(), lon_f.number()
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        hint = ""
        if -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0 and f.is_sequence:
            hint = " — pairs are [lat, lon]; did you write [lon, lat]?"
        raise lat_f.error(
            f"latitude out of range{hint}", found=f"{lat:g}", expected="degrees in [-90, 90]"
        )
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise lon_f.error(
            "longitude out of range", found=f"{lon:g}", expected="degrees in [-180, 180]"
        )
    return GeoPoint(lat, lon)


def read_points(f: Field) -> tuple[GeoPoint, ...]:
    """Every point of a list; a bad point does not hide the bad points after it."""
    points: list[GeoPoint] = []
    errors: list[MissionError] = []
    reported = False
    for item in f.items():
        try:
            points.append(read_point(item))
        except MissionError as exc:
            errors.append(exc)
        except AlreadyReported:
            reported = True
    raise_all(errors)
    if reported:
        raise AlreadyReported
    return tuple(points)


@dataclass(frozen=True)
class Line:
    """A line read from the mission file or from a file it names."""

    points: tuple[GeoPoint, ...]
    field: Field  # where the line is given (the list, or the {file: ...} mapping)
    source: Path | None  # the line file, when the line came from one

    def where(self, index: int) -> str:
        """How to name point ``index`` of the line in a message."""
        if self.source is None:
            return f"{self.field.path}[{index}]"
        return f"{self.field.path}[{index}] (point {index} of {self.source.name})"


def read_line(f: Field, base_dir: Path, min_points: int = 2) -> Line:
    """A line: an inline list of points or ``{file: path, reverse: bool}``."""
    source: Path | None = None
    if f.is_mapping:
        section = f.mapping(("file", "reverse", "layer"), required=("file",))
        file_f = section["file"]
        name = file_f.text()
        source = (base_dir / name).resolve()
        if source.suffix.lower() not in EXTENSIONS:
            raise file_f.wrong("a .geojson, .kml, .gpkg or .gpx file", "unsupported line file type")
        if not source.is_file():
            raise file_f.error(
                "line file not found", found=str(source), expected="an existing file"
            )
        layer_f = section.get("layer")
        pairs = read_line_file(source, f.path, layer_f.text() if layer_f else None)
        points = tuple(GeoPoint(lat, lon) for lat, lon in pairs)
        reverse = section.get("reverse")
        if reverse is not None and reverse.boolean():
            points = points[::-1]
    elif f.is_sequence:
        points = read_points(f)
    else:
        raise f.wrong("a list of points, or {file: path.geojson|.kml|.gpkg|.gpx}", "not a line")
    if len(points) < min_points:
        where = f" in {source.name}" if source else ""
        raise f.error(
            f"a line needs at least {min_points} points",
            found=f"{len(points)} point(s){where}",
            expected=f"{min_points} or more points",
        )
    return Line(points, f, source)


def read_polygon(f: Field) -> tuple[GeoPoint, ...]:
    """A simple polygon (at least three corners; the closing point is optional)."""
    points = list(read_points(f))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len({p.as_tuple() for p in points}) < 3:
        raise f.error(
            "a polygon needs at least three distinct corners",
            found=f"{len(points)} corner(s)",
            expected="a list of 3 or more points",
        )
    crossing = self_intersection(points)
    if crossing is not None:
        i, j, where = crossing
        raise f.error(
            f"the polygon intersects itself: edge {i}→{_next(i, len(points))} crosses "
            f"edge {j}→{_next(j, len(points))} at lat {where.lat_deg:.6f}, "
            f"lon {where.lon_deg:.6f}",
            expected="a simple polygon whose edges do not cross",
        )
    return tuple(points)


def _next(i: int, n: int) -> int:
    return (i + 1) % n


def self_intersection(points: list[GeoPoint]) -> tuple[int, int, GeoPoint] | None:
    """The first pair of crossing edges of a closed ring and where they cross, or ``None``.

    Edge ``i`` joins corner ``i`` to corner ``i + 1`` (the last edge closes the ring).
    """
    frame = LocalFrame.around(p.as_tuple() for p in points)
    xy = [frame.to_local(p.lat_deg, p.lon_deg) for p in points]
    n = len(xy)
    edges = [LineString([xy[i], xy[(i + 1) % n]]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            adjacent = j == i + 1 or (i == 0 and j == n - 1)
            hit = edges[i].intersection(edges[j])
            if hit.is_empty:
                continue
            if adjacent and hit.geom_type == "Point":
                continue  # neighbours share their corner
            point = hit.representative_point()
            lat, lon = frame.to_wgs84(float(point.x), float(point.y))
            return i, j, GeoPoint(lat, lon)
    return None
