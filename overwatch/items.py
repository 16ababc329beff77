"""MAVLink mission, fence and rally items as plain values.

The planner produces these, the exporters write them to ``.plan`` and
``.waypoints`` files, and the link layer sends them to the vehicle. They hold
degrees and metres; the scaling to MAVLink's integers (1e7 degrees) happens
only where the link encodes a MISSION_ITEM_INT.

The numeric values are MAVLink's own (common.xml), copied here so the pure
planner does not need pymavlink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import IntEnum


class MissionType(IntEnum):
    """MAV_MISSION_TYPE."""

    MISSION = 0
    FENCE = 1
    RALLY = 2


class Frame(IntEnum):
    """MAV_FRAME values used by missions, fences and rally points."""

    GLOBAL = 0  # altitude above mean sea level
    MISSION = 2  # for items with no position
    GLOBAL_RELATIVE_ALT = 3  # altitude above home
    GLOBAL_INT = 5
    GLOBAL_RELATIVE_ALT_INT = 6
    GLOBAL_TERRAIN_ALT = 10


class Cmd(IntEnum):
    """MAV_CMD values the planner emits."""

    NAV_WAYPOINT = 16
    NAV_LOITER_UNLIM = 17
    NAV_LOITER_TURNS = 18
    NAV_LOITER_TIME = 19
    NAV_RETURN_TO_LAUNCH = 20
    NAV_LAND = 21
    NAV_TAKEOFF = 22
    DO_CHANGE_SPEED = 178
    DO_SET_ROI_LOCATION = 195
    DO_SET_ROI_NONE = 197
    DO_SET_ROI_SYSID = 198
    DO_MOUNT_CONTROL = 205
    DO_GIMBAL_MANAGER_PITCHYAW = 1000
    NAV_FENCE_RETURN_POINT = 5000
    NAV_FENCE_POLYGON_VERTEX_INCLUSION = 5001
    NAV_FENCE_POLYGON_VERTEX_EXCLUSION = 5002
    NAV_FENCE_CIRCLE_INCLUSION = 5003
    NAV_FENCE_CIRCLE_EXCLUSION = 5004
    NAV_RALLY_POINT = 5100


#: Frames that mean the same thing once the int/float encoding is set aside.
#: ArduPilot answers a download with frame 3 for an item sent as frame 6.
_FRAME_NORMAL: dict[int, int] = {
    Frame.GLOBAL_INT: Frame.GLOBAL,
    Frame.GLOBAL_RELATIVE_ALT_INT: Frame.GLOBAL_RELATIVE_ALT,
}


@dataclass(frozen=True)
class MissionItem:
    """One mission/fence/rally item: MAV_CMD, frame, params 1-4, position, altitude.

    ``lat_deg``/``lon_deg`` are WGS84 degrees (0 for items without a position);
    ``alt_m`` is in the datum the ``frame`` names (above home for
    GLOBAL_RELATIVE_ALT). ``seq`` is assigned when a list is sent.
    """

    command: int
    frame: int = Frame.GLOBAL_RELATIVE_ALT
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    lat_deg: float = 0.0
    lon_deg: float = 0.0
    alt_m: float = 0.0
    autocontinue: bool = True
    mission_type: MissionType = MissionType.MISSION

    def normalised(self) -> MissionItem:
        """The same item with its frame reduced to the non-INT form, for comparisons."""
        return replace(self, frame=int(_FRAME_NORMAL.get(self.frame, self.frame)))

    def same_as(self, other: MissionItem, *, pos_tol_deg: float = 2e-7, tol: float = 1e-3) -> bool:
        """Equal after frame normalisation, within the wire's precision (1e-7 deg, float32)."""
        a, b = self.normalised(), other.normalised()
        if (a.command, a.frame, a.mission_type) != (b.command, b.frame, b.mission_type):
            return False
        if abs(a.lat_deg - b.lat_deg) > pos_tol_deg or abs(a.lon_deg - b.lon_deg) > pos_tol_deg:
            return False
        pairs = (
            (a.param1, b.param1),
            (a.param2, b.param2),
            (a.param3, b.param3),
            (a.param4, b.param4),
            (a.alt_m, b.alt_m),
        )
        return all(abs(x - y) <= tol * max(1.0, abs(x)) for x, y in pairs)


