"""ArduCopter flight-mode numbers and MAVLink constants the simulator uses."""

from __future__ import annotations

from enum import IntEnum


class Mode(IntEnum):
    """ArduCopter custom_mode numbers (the ones the simulator flies)."""

    STABILIZE = 0
    ALT_HOLD = 2
    AUTO = 3
    GUIDED = 4
    LOITER = 5
    RTL = 6
    LAND = 9
    BRAKE = 17
    FOLLOW = 23


#: ArduCopter's names for its modes, as its messages say them ("Land mode not armable").
MODE_NAMES = {
    Mode.STABILIZE: "Stabilize",
    Mode.ALT_HOLD: "Altitude Hold",
    Mode.AUTO: "Auto",
    Mode.GUIDED: "Guided",
    Mode.LOITER: "Loiter",
    Mode.RTL: "RTL",
    Mode.LAND: "Land",
    Mode.BRAKE: "Brake",
    Mode.FOLLOW: "Follow",
}

#: Modes that need a position estimate (EKF using GPS) to be entered or armed in.
NEEDS_POSITION = frozenset({Mode.AUTO, Mode.GUIDED, Mode.LOITER, Mode.RTL, Mode.BRAKE, Mode.FOLLOW})
#: Modes ArduCopter lets you arm in (AUTO only with AUTO_OPTIONS bit 0).
ARMABLE = frozenset({Mode.STABILIZE, Mode.ALT_HOLD, Mode.GUIDED, Mode.LOITER})
#: Modes that set MAV_MODE_FLAG_GUIDED_ENABLED in HEARTBEAT.base_mode.
GUIDED_FLAG_MODES = frozenset(
    {Mode.AUTO, Mode.RTL, Mode.LOITER, Mode.FOLLOW, Mode.GUIDED, Mode.BRAKE}
)

# MAV_RESULT
ACCEPTED = 0
TEMPORARILY_REJECTED = 1
DENIED = 2
UNSUPPORTED = 3
FAILED = 4

# MAV_MISSION_RESULT
MISSION_ACCEPTED = 0
MISSION_ERROR = 1
MISSION_UNSUPPORTED_FRAME = 2
MISSION_UNSUPPORTED = 3
MISSION_NO_SPACE = 4
MISSION_INVALID = 5
MISSION_INVALID_PARAM1 = 6
MISSION_INVALID_PARAM5_X = 10
MISSION_INVALID_PARAM6_Y = 11
MISSION_INVALID_SEQUENCE = 13
MISSION_DENIED = 14
MISSION_OPERATION_CANCELLED = 15

# MAV_SEVERITY
SEV_CRITICAL = 2
SEV_WARNING = 4
SEV_NOTICE = 5
SEV_INFO = 6

#: The "force" magic number for arm/disarm (param2).
FORCE_MAGIC = 21196
