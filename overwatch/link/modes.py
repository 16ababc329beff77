"""ArduCopter flight modes: HEARTBEAT ``custom_mode`` number ↔ name."""

from __future__ import annotations

from overwatch.errors import UnknownModeError

#: ArduCopter's mode table (``Copter::Mode::Number``).
COPTER_MODES: dict[int, str] = {
    0: "STABILIZE",
    1: "ACRO",
    2: "ALT_HOLD",
    3: "AUTO",
    4: "GUIDED",
    5: "LOITER",
    6: "RTL",
    7: "CIRCLE",
    9: "LAND",
    11: "DRIFT",
    13: "SPORT",
    14: "FLIP",
    15: "AUTOTUNE",
    16: "POSHOLD",
    17: "BRAKE",
    18: "THROW",
    19: "AVOID_ADSB",
    20: "GUIDED_NOGPS",
    21: "SMART_RTL",
    22: "FLOWHOLD",
    23: "FOLLOW",
    24: "ZIGZAG",
    25: "SYSTEMID",
    26: "AUTOROTATE",
    27: "AUTO_RTL",
}

COPTER_MODE_NUMBERS: dict[str, int] = {name: number for number, name in COPTER_MODES.items()}


def mode_name(custom_mode: int) -> str:
    """The ArduCopter name of ``custom_mode``, or ``MODE_<n>`` when unknown."""
    return COPTER_MODES.get(custom_mode, f"MODE_{custom_mode}")


def mode_number(name: str) -> int:
    """The ``custom_mode`` number of an ArduCopter mode name (case-insensitive).

    Raises :class:`UnknownModeError` (a ``LinkError`` and a ``ValueError``) naming
    the known modes when ``name`` is not one of them.
    """
    try:
        return COPTER_MODE_NUMBERS[name.strip().upper()]
    except KeyError:
        known = ", ".join(COPTER_MODE_NUMBERS)
        raise UnknownModeError(
            f"unknown ArduCopter mode {name!r}; expected one of: {known}"
        ) from None
