"""The mission model and its loaders (YAML, GeoJSON/KML/GPX routes)."""

from overwatch.mission.geometry import MissionGeometry
from overwatch.mission.model import (
    STRATEGIES,
    Airspace,
    Border,
    BoundingParams,
    Camera,
    EscortParams,
    FollowBaseline,
    GeoPoint,
    Halt,
    KeepOut,
    Launch,
    LeadParams,
    Mission,
    Overwatch,
    Patrol,
    StaticParams,
    StrategyName,
    Vehicle,
)
from overwatch.mission.schedule import PatrolSchedule

__all__ = [
    "STRATEGIES",
    "Airspace",
    "Border",
    "BoundingParams",
    "Camera",
    "EscortParams",
    "FollowBaseline",
    "GeoPoint",
    "Halt",
    "KeepOut",
    "Launch",
    "LeadParams",
    "Mission",
    "MissionGeometry",
    "Overwatch",
    "Patrol",
    "PatrolSchedule",
    "StaticParams",
    "StrategyName",
    "Vehicle",
]
