"""Mission, fence and rally items as the vehicle stores them, and their validation.

Items are kept as ArduPilot keeps them (``x``/``y`` in 1e-7 degrees, ``z``
in the frame's datum, see :meth:`StoredItem.as_stored`), so a download
returns what ArduCopter's would: item 0 of a mission is home, commands
without a location lose their frame and position, and the ``_INT`` frames
come back as their plain counterparts (6 → 3, 5 → 0, 11 → 10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.items import Cmd, MissionItem, MissionType, as_ardupilot_stores
from simulator import modes

#: How many items each list may hold.
CAPACITY: dict[int, int] = {MissionType.MISSION: 700, MissionType.FENCE: 100, MissionType.RALLY: 10}

_GLOBAL_FRAMES = frozenset(
    {
        mav.MAV_FRAME_GLOBAL,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT,
        mav.MAV_FRAME_GLOBAL_INT,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        mav.MAV_FRAME_GLOBAL_TERRAIN_ALT,
        mav.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT,
    }
)
_FRAME_ON_DOWNLOAD = {
    mav.MAV_FRAME_GLOBAL_INT: mav.MAV_FRAME_GLOBAL,
    mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT: mav.MAV_FRAME_GLOBAL_RELATIVE_ALT,
    mav.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT: mav.MAV_FRAME_GLOBAL_TERRAIN_ALT,
}

#: Commands that carry a location (their frame must be a global one).
LOCATION_COMMANDS = frozenset(
    {
        Cmd.NAV_WAYPOINT,
        Cmd.NAV_LOITER_UNLIM,
        Cmd.NAV_LOITER_TURNS,
        Cmd.NAV_LOITER_TIME,
        Cmd.NAV_LAND,
        Cmd.NAV_TAKEOFF,
        Cmd.DO_SET_ROI_LOCATION,
        mav.MAV_CMD_DO_SET_ROI,
        mav.MAV_CMD_DO_SET_HOME,
        mav.MAV_CMD_DO_LAND_START,
        Cmd.NAV_FENCE_RETURN_POINT,
        Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
        Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION,
        Cmd.NAV_FENCE_CIRCLE_INCLUSION,
        Cmd.NAV_FENCE_CIRCLE_EXCLUSION,
        Cmd.NAV_RALLY_POINT,
    }
)

#: Commands ArduCopter accepts in a mission (the simulator executes a subset).
MISSION_COMMANDS = frozenset(
    {
        Cmd.NAV_WAYPOINT,
        Cmd.NAV_LOITER_UNLIM,
        Cmd.NAV_LOITER_TURNS,
        Cmd.NAV_LOITER_TIME,
        Cmd.NAV_RETURN_TO_LAUNCH,
        Cmd.NAV_LAND,
        Cmd.NAV_TAKEOFF,
        mav.MAV_CMD_NAV_SPLINE_WAYPOINT,
        mav.MAV_CMD_NAV_GUIDED_ENABLE,
        mav.MAV_CMD_NAV_DELAY,
        mav.MAV_CMD_CONDITION_DELAY,
        mav.MAV_CMD_CONDITION_DISTANCE,
        mav.MAV_CMD_CONDITION_YAW,
        mav.MAV_CMD_DO_JUMP,
        Cmd.DO_CHANGE_SPEED,
        mav.MAV_CMD_DO_SET_HOME,
        mav.MAV_CMD_DO_SET_RELAY,
        mav.MAV_CMD_DO_SET_SERVO,
        mav.MAV_CMD_DO_LAND_START,
        Cmd.DO_SET_ROI_LOCATION,
        Cmd.DO_SET_ROI_NONE,
        Cmd.DO_SET_ROI_SYSID,
        mav.MAV_CMD_DO_SET_ROI,
        mav.MAV_CMD_DO_DIGICAM_CONFIGURE,
        mav.MAV_CMD_DO_DIGICAM_CONTROL,
        Cmd.DO_MOUNT_CONTROL,
        mav.MAV_CMD_DO_SET_CAM_TRIGG_DIST,
        Cmd.DO_GIMBAL_MANAGER_PITCHYAW,
        mav.MAV_CMD_IMAGE_START_CAPTURE,
        mav.MAV_CMD_IMAGE_STOP_CAPTURE,
        mav.MAV_CMD_VIDEO_START_CAPTURE,
        mav.MAV_CMD_VIDEO_STOP_CAPTURE,
    }
)
FENCE_COMMANDS = frozenset(
    {
        Cmd.NAV_FENCE_RETURN_POINT,
        Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
        Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION,
        Cmd.NAV_FENCE_CIRCLE_INCLUSION,
        Cmd.NAV_FENCE_CIRCLE_EXCLUSION,
    }
)
RALLY_COMMANDS = frozenset({Cmd.NAV_RALLY_POINT})
_ALLOWED: dict[int, frozenset[int]] = {
    MissionType.MISSION: MISSION_COMMANDS,
    MissionType.FENCE: FENCE_COMMANDS,
    MissionType.RALLY: RALLY_COMMANDS,
}


def home_item(home: tuple[float, float, float] | None) -> StoredItem:
    """Item 0 of a mission: home (WGS84 degrees, metres MSL), all zero while unset."""
    if home is None:
        return StoredItem(command=Cmd.NAV_WAYPOINT, frame=mav.MAV_FRAME_GLOBAL)
    lat, lon, alt = home
    return StoredItem(
        command=Cmd.NAV_WAYPOINT,
        frame=mav.MAV_FRAME_GLOBAL,
        x=round(lat * 1e7),
        y=round(lon * 1e7),
        z=alt,
    )


@dataclass(frozen=True)
class StoredItem:
    """One item as received: ``x``/``y`` are 1e-7 degrees, ``z`` metres in ``frame``'s datum."""

    command: int
    frame: int
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: int = 0
    y: int = 0
    z: float = 0.0
    autocontinue: int = 1

    @property
    def lat_deg(self) -> float:
        return self.x * 1e-7

    @property
    def lon_deg(self) -> float:
        return self.y * 1e-7

    @property
    def relative_alt(self) -> bool:
        """True if ``z`` is above home (frames 3/6), False if above mean sea level."""
        return self.frame in (
            mav.MAV_FRAME_GLOBAL_RELATIVE_ALT,
            mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        )

    def as_stored(self, mission_type: int) -> StoredItem:
        """What ArduPilot keeps of this item (:func:`overwatch.items.as_ardupilot_stores`):
        parameters it does not store are gone, small ones are whole numbers, the
        altitude is in whole centimetres and the frame relative, terrain or absolute."""
        kept = as_ardupilot_stores(
            MissionItem(
                self.command,
                self.frame,
                self.param1,
                self.param2,
                self.param3,
                self.param4,
                self.x * 1e-7,
                self.y * 1e-7,
                self.z,
                mission_type=MissionType(mission_type),
            )
        )
        return replace(
            self,
            frame=kept.frame,
            param1=kept.param1,
            param2=kept.param2,
            param3=kept.param3,
            param4=kept.param4,
            x=round(kept.lat_deg * 1e7),
            y=round(kept.lon_deg * 1e7),
            z=kept.alt_m,
        )

    def for_download(self) -> StoredItem:
        """The item as ArduPilot returns it: ``_INT`` frames reduced to plain ones."""
        return replace(self, frame=_FRAME_ON_DOWNLOAD.get(self.frame, self.frame))


