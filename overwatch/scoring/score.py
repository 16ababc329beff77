"""Score a run: lead coverage achieved, how early each threat was cued, misses and false cues.

Inputs are files, not the simulator: the ground-truth log the scenario wrote
(:class:`TruthLog`, scenario time in seconds since the patrol's planned start)
and the cues the live session recorded (:class:`CueRecord`, converted to the
same clock). Coverage uses the planner's own definition
(:class:`overwatch.planning.coverage.LeadCoverage`) with the drone's true poses
and the patrol's true arrival times, over the stretch of route the patrol
actually drove during the run. A ``static`` watch is also scored by the share
of its duration the site lay inside the camera's footprint (:func:`site_watch`).

A cue *matches* a threat when it lies within ``MATCH_RADIUS_M`` plus twice its
own 1-sigma uncertainty of where the threat stood (or of any place the
detector saw it, so a threat that moves is still matched) and was first seen
no earlier than ``APPEAR_TOLERANCE_S`` before the threat appeared. A cue near
two threats goes to the nearer one. Camera cues that match no threat are
false cues; operator marks and TAK markers are never counted false.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from overwatch.formats.features import MIN_FOOTPRINT_HEIGHT_M
from overwatch.geo.camera import footprint_corners
from overwatch.mission import MissionGeometry, PatrolSchedule
from overwatch.planning.coverage import LeadCoverage, team_coverage
from overwatch.planning.model import Coverage, Trajectory
from overwatch.planning.strategies import static_site
from overwatch.scoring.truth import FloatArray, SightingTruth, ThreatTruth, TruthLog

#: a cue within this distance of a threat (plus twice the cue's own sigma) counts for it, metres
MATCH_RADIUS_M = 60.0
#: a cue first seen this long before a threat appeared may still be for it (clock skew), seconds
APPEAR_TOLERANCE_S = 1.0
#: the drone counts as airborne above this height above home, metres
AIRBORNE_ABOVE_M = 2.0

#: the outcome of one threat
CUED, LATE, MISSED, NOT_REACHED = "cued", "late", "missed", "not reached"


@dataclass(frozen=True)
class CueRecord:
    """A cue as the session recorded it; times in scenario seconds (``first_seen_s``)."""

    cue_id: str
    kind: str
    lat_deg: float
    lon_deg: float
    sigma_m: float
    first_seen_s: float
    source: str = "camera"
    status: str = "new"
    last_seen_s: float | None = None
    sightings: int = 1
    confidence: float = 0.0
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "cue_id": self.cue_id,
            "kind": self.kind,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "sigma_m": self.sigma_m,
            "first_seen_s": round(self.first_seen_s, 3),
            "last_seen_s": None if self.last_seen_s is None else round(self.last_seen_s, 3),
            "source": self.source,
            "status": self.status,
            "sightings": self.sightings,
            "confidence": self.confidence,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ThreatScore:
    """How one threat was handled (seconds; ``None`` times mean it was never cued).

    ``time_to_cue_s`` runs from the threat's appearance to its first cue;
    ``lead_s`` is how long before the patrol's arrival that cue came (negative:
    after); ``detector_delay_s`` from the detector's first true sighting to
    the cue (the pipeline's own delay). ``outcome`` is ``cued``, ``late``
    (cued only after the patrol arrived), ``missed`` (the patrol arrived, no
    cue) or ``not reached`` (the run ended before the patrol got there, no cue).
    """

    truth_id: str
    kind: str
    time_to_cue_s: float | None
    lead_s: float | None
    cue_id: str | None
    outcome: str = MISSED
    appear_s: float = 0.0
    patrol_arrival_s: float = 0.0
    first_sighting_s: float | None = None
    cue_kind: str | None = None
    cue_status: str | None = None
    cue_ids: tuple[str, ...] = ()

    @property
    def missed(self) -> bool:
        """The patrol got there before any cue did (``missed`` or ``late``)."""
        return self.outcome in (MISSED, LATE)

    @property
    def detector_delay_s(self) -> float | None:
        if self.first_sighting_s is None or self.time_to_cue_s is None:
            return None
        return self.appear_s + self.time_to_cue_s - self.first_sighting_s

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {
            "truth_id": self.truth_id,
            "kind": self.kind,
            "outcome": self.outcome,
            "missed": self.missed,
            "appear_s": r(self.appear_s),
            "patrol_arrival_s": r(self.patrol_arrival_s),
            "first_sighting_s": r(self.first_sighting_s),
            "time_to_cue_s": r(self.time_to_cue_s),
            "lead_s": r(self.lead_s),
            "detector_delay_s": r(self.detector_delay_s),
            "cue_id": self.cue_id,
            "cue_kind": self.cue_kind,
            "cue_status": self.cue_status,
            "cue_ids": list(self.cue_ids),
        }


@dataclass(frozen=True)
class SiteWatch:
    """How well a static watch kept its site in view (seconds; ``fraction`` 0..1).

    The watch runs from the moment the site was first in view for the mission's
    duration (to the end of the run without one, or when the run ended first)."""

    fraction: float
    watched_s: float
    window_s: float

    def to_json(self) -> dict[str, float]:
        return {
            "fraction": round(self.fraction, 4),
            "watched_s": round(self.watched_s, 1),
            "window_s": round(self.window_s, 1),
        }


def site_watch(trajectory: Trajectory, geometry: MissionGeometry) -> SiteWatch:
    """The share of a static watch during which its site lay inside the camera's footprint."""
    params = geometry.mission.overwatch.static
    site = static_site(geometry, params.site)
    cam = geometry.mission.vehicle.camera
    t = trajectory.t_s
    quads = footprint_corners(
        trajectory.x_m,
        trajectory.y_m,
        trajectory.alt_rel_m,
        trajectory.yaw_deg,
        trajectory.gimbal_pitch_deg,
        cam.hfov_deg,
        cam.vfov_deg,
    )
    high = trajectory.alt_rel_m > MIN_FOOTPRINT_HEIGHT_M
    in_view = high & shapely.contains_xy(shapely.polygons(quads), site[0], site[1])
    if len(t) < 2 or not in_view.any():
        return SiteWatch(0.0, 0.0, float(params.duration_s or 0.0))
    start = float(t[int(np.argmax(in_view))])
    end = float(t[-1]) if params.duration_s is None else min(start + params.duration_s, t[-1])
    # each sample holds until the next one, cut to the watch
    held_s = np.clip(np.append(t[1:], t[-1]), start, end) - np.clip(t, start, end)
    watched = float(held_s[in_view].sum())
    span = max(end - start, 1e-9)
    return SiteWatch(min(watched / span, 1.0), watched, end - start)


@dataclass(frozen=True, eq=False)
class RunScore:
    """The score of one run (fractions 0..1, metres, seconds).

    ``scored_m`` is how far along the route the patrol got during the run:
    coverage is measured over stations 0..``scored_m`` of ``route_length_m``.
    """

    lead_coverage: float
    longest_gap_m: float
    threats: tuple[ThreatScore, ...]
    false_cues: tuple[str, ...]
    coverage: Coverage
    scored_m: float = 0.0
    route_length_m: float = 0.0
    cues: tuple[CueRecord, ...] = field(default=())
    #: a static watch's share of its duration with the site in view (None: not static)
    site: SiteWatch | None = None
    #: for each of ``cues``, how long before the patrol reached its place on the route it
    #: came, seconds (None: the patrol never got there)
    cue_leads_s: tuple[float | None, ...] = field(default=())
    #: scored against the simulator's ground truth (False: the run's own track, no threats)
    has_truth: bool = True

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(t.truth_id for t in self.threats if t.missed)

    @property
    def cued_in_time(self) -> tuple[str, ...]:
        return tuple(t.truth_id for t in self.threats if t.outcome == CUED)

    def to_json(self) -> dict[str, Any]:
        """The ``score.json`` object."""
        cov = self.coverage
        return {
            "lead_coverage": round(self.lead_coverage, 4),
            "longest_gap_m": round(self.longest_gap_m, 1),
            "scored_m": round(self.scored_m, 1),
            "route_length_m": round(self.route_length_m, 1),
            "gaps": [
                {"start_m": round(g.start_m, 1), "end_m": round(g.end_m, 1), "reason": g.reason}
                for g in cov.gaps
            ],
            "threats": [t.to_json() for t in self.threats],
            "missed": list(self.missed),
            "false_cues": list(self.false_cues),
            "cues": [
                {**c.to_json(), "patrol_lead_s": None if lead is None else round(lead, 1)}
                for c, lead in zip(self.cues, self.cue_leads_s, strict=True)
            ],
            "scored_from": "ground truth" if self.has_truth else "the run's own track",
            **({} if self.site is None else {"site_watch": self.site.to_json()}),
        }


def score_run(
    geometry: MissionGeometry,
    truth: TruthLog,
    cues: list[CueRecord],
    *,
    coverage_function: LeadCoverage | None = None,
    has_truth: bool = True,
) -> RunScore:
    """Score the run described by ``truth`` and ``cues`` for the mission in ``geometry``.

    Without ``has_truth``, ``truth`` is the run's own track (the patrol's fixes, the drone's
    telemetry): there are no threats to match, so no cue is called false."""
    schedule = true_schedule(truth, geometry)
    scored_m = schedule.length_m if schedule is not None else 0.0
    trajectory = drone_trajectory(truth, geometry)
    if schedule is None:
        coverage = _no_coverage()
    else:
        real = replace(geometry, schedule=schedule)
        function = coverage_function or LeadCoverage()
        if truth.team_rows:  # a team: a sample any drone's camera saw counts
            views = [(trajectory, real)] + [
                (_trajectory(rows, geometry), real.for_drone(_drone_index(geometry, sysid)))
                for sysid, rows in truth.team_rows.items()
            ]
            merged = Trajectory.concat([t for t, _ in views])
            merged = merged.take(np.argsort(merged.t_s, kind="stable"))
            coverage = team_coverage(function, views, merged)[0]
        else:
            coverage = function(trajectory, real)
    static = geometry.mission.overwatch.strategy == "static"
    owner = _assign(geometry, truth, cues)
    scores = tuple(
        _threat_score(threat, truth, [c for c, k in zip(cues, owner, strict=True) if k == i])
        for i, threat in enumerate(truth.threats)
    )
    false = tuple(
        c.cue_id
        for c, k in zip(cues, owner, strict=True)
        if k < 0 and c.source == "camera" and has_truth
    )
    return RunScore(
        lead_coverage=coverage.lead_coverage,
        longest_gap_m=coverage.longest_gap_m,
        threats=scores,
        false_cues=false,
        coverage=coverage,
        scored_m=scored_m,
        route_length_m=float(geometry.route.length),
        cues=tuple(cues),
        site=site_watch(trajectory, geometry) if static and len(trajectory) else None,
        cue_leads_s=tuple(_patrol_lead_s(c, geometry, schedule) for c in cues),
        has_truth=has_truth,
    )


def _patrol_lead_s(
    cue: CueRecord, geometry: MissionGeometry, schedule: PatrolSchedule | None
) -> float | None:
    """How long before the patrol first reached the cue's place on the route it came."""
    if schedule is None:
        return None
    x, y = geometry.frame.to_local(cue.lat_deg, cue.lon_deg)
    station = float(geometry.route.project(Point(x, y)))
    t, s = schedule.knot_t_s, schedule.knot_s_m
    if station > s[-1]:
        return None  # the patrol never got there
    i = int(np.searchsorted(s, station, side="left"))
    if i == 0:
        arrival = float(t[0])
    else:
        span = s[i] - s[i - 1]
        f = 0.0 if span <= 0 else (station - s[i - 1]) / span
        arrival = float(t[i - 1] + f * (t[i] - t[i - 1]))
    return arrival - cue.first_seen_s


def drone_trajectory(truth: TruthLog, geometry: MissionGeometry) -> Trajectory:
    """The (first) drone's true track in ``geometry``'s local frame; each airborne stretch a
    sortie."""
    return _trajectory(truth.drone_rows, geometry)


def _drone_index(geometry: MissionGeometry, sysid: int) -> int:
    """The index in the mission's team of the drone with ``sysid`` (0 when none has it)."""
    drones = geometry.mission.drones
    return next((i for i, d in enumerate(drones) if d.vehicle.sysid == sysid), 0)


def _trajectory(d: FloatArray, geometry: MissionGeometry) -> Trajectory:
    """Drone rows (``t_s, lat, lon, alt_rel, yaw, gimbal_pitch``) as a track in the local frame."""
    x, y = geometry.frame.to_local(d[:, 1], d[:, 2])
    airborne = d[:, 3] > AIRBORNE_ABOVE_M
    takeoffs = np.cumsum(airborne & ~np.concatenate([[False], airborne[:-1]]))
    return Trajectory(
        t_s=d[:, 0].copy(),
        x_m=np.asarray(x, dtype=float),
        y_m=np.asarray(y, dtype=float),
        alt_rel_m=d[:, 3].copy(),
        yaw_deg=d[:, 4].copy(),
        gimbal_pitch_deg=d[:, 5].copy(),
        sortie=np.where(airborne, takeoffs - 1, -1).astype(np.int64),
        watching=airborne,
    )


def true_schedule(truth: TruthLog, geometry: MissionGeometry) -> PatrolSchedule | None:
    """The patrol's true timetable over the stretch it drove; None if it never moved.

    Stations are made monotone; the wait at the start before the patrol moved
    off is dropped (arrival at the first station is its departure), and runs
    of equal stations keep only their first and last knot.
    """
    t = truth.patrol_t_s
    s = np.maximum.accumulate(truth.patrol_station_m)
    moved = np.flatnonzero(s > s[0] + 1e-6)
    if len(moved) == 0 or s[-1] - s[0] < 1.0:
        return None
    start = moved[0] - 1
    t, s = t[start:], s[start:]
    same_prev = np.concatenate([[False], s[1:] == s[:-1]])
    same_next = np.concatenate([s[:-1] == s[1:], [False]])
    keep = ~(same_prev & same_next)
    return replace(
        geometry.schedule,
        knot_t_s=np.asarray(t[keep], dtype=float),
        knot_s_m=np.asarray(s[keep], dtype=float),
    )


def _no_coverage() -> Coverage:
    return Coverage(0.0, 0.0, (), 0, np.zeros(0), np.zeros(0))


def _assign(geometry: MissionGeometry, truth: TruthLog, cues: list[CueRecord]) -> list[int]:
    """For each cue, the index of the threat it matches, or -1."""
    frame = geometry.frame
    refs = [_reference_points(geometry, t, truth.sightings) for t in truth.threats]
    owner = []
    for cue in cues:
        cx, cy = frame.to_local(cue.lat_deg, cue.lon_deg)
        best, best_d = -1, np.inf
        for i, threat in enumerate(truth.threats):
            if cue.first_seen_s < threat.appear_s - APPEAR_TOLERANCE_S:
                continue
            d = float(np.hypot(refs[i][:, 0] - cx, refs[i][:, 1] - cy).min())
            if d <= MATCH_RADIUS_M + 2.0 * cue.sigma_m and d < best_d:
                best, best_d = i, d
        owner.append(best)
    return owner


def _reference_points(
    geometry: MissionGeometry, threat: ThreatTruth, sightings: tuple[SightingTruth, ...]
) -> FloatArray:
    """Where the threat was (local metres): its first position and every true sighting of it."""
    lat = [threat.lat_deg] + [s.lat_deg for s in sightings if s.truth_id == threat.truth_id]
    lon = [threat.lon_deg] + [s.lon_deg for s in sightings if s.truth_id == threat.truth_id]
    x, y = geometry.frame.to_local(np.asarray(lat), np.asarray(lon))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def _threat_score(threat: ThreatTruth, truth: TruthLog, matches: list[CueRecord]) -> ThreatScore:
    seen = [s.t_s for s in truth.sightings if s.truth_id == threat.truth_id]
    first_sighting = min(seen) if seen else None
    if not matches:
        reached = threat.patrol_arrival_s <= truth.end_s
        return ThreatScore(
            threat.truth_id,
            threat.kind,
            None,
            None,
            None,
            outcome=MISSED if reached else NOT_REACHED,
            appear_s=threat.appear_s,
            patrol_arrival_s=threat.patrol_arrival_s,
            first_sighting_s=first_sighting,
        )
    ordered = sorted(matches, key=lambda c: c.first_seen_s)
    first = ordered[0]
    lead = threat.patrol_arrival_s - first.first_seen_s
    return ThreatScore(
        threat.truth_id,
        threat.kind,
        first.first_seen_s - threat.appear_s,
        lead,
        first.cue_id,
        outcome=CUED if lead > 0 else LATE,
        appear_s=threat.appear_s,
        patrol_arrival_s=threat.patrol_arrival_s,
        first_sighting_s=first_sighting,
        cue_kind=first.kind,
        cue_status=first.status,
        cue_ids=tuple(c.cue_id for c in ordered),
    )


__all__ = [
    "CUED",
    "LATE",
    "MATCH_RADIUS_M",
    "MISSED",
    "NOT_REACHED",
    "CueRecord",
    "RunScore",
    "ThreatScore",
    "ThreatTruth",
    "TruthLog",
    "drone_trajectory",
    "score_run",
    "true_schedule",
]
