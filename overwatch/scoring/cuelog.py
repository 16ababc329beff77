"""The session's cue store, read back for scoring (times moved to scenario seconds).

Cue times in the store are UNIX seconds of the (simulated) UTC clock; the
scenario clock counts from the patrol's planned start, so
``t_s = time_s - patrol.start_time.timestamp()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from overwatch.cues import Cue, CueBook, CueError
from overwatch.errors import RunDirError
from overwatch.scoring.score import CueRecord


def epoch_s(start_time: datetime) -> float:
    """UNIX seconds of the patrol's planned start (a naive time is taken as UTC)."""
    base = start_time if start_time.tzinfo is not None else start_time.replace(tzinfo=UTC)
    return base.timestamp()


def cue_records(cues: Iterable[Cue], start_time: datetime) -> list[CueRecord]:
    """``cues`` as :class:`CueRecord` in scenario seconds since ``start_time``."""
    t0 = epoch_s(start_time)
    return [
        CueRecord(
            cue_id=c.id,
            kind=c.kind.value,
            lat_deg=c.lat_deg,
            lon_deg=c.lon_deg,
            sigma_m=c.sigma_m,
            first_seen_s=c.first_seen_s - t0,
            source=c.source.value,
            status=c.status.value,
            last_seen_s=c.last_seen_s - t0,
            sightings=c.sightings,
            confidence=c.confidence,
            notes=c.notes,
        )
        for c in cues
    ]


def read_cues(path: Path, start_time: datetime) -> list[CueRecord]:
    """Every cue in the store at ``path`` (dismissed ones too), in creation order."""
    if not path.is_file():
        # CueBook would create an empty store: say what is missing instead
        raise RunDirError(f"{path}: missing (expected the session's cue store, SQLite)")
    try:
        book = CueBook(path)
    except CueError as exc:
        reason = str(exc).removeprefix(f"cue store {path}: ")
        raise RunDirError(
            f"{path}: not a cue store ({reason}; expected the session's SQLite cue store)"
        ) from None
    try:
        return cue_records(book.cues(), start_time)
    finally:
        book.close()
