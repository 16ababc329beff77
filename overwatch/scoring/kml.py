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

from overwatch.formats.features import MapFeature
from overwatch.formats.kml import kml_document

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
    root = kml_document(features, name, folders=FOLDERS, styles=_STYLES, airborne=_AIRBORNE)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
