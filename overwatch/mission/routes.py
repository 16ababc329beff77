"""Lines from files: a route or a border drawn in QGIS or recorded by a GPS.

Three formats, picked by the file's extension:

* GeoJSON (``.geojson``, ``.json``): a ``LineString`` or ``MultiLineString``
  geometry, a ``Feature`` holding one, or a ``FeatureCollection`` with exactly
  one such feature (point features beside it are ignored). Coordinates are
  ``[lon, lat]`` or ``[lon, lat, alt]`` (RFC 7946 order).
* KML (``.kml``): exactly one placemark with a ``<LineString>``, or with a
  ``<MultiGeometry>`` of them; ``<coordinates>`` are ``lon,lat[,alt]`` tuples
  separated by white space.
* GeoPackage (``.gpkg``, QGIS's default; needs the ``overwatch[gis]`` extra):
  exactly one ``LineString`` or ``MultiLineString`` feature in the layer
  (point features beside it are ignored), in any CRS with an EPSG code.
* GPX (``.gpx``): one track (``trk/trkseg/trkpt``; several segments are
  joined in order) or, without a track, one route (``rte/rtept``).

A multi-line (QGIS's usual export of a road) is one route when its parts join
end to end, in order: each part must start within :data:`JOIN_TOLERANCE_M`
of where the one before it ends. One that does not is refused, naming the
two parts, where each ends and starts, and the gap.

Every reader returns the points as ``(lat_deg, lon_deg)`` tuples — our
order — and raises :class:`~overwatch.errors.MissionError` naming the file.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from overwatch.errors import MissionError
from overwatch.geo import geodesic_distance_m
from overwatch.mission.gpkg import read_gpkg

LatLon = tuple[float, float]

#: how far apart (metres) the end of one part of a multi-line and the start of the next may be
JOIN_TOLERANCE_M = 10.0

EXTENSIONS = (".geojson", ".json", ".kml", ".gpkg", ".gpx")


def read_line_file(path: Path, field: str = "", layer: str | None = None) -> list[LatLon]:
    """The points of the one line in ``path`` (GeoJSON, KML, GeoPackage or GPX), ``(lat, lon)``."""
    if layer is not None and path.suffix.lower() != ".gpkg":
        raise MissionError(
            "'layer' applies to GeoPackage files only",
            file=str(path),
            field=field or None,
            expected="a .gpkg file, or no 'layer' key",
        )
    readers: dict[str, Callable[[Path, str], list[LatLon]]] = {
        ".geojson": read_geojson,
        ".json": read_geojson,
        ".kml": read_kml,
        ".gpkg": lambda p, f: read_gpkg_line(p, f, layer),
        ".gpx": read_gpx,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise MissionError(
            "unsupported line file type",
            file=str(path),
            field=field or None,
            found=repr(path.suffix or path.name),
            expected="a .geojson, .kml, .gpkg or .gpx file",
        )
    if not path.is_file():
        raise MissionError("line file not found", file=str(path), field=field or None)
    return reader(path, field)


# -- GeoJSON -------------------------------------------------------------------------


def read_geojson(path: Path, field: str = "") -> list[LatLon]:
    """The one LineString in a GeoJSON file, as ``(lat, lon)`` degrees."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MissionError(
            f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno, column=exc.colno
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionError(f"cannot read the file: {exc}", file=str(path)) from None

    def fail(found: str) -> MissionError:
        return MissionError(
            "not a line",
            file=str(path),
            field=field or None,
            found=found,
            expected="a GeoJSON LineString, a Feature with one, "
            "or a FeatureCollection with exactly one LineString",
        )

    geometries = _geojson_geometries(doc)
    if geometries is None:
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise fail(f"GeoJSON of type {found!r}")
    lines = [g for g in geometries if g.get("type") in ("LineString", "MultiLineString")]
    if len(lines) != 1:
        kinds = sorted({str(g.get("type")) for g in geometries}) or ["no geometry"]
        raise fail(f"{len(lines)} LineStrings among: {', '.join(kinds)}")
    coords = lines[0].get("coordinates")
    if not isinstance(coords, list):
        raise fail(f"a {lines[0].get('type')} without a coordinate list")
    if lines[0].get("type") == "LineString":
        return _geojson_points(coords, path, field)
    parts = []
    for k, part in enumerate(coords):
        if not isinstance(part, list):
            raise fail(f"part {k + 1} of the MultiLineString is not a coordinate list")
        parts.append(_geojson_points(part, path, field))
    return join_parts(parts, path, field)


