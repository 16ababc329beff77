"""ArduPilot parameter names across firmware versions, and their units.

Pure data and functions (no I/O): the link resolves a name against a vehicle
with them, and the SITL launcher checks its defaults files against a
firmware's own list.
"""

from __future__ import annotations

import re

#: Names ArduPilot changed between versions; each group names one parameter, as
#: ``(name, units per SI unit)``. 4.7 moved SYSID_THISMAV to MAV_SYSID and SYSID_MYGCS
#: to MAV_GCS_SYSID; 4.8 moved the centimetre parameters to metres under new names
#: (WPNAV_SPEED 500 cm/s is WP_SPD 5 m/s). Add groups as renames are met; stream
#: rates (SRn_/MAVn_) are handled by rule.
RENAMED: tuple[tuple[tuple[str, float], ...], ...] = (
    (("SYSID_THISMAV", 1.0), ("MAV_SYSID", 1.0)),
    (("SYSID_MYGCS", 1.0), ("MAV_GCS_SYSID", 1.0)),
    (("WPNAV_SPEED", 100.0), ("WP_SPD", 1.0)),
    (("WPNAV_SPEED_UP", 100.0), ("WP_SPD_UP", 1.0)),
    (("WPNAV_SPEED_DN", 100.0), ("WP_SPD_DN", 1.0)),
    (("WPNAV_ACCEL", 100.0), ("WP_ACC", 1.0)),
    (("WPNAV_ACCEL_Z", 100.0), ("WP_ACC_Z", 1.0)),
    (("WPNAV_RADIUS", 100.0), ("WP_RADIUS_M", 1.0)),
    (("RTL_ALT", 100.0), ("RTL_ALT_M", 1.0)),
    (("RTL_ALT_FINAL", 100.0), ("RTL_ALT_FINAL_M", 1.0)),
    (("RTL_CLIMB_MIN", 100.0), ("RTL_CLIMB_MIN_M", 1.0)),
    (("RTL_SPEED", 100.0), ("RTL_SPEED_MS", 1.0)),
    (("LAND_SPEED", 100.0), ("LAND_SPD_MS", 1.0)),
    (("LAND_SPEED_HIGH", 100.0), ("LAND_SPD_HIGH_MS", 1.0)),
    (("LAND_ALT_LOW", 100.0), ("LAND_ALT_LOW_M", 1.0)),
    (("PILOT_TKOFF_ALT", 100.0), ("PILOT_TKO_ALT_M", 1.0)),
    (("LOIT_SPEED", 100.0), ("LOIT_SPEED_MS", 1.0)),
    (("ANGLE_MAX", 100.0), ("ATC_ANGLE_MAX", 1.0)),  # centidegrees before 4.8, degrees after
)
_UNITS: dict[str, float] = {name: units for group in RENAMED for name, units in group}
_STREAM_OLD = re.compile(r"^SR(\d+)_(\w+)$")
_STREAM_NEW = re.compile(r"^MAV(\d+)_(\w+)$")


def alternatives(name: str) -> list[str]:
    """``name`` and the names the same parameter has in other ArduPilot versions.

    Stream rates: ``SRn_X`` (≤ 4.6, from SR0) is ``MAV(n+1)_X`` in 4.7 (from MAV1).

    >>> alternatives("SR1_POSITION")
    ['SR1_POSITION', 'MAV2_POSITION']
    >>> alternatives("MAV_SYSID")
    ['MAV_SYSID', 'SYSID_THISMAV']
    >>> alternatives("WPNAV_SPEED")
    ['WPNAV_SPEED', 'WP_SPD']
    """
    name = name.upper()
    found = [name]
    for group in RENAMED:
        names = [n for n, _ in group]
        if name in names:
            found += [other for other in names if other != name]
    if old := _STREAM_OLD.match(name):
        found.append(f"MAV{int(old[1]) + 1}_{old[2]}")
    elif (new := _STREAM_NEW.match(name)) and int(new[1]) >= 1:
        found.append(f"SR{int(new[1]) - 1}_{new[2]}")
    return found


def convert(value: float, from_name: str, to_name: str) -> float:
    """``value`` of parameter ``from_name`` in the units of its other name ``to_name``.

    >>> convert(500, "WPNAV_SPEED", "WP_SPD")
    5.0
    >>> convert(80, "RTL_ALT_M", "RTL_ALT")
    8000.0
    """
    return float(value) * _UNITS.get(to_name.upper(), 1.0) / _UNITS.get(from_name.upper(), 1.0)
