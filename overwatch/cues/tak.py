"""TAK markers in: hostile and unknown CoT markers become sightings (source "tak").

Only ``a-h-…`` (hostile) and ``a-u-…`` (unknown) atoms are taken; our own cue
markers echoed back by a TAK server (uid ``overwatch-cue-…``) are ignored. The
marker's uid becomes the sighting's ``ref``, so a re-broadcast or a moved
marker updates one cue instead of piling up evidence.

>>> s = sighting_from_cot(
...     b'<event version="2.0" uid="M1" type="a-h-G-E-V" time="2026-11-25T12:00:00Z" '
...     b'start="2026-11-25T12:00:00Z" stale="2026-11-25T13:00:00Z">'
...     b'<point lat="13.6" lon="2.2" hae="0" ce="30" le="9999999"/></event>')
>>> s.kind.value, s.sigma_m, s.source.value, s.ref
('vehicle', 30.0, 'tak', 'tak:M1')
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET

from overwatch.cues.errors import CueError
from overwatch.cues.model import CueKind, CueSource, Sighting

OWN_UID_PREFIX = "overwatch-cue-"
UNKNOWN_COT_VALUE = 9999999.0


def kind_from_cot_type(cot_type: str) -> CueKind:
    """MIL-STD-2525 CoT atom type → cue kind (ground equipment vehicles,
    ground units/people, other ground equipment; anything else unknown)."""
    parts = cot_type.split("-")
    rest = parts[2:]  # after "a" and the affiliation
    if rest[:3] == ["G", "E", "V"]:
        return CueKind.VEHICLE
    if rest[:2] == ["G", "U"]:
        return CueKind.PERSON
    if rest[:2] == ["G", "E"] or rest[:2] == ["G", "I"]:
        return CueKind.OBJECT
    return CueKind.UNKNOWN


def _time_s(text: str | None) -> float:
    if not text:
        raise CueError("TAK marker has no time attribute")
    try:
        stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CueError(f"TAK marker time={text!r} is not ISO 8601") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def sighting_from_cot(
    xml: bytes | str,
    *,
    default_sigma_m: float = 25.0,
    hostile_confidence: float = 0.7,
    unknown_confidence: float = 0.4,
) -> Sighting | None:
    """The sighting a CoT marker stands for, or ``None`` if it is not a threat marker.

    Raises :class:`CueError` for a malformed marker (naming what is wrong).
    """
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise CueError("TAK marker carries a DTD; refused")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise CueError(f"TAK marker is not well-formed XML: {exc}") from None
    cot_type = root.get("type", "")
    uid = root.get("uid", "")
    if root.tag != "event" or not uid:
        raise CueError("TAK marker is not a CoT <event> with a uid")
    if uid.startswith(OWN_UID_PREFIX):
        return None
    if cot_type.startswith("a-h-"):
        confidence = hostile_confidence
    elif cot_type.startswith("a-u-"):
        confidence = unknown_confidence
    else:
        return None
    point = root.find("point")
    if point is None:
        raise CueError(f"TAK marker {uid!r} has no <point>")
    try:
        lat = float(point.get("lat", "nan"))
        lon = float(point.get("lon", "nan"))
        ce = float(point.get("ce", str(UNKNOWN_COT_VALUE)))
    except ValueError:
        raise CueError(f"TAK marker {uid!r}: lat/lon/ce must be numbers") from None
    sigma = ce if math.isfinite(ce) and 0.0 < ce < UNKNOWN_COT_VALUE else default_sigma_m
    return Sighting(
        kind=kind_from_cot_type(cot_type),
        lat_deg=lat,
        lon_deg=lon,
        sigma_m=sigma,
        time_s=_time_s(root.get("time")),
        confidence=confidence,
        source=CueSource.TAK,
        ref=f"tak:{uid}",
    )
