"""Ranking by patrol ETA, off-route distance and confidence; severity; speed."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString

from overwatch.cues import (
    Cue,
    CueError,
    CueKind,
    CueSource,
    RankedCue,
    RouteProgress,
    Severity,
    SeverityRule,
    rank_cues,
)
from overwatch.geo import LocalFrame

FRAME = LocalFrame(13.5, 2.1)
# a road north 5 km, then north-east, then north again (metres in FRAME)
ROUTE = LineString([(0, 0), (0, 5000), (3000, 8000), (3000, 20000)])


def cue_at(name: str, x_m: float, y_m: float, confidence: float = 0.5) -> Cue:
    lat, lon = FRAME.to_wgs84(x_m, y_m)
    return Cue(name, CueKind.PERSON, lat, lon, 10.0, 0.0, 0.0, CueSource.CAMERA, confidence)


def names(ranked: list[RankedCue]) -> list[str]:
    return [r.cue.id for r in ranked]


def test_order_eta_then_off_route_then_confidence_behind_last() -> None:
    progress = RouteProgress.at_speed(FRAME, ROUTE, 2000.0, 10.0)
    cues = [
        cue_at("far-ahead", 10.0, 4500.0),
        cue_at("behind", 5.0, 1000.0),
        cue_at("near-ahead-wide", 300.0, 2500.0),
        cue_at("near-ahead-close", 20.0, 2500.0, confidence=0.2),
        cue_at("near-ahead-close-sure", -20.0, 2500.0, confidence=0.9),
        cue_at("behind-further", 5.0, 100.0),
    ]
    ranked = rank_cues(cues, progress)
    assert names(ranked)[:4] == [
        "near-ahead-close-sure",  # same station & distance as the next: higher confidence first
        "near-ahead-close",
        "near-ahead-wide",  # same ETA, further off the route
        "far-ahead",
    ]
    assert {r.cue.id for r in ranked[4:]} == {"behind", "behind-further"}
    assert all(r.behind and r.eta_s is None for r in ranked[4:])
    first = ranked[0]
    assert first.station_m == pytest.approx(2500.0, abs=0.5)
    assert first.off_route_m == pytest.approx(20.0, abs=0.5)
    assert first.eta_s == pytest.approx(50.0, abs=0.1)


def test_station_follows_the_bends_of_the_route() -> None:
    progress = RouteProgress.at_speed(FRAME, ROUTE, 0.0, 10.0)
    # a point beside the diagonal leg, and one 100 m east of the last leg
    ranked = rank_cues([cue_at("leg3", 3100.0, 10000.0), cue_at("leg2", 1500.0, 6500.0)], progress)
    assert names(ranked) == ["leg2", "leg3"]
    diagonal = 3000.0 * np.sqrt(2.0)
    assert ranked[1].station_m == pytest.approx(5000.0 + diagonal + 2000.0, abs=1.0)
    assert ranked[1].off_route_m == pytest.approx(100.0, abs=0.5)


def test_profile_eta_and_severity_rules() -> None:
    # the patrol stops for 10 minutes at station 3000
    progress = RouteProgress.from_profile(
        FRAME, ROUTE, 1000.0, [0.0, 3000.0, 3001.0, 20000.0], [0.0, 300.0, 900.0, 2600.0]
    )
    cues = [
        cue_at("critical", 10.0, 1500.0),  # ETA 50 s, 10 m off
        cue_at("high", 100.0, 1500.0),  # ETA 50 s, 100 m off
        cue_at("after-stop", 0.0, 3500.0),  # ETA > 600 s: medium
        cue_at("low", 0.0, 15000.0),
    ]
    by_id = {r.cue.id: r for r in rank_cues(cues, progress)}
    assert by_id["critical"].eta_s == pytest.approx(50.0, abs=0.1)
    assert by_id["after-stop"].eta_s == pytest.approx(900.0 + 499 * (1700 / 16999) - 100.0, abs=0.2)
    assert [by_id[k].severity for k in ("critical", "high", "after-stop", "low")] == [
        Severity.CRITICAL,
        Severity.HIGH,
        Severity.MEDIUM,
        Severity.LOW,
    ]
    strict = [SeverityRule(Severity.CRITICAL, 120.0, 50.0, min_confidence=0.9)]
    assert rank_cues(cues[:1], progress, strict)[0].severity is Severity.LOW


def test_bad_profile_is_refused() -> None:
    with pytest.raises(CueError, match="strictly increasing"):
        RouteProgress.from_profile(FRAME, ROUTE, 0.0, [0.0, 0.0], [0.0, 1.0])
    with pytest.raises(CueError, match="speed_m_s"):
        RouteProgress.at_speed(FRAME, ROUTE, 0.0, 0.0)


def test_empty() -> None:
    assert rank_cues([], RouteProgress.at_speed(FRAME, ROUTE, 0.0, 10.0)) == []


def test_thousand_cues_rank_in_eta_order() -> None:
    """A thousand cues rank by ETA, the ones behind last (how fast: ``just bench cues``)."""
    rng = np.random.default_rng(3)
    cues = [
        cue_at(f"c{i}", float(x), float(y), float(c))
        for i, (x, y, c) in enumerate(
            zip(
                rng.uniform(-1000, 4000, 1000),
                rng.uniform(-1000, 21000, 1000),
                rng.uniform(0, 1, 1000),
                strict=True,
            )
        )
    ]
    progress = RouteProgress.at_speed(FRAME, ROUTE, 6000.0, 12.0)
    ranked = rank_cues(cues, progress)
    assert len(ranked) == 1000
    assert rank_cues(cues, progress) == ranked  # the same order every time
    etas = [r.eta_s for r in ranked if r.eta_s is not None]
    assert etas == sorted(etas)
    assert all(r.behind for r in ranked[len(etas) :])
