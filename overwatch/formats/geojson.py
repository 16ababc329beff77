"""GeoJSON (RFC 7946) export of a plan, for QGIS and web maps.

One ``FeatureCollection`` in WGS84 with ``[lon_deg, lat_deg]`` positions, no
``crs`` member, polygons by the right-hand rule (exterior counter-clockwise).
Every feature has a ``kind`` property (see :mod:`overwatch.formats.features`)
and a ``name``. Positions are 2D: RFC 7946 defines a third coordinate as
height above the WGS84 ellipsoid, which the plan does not know, so the flown
path carries its heights as the ``alt_rel_m`` list (metres above home) in its
properties, beside ``t_s`` (seconds of mission time) for each vertex and
``start_time``/``end_time`` in UTC; footprints carry ``t_s`` and ``time`` for
QGIS's temporal controller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from overwatch.formats._common import write_text
from overwatch.formats.features import (
    FOOTPRINT_EVERY_S,
    Geometry,
    LineGeom,
    MapFeature,
    PointGeom,
    plan_features,
    team_features,
)
from overwatch.planning.model import Plan, TeamPlan


def feature_collection(features: Sequence[MapFeature], name: str = "") -> dict[str, Any]:
    """The GeoJSON ``FeatureCollection`` object for ``features``."""
    doc: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        doc["name"] = name  # a foreign member; GDAL/QGIS use it as the layer name
    doc["features"] = [
        {
            "type": "Feature",
            "properties": {"kind": f.kind, "name": f.name, **f.properties},
            "geometry": _geometry(f.geometry),
        }
        for f in features
    ]
    return doc


def plan_geojson(plan: Plan, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> dict[str, Any]:
    """The plan as a GeoJSON object (footprints every ``footprint_every_s`` seconds)."""
    name = f"{plan.mission.name} ({plan.strategy})"
    return feature_collection(plan_features(plan, footprint_every_s=footprint_every_s), name)


def write_geojson(plan: Plan, path: Path, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> Path:
    """Write the plan as a ``.geojson`` file; returns ``path``."""
    return _write(plan_geojson(plan, footprint_every_s=footprint_every_s), path)


def team_geojson(team: TeamPlan, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> dict[str, Any]:
    """A team's plan as one GeoJSON object: every drone (``drone`` and ``color``
    properties on its features), the reliefs and the team's gaps."""
    name = f"{team.mission.name} ({team.strategy}, {len(team.drones)} drones)"
    return feature_collection(team_features(team, footprint_every_s=footprint_every_s), name)


def write_team_geojson(
    team: TeamPlan, path: Path, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> Path:
    """Write a team's plan as a ``.geojson`` file; returns ``path``."""
    return _write(team_geojson(team, footprint_every_s=footprint_every_s), path)


def _write(doc: dict[str, Any], path: Path) -> Path:
    return write_text(path, json.dumps(doc, allow_nan=False, separators=(",", ":")) + "\n")


def _geometry(geom: Geometry) -> dict[str, Any]:
    if isinstance(geom, PointGeom):
        return {"type": "Point", "coordinates": list(geom.position[:2])}
    if isinstance(geom, LineGeom):
        return {"type": "LineString", "coordinates": [list(p[:2]) for p in geom.positions]}
    rings = [[list(p[:2]) for p in ring] for ring in geom.rings]
    return {"type": "Polygon", "coordinates": rings}
