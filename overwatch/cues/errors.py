"""Errors of the cue part (subclasses of the shared tree in ``overwatch.errors``)."""

from __future__ import annotations

from overwatch.errors import OverwatchError


class CueError(OverwatchError):
    """A cue operation failed: bad input, an unknown cue id, an unreadable store."""


class UnknownCue(CueError):
    """No cue has this id."""

    def __init__(self, cue_id: str) -> None:
        self.cue_id = cue_id
        super().__init__(f"no cue with id {cue_id!r}")
