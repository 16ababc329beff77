"""Errors of the scoring part (subclasses of the shared tree in ``overwatch.errors``)."""

from __future__ import annotations

from overwatch.errors import OverwatchError


class RunDirError(OverwatchError):
    """A run directory, or a file in it, is missing or not what was expected.

    The message names the file and says what was expected; the command line
    prints it as one line and exits with code 2.
    """
