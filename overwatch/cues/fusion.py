"""Fusing sightings into cues.

A sighting joins an existing cue when the kinds match, it comes within
``window_s`` of the cue's last sighting, and it lies within
``gate_m + n_sigma * hypot(sigma_cue, sigma_sighting)`` metres of it. The
position is then the inverse-variance weighted mean, the uncertainty shrinks
to ``1/sqrt(1/σc² + 1/σs²)``, and independent evidence raises the confidence
(noisy-OR: ``1 - (1-c)(1-s)``).

>>> from overwatch.cues.model import CueKind
>>> a = Cue("c1", CueKind.PERSON, 13.5, 2.1, 10.0, 0.0, 0.0, CueSource.CAMERA, 0.5)
>>> s = Sighting(CueKind.PERSON, 13.5, 2.1, 10.0, 5.0, 0.5, CueSource.CAMERA)
>>> fused = fuse(a, s)
>>> round(fused.sigma_m, 3), fused.confidence, fused.sightings, fused.last_seen_s
(7.071, 0.75, 2, 5.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from overwatch.cues.model import Cue, CueSource, CueStatus, Sighting

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class FusionConfig:
    """``gate_m`` fixed gate (m); ``n_sigma`` how many combined sigmas to add;
    ``window_s`` how long after its last sighting a cue can still absorb one."""

    gate_m: float = 25.0
    n_sigma: float = 2.0
    window_s: float = 600.0


def approx_distance_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Equirectangular distance (m); within 0.1 % of geodesic over the few
    hundred metres a fusion gate spans."""
    mean_lat = math.radians((lat1_deg + lat2_deg) / 2.0)
    dx = math.radians(lon2_deg - lon1_deg) * math.cos(mean_lat)
    dy = math.radians(lat2_deg - lat1_deg)
    return EARTH_RADIUS_M * math.hypot(dx, dy)


def match(
    cues: Iterable[Cue], sighting: Sighting, config: FusionConfig = FusionConfig()
) -> Cue | None:
    """The cue ``sighting`` belongs to, or ``None``.

    A cue already holding the sighting's ``ref`` wins outright; otherwise the
    gated cue nearest in units of combined sigma.
    """
    best: Cue | None = None
    best_score = math.inf
    for cue in cues:
        if sighting.ref is not None and sighting.ref in cue.refs:
            return cue
        if cue.kind is not sighting.kind:
            continue
        if abs(sighting.time_s - cue.last_seen_s) > config.window_s:
            continue
        combined = math.hypot(cue.sigma_m, sighting.sigma_m)
        distance = approx_distance_m(cue.lat_deg, cue.lon_deg, sighting.lat_deg, sighting.lon_deg)
        if distance > config.gate_m + config.n_sigma * combined:
            continue
        score = distance / combined
        if score < best_score:
            best, best_score = cue, score
    return best


def new_cue(cue_id: str, sighting: Sighting) -> Cue:
    """A fresh cue made of one sighting."""
    return Cue(
        id=cue_id,
        kind=sighting.kind,
        lat_deg=sighting.lat_deg,
        lon_deg=sighting.lon_deg,
        sigma_m=sighting.sigma_m,
        first_seen_s=sighting.time_s,
        last_seen_s=sighting.time_s,
        source=sighting.source,
        confidence=sighting.confidence,
        status=CueStatus.ACKNOWLEDGED if sighting.source is CueSource.OPERATOR else CueStatus.NEW,
        snapshot_path=sighting.snapshot_path,
        refs=(sighting.ref,) if sighting.ref else (),
    )


def fuse(cue: Cue, sighting: Sighting) -> Cue:
    """``cue`` updated with ``sighting`` (status and notes are kept).

    A sighting re-reporting the same external marker (same ``ref``) moves the
    cue to the marker's position without adding evidence.
    """
    first = min(cue.first_seen_s, sighting.time_s)
    last = max(cue.last_seen_s, sighting.time_s)
    snapshot = sighting.snapshot_path or cue.snapshot_path
    if sighting.ref is not None and sighting.ref in cue.refs:
        return replace(
            cue,
            lat_deg=sighting.lat_deg,
            lon_deg=sighting.lon_deg,
            sigma_m=sighting.sigma_m,
            first_seen_s=first,
            last_seen_s=last,
            confidence=max(cue.confidence, sighting.confidence),
            snapshot_path=snapshot,
        )
    w_cue = 1.0 / cue.sigma_m**2
    w_new = 1.0 / sighting.sigma_m**2
    total = w_cue + w_new
    refs = cue.refs + ((sighting.ref,) if sighting.ref else ())
    return replace(
        cue,
        lat_deg=(cue.lat_deg * w_cue + sighting.lat_deg * w_new) / total,
        lon_deg=(cue.lon_deg * w_cue + sighting.lon_deg * w_new) / total,
        sigma_m=1.0 / math.sqrt(total),
        first_seen_s=first,
        last_seen_s=last,
        confidence=1.0 - (1.0 - cue.confidence) * (1.0 - sighting.confidence),
        sightings=cue.sightings + 1,
        snapshot_path=snapshot,
        refs=refs,
    )
