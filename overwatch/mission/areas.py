"""Areas from files: keep-in and keep-out polygons drawn as QGIS layers.

Three formats, picked by the file's extension:

* GeoJSON (``.geojson``, ``.json``): a ``FeatureCollection`` (or one
  ``Feature``, or a bare geometry) of ``Polygon`` and ``MultiPolygon``
  features; coordinates ``[lon, lat]`` (RFC 7946, WGS84).
* KML (``.kml``): every ``<Placemark>`` with a ``<Polygon>`` or a
  ``<MultiGeometry>`` of polygons; the name is the placemark's ``<name>``,
  other attributes come from ``<ExtendedData>``.
* GeoPackage (``.gpkg``, what QGIS saves by default): read through GDAL with
  ``pyogrio`` (the ``overwatch[gis]`` extra), in any CRS with an EPSG code —
  coordinates are projected to WGS84 here.

Every feature must be a polygon or a multipolygon: a point or a line in an
area layer is an error, never silently dropped. A multipolygon gives one area
per part. Each ring must have three distinct corners and must not cross
itself. Errors name the file and the feature (its number and line, or its
GeoPackage fid, and its name).
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from overwatch.errors import MissionError
from overwatch.mission.gpkg import read_gpkg
from overwatch.mission.model import GeoPoint
from overwatch.mission.nodes import raise_all
from overwatch.mission.shapes import self_intersection

AREA_EXTENSIONS = (".geojson", ".json", ".kml", ".gpkg")

#: an outer ring and its holes, each a list of (lon, lat) pairs as files write them
RawPolygon = list[list[tuple[float, float]]]


@dataclass(frozen=True)
class Area:
    """One polygon read from an area file, in WGS84 degrees."""

    name: str
    exterior: tuple[GeoPoint, ...]
    holes: tuple[tuple[GeoPoint, ...], ...]
    where: str  # "feature 2 'Camp' (part 1 of 2) of zones.gpkg"


@dataclass(frozen=True)
class _Feature:
    label: str  # "feature 2", "feature fid=7", "feature 2 (line 14)"
    line: int | None
    attributes: dict[str, Any]
    geometry_type: str
    polygons: list[RawPolygon]


def read_area_file(
    path: Path, field: str = "", *, layer: str | None = None, name_field: str | None = None
) -> list[Area]:
    """The polygons of an area file; raise a located MissionError for anything wrong."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        features = _geojson_features(path, field)
    elif suffix == ".kml":
        features = _kml_features(path, field)
    elif suffix == ".gpkg":
        features = _gpkg_features(path, field, layer)
    else:
        raise MissionError(
            "unsupported area file type",
            file=str(path),
            field=field or None,
            found=repr(path.suffix or path.name),
            expected="a " + ", ".join(AREA_EXTENSIONS) + " file",
        )
    if layer is not None and suffix != ".gpkg":
        raise MissionError(
            "'layer' applies to GeoPackage files only",
            file=str(path),
            field=field or None,
            expected="a .gpkg file, or no 'layer' key",
        )
    areas: list[Area] = []
    errors: list[MissionError] = []
    for feature in features:
        try:
            areas.extend(_areas_of(feature, path, field, name_field))
        except MissionError as exc:
            errors.append(exc)
    raise_all(errors)
    if not areas:
        raise MissionError(
            "the area file holds no polygon",
            file=str(path),
            field=field or None,
            expected="Polygon or MultiPolygon features",
        )
    return areas


def _areas_of(feature: _Feature, path: Path, field: str, name_field: str | None) -> list[Area]:
    prefix = feature.label

    def fail(message: str, found: str | None = None, expected: str | None = None) -> MissionError:
        return MissionError(
            f"{prefix}: {message}",
            file=str(path),
            line=feature.line,
            field=field or None,
            found=found,
            expected=expected,
        )

    name = _name_of(feature, path, name_field, fail)
    prefix = f"{feature.label} '{name}'"
    if feature.geometry_type not in ("Polygon", "MultiPolygon"):
        raise fail(
            f"a {feature.geometry_type or 'feature without geometry'}, not an area",
            found=feature.geometry_type or "no geometry",
            expected="Polygon or MultiPolygon features only",
        )
    areas: list[Area] = []
    parts = len(feature.polygons)
    for k, rings in enumerate(feature.polygons):
        part = f" (part {k + 1} of {parts})" if parts > 1 else ""
        checked = [_ring(ring, f"ring {r}{part}", fail) for r, ring in enumerate(rings)]
        if not checked:
            raise fail(f"part {k + 1} has no outer ring", expected="a polygon with corners")
        areas.append(
            Area(
                name=f"{name}{part}",
                exterior=checked[0],
                holes=tuple(checked[1:]),
                where=f"{prefix}{part} of {path.name}",
            )
        )
    if not areas:
        raise fail(f"an empty {feature.geometry_type}", expected="a polygon")
    return areas


