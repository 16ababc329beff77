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

from overwatch.cues.model import CueKind, CueSource, Sighting, parse_enum
from overwatch.errors import CueError
from overwatch.feeds.cot_xml import UNKNOWN_COT_VALUE, CotEvent, parse_cot_event

OWN_UID_PREFIX = "overwatch-cue-"


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


def _event(cot: CotEvent | bytes | str) -> CotEvent:
    """``cot`` as an event: raw bytes go through the one CoT parser (raises CotError)."""
    return cot if isinstance(cot, CotEvent) else parse_cot_event(cot)


def sighting_from_cot(
    cot: CotEvent | bytes | str,
    *,
    default_sigma_m: float = 25.0,
    hostile_confidence: float = 0.7,
    unknown_confidence: float = 0.4,
) -> Sighting | None:
    """The sighting a CoT marker stands for, or ``None`` if it is not a threat marker.

    ``cot`` is a parsed :class:`~overwatch.feeds.CotEvent` or a raw message
    (XML or TAK protocol v1) for :func:`~overwatch.feeds.parse_cot_event`.
    Raises :class:`~overwatch.feeds.CotError` for a malformed message and
    :class:`CueError` for a marker that is not a valid sighting.
    """
    event = _event(cot)
    if event.uid.startswith(OWN_UID_PREFIX):
        return None
    if event.type.startswith("a-h-"):
        confidence = hostile_confidence
    elif event.type.startswith("a-u-"):
        confidence = unknown_confidence
    else:
        return None
    ce = event.ce_m
    sigma = ce if ce is not None and 0.0 < ce < UNKNOWN_COT_VALUE else default_sigma_m
    return Sighting(
        kind=kind_from_cot_type(event.type),
        lat_deg=event.lat_deg,
        lon_deg=event.lon_deg,
        sigma_m=sigma,
        time_s=event.time_s,
        confidence=confidence,
        source=CueSource.TAK,
        ref=f"tak:{event.uid}",
    )


def camera_sighting(cot: CotEvent | bytes | str) -> Sighting | None:
    """A drone-detector sighting, sent as CoT tagged ``<__overwatch source="camera">``;
    ``None`` for any other event.

    Raises :class:`CueError` when the tag's kind or confidence is wrong.
    """
    event = _event(cot)
    tag = event.overwatch_tag
    if tag is None or tag.get("source") != "camera":
        return None
    text = tag.get("confidence", "0.5")
    try:
        confidence = float(text)
    except ValueError:
        raise CueError(
            f"detector marker {event.uid!r}: confidence={text[:40]!r} is not a number"
        ) from None
    return Sighting(
        kind=parse_enum(CueKind, tag.get("kind", "unknown"), "detector kind"),
        lat_deg=event.lat_deg,
        lon_deg=event.lon_deg,
        sigma_m=max(1.0, (event.ce_m or 20.0) / 2.0),
        time_s=event.time_s,
        confidence=confidence,
        source=CueSource.CAMERA,
    )
