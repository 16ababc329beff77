"""Threat cues: the record, fusion of sightings, ranking by patrol ETA, persistence.

book = CueBook("cues.sqlite")
cue = book.add_sighting(Sighting(CueKind.PERSON, lat, lon, 10.0, t, 0.7, CueSource.CAMERA))
for ranked in book.ranked(RouteProgress.at_speed(frame, route_m, station_m, 8.0)):
    print(ranked.cue.id, ranked.eta_s, ranked.severity.name)
"""

from overwatch.cues.book import CueBook
from overwatch.cues.fusion import FusionConfig, fuse, match
from overwatch.cues.model import Cue, CueKind, CueSource, CueStatus, Sighting
from overwatch.cues.ranking import (
    DEFAULT_RULES,
    RankArrays,
    RankedCue,
    RouteProgress,
    Severity,
    SeverityRule,
    rank_arrays,
    rank_cues,
)
from overwatch.cues.store import CueStore
from overwatch.cues.tak import camera_sighting, kind_from_cot_type, sighting_from_cot
from overwatch.errors import CueError, UnknownCue

__all__ = [
    "DEFAULT_RULES",
    "Cue",
    "CueBook",
    "CueError",
    "CueKind",
    "CueSource",
    "CueStatus",
    "CueStore",
    "FusionConfig",
    "RankArrays",
    "RankedCue",
    "RouteProgress",
    "Severity",
    "SeverityRule",
    "Sighting",
    "UnknownCue",
    "camera_sighting",
    "fuse",
    "kind_from_cot_type",
    "match",
    "rank_arrays",
    "rank_cues",
    "sighting_from_cot",
]
