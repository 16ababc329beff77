"""Training scenarios: the exercise file format shared by the simulator that plays
a scenario and the scorer that judges a run against it.

Public API::

    scenario = load_scenario("missions/vehicle-patrol.scenario.yaml")   # located errors
    scenario.mission, scenario.patrol, scenario.threats, scenario.sensor
"""

from overwatch.scenario.loader import load_scenario
from overwatch.scenario.model import (
    BadSentences,
    Detour,
    Dropout,
    ExtraHalt,
    Outlier,
    PatrolScript,
    Scenario,
    SensorModel,
    Threat,
)

__all__ = [
    "BadSentences",
    "Detour",
    "Dropout",
    "ExtraHalt",
    "Outlier",
    "PatrolScript",
    "Scenario",
    "SensorModel",
    "Threat",
    "load_scenario",
]
