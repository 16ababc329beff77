"""Live guidance: setpoints, camera aim, contingencies, energy and live lead coverage
(pure, no I/O) — and the ArduPilot FOLLOW baseline's parameters."""

from overwatch.guidance.coverage import CameraPose, LiveCoverage, LiveCoverageSummary
from overwatch.guidance.energy import EnergyModel
from overwatch.guidance.fences import FencedPoint, FenceGuard
from overwatch.guidance.follow import follow_parameters, mission_follow_parameters
from overwatch.guidance.law import Guidance
from overwatch.guidance.types import (
    EnergyStatus,
    FenceOutcome,
    GuidanceCommand,
    GuidanceConfig,
    GuidanceMode,
    GuidanceState,
    OperatorOverride,
    ReturnReason,
    RoiTarget,
    StopRequest,
    VehicleSnapshot,
)

__all__ = [
    "CameraPose",
    "EnergyModel",
    "EnergyStatus",
    "FenceGuard",
    "FenceOutcome",
    "FencedPoint",
    "Guidance",
    "GuidanceCommand",
    "GuidanceConfig",
    "GuidanceMode",
    "GuidanceState",
    "LiveCoverage",
    "LiveCoverageSummary",
    "OperatorOverride",
    "ReturnReason",
    "RoiTarget",
    "StopRequest",
    "VehicleSnapshot",
    "follow_parameters",
    "mission_follow_parameters",
]
