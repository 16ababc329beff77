"""Every command Overwatch sends, as COMMAND_LONG and as COMMAND_INT: the MAV_RESULT.

The commands are those of ``overwatch/link/vehicle.py`` with the parameters it
sends them with. Each is asked on a ready vehicle on the ground in GUIDED
(disarmed, then armed), then in the air; the vehicle is put back between asks.
"""

from __future__ import annotations

import math
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import HOME, Station, result_name

LAT, LON, _ = HOME
NAN = math.nan
GUIDED = 4

#: name → (command, params 1-4, lat_deg, lon_deg, z)
COMMANDS: dict[str, tuple[int, tuple[float, float, float, float], float, float, float]] = {
    "set_message_interval": (
        mav.MAV_CMD_SET_MESSAGE_INTERVAL,
        (mav.MAVLINK_MSG_ID_VFR_HUD, 250_000, 0, 0),
        0,
        0,
        0,
    ),
    "request_message": (
        mav.MAV_CMD_REQUEST_MESSAGE,
        (mav.MAVLINK_MSG_ID_HOME_POSITION, 0, 0, 0),
        0,
        0,
        0,
    ),
    "set_mode_guided": (mav.MAV_CMD_DO_SET_MODE, (1, GUIDED, 0, 0), 0, 0, 0),
    "change_speed": (mav.MAV_CMD_DO_CHANGE_SPEED, (1, 4, -1, 0), 0, 0, 0),
    "roi_location": (mav.MAV_CMD_DO_SET_ROI_LOCATION, (0, 0, 0, 0), LAT + 0.001, LON, 0.0),
    "roi_sysid": (mav.MAV_CMD_DO_SET_ROI_SYSID, (77, 0, 0, 0), 0, 0, 0),
    "roi_none": (mav.MAV_CMD_DO_SET_ROI_NONE, (0, 0, 0, 0), 0, 0, 0),
    "gimbal_pitchyaw": (mav.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, (-45, 0, NAN, NAN), 0, 0, 0),
    "mount_control": (
        mav.MAV_CMD_DO_MOUNT_CONTROL,
        (-45, 0, 0, 0),
        0,
        0,
        mav.MAV_MOUNT_MODE_MAVLINK_TARGETING,
    ),
    "takeoff": (mav.MAV_CMD_NAV_TAKEOFF, (0, 0, 0, NAN), 0, 0, 10.0),
    "mission_start": (mav.MAV_CMD_MISSION_START, (0, 0, 0, 0), 0, 0, 0),
    "rtl": (mav.MAV_CMD_NAV_RETURN_TO_LAUNCH, (0, 0, 0, 0), 0, 0, 0),
    "land": (mav.MAV_CMD_NAV_LAND, (0, 0, 0, NAN), 0, 0, 0),
}
#: COMMAND_LONG carries param5/6 as they are; Overwatch sends degrees for positions.
POSITION_COMMANDS = {"roi_location"}


def send(s: Station, name: str, as_int: bool) -> str:
    command, (p1, p2, p3, p4), lat, lon, z = COMMANDS[name]
    if as_int:
        s.mav.command_int_send(
            1,
            1,
            mav.MAV_FRAME_GLOBAL_RELATIVE_ALT,
            command,
            0,
            0,
            p1,
            p2,
            p3,
            p4,
            round(lat * 1e7),
            round(lon * 1e7),
            z,
        )
    else:
        s.mav.command_long_send(1, 1, command, 0, p1, p2, p3, p4, lat, lon, z)
    ack = s.recv("COMMAND_ACK", 5.0, cond=lambda m: m.command == command)
    return result_name(ack)


def disarmed_guided(s: Station) -> None:
    if s.armed():
        s.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0, 21196)
        s.until(lambda: not s.armed(), 5.0, "disarmed")
    s.set_mode(GUIDED)
    s.until(lambda: s.mode() == GUIDED, 5.0, "GUIDED")


def armed_guided(s: Station) -> None:
    disarmed_guided(s)
    s.arm_until_armed()


def flying_guided(s: Station, alt_m: float = 10.0) -> None:
    if not (s.armed() and s.alt_rel_m() > alt_m - 2.0):
        armed_guided(s)
        s.takeoff(alt_m)
        s.until(lambda: s.alt_rel_m() > alt_m - 1.0, 60.0, "take-off")
    s.set_mode(GUIDED)
    s.until(lambda: s.mode() == GUIDED, 5.0, "GUIDED")


def probe_commands(s: Station) -> dict[str, Any]:
    """MAV_RESULT of each command, long and int, on the ground and in the air."""
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    for state, prepare in (
        ("disarmed", disarmed_guided),
        ("armed on the ground", armed_guided),
        ("flying", flying_guided),
    ):
        for name in COMMANDS:
            for as_int in (False, True):
                prepare(s)
                result = send(s, name, as_int)
                if name == "mission_start" and result == "ACCEPTED":
                    s.wait(0.5)
                out[f"{state} {name} {'int' if as_int else 'long'}"] = result
    s.set_mode(9)  # LAND, and wait for the touchdown's disarm
    s.until(lambda: not s.armed(), 120.0, "landed and disarmed")
    return out