#: MAV_CMD_NAV_LAST: every command up to it is a navigation command, and so are these three
#: above it (NAV_SET_YAW_SPEED, NAV_SCRIPT_TIME, NAV_ATTITUDE_TIME): AP_Mission::is_nav_cmd.
MAV_CMD_NAV_LAST = 95
_NAV_ABOVE_LAST = frozenset({213, 42702, 42703})


def is_nav_command(command: int) -> bool:
    """A navigation command: AUTO flies one at a time, each until it is reached, and runs
    the DO_ and CONDITION_ commands after it beside it (``AP_Mission::is_nav_cmd``)."""
    return command <= MAV_CMD_NAV_LAST or command in _NAV_ABOVE_LAST


#: Commands ArduPilot keeps a location for (AP_Mission::stored_in_location); every other
#: command comes back from a download with frame 0 and no position.
STORED_IN_LOCATION: frozenset[int] = frozenset(
    {
        16,
        17,
        18,
        19,
        21,
        22,
        30,
        31,
        36,
        82,
        92,
        179,
        188,
        189,
        191,
        195,
        201,
        84,
        85,
        94,
        5000,
        5001,
        5002,
        5003,
        5004,
        5100,
    }
)


def _uint16(value: float) -> float:
    """A float parameter squeezed into ArduPilot's uint16 storage (C's truncation)."""
    if not math.isfinite(value):
        return 0.0
    return float(min(65535, max(0, int(value))))


def _int8(value: float) -> float:
    if not math.isfinite(value):
        return 0.0
    return float(max(-128, min(127, int(value))))


def _int16(value: float) -> float:
    if not math.isfinite(value):
        return 0.0
    return float(max(-32768, min(32767, int(value))))


def _location_frame(frame: int) -> int:
    """The frame ArduPilot reports for a stored location: relative, terrain or absolute."""
    if frame in (Frame.GLOBAL_RELATIVE_ALT, Frame.GLOBAL_RELATIVE_ALT_INT):
        return int(Frame.GLOBAL_RELATIVE_ALT)
    if frame in (Frame.GLOBAL_TERRAIN_ALT, 11):
        return int(Frame.GLOBAL_TERRAIN_ALT)
    return int(Frame.GLOBAL)


