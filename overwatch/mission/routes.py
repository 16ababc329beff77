"""Lines from files: a route or a border drawn in QGIS or recorded by a GPS.

Three formats, picked by the file's extension:

* GeoJSON (``.geojson``, ``.json``): a ``LineString`` geometry, a ``Feature``
  holding one, or a ``FeatureCollection`` with exactly one ``LineString``
  feature (point features beside it are ignored). Coordinates are
  ``[lon, lat]`` or ``[lon, lat, alt]`` (RFC 7946 order).
* KML (``.kml``): exactly one ``<LineString>``; its ``<coordinates>`` are
  ``lon,lat[,alt]`` tuples separated by white space.
* GPX (``.gpx``): one track (``trk/trkseg/trkpt``; several segments are
  joined in order) or, without a track, one route (``rte/rtept``).

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

LatLon = tuple[float, float]

EXTENSIONS = (".geojson", ".json", ".kml", ".gpx")


def read_line_file(path: Path, field: str = "") -> list[LatLon]:
    """The points of the one line in ``path`` (GeoJSON, KML or GPX), as ``(lat, lon)`` degrees."""
    readers: dict[str, Callable[[Path, str], list[LatLon]]] = {
        ".geojson": read_geojson,
        ".json": read_geojson,
        ".kml": read_kml,
        ".gpx": read_gpx,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise MissionError(
            "unsupported line file type",
            file=str(path),
            field=field or None,
            found=repr(path.suffix or path.name),
            expected="a .geojson, .kml or .gpx file",
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
    lines = [g for g in geometries if g.get("type") == "LineString"]
    if len(lines) != 1:
        kinds = sorted({str(g.get("type")) for g in geometries}) or ["no geometry"]
        raise fail(f"{len(lines)} LineStrings among: {', '.join(kinds)}")
    coords = lines[0].get("coordinates")
    if not isinstance(coords, list):
        raise fail("a LineString without a coordinate list")
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
    """The one ``<LineString>`` of a KML file, as ``(lat, lon)`` degrees."""
    root = _parse_xml(path)
    lines = _find_all(root, "LineString")
    if len(lines) != 1:
        shapes = ("Point", "Polygon", "LineString", "LinearRing", "Track")
        present = sorted({_local(e.tag) for e in root.iter() if _local(e.tag) in shapes})
        raise MissionError(
            "not a line",
            file=str(path),
            field=field or None,
            found=f"{len(lines)} LineStrings (shapes present: {', '.join(present) or 'none'})",
            expected="a KML file with exactly one <LineString>",
        )
    coordinates = _find_all(lines[0], "coordinates")
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
