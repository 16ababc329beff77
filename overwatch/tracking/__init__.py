"""The patrol tracker: map-match patrol fixes to the route, detect halts,
deviations and stale feeds, and forecast arrival times (pure, no I/O)."""

from overwatch.tracking.config import TrackerConfig
from overwatch.tracking.prediction import PatrolPrediction, TrackMode
from overwatch.tracking.route import RouteIndex, RouteMatch
from overwatch.tracking.tracker import FixLike, PatrolEstimate, PatrolTracker, TrackFix

__all__ = [
    "FixLike",
    "PatrolEstimate",
    "PatrolPrediction",
    "PatrolTracker",
    "RouteIndex",
    "RouteMatch",
    "TrackFix",
    "TrackMode",
    "TrackerConfig",
]
