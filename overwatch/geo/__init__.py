"""Local metric frames, distances and geometry helpers (metres, shapely)."""

from overwatch.errors import TerrainError
from overwatch.geo.frame import (
    WGS84,
    LocalFrame,
    geodesic_bearing_deg,
    geodesic_distance_m,
)
from overwatch.geo.terrain import Terrain

__all__ = [
    "WGS84",
    "LocalFrame",
    "Terrain",
    "TerrainError",
    "geodesic_bearing_deg",
    "geodesic_distance_m",
]
