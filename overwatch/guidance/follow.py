"""The ArduPilot FOLLOW baseline: which FOLL_* parameters to set, as a dict.

FOLLOW mode flies at a fixed offset from a target vehicle that broadcasts its
position (the patrol, relayed by the session under ``target_sysid``). With
``FOLL_OFS_TYPE=1`` the offsets are in the target's heading frame: X ahead,
Y right, Z down (so a height above the target is negative). The session sets
these parameters; this module only computes them.

>>> p = follow_parameters(
...     offset_ahead_m=250.0, offset_right_m=0.0, altitude_m=80.0, target_sysid=42
... )
>>> p["FOLL_OFS_X"], p["FOLL_OFS_Z"], p["FOLL_SYSID"], p["FOLL_DIST_MAX"]
(250.0, -80.0, 42.0, 763.0)
"""

from __future__ import annotations

import math

from overwatch.mission import Mission

#: FOLL_YAW_BEHAVE: 2 = face the same heading as the target (a forward-looking camera)
YAW_SAME_AS_TARGET = 2.0
#: FOLL_OFS_TYPE: 1 = offsets relative to the target's heading
OFFSET_RELATIVE_TO_HEADING = 1.0


def follow_parameters(
    *,
    offset_ahead_m: float,
    offset_right_m: float,
    altitude_m: float,
    target_sysid: int,
    dist_max_margin_m: float = 500.0,
) -> dict[str, float]:
    """FOLL_* parameter values for ArduCopter FOLLOW mode (metres).

    ``FOLL_ACCEL_H=0`` sets the heading input-shaping acceleration limit to
    zero (off), working around the feed-forward fault fixed upstream in
    ArduPilot PR 33038; firmware older than FOLLOW's input shaping has no such
    parameter, and the session should skip it there. ``FOLL_DIST_MAX``
    (beyond which FOLLOW gives up) is the offset's length plus
    ``dist_max_margin_m``, rounded up to a metre.
    """
    if not 1 <= target_sysid <= 255:
        raise ValueError(f"FOLLOW target sysid must be 1..255 (got {target_sysid})")
    if altitude_m <= 0:
        raise ValueError(f"FOLLOW altitude must be > 0 m above the target (got {altitude_m})")
    reach = math.sqrt(offset_ahead_m**2 + offset_right_m**2 + altitude_m**2)
    return {
        "FOLL_ENABLE": 1.0,
        "FOLL_SYSID": float(target_sysid),
        "FOLL_OFS_TYPE": OFFSET_RELATIVE_TO_HEADING,
        "FOLL_OFS_X": float(offset_ahead_m),
        "FOLL_OFS_Y": float(offset_right_m),
        "FOLL_OFS_Z": -float(altitude_m),
        "FOLL_YAW_BEHAVE": YAW_SAME_AS_TARGET,
        "FOLL_ACCEL_H": 0.0,
        "FOLL_DIST_MAX": float(math.ceil(reach + dist_max_margin_m)),
    }


def mission_follow_parameters(mission: Mission, target_sysid: int) -> dict[str, float]:
    """:func:`follow_parameters` from the mission's ``overwatch.baseline`` and altitude."""
    base = mission.overwatch.baseline
    return follow_parameters(
        offset_ahead_m=base.offset_ahead_m,
        offset_right_m=base.offset_right_m,
        altitude_m=mission.overwatch.altitude_agl_m,
        target_sysid=target_sysid,
    )