def validate_item(item: StoredItem, mission_type: int) -> int:
    """MAV_MISSION_RESULT for one uploaded item (MISSION_ACCEPTED if fine)."""
    if item.command not in _ALLOWED.get(mission_type, frozenset()):
        return modes.MISSION_UNSUPPORTED
    if item.command in LOCATION_COMMANDS:
        if item.frame not in _GLOBAL_FRAMES:
            return modes.MISSION_UNSUPPORTED_FRAME
        if abs(item.x) > 900_000_000:
            return modes.MISSION_INVALID_PARAM5_X
        if abs(item.y) > 1_800_000_000:
            return modes.MISSION_INVALID_PARAM6_Y
    for value in (item.param1, item.param2, item.param3, item.param4, item.z):
        if math.isinf(value):
            return modes.MISSION_INVALID
    return modes.MISSION_ACCEPTED


def validate_fence(items: list[StoredItem]) -> int:
    """Check polygon vertex counts and circle radii of a complete fence list."""
    i = 0
    while i < len(items):
        item = items[i]
        if item.command in (
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION,
        ):
            count = round(item.param1)
            if count < 3 or i + count > len(items):
                return modes.MISSION_INVALID_PARAM1
            for vertex in items[i : i + count]:
                if vertex.command != item.command or round(vertex.param1) != count:
                    return modes.MISSION_INVALID_PARAM1
            i += count
            continue
        if (
            item.command in (Cmd.NAV_FENCE_CIRCLE_INCLUSION, Cmd.NAV_FENCE_CIRCLE_EXCLUSION)
            and item.param1 <= 0
        ):
            return modes.MISSION_INVALID_PARAM1
        i += 1
    return modes.MISSION_ACCEPTED


