"""What every patrol position feed produces and reports about itself.

A feed yields :class:`PatrolFix` events (degrees, metres, m/s, UNIX seconds),
keeps a :class:`FeedStats` tally of what it saw, and answers with a
:class:`FeedStatus` (LIVE / STALE / DOWN and the age of the last fix).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class PatrolFix:
    """One position of the patrol.

    ``time_s`` is UNIX time (seconds, UTC) of the fix as the source stamped it;
    ``alt_msl_m`` is metres above mean sea level; ``speed_m_s`` ground speed;
    ``course_deg`` course over ground, degrees clockwise from true north;
    ``source`` names the feed (its URL); ``hdop`` is the horizontal dilution of
    precision (dimensionless) where the source gives it.
    """

    time_s: float
    lat_deg: float
    lon_deg: float
    alt_msl_m: float | None = None
    speed_m_s: float | None = None
    course_deg: float | None = None
    source: str = ""
    hdop: float | None = None


@dataclass
class FeedStats:
    """Running tally of one feed.

    ``good``: fixes accepted; ``bad``: sentences/messages that could not be
    parsed (dropped); ``rejected_jumps``: fixes dropped because reaching them
    from the last accepted fix needs an impossible speed; ``out_of_order``: fixes
    older than the last accepted one; ``no_fix``: well-formed messages that say
    the receiver has no fix; ``reconnects``: how many times the feed reconnected.
    """

    good: int = 0
    bad: int = 0
    rejected_jumps: int = 0
    out_of_order: int = 0
    no_fix: int = 0
    reconnects: int = 0


class FeedState(enum.StrEnum):
    """LIVE: fresh fixes; STALE: connected but the last fix is too old (or none
    yet); DOWN: not connected."""

    LIVE = "live"
    STALE = "stale"
    DOWN = "down"


@dataclass(frozen=True)
class FeedStatus:
    """A feed's state and the age (seconds, by the local clock) of its last fix.

    ``bad`` counts the malformed messages dropped so far and ``last_error``
    says what was wrong with the latest one (or why the last connection failed).
    """

    state: FeedState
    age_s: float | None
    last_fix: PatrolFix | None
    bad: int = 0
    last_error: str | None = None


def iso_utc_to_unix_s(text: str) -> float:
    """ISO 8601 / W3C dateTime (``2026-11-25T12:00:00.000Z``; UTC when it names no zone)
    → UNIX seconds, as gpsd and CoT stamp their reports.

    Raises ``ValueError`` for anything else: each parser turns it into its own
    :class:`~overwatch.errors.MessageError` that names the field.
    """
    try:
        stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.timestamp()
    except OverflowError as exc:
        raise ValueError(str(exc)) from None
