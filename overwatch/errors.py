"""The whole Overwatch exception tree, in one place.

::

    OverwatchError                      anything Overwatch raises on purpose
    ├── MissionError                    a mission file (or a file it names) is wrong
    │   └── MissionErrors               several of them, all found in one reading
    ├── PlanningError                   the mission cannot be planned
    │   └── ConstraintViolation         a constraint bites: which one, and where
    ├── FormatError                     an import/export file is wrong
    ├── LinkError                       the MAVLink link failed
    │   ├── LinkTimeout                 no answer in time
    │   ├── CommandRejected             the vehicle refused a command (carries MAV_RESULT)
    │   ├── TakeoffFailed               a takeoff was accepted but never reached its height
    │   ├── MissionTransferError        mission/fence/rally upload or download failed
    │   └── ParameterError              a parameter could not be read or set
    ├── FeedError                       a patrol position feed failed
    │   └── MessageError                one message from outside is malformed
    │                                   (NMEA, gpsd JSON, CoT XML, TAK protobuf):
    │                                   the feed counts it, drops it and goes on
    ├── VideoError                      the video pipeline failed
    ├── DurableFileError                a file that must survive a crash (run.json)
    │                                   could not be written durably
    └── SimulatorError                  the simulator or the SITL launcher failed

User mistakes (a bad mission file, a refused command) are caught by the
command line and printed as one clear message with exit code 2, never as a
traceback.
"""

from __future__ import annotations


class OverwatchError(Exception):
    """Base of every error Overwatch raises on purpose."""


class MissionError(OverwatchError):
    """A mission file is invalid.

    ``location`` is ``file:line:col`` where known; ``field`` the dotted path
    (``patrol.route[3]``); ``found`` and ``expected`` say what was wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        found: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.found = found
        self.expected = expected
        super().__init__(self.render())

    @property
    def location(self) -> str:
        parts = [self.file or "<mission>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        text = f"{self.location}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.found is not None:
            text += f" (found {self.found}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected is not None:
            text += f" (expected {self.expected})"
        return text


#: how many errors :class:`MissionErrors` lists before it says "and N more"
MAX_REPORTED_ERRORS = 20


class MissionErrors(MissionError):
    """Every mistake found in one reading of a mission file, sorted by file and line.

    ``errors`` holds them all; :meth:`lines` the first :data:`MAX_REPORTED_ERRORS`
    rendered, then ``and N more error(s)``. It is a :class:`MissionError` whose
    location is the first error's, so code that handles one error handles it.
    """

    def __init__(self, errors: list[MissionError], limit: int = MAX_REPORTED_ERRORS) -> None:
        flat: list[MissionError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, MissionErrors) else [error])
        if not flat:
            raise ValueError("MissionErrors needs at least one error")
        self.errors: list[MissionError] = sorted(flat, key=_error_order)
        self.limit = limit
        first = self.errors[0]
        super().__init__(
            first.message,
            file=first.file,
            line=first.line,
            column=first.column,
            field=first.field,
            found=first.found,
            expected=first.expected,
        )
        self.args = ("\n".join(self.lines()),)

    def lines(self) -> list[str]:
        shown = [e.render() for e in self.errors[: self.limit]]
        more = len(self.errors) - self.limit
        if more > 0:
            shown.append(f"and {more} more error{'s' if more != 1 else ''}")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _error_order(error: MissionError) -> tuple[str, int, int]:
    return (error.file or "", error.line or 0, error.column or 0)


class PlanningError(OverwatchError):
    """The mission cannot be planned as asked."""


class ConstraintViolation(PlanningError):
    """A constraint bites: ``constraint`` names it, ``where`` says where."""

    def __init__(self, constraint: str, where: str, detail: str = "") -> None:
        self.constraint = constraint
        self.where = where
        self.detail = detail
        message = f"constraint '{constraint}' violated at {where}"
        if detail:
            message += f": {detail}"
        super().__init__(message)


class FormatError(OverwatchError):
    """An import or export file is malformed."""


class LinkError(OverwatchError):
    """The MAVLink link failed."""


class LinkTimeout(LinkError):
    """No answer from the vehicle in time."""


class CommandRejected(LinkError):
    """The vehicle answered a command with a MAV_RESULT other than ACCEPTED.

    ``result`` is the numeric MAV_RESULT, ``result_name`` its name
    (``MAV_RESULT_FAILED``), ``command`` what was asked (``arm()``).
    """

    def __init__(self, command: str, result: int, result_name: str, detail: str = "") -> None:
        self.command = command
        self.result = result
        self.result_name = result_name
        self.detail = detail
        message = f"{command} rejected by the vehicle: {result_name}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class TakeoffFailed(LinkError):
    """An accepted takeoff did not reach its height: the vehicle disarmed, stalled or
    changed mode; ``said`` holds what it reported in STATUSTEXT meanwhile."""

    def __init__(self, message: str, said: tuple[str, ...] = ()) -> None:
        self.said = said
        text = message + (f"; vehicle says: {' / '.join(said)}" if said else "")
        super().__init__(text)


class MissionTransferError(LinkError):
    """A mission, fence or rally transfer failed (carries MAV_MISSION_RESULT if any)."""

    def __init__(self, message: str, result: int | None = None, result_name: str | None = None):
        self.result = result
        self.result_name = result_name
        super().__init__(message if result_name is None else f"{message}: {result_name}")


class SigningError(LinkError):
    """A MAVLink 2 signing key could not be read, or the vehicle did not take it."""


class ParameterError(LinkError):
    """A parameter could not be read or set."""


class FeedError(OverwatchError):
    """A patrol position feed failed."""


class MessageError(FeedError):
    """One message read from the network or a serial port is malformed.

    Every parser of outside input (NMEA, gpsd JSON, CoT XML, TAK protocol v1)
    raises this, and only this, for bad input; a feed loop counts it in its
    ``bad`` tally, keeps the text as ``last_error`` and reads the next message.
    """


class VideoError(OverwatchError):
    """The video pipeline failed."""


class DurableFileError(OverwatchError):
    """A file that must survive ``kill -9`` or power loss could not be written or read."""


class SimulatorError(OverwatchError):
    """The simulator or the SITL launcher failed."""
