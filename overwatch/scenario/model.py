"""A training scenario: the mission, what the patrol really does, and the threats.

Durations are seconds of scenario time, which starts at the patrol's planned
start (mission time 0); stations are metres along the mission's route.
"""

from __future__ import annotations

from dataclasses import dataclass

from overwatch.mission import GeoPoint, Mission

THREAT_KINDS = ("person", "vehicle", "object")


@dataclass(frozen=True)
class ExtraHalt:
    """A halt the plan does not know about (or a planned one that runs long)."""

    at_m: float
    duration_s: float


@dataclass(frozen=True)
class Detour:
    """The patrol leaves the route between two stations, ``offset_m`` to its right (left < 0)."""

    from_m: float
    to_m: float
    offset_m: float


@dataclass(frozen=True)
class Dropout:
    """The patrol's tracker sends nothing from ``at_s`` for ``duration_s``."""

    at_s: float
    duration_s: float


#: an outlier fix is displaced towards this bearing when the scenario names none, degrees
OUTLIER_BEARING_DEG = 45.0


@dataclass(frozen=True)
class Outlier:
    """The one patrol fix sent at or just after ``at_s`` is ``offset_m`` off, towards
    ``bearing_deg`` (clockwise from true north), as a receiver's multipath fix is."""

    at_s: float
    offset_m: float
    bearing_deg: float = OUTLIER_BEARING_DEG


@dataclass(frozen=True)
class BadSentences:
    """The next ``count`` patrol fixes sent from ``at_s`` on go out corrupted: NMEA with
    a wrong checksum on each sentence, CoT as malformed XML."""

    at_s: float
    count: int


@dataclass(frozen=True)
class PatrolScript:
    """How the real patrol departs from its plan."""

    late_start_s: float = 0.0
    speed_factor: float = 1.0
    halts: tuple[ExtraHalt, ...] = ()
    detours: tuple[Detour, ...] = ()
    dropouts: tuple[Dropout, ...] = ()
    outliers: tuple[Outlier, ...] = ()
    bad_sentences: tuple[BadSentences, ...] = ()


@dataclass(frozen=True)
class Threat:
    """A threat actor: appears at ``appear_s`` at ``position``, may walk/drive to ``moves_to``."""

    threat_id: str
    kind: str
    position: GeoPoint
    appear_s: float = 0.0
    disappear_s: float | None = None
    size_m: float = 1.8
    moves_to: GeoPoint | None = None
    speed_m_s: float = 0.0


@dataclass(frozen=True)
class SensorModel:
    """Stand-in for a camera detector: what lies in the footprint may be seen.

    Each look (one per ``look_interval_s``) detects a threat inside the
    camera footprint with ``detection_probability`` and reports its position
    with Gaussian noise ``position_sigma_m``; nothing outside the footprint is
    ever reported.
    """

    detection_probability: float = 0.7
    position_sigma_m: float = 6.0
    look_interval_s: float = 1.0
    max_slant_range_m: float = 600.0


@dataclass(frozen=True)
class Scenario:
    """Everything a training run needs besides the vehicle itself."""

    name: str
    mission: Mission
    patrol: PatrolScript
    threats: tuple[Threat, ...]
    sensor: SensorModel
    seed: int = 1
    source: str | None = None