@dataclass(frozen=True)
class FenceGeometry:
    """A fence list split into shapes, vertices in WGS84 degrees, radii in metres."""

    inclusion_polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    exclusion_polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    inclusion_circles: tuple[tuple[float, float, float], ...] = ()
    exclusion_circles: tuple[tuple[float, float, float], ...] = ()
    return_point: tuple[float, float, float] | None = None


def fence_geometry(items: list[StoredItem]) -> FenceGeometry:
    """Group a validated fence list into polygons, circles and the return point."""
    incl: list[tuple[tuple[float, float], ...]] = []
    excl: list[tuple[tuple[float, float], ...]] = []
    incl_c: list[tuple[float, float, float]] = []
    excl_c: list[tuple[float, float, float]] = []
    ret: tuple[float, float, float] | None = None
    i = 0
    while i < len(items):
        item = items[i]
        if item.command in (
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION,
        ):
            count = max(1, round(item.param1))
            poly = tuple((v.lat_deg, v.lon_deg) for v in items[i : i + count])
            (incl if item.command == Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION else excl).append(poly)
            i += count
            continue
        if item.command == Cmd.NAV_FENCE_CIRCLE_INCLUSION:
            incl_c.append((item.lat_deg, item.lon_deg, item.param1))
        elif item.command == Cmd.NAV_FENCE_CIRCLE_EXCLUSION:
            excl_c.append((item.lat_deg, item.lon_deg, item.param1))
        elif item.command == Cmd.NAV_FENCE_RETURN_POINT:
            ret = (item.lat_deg, item.lon_deg, item.z)
        i += 1
    return FenceGeometry(tuple(incl), tuple(excl), tuple(incl_c), tuple(excl_c), ret)


class MissionStore:
    """The three lists a vehicle holds. Mission item 0 is a placeholder for home."""

    def __init__(self) -> None:
        self.lists: dict[int, list[StoredItem]] = {
            MissionType.MISSION: [],
            MissionType.FENCE: [],
            MissionType.RALLY: [],
        }
        #: Bumped on every change of a list (for caches of derived shapes).
        self.version: dict[int, int] = dict.fromkeys(self.lists, 0)

    def get(self, mission_type: int) -> list[StoredItem]:
        return self.lists[mission_type]

    def replace(self, mission_type: int, items: list[StoredItem]) -> None:
        self.lists[mission_type] = list(items)
        self.version[mission_type] += 1

    def clear(self, mission_type: int) -> None:
        self.lists[mission_type] = []
        self.version[mission_type] += 1
