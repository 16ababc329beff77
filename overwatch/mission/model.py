"""The mission model: what a mission file says, in SI units and WGS84 degrees.

These frozen dataclasses are what the YAML loader produces and what the
planner, the simulator and the live session consume. Lengths are metres,
speeds m/s, durations seconds, angles degrees; positions are WGS84
``(lat_deg, lon_deg)``. The metric view of a mission (shapely geometry in the
mission's local frame) is :class:`overwatch.mission.geometry.MissionGeometry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

SCHEMA_VERSION = 1

StrategyName = Literal["lead", "escort", "bounding", "static"]
STRATEGIES: tuple[StrategyName, ...] = ("lead", "escort", "bounding", "static")
#: Where a sortie ends: beside the patrol (who carries the drone and its batteries), back
#: at the launch site, or at the quickest of the launch site and the rally points.
RecoveryName = Literal["with_patrol", "launch", "rally"]
RECOVERIES: tuple[RecoveryName, ...] = ("with_patrol", "launch", "rally")
#: How the watch passes from one battery to the next: a fresh drone takes over on station
#: before the tired one leaves (``continuous``), or the one drone lands and relaunches (``swap``).
ReliefMode = Literal["continuous", "swap"]
RELIEF_MODES: tuple[ReliefMode, ...] = ("continuous", "swap")


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position in degrees."""

    lat_deg: float
    lon_deg: float

    def as_tuple(self) -> tuple[float, float]:
        return (self.lat_deg, self.lon_deg)


@dataclass(frozen=True)
class Halt:
    """The patrol stops ``duration_s`` seconds at ``at_m`` metres along its route."""

    at_m: float
    duration_s: float
    name: str = ""


@dataclass(frozen=True)
class Patrol:
    """The ground patrol the drone watches over.

    ``leg_speeds_m_s`` holds one speed per route leg (``len(route) - 1``);
    legs the file does not name take the overall ``speed_m_s``.
    """

    callsign: str
    route: tuple[GeoPoint, ...]
    speed_m_s: float
    leg_speeds_m_s: tuple[float, ...]
    halts: tuple[Halt, ...]
    start_time: datetime
    kind: Literal["vehicle", "foot"] = "vehicle"


@dataclass(frozen=True)
class Camera:
    """The drone's camera: fields of view and the default gimbal pitch.

    ``gimbal_pitch_deg`` is below the horizon negative: -90 looks straight down.
    """

    hfov_deg: float = 70.0
    vfov_deg: float = 55.0
    gimbal_pitch_deg: float = -45.0
    width_px: int = 640
    height_px: int = 480


@dataclass(frozen=True)
class Vehicle:
    """The multicopter: speeds, climb limits, endurance and its camera."""

    name: str
    sysid: int
    cruise_speed_m_s: float
    max_speed_m_s: float
    climb_rate_m_s: float
    descent_rate_m_s: float
    endurance_s: float
    reserve_fraction: float
    camera: Camera
    turnaround_s: float = 300.0  # land, swap battery, relaunch


@dataclass(frozen=True)
class Launch:
    """Where the drone takes off and may land.

    ``with_patrol`` means the site is the patrol's start point; ``alt_msl_m``
    is the ground altitude there (home), used to convert relative altitudes.
    ``recovery`` is where sorties land for a battery swap (see :data:`RecoveryName`);
    :attr:`recovery_mode` gives its default: with the patrol when it launches the
    drone, else the quickest of the launch site and the rally points.
    """

    site: GeoPoint
    with_patrol: bool
    rally: tuple[GeoPoint, ...] = ()
    alt_msl_m: float = 0.0
    recovery: RecoveryName | None = None

    @property
    def recovery_mode(self) -> RecoveryName:
        if self.recovery is not None:
            return self.recovery
        return "with_patrol" if self.with_patrol else "rally"

    @property
    def recovers_with_patrol(self) -> bool:
        return self.recovery_mode == "with_patrol"


@dataclass(frozen=True)
class KeepOut:
    """A named area the drone must never enter."""

    name: str
    polygon: tuple[GeoPoint, ...]


@dataclass(frozen=True)
class Border:
    """An international border: never cross it, never come within ``buffer_m``."""

    name: str
    line: tuple[GeoPoint, ...]
    buffer_m: float


