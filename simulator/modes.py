"""ArduCopter flight-mode numbers and MAVLink constants the simulator uses."""

from __future__ import annotations

from enum import IntEnum

from pymavlink.dialects.v20 import ardupilotmega as mav


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
ACCEPTED: int = mav.MAV_RESULT_ACCEPTED
TEMPORARILY_REJECTED: int = mav.MAV_RESULT_TEMPORARILY_REJECTED
DENIED: int = mav.MAV_RESULT_DENIED
UNSUPPORTED: int = mav.MAV_RESULT_UNSUPPORTED
FAILED: int = mav.MAV_RESULT_FAILED

# MAV_MISSION_RESULT
MISSION_ACCEPTED: int = mav.MAV_MISSION_ACCEPTED
MISSION_ERROR: int = mav.MAV_MISSION_ERROR
MISSION_UNSUPPORTED_FRAME: int = mav.MAV_MISSION_UNSUPPORTED_FRAME
MISSION_UNSUPPORTED: int = mav.MAV_MISSION_UNSUPPORTED
MISSION_NO_SPACE: int = mav.MAV_MISSION_NO_SPACE
MISSION_INVALID: int = mav.MAV_MISSION_INVALID
MISSION_INVALID_PARAM1: int = mav.MAV_MISSION_INVALID_PARAM1
MISSION_INVALID_PARAM5_X: int = mav.MAV_MISSION_INVALID_PARAM5_X
MISSION_INVALID_PARAM6_Y: int = mav.MAV_MISSION_INVALID_PARAM6_Y
MISSION_INVALID_SEQUENCE: int = mav.MAV_MISSION_INVALID_SEQUENCE
MISSION_DENIED: int = mav.MAV_MISSION_DENIED
MISSION_OPERATION_CANCELLED: int = mav.MAV_MISSION_OPERATION_CANCELLED

# MAV_SEVERITY
SEV_CRITICAL: int = mav.MAV_SEVERITY_CRITICAL
SEV_WARNING: int = mav.MAV_SEVERITY_WARNING
SEV_NOTICE: int = mav.MAV_SEVERITY_NOTICE
SEV_INFO: int = mav.MAV_SEVERITY_INFO

#: The "force" magic number for arm/disarm (param2).
FORCE_MAGIC = 21196
