"""KML 2.2 of a run's map features, for Google Earth and ATAK.

Same shape as the plan export (:mod:`overwatch.formats.kml`): one shared
``Style`` per kind, one flat ``Folder`` per group (GDAL's KML driver sees one
layer per folder), ``lon_deg,lat_deg[,alt_m]`` coordinates, properties in
``ExtendedData`` and ``TimeStamp``/``TimeSpan`` for the time slider. The
drone's track is drawn ``relativeToGround`` with its height above home; the
rest is clamped to the ground.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from overwatch.formats.features import Geometry, LineGeom, MapFeature, PointGeom, Position

KML_NS = "http://www.opengis.net/kml/2.2"

#: folder title per kind, in drawing order
FOLDERS: dict[str, tuple[str, ...]] = {
    "Airspace": ("route", "keep_out", "border", "border_buffer"),
    "Patrol (true)": ("patrol_track",),
    "Drone (true)": ("drone_track",),
    "Drone (telemetry)": ("telemetry_track",),
    "Camera footprints": ("footprint",),
    "Threats (true)": ("threat",),
    "Cues": ("cue",),
}

# KML colours are aabbggrr
_ICONS = "http://maps.google.com/mapfiles/kml/"
_STYLES: dict[str, dict[str, str]] = {
    "route": {"line": "ff666666", "width": "4"},
    "keep_out": {"line": "ff0e7fff", "width": "2", "poly": "400e7fff"},
    "border": {"line": "ff2827d6", "width": "4"},
    "border_buffer": {"line": "802827d6", "width": "1", "poly": "302827d6"},
    "patrol_track": {"line": "ff2ca02c", "width": "3"},
    "drone_track": {"line": "ffb4771f", "width": "2"},
    "telemetry_track": {"line": "a0ffbe17", "width": "1"},
    "footprint": {"line": "60b4771f", "width": "1", "poly": "20b4771f"},
    "threat": {"icon": _ICONS + "shapes/caution.png", "color": "ff2827d6"},
    "cue": {"icon": _ICONS + "shapes/target.png", "color": "ff00d7ff"},
}  # fmt: skip

_AIRBORNE = {"drone_track"}


def run_kml(features: Sequence[MapFeature], name: str) -> str:
    """The KML document (UTF-8 text with its XML declaration) for ``features``."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(_q("kml"))
    doc = ET.SubElement(root, _q("Document"))
    _text(doc, "name", name)
    for kind, style in _STYLES.items():
        _style(doc, kind, style)
    for title, kinds in FOLDERS.items():
        members = [f for f in features if f.kind in kinds]
        if not members:
            continue
        folder = ET.SubElement(doc, _q("Folder"))
        _text(folder, "name", title)
        for feature in members:
            _placemark(folder, feature)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _q(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = value
    return el


def _style(doc: ET.Element, kind: str, spec: dict[str, str]) -> None:
    style = ET.SubElement(doc, _q("Style"), id=kind)
    if "icon" in spec:
        icon_style = ET.SubElement(style, _q("IconStyle"))
        _text(icon_style, "color", spec["color"])
        icon = ET.SubElement(icon_style, _q("Icon"))
        _text(icon, "href", spec["icon"])
    if "line" in spec:
        line = ET.SubElement(style, _q("LineStyle"))
        _text(line, "color", spec["line"])
        _text(line, "width", spec["width"])
    poly = ET.SubElement(style, _q("PolyStyle"))
    if "poly" in spec:
        _text(poly, "color", spec["poly"])
    else:
        _text(poly, "fill", "0")


def _placemark(folder: ET.Element, feature: MapFeature) -> None:
    pm = ET.SubElement(folder, _q("Placemark"))
    _text(pm, "name", feature.name)
    if feature.time_span is not None:
        begin, end = feature.time_span
        if begin == end:
            _text(ET.SubElement(pm, _q("TimeStamp")), "when", begin)
        else:
            span = ET.SubElement(pm, _q("TimeSpan"))
            _text(span, "begin", begin)
            _text(span, "end", end)
    _text(pm, "styleUrl", f"#{feature.kind}")
    data = ET.SubElement(pm, _q("ExtendedData"))
    for key, value in {"kind": feature.kind, **feature.properties}.items():
        if isinstance(value, list) or value is None:
            continue  # per-vertex lists are too long for a balloon; GeoJSON keeps them
        el = ET.SubElement(data, _q("Data"), name=key)
        _text(el, "value", str(value).lower() if isinstance(value, bool) else str(value))
    _geometry(pm, feature.geometry, airborne=feature.kind in _AIRBORNE)


def _geometry(pm: ET.Element, geom: Geometry, *, airborne: bool) -> None:
    mode = "relativeToGround" if airborne else "clampToGround"
    if isinstance(geom, PointGeom):
        point = ET.SubElement(pm, _q("Point"))
        _text(point, "altitudeMode", mode)
        _text(point, "coordinates", _coords([geom.position]))
    elif isinstance(geom, LineGeom):
        line = ET.SubElement(pm, _q("LineString"))
        if not airborne:
            _text(line, "tessellate", "1")
        _text(line, "altitudeMode", mode)
        _text(line, "coordinates", _coords(geom.positions))
    else:
        poly = ET.SubElement(pm, _q("Polygon"))
        _text(poly, "tessellate", "1")
        _text(poly, "altitudeMode", mode)
        for k, ring in enumerate(geom.rings):
            boundary = ET.SubElement(poly, _q("outerBoundaryIs" if k == 0 else "innerBoundaryIs"))
            _text(ET.SubElement(boundary, _q("LinearRing")), "coordinates", _coords(ring))


def _coords(positions: Sequence[Position]) -> str:
    return " ".join(",".join(_fmt(v) for v in p) for p in positions)


def _fmt(value: float) -> str:
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