@dataclass(frozen=True)
class Airspace:
    """Where the drone may fly, and at which altitudes above ground."""

    keep_in: tuple[GeoPoint, ...] | None = None
    keep_out: tuple[KeepOut, ...] = ()
    border: Border | None = None
    min_alt_agl_m: float = 20.0
    max_alt_agl_m: float = 120.0


@dataclass(frozen=True)
class LeadParams:
    """``lead``: sweep the corridor ahead so each stretch is seen inside the lead window.

    ``target_lead_s`` is how far ahead (in patrol time) the drone aims to be;
    ``None`` picks the middle of the lead window.
    """

    target_lead_s: float | None = None


@dataclass(frozen=True)
class EscortParams:
    """``escort``: orbit the patrol's predicted position at ``radius_m``."""

    radius_m: float = 150.0
    ahead_s: float = 60.0


@dataclass(frozen=True)
class BoundingParams:
    """``bounding``: leapfrog between vantage points ``standoff_m`` beside the route."""

    standoff_m: float = 150.0
    hop_m: float = 800.0


@dataclass(frozen=True)
class StaticParams:
    """``static``: hold or orbit over ``site`` (``None``: the route's last point)."""

    site: GeoPoint | None = None
    orbit_radius_m: float = 0.0
    duration_s: float | None = None


@dataclass(frozen=True)
class FollowBaseline:
    """ArduPilot FOLLOW as a baseline: a fixed offset from the patrol's current position.

    Offsets are relative to the patrol's heading (FOLL_OFS_TYPE=1): ahead and right.
    """

    offset_ahead_m: float = 250.0
    offset_right_m: float = 0.0


@dataclass(frozen=True)
class ReliefParams:
    """How a tired drone is relieved: ``mode`` (``None``: ``continuous`` with two drones or
    more, else ``swap``) and how long, in seconds, the fresh drone watches beside the tired
    one before the tired one leaves (``overlap_s``)."""

    mode: ReliefMode | None = None
    overlap_s: float = 60.0


@dataclass(frozen=True)
class Overwatch:
    """How to watch over the patrol."""

    strategy: StrategyName = "lead"
    altitude_agl_m: float = 80.0
    corridor_width_m: float = 100.0
    lead_min_s: float = 30.0
    lead_max_s: float = 300.0
    #: a live run whose lead coverage falls below this fraction of the plan's figure failed
    live_floor: float = 0.7
    lead: LeadParams = field(default_factory=LeadParams)
    escort: EscortParams = field(default_factory=EscortParams)
    bounding: BoundingParams = field(default_factory=BoundingParams)
    static: StaticParams = field(default_factory=StaticParams)
    baseline: FollowBaseline = field(default_factory=FollowBaseline)
    relief: ReliefParams = field(default_factory=ReliefParams)


@dataclass(frozen=True)
class Drone:
    """One airframe of the team and where it takes off and lands."""

    vehicle: Vehicle
    launch: Launch


@dataclass(frozen=True)
class Mission:
    """A whole mission, as loaded from a mission file (``source`` is its path).

    ``vehicle`` and ``launch`` are the first drone's (the one a single-drone plan
    flies); ``extra_drones`` are the others of the team, in file order. Read the
    whole team as :attr:`drones` or :attr:`vehicles`.
    """

    name: str
    patrol: Patrol
    vehicle: Vehicle
    launch: Launch
    airspace: Airspace
    overwatch: Overwatch
    description: str = ""
    schema_version: int = SCHEMA_VERSION
    source: str | None = None
    terrain_path: str | None = None  # elevation GeoTIFF (absolute path), when the mission names one
    extra_drones: tuple[Drone, ...] = ()

    @property
    def drones(self) -> tuple[Drone, ...]:
        """Every drone of the team, the first one first."""
        return (Drone(self.vehicle, self.launch), *self.extra_drones)

    @property
    def vehicles(self) -> tuple[Vehicle, ...]:
        return tuple(d.vehicle for d in self.drones)

    @property
    def relief_mode(self) -> ReliefMode:
        """``overwatch.relief.mode``, or its default: ``continuous`` with two drones or more."""
        mode = self.overwatch.relief.mode
        if mode is not None:
            return mode
        return "continuous" if self.extra_drones else "swap"

    def as_drone(self, index: int) -> Mission:
        """The same mission with drone ``index`` first (its ``vehicle`` and ``launch``)."""
        team = self.drones
        first = team[index]
        rest = team[:index] + team[index + 1 :]
        return replace(self, vehicle=first.vehicle, launch=first.launch, extra_drones=rest)