def _name_of(feature: _Feature, path: Path, name_field: str | None, fail: Any) -> str:
    key = name_field or "name"
    value = feature.attributes.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        if name_field is None:
            return f"{path.stem} {feature.label}"
        present = ", ".join(sorted(k for k, v in feature.attributes.items() if v is not None))
        raise fail(
            f"no value in the name field '{name_field}'",
            found=f"attributes {present or 'none'}",
            expected=f"every feature to have a non-empty '{name_field}'",
        )
    return str(value).strip()


def _ring(ring: list[tuple[float, float]], where: str, fail: Any) -> tuple[GeoPoint, ...]:
    points: list[GeoPoint] = []
    for i, (lon, lat) in enumerate(ring):
        if not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            raise fail(
                f"{where}: coordinate {i} out of range",
                found=f"lon {lon:g}, lat {lat:g}",
                expected="WGS84 degrees: latitude in [-90, 90], longitude in [-180, 180]",
            )
        points.append(GeoPoint(lat, lon))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len({p.as_tuple() for p in points}) < 3:
        raise fail(
            f"{where} has fewer than three distinct corners",
            found=f"{len(points)} corner(s)",
            expected="3 or more corners",
        )
    crossing = self_intersection(points)
    if crossing is not None:
        i, j, at = crossing
        n = len(points)
        raise fail(
            f"{where} intersects itself: edge {i}→{(i + 1) % n} crosses edge "
            f"{j}→{(j + 1) % n} at lat {at.lat_deg:.6f}, lon {at.lon_deg:.6f}",
            expected="a simple polygon whose edges do not cross (QGIS: Vector ▸ Geometry "
            "Tools ▸ Check Validity)",
        )
    return tuple(points)


# -- GeoJSON -------------------------------------------------------------------------


def _geojson_features(path: Path, field: str) -> list[_Feature]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MissionError(
            f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno, column=exc.colno
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionError(f"cannot read the file: {exc}", file=str(path)) from None
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection" and isinstance(doc.get("features"), list):
        raw = doc["features"]
    elif kind == "Feature":
        raw = [doc]
    elif isinstance(kind, str) and "coordinates" in doc:
        raw = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise MissionError(
            "not an area layer",
            file=str(path),
            field=field or None,
            found=f"GeoJSON of type {kind!r}" if kind else "JSON without a GeoJSON type",
            expected="a GeoJSON FeatureCollection of Polygon/MultiPolygon features",
        )
    crs = doc.get("crs") if isinstance(doc, dict) else None
    crs_name = str(((crs or {}).get("properties") or {}).get("name", "")) if crs else ""
    if crs_name and not crs_name.upper().endswith(("CRS84", "4326")):
        raise MissionError(
            "the GeoJSON file is not in WGS84",
            file=str(path),
            field=field or None,
            found=f"crs {crs_name}",
            expected="WGS84 longitude/latitude (RFC 7946): in QGIS save it with CRS EPSG:4326",
        )
    lines = _feature_lines(text, len(raw))
    features: list[_Feature] = []
    errors: list[MissionError] = []
    for i, item in enumerate(raw):
        label = f"feature {i + 1}"
        try:
            features.append(_geojson_feature(item, label, lines[i], path, field))
        except MissionError as exc:
            errors.append(exc)
    raise_all(errors)
    return features


_FEATURE_TYPE = re.compile(r'"type"\s*:\s*"Feature"')


def _feature_lines(text: str, count: int) -> list[int | None]:
    """The line each feature starts on, when the text shows exactly ``count`` of them.

    Inside JSON strings quotes are escaped, so only real ``"type": "Feature"``
    members match; any doubt (another count) gives no lines rather than wrong ones.
    """
    starts = [text.count("\n", 0, m.start()) + 1 for m in _FEATURE_TYPE.finditer(text)]
    if len(starts) != count:
        return [None] * count
    return list(starts)


def _geojson_feature(item: Any, label: str, line: int | None, path: Path, field: str) -> _Feature:
    def bad(found: str) -> MissionError:
        return MissionError(
            f"{label}: bad geometry",
            file=str(path),
            line=line,
            field=field or None,
            found=found,
            expected="Polygon coordinates [[[lon, lat], …], …] (RFC 7946)",
        )

    if not isinstance(item, dict):
        raise bad(f"a {type(item).__name__} instead of a Feature")
    props = item.get("properties")
    attributes = props if isinstance(props, dict) else {}
    geometry = item.get("geometry")
    if not isinstance(geometry, dict):
        return _Feature(label, line, attributes, "", [])
    kind = str(geometry.get("type", ""))
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [_rings(coords, bad)]
    elif kind == "MultiPolygon":
        if not isinstance(coords, list):
            raise bad(json.dumps(coords)[:80])
        polygons = [_rings(p, bad) for p in coords]
    else:
        polygons = []
    return _Feature(label, line, attributes, kind, polygons)


def _rings(coords: Any, bad: Any) -> RawPolygon:
    if not isinstance(coords, list):
        raise bad(json.dumps(coords)[:80])
    rings: RawPolygon = []
    for ring in coords:
        if not isinstance(ring, list):
            raise bad(json.dumps(ring)[:80])
        pairs: list[tuple[float, float]] = []
        for c in ring:
            if (
                not isinstance(c, list)
                or len(c) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in c[:2])
            ):
                raise bad(json.dumps(c)[:80])
            pairs.append((float(c[0]), float(c[1])))
        rings.append(pairs)
    return rings


