"""MAVLink mission, fence and rally items as plain values.

The planner produces these, the exporters write them to ``.plan`` and
``.waypoints`` files, and the link layer sends them to the vehicle. They hold
degrees and metres; the scaling to MAVLink's integers (1e7 degrees) happens
only where the link encodes a MISSION_ITEM_INT.

The numeric values are MAVLink's own (common.xml), copied here so the pure
planner does not need pymavlink.
"""

from __future__ import annotations

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


def home_placeholder(lat_deg: float = 0.0, lon_deg: float = 0.0, alt_m: float = 0.0) -> MissionItem:
    """Item 0 of an ArduPilot mission: home. ArduPilot overwrites it with the real home."""
    return MissionItem(
        command=Cmd.NAV_WAYPOINT, frame=Frame.GLOBAL, lat_deg=lat_deg, lon_deg=lon_deg, alt_m=alt_m
    )
