"""Exports and imports of plans: QGC ``.plan``, ``.waypoints``, GeoJSON and KML.

>>> from overwatch.formats import write_all  # doctest: +SKIP
>>> write_all(plan, "out/")  # doctest: +SKIP
"""

from overwatch.formats.export import export_stem, team_stem, write_all, write_team
from overwatch.formats.features import FOOTPRINT_EVERY_S, MapFeature, plan_features, team_features
from overwatch.formats.fence import (
    Fence,
    FenceCircle,
    FencePolygon,
    fence_from_items,
    fence_to_items,
)
from overwatch.formats.geojson import plan_geojson, team_geojson, write_geojson
from overwatch.formats.kml import plan_kml, team_kml, write_kml
from overwatch.formats.qgc_plan import QgcPlan, plan_document, read_qgc_plan, write_qgc_plan
from overwatch.formats.waypoints import read_waypoints, waypoints_text, write_waypoints

__all__ = [
    "FOOTPRINT_EVERY_S",
    "Fence",
    "FenceCircle",
    "FencePolygon",
    "MapFeature",
    "QgcPlan",
    "export_stem",
    "fence_from_items",
    "fence_to_items",
    "plan_document",
    "plan_features",
    "plan_geojson",
    "plan_kml",
    "read_qgc_plan",
    "read_waypoints",
    "team_features",
    "team_geojson",
    "team_kml",
    "team_stem",
    "waypoints_text",
    "write_all",
    "write_geojson",
    "write_kml",
    "write_qgc_plan",
    "write_team",
    "write_waypoints",
]
