"""What the live controller reads and says: the vehicle as last heard, and typed actions.

The controller (:mod:`overwatch.ops.controller`) returns a list of
:data:`Action` each tick; the vehicle driver (:mod:`overwatch.ops.driver`)
carries each one out as MAVLink.
"""

from __future__ import annotations

from dataclasses import dataclass

from overwatch.guidance import VehicleSnapshot

# -- inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleInput:
    """The drone as last heard: its pose for guidance, and what the link says of it.

    ``climbing`` is set by the driver while a takeoff it started is under way
    (no setpoints then: the takeoff owns the climb)."""

    snapshot: VehicleSnapshot
    armed: bool
    mode: str
    link_lost: bool = False
    climbing: bool = False


# -- actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Goto:
    """A GUIDED position setpoint, ``alt_rel_m`` above home, with a velocity feed-forward."""

    lat_deg: float
    lon_deg: float
    alt_rel_m: float
    velocity_ned_m_s: tuple[float, float, float]


@dataclass(frozen=True)
class SetRoi:
    """Aim the camera at a point (``alt_rel_m`` above home; 0 is the ground)."""

    lat_deg: float
    lon_deg: float
    alt_rel_m: float


@dataclass(frozen=True)
class SetMode:
    mode: str
    why: str


@dataclass(frozen=True)
class Land:
    """Land where the drone is."""


@dataclass(frozen=True)
class Relaunch:
    """Arm and take off again: the battery was swapped and guidance wants to climb out."""


@dataclass(frozen=True)
class ForwardPatrol:
    """Send the patrol's latest fix to the vehicle, for its FOLLOW mode."""


@dataclass(frozen=True)
class Note:
    level: str
    text: str


Action = Goto | SetRoi | SetMode | Land | Relaunch | ForwardPatrol | Note
