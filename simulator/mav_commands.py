"""What the vehicle does with each MAV_CMD, from COMMAND_LONG or COMMAND_INT.

:func:`run_command` carries out one :class:`Command` and gives the MAV_RESULT
ArduCopter gives: UNSUPPORTED for commands it does not know, FAILED or DENIED
where ArduPilot refuses. :mod:`simulator.handlers` decodes the messages and
sends the COMMAND_ACK.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import modes, streams
from simulator.auto_mission import STATE_ACTIVE
from simulator.modes import Mode
from simulator.telemetry import (
    BUILDERS,
    CAMERA_INFORMATION,
    VIDEO_STREAM_INFORMATION,
    camera_message,
)

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

_CHANGE_MODE_FLAG: int = mav.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE
_YAW_LOCK: int = mav.GIMBAL_MANAGER_FLAGS_YAW_LOCK
CUSTOM_MODE_ENABLED: int = mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
#: Frames whose altitude is above mean sea level (the rest: above home)
_MSL_FRAMES = (mav.MAV_FRAME_GLOBAL, mav.MAV_FRAME_GLOBAL_INT)


@dataclass(frozen=True)
class Command:
    """A COMMAND_LONG or COMMAND_INT in one shape; x/y are degrees, z metres."""

    command: int
    p1: float
    p2: float
    p3: float
    p4: float
    x: float
    y: float
    z: float
    frame: int  # MAV_FRAME for COMMAND_INT; GLOBAL_RELATIVE_ALT for COMMAND_LONG
    is_int: bool = False

    def param5_raw(self) -> float:
        """param5 as the sender meant it (COMMAND_INT carries it unscaled in ``x``)."""
        return self.x * 1e7 if self.is_int else self.x


def run_command(ap: Autopilot, cmd: Command, msg: Any, link: Any) -> int:
    """Carry out one command; its MAV_RESULT (UNSUPPORTED for commands ArduCopter lacks)."""
    fn = _COMMANDS.get(cmd.command)
    if fn is None:
        return modes.UNSUPPORTED
    return fn(ap, cmd, msg, link)


def _arm_disarm(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    force = round(c.p2) == modes.FORCE_MAGIC
    if round(c.p1) == 1:
        return ap.arm(force)
    if round(c.p1) != 0:
        return modes.DENIED
    if ap.flying and not force:
        ap.statustext(modes.SEV_CRITICAL, "Disarm: not landed")
        return modes.FAILED
    ap.disarm("command")
    return modes.ACCEPTED


def _set_mode_cmd(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if not round(c.p1) & CUSTOM_MODE_ENABLED:
        return modes.DENIED
    return modes.ACCEPTED if ap.set_mode(round(c.p2)) else modes.FAILED


def _takeoff(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if not ap.flight_mode.has_user_takeoff or not ap.armed or ap.flying:
        return modes.FAILED
    alt = c.z if not math.isnan(c.z) else 0.0
    if alt <= 0:
        return modes.FAILED
    ap.start_takeoff(ap.home_xyz[2] + alt)
    return modes.ACCEPTED


def _rtl(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    return modes.ACCEPTED if ap.set_mode(Mode.RTL) else modes.FAILED


def _land(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    return modes.ACCEPTED if ap.set_mode(Mode.LAND) else modes.FAILED


def _mission_start(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if c.p1 != 0 or c.p2 != 0:
        return modes.DENIED
    if ap.mode != Mode.AUTO and not ap.set_mode(Mode.AUTO):
        return modes.FAILED
    if ap.mission.state != STATE_ACTIVE:
        ap.mission.start_or_resume()
    return modes.ACCEPTED


def _change_speed(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    kind = round(c.p1)
    if c.p2 > 0:
        key = {2: "WPNAV_SPEED_UP", 3: "WPNAV_SPEED_DN"}.get(kind)
        if key is not None:
            ap.params.set(key, c.p2 * 100.0)
        else:
            ap.nav.set_speed(c.p2)
        return modes.ACCEPTED
    if c.p2 == -1:
        ap.nav.set_speed(None)
        return modes.ACCEPTED
    return modes.FAILED


def _reposition(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if ap.mode != Mode.GUIDED and not round(c.p2) & _CHANGE_MODE_FLAG:
        return modes.DENIED
    if ap.mode != Mode.GUIDED and not ap.set_mode(Mode.GUIDED):
        return modes.FAILED
    if math.isnan(c.x) or math.isnan(c.y) or (c.x == 0 and c.y == 0):
        x, y = ap.body.x_m, ap.body.y_m
    else:
        x, y = ap.plane.to_xy(c.x, c.y)
    z = ap.body.z_m if math.isnan(c.z) else alt_to_z(ap, c.z, c.frame)
    if c.p1 > 0:
        ap.nav.set_speed(c.p1)
    if not math.isnan(c.p4):
        ap.nav.fix_yaw(c.p4 % 360.0)
    ap.nav.goto(x, y, z)
    return modes.ACCEPTED


def alt_to_z(ap: Autopilot, alt: float, frame: int) -> float:
    """Height above the origin (m) of an altitude in ``frame`` (MSL or above home)."""
    if frame in _MSL_FRAMES:
        return alt - ap.origin_alt_msl_m
    return alt + ap.home_xyz[2]


def _roi_location(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if c.x == 0 and c.y == 0:
        ap.nav.clear_roi()
        return modes.ACCEPTED
    x, y = ap.plane.to_xy(c.x, c.y)
    ap.set_roi_location((x, y, alt_to_z(ap, c.z, c.frame)))
    return modes.ACCEPTED


def _roi_legacy(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    return _roi_location(ap, c, msg, link)


def _roi_none(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    ap.nav.clear_roi()
    return modes.ACCEPTED


def _roi_sysid(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    sysid = round(c.p1)
    if not 0 < sysid < 256:
        return modes.DENIED
    ap.set_roi_sysid(sysid)
    return modes.ACCEPTED


def _gimbal_pitchyaw(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if ap.params["MNT1_TYPE"] == 0:
        return modes.FAILED
    pitch = ap.gimbal.target_pitch_deg if math.isnan(c.p1) else c.p1
    yaw = ap.gimbal.target_yaw_deg if math.isnan(c.p2) else c.p2
    ap.nav.clear_roi()
    raw_flags = c.param5_raw()
    flags = 0 if math.isnan(raw_flags) else round(raw_flags)
    ap.gimbal.point(pitch, yaw, yaw_lock=bool(flags & _YAW_LOCK))
    return modes.ACCEPTED


def _mount_control(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if ap.params["MNT1_TYPE"] == 0:
        return modes.FAILED
    ap.nav.clear_roi()
    ap.gimbal.point(c.p1, c.p3)
    return modes.ACCEPTED


def _condition_yaw(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if ap.mode not in (Mode.GUIDED, Mode.AUTO):
        return modes.FAILED
    direction = -1.0 if c.p3 < 0 else 1.0
    target = ap.body.yaw_deg + direction * c.p1 if round(c.p4) == 1 else c.p1
    ap.nav.fix_yaw(target % 360.0)
    return modes.ACCEPTED


def _set_home(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if round(c.p1) == 1:
        if not ap.ekf_ok:
            return modes.FAILED
        ap.set_home(ap.body.x_m, ap.body.y_m, ap.body.z_m)
        return modes.ACCEPTED
    if c.x == 0 and c.y == 0:
        return modes.FAILED
    x, y = ap.plane.to_xy(c.x, c.y)
    ap.set_home(x, y, c.z - ap.origin_alt_msl_m)
    return modes.ACCEPTED


def _fence_enable(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    value = round(c.p1)
    if value not in (0, 1, 2):
        return modes.DENIED
    ap.params.set("FENCE_ENABLE", 1 if value == 1 else 0)
    return modes.ACCEPTED


def _set_mission_current(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    return modes.ACCEPTED if ap.mission.set_current(round(c.p1)) else modes.DENIED


def _set_message_interval(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    msg_id = round(c.p1)
    if msg_id not in BUILDERS or msg_id in (streams.HEARTBEAT, streams.AUTOPILOT_VERSION):
        return modes.FAILED
    interval_us = c.p2
    if interval_us == 0:
        interval: float | None = None
    elif interval_us < 0:
        interval = -1.0
    else:
        interval = interval_us / 1e6
    ap.streams.set_interval(msg_id, interval, ap.time_s)
    return modes.ACCEPTED


def _get_message_interval(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    msg_id = round(c.p1)
    interval = ap.streams.interval_s(msg_id)
    if msg_id == streams.HEARTBEAT:
        interval = 1.0
    value = -1 if interval < 0 else round(interval * 1e6)
    ap.send(link, mav.MAVLink_message_interval_message(msg_id, value))
    return modes.ACCEPTED


def _request_message(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if round(c.p1) in (CAMERA_INFORMATION, VIDEO_STREAM_INFORMATION):
        camera_reply = camera_message(ap, round(c.p1))
        if camera_reply is None:  # no camera on this vehicle
            return modes.FAILED
        ap.send(link, camera_reply)
        return modes.ACCEPTED
    builder = BUILDERS.get(round(c.p1))
    if builder is None:
        return modes.FAILED
    reply = builder(ap)
    if reply is not None:  # e.g. HOME_POSITION before home is set: accepted, nothing sent
        ap.send(link, reply)
    return modes.ACCEPTED


def _get_home(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    reply = BUILDERS[streams.HOME_POSITION](ap)
    if reply is None:
        return modes.FAILED
    ap.send(link, reply)
    return modes.ACCEPTED


def _autopilot_caps(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    ap.send(link, BUILDERS[streams.AUTOPILOT_VERSION](ap))
    return modes.ACCEPTED


_CommandFn = Callable[["Autopilot", Command, Any, Any], int]
_COMMANDS: dict[int, _CommandFn] = {
    mav.MAV_CMD_COMPONENT_ARM_DISARM: _arm_disarm,
    mav.MAV_CMD_DO_SET_MODE: _set_mode_cmd,
    mav.MAV_CMD_NAV_TAKEOFF: _takeoff,
    mav.MAV_CMD_NAV_RETURN_TO_LAUNCH: _rtl,
    mav.MAV_CMD_NAV_LAND: _land,
    mav.MAV_CMD_MISSION_START: _mission_start,
    mav.MAV_CMD_DO_CHANGE_SPEED: _change_speed,
    mav.MAV_CMD_DO_REPOSITION: _reposition,
    mav.MAV_CMD_DO_SET_ROI_LOCATION: _roi_location,
    mav.MAV_CMD_DO_SET_ROI: _roi_legacy,
    mav.MAV_CMD_DO_SET_ROI_NONE: _roi_none,
    mav.MAV_CMD_DO_SET_ROI_SYSID: _roi_sysid,
    mav.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW: _gimbal_pitchyaw,
    mav.MAV_CMD_DO_MOUNT_CONTROL: _mount_control,
    mav.MAV_CMD_CONDITION_YAW: _condition_yaw,
    mav.MAV_CMD_DO_SET_HOME: _set_home,
    mav.MAV_CMD_DO_FENCE_ENABLE: _fence_enable,
    mav.MAV_CMD_DO_SET_MISSION_CURRENT: _set_mission_current,
    mav.MAV_CMD_SET_MESSAGE_INTERVAL: _set_message_interval,
    mav.MAV_CMD_GET_MESSAGE_INTERVAL: _get_message_interval,
    mav.MAV_CMD_REQUEST_MESSAGE: _request_message,
    mav.MAV_CMD_GET_HOME_POSITION: _get_home,
    mav.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES: _autopilot_caps,
}