# -- KML -----------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_kml(path: Path) -> tuple[ET.Element, dict[int, int]]:
    """The KML tree and the line each element starts on (by ``id(element)``)."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(tag, attrs)
        lines[id(element)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(path.read_bytes(), True)
    except expat.ExpatError as exc:
        raise MissionError(
            f"invalid XML: {expat.ErrorString(exc.code)}",
            file=str(path),
            line=exc.lineno,
            column=exc.offset + 1,
        ) from None
    except OSError as exc:
        raise MissionError(f"cannot read the file: {exc}", file=str(path)) from None
    return builder.close(), lines


def _kml_features(path: Path, field: str) -> list[_Feature]:
    root, lines = _parse_kml(path)
    features: list[_Feature] = []
    errors: list[MissionError] = []
    placemarks = [e for e in root.iter() if _local(e.tag) == "Placemark"]
    for i, placemark in enumerate(placemarks):
        line = lines.get(id(placemark))
        label = f"feature {i + 1}"
        try:
            features.append(_kml_feature(placemark, label, line, path, field))
        except MissionError as exc:
            errors.append(exc)
    raise_all(errors)
    return features


def _kml_feature(
    placemark: ET.Element, label: str, line: int | None, path: Path, field: str
) -> _Feature:
    attributes: dict[str, Any] = {}
    for child in placemark:
        if _local(child.tag) == "name" and child.text:
            attributes["name"] = child.text.strip()
    for element in placemark.iter():
        tag = _local(element.tag)
        if tag == "SimpleData" and "name" in element.attrib:
            attributes[element.attrib["name"]] = (element.text or "").strip()
        elif tag == "Data" and "name" in element.attrib:
            value = next((v for v in element if _local(v.tag) == "value"), None)
            attributes[element.attrib["name"]] = (
                (value.text or "").strip() if value is not None else ""
            )
    shapes = [
        e
        for e in placemark.iter()
        if _local(e.tag) in ("Point", "LineString", "Polygon", "LinearRing", "Track", "Model")
    ]
    polygons = [e for e in shapes if _local(e.tag) == "Polygon"]
    others = sorted({_local(e.tag) for e in shapes} - {"Polygon", "LinearRing"})
    if others or not polygons:
        kind = others[0] if others else ""
        return _Feature(label, line, attributes, kind, [])
    raw: list[RawPolygon] = []
    for polygon in polygons:
        rings: RawPolygon = []
        for boundary in ("outerBoundaryIs", "innerBoundaryIs"):
            for holder in (e for e in polygon if _local(e.tag) == boundary):
                for coords in (e for e in holder.iter() if _local(e.tag) == "coordinates"):
                    rings.append(_kml_coordinates(coords.text or "", label, line, path, field))
        raw.append(rings)
    kind = "MultiPolygon" if len(polygons) > 1 else "Polygon"
    return _Feature(label, line, attributes, kind, raw)


def _kml_coordinates(
    text: str, label: str, line: int | None, path: Path, field: str
) -> list[tuple[float, float]]:
    pairs: list[tuple[float, float]] = []
    for token in text.split():
        parts = token.split(",")
        try:
            pairs.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError):
            raise MissionError(
                f"{label}: bad coordinate",
                file=str(path),
                line=line,
                field=field or None,
                found=repr(token),
                expected="'lon,lat' or 'lon,lat,alt' (KML order)",
            ) from None
    return pairs


# -- GeoPackage ------------------------------------------------------------------------


def _gpkg_features(path: Path, field: str, layer: str | None) -> list[_Feature]:
    features: list[_Feature] = []
    for feature in read_gpkg(path, field, layer):
        label = f"feature fid={feature.fid}"
        geom = feature.geometry
        kind = "" if geom is None else str(geom.geom_type)
        polygons: list[RawPolygon] = []
        if kind in ("Polygon", "MultiPolygon"):
            parts = [geom] if kind == "Polygon" else list(geom.geoms)
            for part in parts:
                rings = [part.exterior, *part.interiors]
                polygons.append([[(float(x), float(y)) for x, y in r.coords] for r in rings])
        features.append(_Feature(label, None, feature.attributes, kind, polygons))
    return features


__all__ = ["AREA_EXTENSIONS", "Area", "read_area_file"]
