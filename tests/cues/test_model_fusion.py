"""Cue records, validation and fusion of sightings."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overwatch.cues import (
    Cue,
    CueError,
    CueKind,
    CueSource,
    CueStatus,
    FusionConfig,
    Sighting,
    fuse,
    match,
)
from overwatch.cues.fusion import approx_distance_m, new_cue
from overwatch.geo import geodesic_distance_m

M_PER_DEG_LAT = 110_600.0


def sighting(
    north_m: float = 0.0,
    *,
    kind: CueKind = CueKind.PERSON,
    sigma_m: float = 10.0,
    time_s: float = 1000.0,
    confidence: float = 0.5,
    ref: str | None = None,
) -> Sighting:
    return Sighting(
        kind,
        13.5 + north_m / M_PER_DEG_LAT,
        2.1,
        sigma_m,
        time_s,
        confidence,
        CueSource.CAMERA,
        ref=ref,
    )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"lat_deg": 91.0}, "lat_deg=91.0"),
        ({"lon_deg": float("nan")}, "lon_deg=nan"),
        ({"sigma_m": 0.0}, "sigma_m=0.0"),
        ({"confidence": 1.5}, "confidence=1.5"),
        ({"kind": "tank"}, "expected one of person, vehicle, object, unknown"),
        ({"source": "radio"}, "expected one of camera, operator, tak"),
    ],
)
def test_bad_sightings_say_what_was_expected(changes: dict[str, object], words: str) -> None:
    fields: dict[str, object] = {
        "kind": "person", "lat_deg": 13.5, "lon_deg": 2.1, "sigma_m": 5.0,
        "time_s": 0.0, "confidence": 0.5, "source": "camera",
    }  # fmt: skip
    fields.update(changes)
    with pytest.raises(CueError, match=words):
        Sighting(**fields)  # type: ignore[arg-type]


def test_strings_become_enums() -> None:
    s = Sighting("vehicle", 13.5, 2.1, 5.0, 0.0, 0.5, "tak")  # type: ignore[arg-type]
    assert s.kind is CueKind.VEHICLE and s.source is CueSource.TAK


def test_cue_json_round_trip() -> None:
    cue = Cue(
        "cue-0001", CueKind.OBJECT, 13.5, 2.1, 7.5, 1.0, 2.0, CueSource.TAK, 0.3,
        CueStatus.DISMISSED, ("a", "b"), 3, "/tmp/x.jpg", ("tak:u1",),
    )  # fmt: skip
    assert Cue.from_json(cue.to_json()) == cue


def test_approx_distance_is_close_to_geodesic() -> None:
    d = approx_distance_m(13.5, 2.1, 13.5012, 2.1009)
    assert d == pytest.approx(geodesic_distance_m(13.5, 2.1, 13.5012, 2.1009), rel=5e-3)


def test_inverse_variance_update() -> None:
    cue = new_cue("c", sighting(0.0, sigma_m=10.0, confidence=0.6))
    fused = fuse(cue, sighting(30.0, sigma_m=20.0, confidence=0.5, time_s=1010.0))
    # weights 1/100 and 1/400: the cue moves 30 * (1/400) / (1/100 + 1/400) = 6 m north
    moved_m = (fused.lat_deg - cue.lat_deg) * M_PER_DEG_LAT
    assert moved_m == pytest.approx(6.0, abs=1e-6)
    assert fused.sigma_m == pytest.approx(1 / math.sqrt(1 / 100 + 1 / 400))
    assert fused.confidence == pytest.approx(0.8)
    assert (fused.first_seen_s, fused.last_seen_s, fused.sightings) == (1000.0, 1010.0, 2)


def test_match_gates_on_kind_distance_and_time() -> None:
    cfg = FusionConfig(gate_m=25.0, n_sigma=2.0, window_s=600.0)
    cue = new_cue("c", sighting(0.0, sigma_m=10.0))
    # gate: 25 + 2 * hypot(10, 10) = 53.3 m
    assert match([cue], sighting(50.0, sigma_m=10.0), cfg) is cue
    assert match([cue], sighting(56.0, sigma_m=10.0), cfg) is None
    assert match([cue], sighting(10.0, kind=CueKind.VEHICLE), cfg) is None
    assert match([cue], sighting(10.0, time_s=1000.0 + 601.0), cfg) is None
    # larger uncertainty widens the gate
    assert match([cue], sighting(75.0, sigma_m=25.0), cfg) is cue  # gate 78.9 m


def test_match_prefers_the_nearest_in_sigmas_and_refs_win() -> None:
    a = new_cue("a", sighting(0.0, sigma_m=5.0))
    b = new_cue("b", sighting(40.0, sigma_m=30.0, ref="tak:x"))
    assert match([a, b], sighting(20.0, sigma_m=5.0)) is b  # 20/7.1 sigma vs 20/30.4
    far = sighting(5000.0, ref="tak:x")
    assert match([a, b], far) is b
    moved = fuse(b, far)
    assert moved.lat_deg == far.lat_deg and moved.sightings == 1 and moved.confidence == 0.5


@given(
    st.floats(1.0, 100.0),
    st.floats(1.0, 100.0),
    st.floats(-50.0, 50.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_fusion_invariants(
    sigma_a: float, sigma_b: float, north_m: float, conf_a: float, conf_b: float
) -> None:
    cue = new_cue("c", sighting(0.0, sigma_m=sigma_a, confidence=conf_a))
    new = sighting(north_m, sigma_m=sigma_b, confidence=conf_b)
    fused = fuse(cue, new)
    assert fused.sigma_m <= min(sigma_a, sigma_b) + 1e-9
    low, high = sorted((cue.lat_deg, new.lat_deg))
    assert low - 1e-12 <= fused.lat_deg <= high + 1e-12
    assert max(conf_a, conf_b) - 1e-12 <= fused.confidence <= 1.0