def _geojson_points(coords: list[Any], path: Path, field: str) -> list[LatLon]:
    points: list[LatLon] = []
    for i, c in enumerate(coords):
        if (
            not isinstance(c, list)
            or len(c) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in c[:2])
        ):
            raise MissionError(
                "bad coordinate",
                file=str(path),
                field=f"{field}[{i}]" if field else None,
                found=json.dumps(c),
                expected="[lon, lat] or [lon, lat, alt] numbers (RFC 7946 order)",
            )
        points.append(_checked(float(c[1]), float(c[0]), path, field, i, "[lon, lat]"))
    return points


def join_parts(parts: list[list[LatLon]], path: Path, field: str = "") -> list[LatLon]:
    """The parts of a multi-line as one line, when each starts where the one before ends.

    A start within :data:`JOIN_TOLERANCE_M` of the previous end joins; the
    repeated point is dropped when it is the very same. Otherwise a located
    MissionError names both parts, their ends and the gap.
    """
    parts = [p for p in parts if p]
    if not parts:
        raise MissionError("the multi-line has no points", file=str(path), field=field or None)
    joined = list(parts[0])
    for k in range(1, len(parts)):
        end, start = joined[-1], parts[k][0]
        gap = geodesic_distance_m(end[0], end[1], start[0], start[1])
        if gap > JOIN_TOLERANCE_M:
            hint = ""
            last = parts[k][-1]
            if geodesic_distance_m(end[0], end[1], last[0], last[1]) <= JOIN_TOLERANCE_M:
                hint = f"; part {k + 1} is drawn backwards (QGIS: Reverse Line Direction)"
            raise MissionError(
                f"the parts of the multi-line do not join: part {k} ends at lat "
                f"{end[0]:.6f}, lon {end[1]:.6f}, part {k + 1} starts at lat {start[0]:.6f}, "
                f"lon {start[1]:.6f}, {gap:.0f} m away{hint}",
                file=str(path),
                field=field or None,
                found=f"a gap of {gap:.1f} m between parts {k} and {k + 1} of {len(parts)}",
                expected=f"each part to start within {JOIN_TOLERANCE_M:g} m of where the part "
                "before it ends (QGIS: snap the ends, or Merge Lines)",
            )
        joined.extend(parts[k][1:] if start == end else parts[k])
    return joined


def _geojson_geometries(doc: Any) -> list[dict[str, Any]] | None:
    if not isinstance(doc, dict):
        return None
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            return None
        inner = [f.get("geometry") for f in features if isinstance(f, dict)]
        return [g for g in inner if isinstance(g, dict)]
    if kind == "Feature":
        geometry = doc.get("geometry")
        return [geometry] if isinstance(geometry, dict) else []
    if kind == "GeometryCollection":
        found = doc.get("geometries")
        return [g for g in found if isinstance(g, dict)] if isinstance(found, list) else None
    if isinstance(kind, str):
        return [doc]
    return None


# -- GeoPackage ----------------------------------------------------------------------


def read_gpkg_line(path: Path, field: str = "", layer: str | None = None) -> list[LatLon]:
    """The one line (or joined multi-line) feature of a GeoPackage layer, as ``(lat, lon)``."""
    features = read_gpkg(path, field, layer)
    kinds = [("" if f.geometry is None else str(f.geometry.geom_type)) for f in features]
    lines = [f for f, k in zip(features, kinds, strict=True) if k in _LINE_KINDS]
    if len(lines) != 1:
        present = sorted({k or "no geometry" for k in kinds}) or ["no feature"]
        raise MissionError(
            "not a line",
            file=str(path),
            field=field or None,
            found=f"{len(lines)} line features among: {', '.join(present)}",
            expected="a layer with exactly one LineString or MultiLineString feature",
        )
    geometry = lines[0].geometry
    parts = [geometry] if geometry.geom_type == "LineString" else list(geometry.geoms)
    checked = [
        [_checked(float(y), float(x), path, field, i, "lon/lat") for i, (x, y) in
         enumerate(part.coords)]
        for part in parts
    ]  # fmt: skip
    return checked[0] if len(checked) == 1 else join_parts(checked, path, field)


_LINE_KINDS = ("LineString", "MultiLineString")


# -- KML and GPX ---------------------------------------------------------------------


