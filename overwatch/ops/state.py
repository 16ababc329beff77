"""What the live session shows: immutable snapshots, and the commands it takes.

The terminal UI (and the headless progress line) render a
:class:`SessionSnapshot`; they never touch sockets or MAVLink. They ask for
things through :class:`SessionCommands`, whose methods raise
:class:`overwatch.errors.CommandRejected` (with the vehicle's own answer) or
:class:`overwatch.errors.LinkTimeout` when the vehicle does not comply.
Positions are WGS84 degrees; every figure carries its unit in its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

LatLon = tuple[float, float]


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class DroneView:
    """The drone as the session last heard it (``role``: what it does for the team, e.g.
    ``on station``, ``standby``; empty for a single drone)."""

    position: LatLon | None = None
    alt_rel_m: float | None = None
    groundspeed_m_s: float | None = None
    heading_deg: float | None = None
    mode: str = "UNKNOWN"
    armed: bool = False
    airborne: bool = False
    battery_pct: float | None = None
    battery_v: float | None = None
    battery_time_left_s: float | None = None
    gps_fix: str = "NO FIX"
    gps_satellites: int | None = None
    link_quality_pct: float | None = None
    last_message_age_s: float | None = None
    link_lost: bool = True
    bad_packets: int = 0  # MAVLink garbage and failed frames dropped so far
    mission_item: int | None = None
    guidance_state: str = "IDLE"
    #: a stop to ask of the patrol for a battery swap no planned halt can hide, or None
    stop_request: str | None = None
    footprint: tuple[LatLon, ...] = ()
    trail: tuple[LatLon, ...] = ()
    name: str = ""
    sysid: int | None = None
    role: str = ""


@dataclass(frozen=True)
class PatrolView:
    """The patrol: where its feed puts it and how it is doing against the plan."""

    source: str = "none"
    feed_status: str = "DOWN"  # LIVE, STALE, DOWN
    fix_age_s: float | None = None
    position: LatLon | None = None
    heading_deg: float | None = None
    speed_m_s: float | None = None
    station_m: float | None = None
    route_length_m: float = 0.0
    next_checkpoint: str | None = None
    eta_next_checkpoint_s: float | None = None
    off_route_m: float | None = None
    deviating: bool = False
    trail: tuple[LatLon, ...] = ()
    bad_messages: int = 0  # malformed messages the patrol feed dropped so far

    @property
    def progress(self) -> float | None:
        if self.station_m is None or self.route_length_m <= 0:
            return None
        return min(1.0, max(0.0, self.station_m / self.route_length_m))


@dataclass(frozen=True)
class CueView:
    """A threat cue, ranked by how soon the patrol reaches it."""

    cue_id: str
    kind: str
    position: LatLon
    sigma_m: float
    eta_s: float | None  # None once the patrol has passed it
    off_route_m: float
    confidence: float
    age_s: float
    status: str  # new, acknowledged, dismissed
    severity: Severity
    source: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageView:
    """Lead coverage so far and the stretches ahead not watched yet (stations in metres)."""

    lead_coverage: float | None = None
    watched_to_m: float = 0.0
    unwatched_ahead: tuple[tuple[float, float], ...] = ()
    #: the plan's lead coverage of the same mission, to hold the live figure against
    planned: float | None = None


@dataclass(frozen=True)
class EventLine:
    time_s: float
    level: str  # info, warning, error
    text: str


@dataclass(frozen=True, eq=False)
class SessionSnapshot:
    """Everything a screen needs at one moment (``time_s`` is UNIX time).

    ``drone`` is the drone on duty (a single drone: the drone); ``drones`` every drone
    of the team in the mission's order, ``duty`` the index of the one on duty in it."""

    time_s: float
    drone: DroneView = field(default_factory=DroneView)
    patrol: PatrolView = field(default_factory=PatrolView)
    cues: tuple[CueView, ...] = ()
    coverage: CoverageView = field(default_factory=CoverageView)
    events: tuple[EventLine, ...] = ()
    strategy: str = "lead"
    video_frame: npt.NDArray[np.uint8] | None = None  # small RGB, latest only
    video_status: str = "no video"
    drones: tuple[DroneView, ...] = ()
    duty: int | None = None


class SessionCommands(Protocol):
    """What an operator can ask of the live session."""

    async def start_overwatch(self) -> None: ...
    async def hold(self) -> None: ...
    async def resume(self) -> None: ...
    async def return_to_launch(self) -> None: ...
    async def land(self) -> None: ...
    async def set_strategy(self, name: str) -> None: ...
    async def start_follow_baseline(self) -> None: ...
    async def arm_and_takeoff(self) -> None: ...
    async def look_at(self, position: LatLon) -> None: ...
    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str: ...
    async def acknowledge_cue(self, cue_id: str) -> None: ...
    async def dismiss_cue(self, cue_id: str) -> None: ...
    async def note_cue(self, cue_id: str, text: str) -> None: ...


@runtime_checkable
class TeamCommands(SessionCommands, Protocol):
    """A team's :class:`SessionCommands`: the same commands addressed to one drone."""

    def addressed(self, crew: int | None) -> SessionCommands:
        """The commands for drone ``crew`` (an index into ``SessionSnapshot.drones``; None:
        the one on duty when each command runs)."""
        ...
