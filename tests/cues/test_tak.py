"""TAK markers (CoT) in as sightings with source "tak", end to end into a CueBook."""

from __future__ import annotations

import pytest

from overwatch.cues import (
    CueBook,
    CueError,
    CueKind,
    CueSource,
    camera_sighting,
    sighting_from_cot,
)
from overwatch.errors import MessageError
from overwatch.feeds import cue_event


def marker(uid: str, cot_type: str, lat: float, ce: str = "20.0") -> bytes:
    return (
        f'<event version="2.0" uid="{uid}" type="{cot_type}" how="h-g-i-g-o" '
        'time="2026-11-25T12:00:00.000Z" start="2026-11-25T12:00:00.000Z" '
        'stale="2026-11-26T12:00:00.000Z">'
        f'<point lat="{lat}" lon="2.1" hae="0" ce="{ce}" le="9999999.0"/>'
        "<detail><remarks>spotted by team 2</remarks></detail></event>"
    ).encode()


@pytest.mark.parametrize(
    ("cot_type", "kind", "confidence"),
    [
        ("a-h-G-E-V", CueKind.VEHICLE, 0.7),
        ("a-h-G-U-C-I", CueKind.PERSON, 0.7),
        ("a-u-G", CueKind.UNKNOWN, 0.4),
        ("a-u-G-E-S", CueKind.OBJECT, 0.4),
    ],
)
def test_threat_markers_become_sightings(cot_type: str, kind: CueKind, confidence: float) -> None:
    s = sighting_from_cot(marker("M1", cot_type, 13.6))
    assert s is not None
    assert (s.kind, s.confidence, s.source, s.sigma_m) == (kind, confidence, CueSource.TAK, 20.0)
    assert s.lat_deg == 13.6 and s.ref == "tak:M1"


def test_friendly_and_own_markers_are_not_threats() -> None:
    assert sighting_from_cot(marker("F1", "a-f-G-U-C", 13.6)) is None
    echoed = cue_event("cue-0001", 13.6, 2.1, hostile=True, remarks="ours")
    assert sighting_from_cot(echoed) is None


def test_unknown_ce_uses_the_default_sigma() -> None:
    s = sighting_from_cot(marker("M1", "a-h-G", 13.6, ce="9999999.0"), default_sigma_m=40.0)
    assert s is not None and s.sigma_m == 40.0


def test_bad_markers_say_why() -> None:
    with pytest.raises(MessageError, match="not well-formed"):
        sighting_from_cot(b"<event")
    with pytest.raises(MessageError, match="out of range"):
        sighting_from_cot(marker("M1", "a-h-G", 123.0))


def detector_marker(confidence: str, kind: str = "person") -> bytes:
    return marker("D1", "a-u-G", 13.6).replace(
        b"<detail>",
        f'<detail><__overwatch source="camera" kind="{kind}" confidence="{confidence}"/>'.encode(),
    )


def test_detector_markers_become_camera_sightings() -> None:
    s = camera_sighting(detector_marker("0.8"))
    assert s is not None
    assert (s.kind, s.source, s.confidence, s.sigma_m) == (
        CueKind.PERSON,
        CueSource.CAMERA,
        0.8,
        10.0,
    )
    assert camera_sighting(marker("M1", "a-h-G", 13.6)) is None  # no detector tag


@pytest.mark.parametrize(
    ("confidence", "kind", "words"),
    [("high", "person", "not a number"), ("1.5", "person", "confidence"), ("0.5", "ufo", "kind")],
)
def test_bad_detector_markers_say_why(confidence: str, kind: str, words: str) -> None:
    with pytest.raises(CueError, match=words):
        camera_sighting(detector_marker(confidence, kind))


def test_rebroadcast_marker_updates_one_cue() -> None:
    book = CueBook(None)
    first = book.add_sighting(sighting_from_cot(marker("M1", "a-h-G-E-V", 13.6)))  # type: ignore[arg-type]
    for _ in range(5):
        book.add_sighting(sighting_from_cot(marker("M1", "a-h-G-E-V", 13.6)))  # type: ignore[arg-type]
    moved = book.add_sighting(sighting_from_cot(marker("M1", "a-h-G-E-V", 13.61)))  # type: ignore[arg-type]
    assert moved.id == first.id and len(book) == 1
    assert moved.confidence == 0.7 and moved.lat_deg == 13.61