def _parse_xml(path: Path) -> ET.Element:
    """The root of a KML/GPX file, parsed with defusedxml: a file from elsewhere may
    not expand entities or reach for external ones."""
    try:
        root: ET.Element = SafeET.parse(path, forbid_dtd=False).getroot()
        return root
    except ET.ParseError as exc:
        line, column = exc.position
        raise MissionError(
            f"invalid XML: {exc}", file=str(path), line=line, column=column + 1
        ) from None
    except OSError as exc:
        raise MissionError(f"cannot read the file: {exc}", file=str(path)) from None
    except (SafeET.EntitiesForbidden, SafeET.ExternalReferenceForbidden):
        raise MissionError("the XML declares entities, which are refused", file=str(path)) from None
    except Exception as exc:  # expat and its codecs (an unknown encoding, …)
        raise MissionError(
            f"the file cannot be read as XML: {exc}", file=str(path), expected="UTF-8 XML"
        ) from None


def _local(tag: str) -> str:
    """An element's tag without its namespace (``{ns}LineString`` → ``LineString``)."""
    return tag.rsplit("}", 1)[-1]


def _find_all(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) == name]


def read_kml(path: Path, field: str = "") -> list[LatLon]:
    """The one line (or joined multi-line) placemark of a KML file, as ``(lat, lon)`` degrees."""
    root = _parse_xml(path)
    holders = [e for e in root.iter() if _local(e.tag) == "Placemark"] or [root]
    with_lines = [(h, _find_all(h, "LineString")) for h in holders]
    with_lines = [(h, lines) for h, lines in with_lines if lines]
    if len(with_lines) != 1:
        shapes = ("Point", "Polygon", "LineString", "LinearRing", "Track")
        present = sorted({_local(e.tag) for e in root.iter() if _local(e.tag) in shapes})
        count = sum(len(lines) for _, lines in with_lines)
        raise MissionError(
            "not a line",
            file=str(path),
            field=field or None,
            found=f"{count} LineStrings"
            + (f" in {len(with_lines)} placemarks" if with_lines else "")
            + f" (shapes present: {', '.join(present) or 'none'})",
            expected="a KML file with exactly one placemark holding a <LineString> "
            "(or a <MultiGeometry> of them)",
        )
    parts = [_kml_line(line, path, field) for line in with_lines[0][1]]
    return parts[0] if len(parts) == 1 else join_parts(parts, path, field)


def _kml_line(line: ET.Element, path: Path, field: str) -> list[LatLon]:
    coordinates = _find_all(line, "coordinates")
    text = coordinates[0].text if coordinates else None
    points: list[LatLon] = []
    for i, token in enumerate((text or "").split()):
        parts = token.split(",")
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            raise MissionError(
                "bad coordinate",
                file=str(path),
                field=f"{field}[{i}]" if field else None,
                found=repr(token),
                expected="'lon,lat' or 'lon,lat,alt' (KML order)",
            ) from None
        points.append(_checked(lat, lon, path, field, i, "lon,lat"))
    return points


def read_gpx(path: Path, field: str = "") -> list[LatLon]:
    """The points of the one track (or else route) of a GPX file, as ``(lat, lon)`` degrees."""
    root = _parse_xml(path)
    tracks = _find_all(root, "trk")
    routes = _find_all(root, "rte")
    if len(tracks) == 1:
        elements = _find_all(tracks[0], "trkpt")
    elif not tracks and len(routes) == 1:
        elements = _find_all(routes[0], "rtept")
    else:
        raise MissionError(
            "not a line",
            file=str(path),
            field=field or None,
            found=f"{len(tracks)} tracks and {len(routes)} routes",
            expected="a GPX file with one <trk> (trkseg/trkpt) or one <rte> (rtept)",
        )
    points: list[LatLon] = []
    for i, element in enumerate(elements):
        try:
            lat, lon = float(element.attrib["lat"]), float(element.attrib["lon"])
        except (KeyError, ValueError):
            raise MissionError(
                "bad track point",
                file=str(path),
                field=f"{field}[{i}]" if field else None,
                found=repr(dict(element.attrib)),
                expected="lat and lon attributes in degrees",
            ) from None
        points.append(_checked(lat, lon, path, field, i, "lat/lon attributes"))
    return points


def _checked(lat: float, lon: float, path: Path, field: str, i: int, order: str) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise MissionError(
            "coordinate out of range",
            file=str(path),
            field=f"{field}[{i}]" if field else None,
            found=f"lat {lat:g}, lon {lon:g}",
            expected=f"latitude in [-90, 90] and longitude in [-180, 180] ({order})",
        )
    return (lat, lon)