def as_ardupilot_stores(item: MissionItem) -> MissionItem:
    """``item`` as ArduCopter returns it from a download after storing it.

    ArduPilot keeps a compact form, not the message (AP_Mission,
    AC_PolyFence_loader, AP_Rally): commands without a location come back with
    frame 0 and no position; a location's altitude is kept in whole
    centimetres (rally points: whole metres) and its frame as relative,
    terrain or absolute; each command keeps only its own parameters, some as
    small integers. Commands this table does not know keep their parameters.

    >>> as_ardupilot_stores(MissionItem(178, Frame.MISSION, 1, 12.34, -1)).frame
    0
    >>> loiter = MissionItem(19, Frame.GLOBAL_RELATIVE_ALT_INT, 42.7, alt_m=80.009)
    >>> kept = as_ardupilot_stores(loiter)
    >>> kept.frame, kept.param1, kept.param3, kept.alt_m
    (3, 42.0, 1.0, 80.0)
    """
    p1, p2, p3, p4 = item.param1, item.param2, item.param3, item.param4
    kind, cmd = item.mission_type, item.command
    if kind == MissionType.FENCE:
        kept = (
            p1 if cmd in (Cmd.NAV_FENCE_CIRCLE_INCLUSION, Cmd.NAV_FENCE_CIRCLE_EXCLUSION) else 0.0
        )
        if cmd in (Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION, Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION):
            kept = float(min(255, max(0, int(p1))))
        return replace(
            item,
            frame=int(Frame.GLOBAL),
            param1=kept,
            param2=0.0,
            param3=0.0,
            param4=0.0,
            alt_m=0.0,
        )
    if kind == MissionType.RALLY:
        return replace(
            item,
            frame=_location_frame(item.frame),
            param1=0.0,
            param2=0.0,
            param3=0.0,
            param4=0.0,
            alt_m=_int16(item.alt_m),
        )
    params: tuple[float, float, float, float]
    if cmd == Cmd.NAV_WAYPOINT:
        params = (_uint16(p1), 0.0, 0.0, 0.0)  # copter: the delay at the waypoint, whole seconds
    elif cmd == Cmd.NAV_LOITER_UNLIM:
        params = (0.0, 0.0, math.copysign(_uint16(abs(p3)), -1.0 if p3 < 0 else 1.0), 0.0)
    elif cmd == Cmd.NAV_LOITER_TIME:
        params = (_uint16(p1), 0.0, -1.0 if p3 < 0 else 1.0, 1.0 if p4 > 0 else 0.0)
    elif cmd == Cmd.NAV_LAND:
        params = (_uint16(p1), 0.0, 0.0, -1.0 if (math.isfinite(p4) and p4 < 0) else 1.0)
    elif cmd == Cmd.NAV_TAKEOFF:
        params = (_uint16(p1), 0.0, 0.0, 0.0)
    elif cmd == Cmd.NAV_RETURN_TO_LAUNCH:
        params = (0.0, 0.0, 0.0, 0.0)
    elif cmd == Cmd.DO_CHANGE_SPEED:
        params = (float(min(255, max(0, int(p1)))), p2, p3, 0.0)
    elif cmd in (Cmd.DO_SET_ROI_LOCATION, Cmd.DO_SET_ROI_NONE):
        params = (_uint16(p1), 0.0, 0.0, 0.0)
    elif cmd == Cmd.DO_MOUNT_CONTROL:
        params = (p1, p2, p3, 0.0)
    elif cmd == Cmd.DO_GIMBAL_MANAGER_PITCHYAW:
        params = (_int8(p1), _int16(p2), _int8(p3), _int8(p4))
    else:
        params = (p1, p2, p3, p4)
    # DO_MOUNT_CONTROL comes back with z = MAV_MOUNT_MODE_MAVLINK_TARGETING (2)
    z_m = 2.0 if cmd == Cmd.DO_MOUNT_CONTROL else 0.0
    if cmd in STORED_IN_LOCATION:
        alt_cm = int(item.alt_m * 100.0) if math.isfinite(item.alt_m) else 0
        return replace(
            item,
            frame=_location_frame(item.frame),
            param1=params[0],
            param2=params[1],
            param3=params[2],
            param4=params[3],
            alt_m=alt_cm / 100.0,
        )
    return replace(
        item,
        frame=int(Frame.GLOBAL),
        param1=params[0],
        param2=params[1],
        param3=params[2],
        param4=params[3],
        lat_deg=0.0,
        lon_deg=0.0,
        alt_m=z_m,
    )


def home_placeholder(lat_deg: float = 0.0, lon_deg: float = 0.0, alt_m: float = 0.0) -> MissionItem:
    """Item 0 of an ArduPilot mission: home. ArduPilot overwrites it with the real home."""
    return MissionItem(
        command=Cmd.NAV_WAYPOINT,
        frame=int(Frame.GLOBAL),
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        alt_m=alt_m,
    )


def rally_point(lat_deg: float, lon_deg: float, alt_rel_m: float) -> MissionItem:
    """One RALLY item: a place to return to and land, ``alt_rel_m`` above home."""
    return MissionItem(
        command=Cmd.NAV_RALLY_POINT,
        frame=Frame.GLOBAL_RELATIVE_ALT,
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        alt_m=alt_rel_m,
        mission_type=MissionType.RALLY,
    )
