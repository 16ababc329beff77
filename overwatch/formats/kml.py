"""KML 2.2 export of a plan, for Google Earth and ATAK.

A ``Document`` with one shared ``Style`` per feature kind and one ``Folder``
per group (patrol, airspace, flight, camera, gaps); folders are not nested, so
GDAL's KML driver sees one layer per folder. Coordinates are
``lon_deg,lat_deg[,alt_m]``. Ground features are ``clampToGround``; the
flown path is drawn ``relativeToGround`` with its height above home, which
matches the terrain around the launch site (the plan assumes flat ground).
Footprints and flight paths carry ``TimeStamp``/``TimeSpan`` for Google
Earth's time slider; properties go into ``ExtendedData``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from overwatch.formats._common import write_text
from overwatch.formats.features import (
    FOOTPRINT_EVERY_S,
    DroneTag,
    Geometry,
    LineGeom,
    MapFeature,
    PointGeom,
    Position,
    plan_features,
    team_features,
)
from overwatch.planning.model import Plan, TeamPlan

KML_NS = "http://www.opengis.net/kml/2.2"

#: folder title per kind, in drawing order
FOLDERS: dict[str, tuple[str, ...]] = {
    "Patrol": ("route", "launch", "rally"),
    "Airspace": ("keep_in", "keep_out", "border", "border_buffer"),
    "Flight": ("trajectory", "waypoint"),
    "Baseline (FOLLOW)": ("baseline_trajectory",),
    "Camera footprints": ("footprint",),
    "Coverage gaps": ("gap",),
}

# KML colours are aabbggrr
_ICONS = "http://maps.google.com/mapfiles/kml/"
_STYLES: dict[str, dict[str, str]] = {
    "route": {"line": "ff00a5ff", "width": "4"},
    "launch": {"icon": _ICONS + "shapes/heliport.png", "color": "ffffffff"},
    "rally": {"icon": _ICONS + "paddle/grn-circle.png", "color": "ffffffff"},
    "keep_in": {"line": "ff00ff00", "width": "2", "poly": "1a00ff00"},
    "keep_out": {"line": "ff0000ff", "width": "2", "poly": "400000ff"},
    "border": {"line": "ff0000ff", "width": "4"},
    "border_buffer": {"line": "800000ff", "width": "1", "poly": "300000ff"},
    "trajectory": {"line": "ffffff00", "width": "3"},
    "baseline_trajectory": {"line": "b0b0b0b0", "width": "2"},
    "waypoint": {"icon": _ICONS + "shapes/placemark_circle.png", "color": "ffffff00"},
    "footprint": {"line": "60ffff00", "width": "1", "poly": "20ffff00"},
    "gap": {"line": "ff0000ff", "width": "6"},
}  # fmt: skip

#: kinds drawn in the air (height above home); the rest lie on the ground
_AIRBORNE = {"trajectory", "baseline_trajectory"}


def kml_document(
    features: Sequence[MapFeature],
    name: str,
    *,
    folders: Mapping[str, tuple[str, ...]] = FOLDERS,
    styles: Mapping[str, Mapping[str, str]] = _STYLES,
    airborne: Collection[str] = _AIRBORNE,
) -> ET.Element:
    """The ``<kml>`` element for ``features``.

    ``folders`` maps a folder title to the kinds it holds (in drawing order),
    ``styles`` gives each kind its line/polygon colours or icon (KML's
    ``aabbggrr``), and kinds in ``airborne`` are drawn at their height above
    home; the defaults are the plan export's.
    """
    ET.register_namespace("", KML_NS)
    root = ET.Element(_q("kml"))
    doc = ET.SubElement(root, _q("Document"))
    _text(doc, "name", name)
    for kind, style in styles.items():
        _style(doc, kind, style)
    for title, kinds in folders.items():
        members = [f for f in features if f.kind in kinds]
        if not members:
            continue
        folder = ET.SubElement(doc, _q("Folder"))
        _text(folder, "name", title)
        for feature in members:
            _placemark(folder, feature, airborne)
    return root


def plan_kml(plan: Plan, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> str:
    """The plan as KML text (UTF-8 XML)."""
    name = f"{plan.mission.name} ({plan.strategy})"
    root = kml_document(plan_features(plan, footprint_every_s=footprint_every_s), name)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def write_kml(plan: Plan, path: Path, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> Path:
    """Write the plan as a ``.kml`` file; returns ``path``."""
    return _write(plan_kml(plan, footprint_every_s=footprint_every_s), path)


#: a team's folders: the plan's, and the hand-overs
TEAM_FOLDERS: dict[str, tuple[str, ...]] = {**FOLDERS, "Reliefs": ("relief",)}
#: the kinds drawn in each drone's own colour
_DRONE_KINDS = ("launch", "rally", "trajectory", "waypoint", "footprint")


def team_kml(team: TeamPlan, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> str:
    """A team's plan as KML text: every drone in its own colour, the reliefs in a folder."""
    name = f"{team.mission.name} ({team.strategy}, {len(team.drones)} drones)"
    styles = dict(_STYLES)
    styles["relief"] = {"icon": _ICONS + "shapes/arrow-reverse.png", "color": "ffffffff"}
    for i, drone in enumerate(team.drones):
        styles.update(_drone_styles(DroneTag(drone.mission.vehicle.name, i)))
    features = team_features(team, footprint_every_s=footprint_every_s)
    root = kml_document(features, name, folders=TEAM_FOLDERS, styles=styles)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def write_team_kml(
    team: TeamPlan, path: Path, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> Path:
    """Write a team's plan as a ``.kml`` file; returns ``path``."""
    return _write(team_kml(team, footprint_every_s=footprint_every_s), path)


def _drone_styles(tag: DroneTag) -> dict[str, dict[str, str]]:
    """The drone's copy of each kind's style, in its colour (``<kind>-<drone number>``)."""
    rgb = tag.color.removeprefix("#")
    bgr = rgb[4:6] + rgb[2:4] + rgb[0:2]
    out = {}
    for kind in _DRONE_KINDS:
        spec = dict(_STYLES[kind])
        for key in ("line", "poly", "color"):  # keep each one's alpha, tint it
            if key in spec:
                spec[key] = spec[key][:2] + bgr
        out[f"{kind}-{tag.index + 1}"] = spec
    return out


def _write(text: str, path: Path) -> Path:
    return write_text(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")


def _q(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = value
    return el


def _style(doc: ET.Element, kind: str, spec: Mapping[str, str]) -> None:
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


def _placemark(folder: ET.Element, feature: MapFeature, airborne: Collection[str]) -> None:
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
    _text(pm, "styleUrl", f"#{feature.style or feature.kind}")
    data = ET.SubElement(pm, _q("ExtendedData"))
    scalars = {"kind": feature.kind, **feature.properties}
    for key, value in scalars.items():
        if isinstance(value, list) or value is None:
            continue  # per-vertex lists are too long for a balloon; GeoJSON keeps them
        el = ET.SubElement(data, _q("Data"), name=key)
        _text(el, "value", str(value).lower() if isinstance(value, bool) else str(value))
    _geometry(pm, feature.geometry, airborne=feature.kind in airborne)


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
