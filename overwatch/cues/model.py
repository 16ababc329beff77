"""Threat cues and the sightings they are built from.

A :class:`Sighting` is one observation (a detection geolocated from the camera,
an operator's mark, a TAK marker). Sightings of the same thing fuse into one
:class:`Cue`, which the operator acknowledges, dismisses and annotates.
Positions are WGS84 degrees; ``sigma_m`` is the 1-sigma horizontal
uncertainty in metres; times are UNIX seconds.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

from overwatch.errors import CueError

_E = TypeVar("_E", bound=enum.StrEnum)


class CueKind(enum.StrEnum):
    PERSON = "person"
    VEHICLE = "vehicle"
    OBJECT = "object"
    UNKNOWN = "unknown"


class CueSource(enum.StrEnum):
    CAMERA = "camera"
    OPERATOR = "operator"
    TAK = "tak"


class CueStatus(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISMISSED = "dismissed"


def _check_position(what: str, lat_deg: float, lon_deg: float, sigma_m: float) -> None:
    if not (math.isfinite(lat_deg) and -90.0 <= lat_deg <= 90.0):
        raise CueError(f"{what}: lat_deg={lat_deg!r} (expected -90..90)")
    if not (math.isfinite(lon_deg) and -180.0 <= lon_deg <= 180.0):
        raise CueError(f"{what}: lon_deg={lon_deg!r} (expected -180..180)")
    if not (math.isfinite(sigma_m) and sigma_m > 0.0):
        raise CueError(f"{what}: sigma_m={sigma_m!r} (expected a positive number of metres)")


def _check_confidence(what: str, confidence: float) -> None:
    if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
        raise CueError(f"{what}: confidence={confidence!r} (expected 0..1)")


@dataclass(frozen=True)
class Sighting:
    """One observation of a possible threat.

    ``ref`` is an external reference (a TAK marker uid): later sightings with
    the same ref update the same cue instead of adding evidence.
    """

    kind: CueKind
    lat_deg: float
    lon_deg: float
    sigma_m: float
    time_s: float
    confidence: float
    source: CueSource
    snapshot_path: str | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", parse_enum(CueKind, self.kind, "sighting kind"))
        object.__setattr__(self, "source", parse_enum(CueSource, self.source, "sighting source"))
        _check_position("sighting", self.lat_deg, self.lon_deg, self.sigma_m)
        _check_confidence("sighting", self.confidence)
        if not math.isfinite(self.time_s):
            raise CueError(f"sighting: time_s={self.time_s!r} (expected UNIX seconds)")


@dataclass(frozen=True)
class Cue:
    """A fused threat cue (see the module docstring for units)."""

    id: str
    kind: CueKind
    lat_deg: float
    lon_deg: float
    sigma_m: float
    first_seen_s: float
    last_seen_s: float
    source: CueSource
    confidence: float
    status: CueStatus = CueStatus.NEW
    notes: tuple[str, ...] = ()
    sightings: int = 1
    snapshot_path: str | None = None
    refs: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (enums as their values)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "sigma_m": self.sigma_m,
            "first_seen_s": self.first_seen_s,
            "last_seen_s": self.last_seen_s,
            "source": self.source.value,
            "confidence": self.confidence,
            "status": self.status.value,
            "notes": list(self.notes),
            "sightings": self.sightings,
            "snapshot_path": self.snapshot_path,
            "refs": list(self.refs),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cue:
        """Inverse of :meth:`to_json`; raises KeyError/ValueError/TypeError if malformed."""
        notes = data["notes"]
        refs = data.get("refs", [])
        if not isinstance(notes, list) or not isinstance(refs, list):
            raise TypeError("notes and refs must be lists")
        snapshot = data.get("snapshot_path")
        return cls(
            id=str(data["id"]),
            kind=CueKind(data["kind"]),
            lat_deg=float(data["lat_deg"]),
            lon_deg=float(data["lon_deg"]),
            sigma_m=float(data["sigma_m"]),
            first_seen_s=float(data["first_seen_s"]),
            last_seen_s=float(data["last_seen_s"]),
            source=CueSource(data["source"]),
            confidence=float(data["confidence"]),
            status=CueStatus(data["status"]),
            notes=tuple(str(n) for n in notes),
            sightings=int(data["sightings"]),
            snapshot_path=None if snapshot is None else str(snapshot),
            refs=tuple(str(r) for r in refs),
        )


def parse_enum(cls: type[_E], value: object, what: str) -> _E:
    """``value`` as a member of ``cls``, or a :class:`CueError` listing the choices."""
    if isinstance(value, cls):
        return value
    try:
        return cls(str(value))
    except ValueError:
        allowed = ", ".join(str(member.value) for member in cls)
        raise CueError(f"{what} {value!r} (expected one of {allowed})") from None
