"""The mission model and its loaders (YAML, GeoJSON/KML/GPX routes)."""

from overwatch.mission.checks import MissionWarning
from overwatch.mission.geometry import MissionGeometry
from overwatch.mission.loader import MissionLoadResult, load_mission, read_mission
from overwatch.mission.model import (
    STRATEGIES,
    Airspace,
    Border,
    BoundingParams,
    Camera,
    Drone,
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
    ReliefParams,
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
    "Drone",
    "EscortParams",
    "FollowBaseline",
    "GeoPoint",
    "Halt",
    "KeepOut",
    "Launch",
    "LeadParams",
    "Mission",
    "MissionGeometry",
    "MissionLoadResult",
    "MissionWarning",
    "Overwatch",
    "Patrol",
    "PatrolSchedule",
    "ReliefParams",
    "StaticParams",
    "StrategyName",
    "Vehicle",
    "load_mission",
    "read_mission",
]
