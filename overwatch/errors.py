"""The whole Overwatch exception tree, in one place.

::

    OverwatchError                      anything Overwatch raises on purpose
    ├── MissionError                    a mission file (or a file it names) is wrong
    │   ├── MissionErrors               several of them, all found in one reading
    │   └── TerrainError                an elevation raster is missing or unusable
    ├── QuantityError                   a quantity ("2.5 km") could not be read
    │                                   (also a ValueError; located by its caller)
    ├── AlreadyReported                 a mission part failed and its errors are
    │                                   already collected (a signal inside loading)
    ├── PlanningError                   the mission cannot be planned
    │   └── ConstraintViolation         a constraint bites: which one, and where
    ├── FormatError                     an import/export file is wrong
    ├── LinkError                       the MAVLink link failed
    │   ├── LinkTimeout                 no answer in time
    │   ├── CommandRejected             the vehicle refused a command (carries MAV_RESULT)
    │   ├── TakeoffFailed               a takeoff was accepted but never reached its height
    │   ├── MissionTransferError        mission/fence/rally upload or download failed
    │   ├── SigningError                a signing key could not be read or was not taken
    │   ├── ParameterError              a parameter could not be read or set
    │   └── UnknownModeError            a flight mode name ArduCopter does not have
    ├── FeedError                       a patrol position feed failed
    │   └── MessageError                one message from outside is malformed:
    │       │                           the feed counts it, drops it and goes on
    │       ├── NmeaError               an NMEA sentence
    │       ├── GpsdError               a gpsd JSON report
    │       ├── CotError                a CoT event (XML or TAK protobuf)
    │       └── TakProtocolError        TAK protocol v1 framing or protobuf
    ├── CueError                        a cue operation failed
    │   └── UnknownCue                  no cue has this id
    ├── VideoError                      the video pipeline failed
    ├── DurableFileError                a file that must survive a crash (run.json)
    │                                   could not be written durably
    ├── RunDirError                     a run directory (or a file in it) is not
    │                                   what was expected
    ├── GraphicsSettingError            OVERWATCH_GRAPHICS names no known protocol
    ├── GenerationError                 a patrol exercise could not be generated (a bad
    │                                   option, or no draw passed the loaders' checks)
    └── SimulatorError                  the simulator or the SITL launcher failed

Every error class of the project is defined here, and only here
(``tests/test_architecture.py`` checks it).

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


class TerrainError(MissionError):
    """An elevation raster is missing or cannot be used; ``file`` names it."""


class QuantityError(OverwatchError, ValueError):
    """A quantity could not be read: ``found`` says what was there, ``expected`` what fits."""

    def __init__(self, found: str, expected: str) -> None:
        self.found = found
        self.expected = expected
        super().__init__(f"found {found}; expected {expected}")


class AlreadyReported(OverwatchError):
    """A mission part could not be read, and its errors are already recorded
    (``overwatch.mission.nodes.report``): the caller skips the part, nothing more."""


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


class UnknownModeError(LinkError, ValueError):
    """A flight mode name that is not in the ArduCopter table."""


class FeedError(OverwatchError):
    """A patrol position feed failed."""


class MessageError(FeedError):
    """One message read from the network or a serial port is malformed.

    Every parser of outside input (NMEA, gpsd JSON, CoT XML, TAK protocol v1)
    raises this, and only this, for bad input; a feed loop counts it in its
    ``bad`` tally, keeps the text as ``last_error`` and reads the next message.
    """


class NmeaError(MessageError):
    """One NMEA sentence is malformed (the feed counts it as bad and drops it)."""


class GpsdError(MessageError):
    """One gpsd JSON report is malformed."""


class CotError(MessageError):
    """A CoT message (XML or TAK protobuf) is malformed."""


class TakProtocolError(MessageError):
    """A TAK protocol v1 (protobuf) message is malformed."""


class CueError(OverwatchError):
    """A cue operation failed: bad input, an unknown cue id, an unreadable store."""


class UnknownCue(CueError):
    """No cue has this id."""

    def __init__(self, cue_id: str) -> None:
        self.cue_id = cue_id
        super().__init__(f"no cue with id {cue_id!r}")


class VideoError(OverwatchError):
    """The video pipeline failed."""


class DurableFileError(OverwatchError):
    """A file that must survive ``kill -9`` or power loss could not be written or read."""


class RunDirError(OverwatchError):
    """A run directory, or a file in it, is missing or not what was expected.

    The message names the file and says what was expected; the command line
    prints it as one line and exits with code 2.
    """


class GraphicsSettingError(OverwatchError):
    """``OVERWATCH_GRAPHICS`` holds something other than a known protocol."""


class GenerationError(OverwatchError):
    """``overwatch scenario generate`` could not make an exercise.

    Either an option is out of range (the message names it and its range), or
    no draw from the seed passed the loaders' checks within the allowed
    attempts (the message names the seed and the last refusal). The command
    line prints it as one line and exits with code 2.
    """


class SimulatorError(OverwatchError):
    """The simulator or the SITL launcher failed."""
