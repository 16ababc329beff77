"""What the vehicle does with each MAVLink message it receives.

``handle(ap, msg, link)`` dispatches on the message type; commands
(COMMAND_LONG and COMMAND_INT) are answered with COMMAND_ACK carrying the
MAV_RESULT ArduCopter gives: UNSUPPORTED for commands it does not know,
FAILED or DENIED where ArduPilot refuses.
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
_CUSTOM_MODE: int = mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
#: SET_POSITION_TARGET_* type_mask bits: position, velocity and yaw ignored
_IGNORE_POSITION = (
    mav.POSITION_TARGET_TYPEMASK_X_IGNORE
    | mav.POSITION_TARGET_TYPEMASK_Y_IGNORE
    | mav.POSITION_TARGET_TYPEMASK_Z_IGNORE
)
_IGNORE_VELOCITY = (
    mav.POSITION_TARGET_TYPEMASK_VX_IGNORE
    | mav.POSITION_TARGET_TYPEMASK_VY_IGNORE
    | mav.POSITION_TARGET_TYPEMASK_VZ_IGNORE
)
_IGNORE_YAW: int = mav.POSITION_TARGET_TYPEMASK_YAW_IGNORE
#: Frames whose altitude is above mean sea level (the rest: above home)
_MSL_FRAMES = (mav.MAV_FRAME_GLOBAL, mav.MAV_FRAME_GLOBAL_INT)
#: Local frames whose axes are the vehicle's (forward, right), and those offset from it
_BODY_FRAMES = (mav.MAV_FRAME_BODY_NED, mav.MAV_FRAME_BODY_OFFSET_NED)
_OFFSET_FRAMES = (mav.MAV_FRAME_LOCAL_OFFSET_NED, mav.MAV_FRAME_BODY_OFFSET_NED)


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


def handle(ap: Autopilot, msg: Any, link: Any) -> None:
    """Act on one decoded message from ``link``."""
    kind = msg.get_type()
    if kind == "HEARTBEAT":
        if msg.get_srcSystem() == int(ap.params["SYSID_MYGCS"]):
            ap.failsafes.heard_gcs()
        return
    if kind in ("GLOBAL_POSITION_INT", "FOLLOW_TARGET"):
        ap.others.observe(msg, ap.time_s, ap.sysid)
        return
    if not _for_me(ap, msg):
        return
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(ap, msg, link)


def _for_me(ap: Autopilot, msg: Any) -> bool:
    target = getattr(msg, "target_system", None)
    return target is None or target in (0, ap.sysid)


def _ack(ap: Autopilot, link: Any, msg: Any, command: int, result: int) -> None:
    ack = mav.MAVLink_command_ack_message(
        command, result, 0, 0, msg.get_srcSystem(), msg.get_srcComponent()
    )
    ap.send(link, ack)
    ap.send_heartbeat_if_due()  # a mode change: the new HEARTBEAT right behind the ack


def _command_long(ap: Autopilot, msg: Any, link: Any) -> None:
    cmd = Command(
        msg.command,
        msg.param1,
        msg.param2,
        msg.param3,
        msg.param4,
        msg.param5,
        msg.param6,
        msg.param7,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT,
    )
    _ack(ap, link, msg, msg.command, _run_command(ap, cmd, msg, link))


def _command_int(ap: Autopilot, msg: Any, link: Any) -> None:
    cmd = Command(
        msg.command,
        msg.param1,
        msg.param2,
        msg.param3,
        msg.param4,
        msg.x * 1e-7,
        msg.y * 1e-7,
        msg.z,
        msg.frame,
        True,
    )
    _ack(ap, link, msg, msg.command, _run_command(ap, cmd, msg, link))


def _run_command(ap: Autopilot, cmd: Command, msg: Any, link: Any) -> int:
    fn = _COMMANDS.get(cmd.command)
    if fn is None:
        return modes.UNSUPPORTED
    return fn(ap, cmd, msg, link)


# -- commands ------------------------------------------------------------------------


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
    if not round(c.p1) & _CUSTOM_MODE:
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
    z = ap.body.z_m if math.isnan(c.z) else _alt_to_z(ap, c.z, c.frame)
    if c.p1 > 0:
        ap.nav.set_speed(c.p1)
    if not math.isnan(c.p4):
        ap.nav.fix_yaw(c.p4 % 360.0)
    ap.nav.goto(x, y, z)
    return modes.ACCEPTED


def _alt_to_z(ap: Autopilot, alt: float, frame: int) -> float:
    if frame in _MSL_FRAMES:
        return alt - ap.origin_alt_msl_m
    return alt + ap.home_xyz[2]


def _roi_location(ap: Autopilot, c: Command, msg: Any, link: Any) -> int:
    if c.x == 0 and c.y == 0:
        ap.nav.clear_roi()
        return modes.ACCEPTED
    x, y = ap.plane.to_xy(c.x, c.y)
    ap.set_roi_location((x, y, _alt_to_z(ap, c.z, c.frame)))
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


# -- other messages -------------------------------------------------------------------


def _set_mode_msg(ap: Autopilot, msg: Any, link: Any) -> None:
    if not msg.base_mode & _CUSTOM_MODE:
        result = modes.DENIED
    else:
        result = modes.ACCEPTED if ap.set_mode(msg.custom_mode) else modes.FAILED
    # ArduPilot acks SET_MODE with command = its message id
    _ack(ap, link, msg, mav.MAVLINK_MSG_ID_SET_MODE, result)


def _request_data_stream(ap: Autopilot, msg: Any, link: Any) -> None:
    rate = msg.req_message_rate if msg.start_stop else 0
    for sid in ap.streams.set_group_rate(msg.req_stream_id, rate, ap.time_s):
        ap.params.set(streams.GROUPS[sid][0], rate)


def _param_value(ap: Autopilot, name: str, index: int | None = None) -> Any:
    p = ap.params
    return mav.MAVLink_param_value_message(
        p.wire_name(name).encode(),
        p.wire_value(name),
        p.wire_type(name),
        len(p),
        p.index_of(name) if index is None else index,
    )


def _param_request_read(ap: Autopilot, msg: Any, link: Any) -> None:
    if msg.param_index >= 0:
        name = ap.params.by_index(msg.param_index)
    else:
        raw = msg.param_id
        wire = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        name = ap.params.lookup(wire.rstrip("\x00"))
    if name is not None:
        ap.send(link, _param_value(ap, name))


def _param_request_list(ap: Autopilot, msg: Any, link: Any) -> None:
    for name in ap.params:
        ap.send(link, _param_value(ap, name))


def _param_set(ap: Autopilot, msg: Any, link: Any) -> None:
    raw = msg.param_id
    wire = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    name = ap.params.lookup(wire.rstrip("\x00"))
    value = float(msg.param_value)
    if name is None or math.isnan(value) or math.isinf(value):
        return  # ArduPilot ignores sets of unknown names
    # SYSID_THISMAV is stored but, as on ArduPilot, takes effect only after a reboot
    ap.params.set_wire(name, value)
    ap.apply_param(name)
    # ArduPilot echoes a set with index 65535 (measured on SITL 64a9c787)
    ap.broadcast(_param_value(ap, name, 65535))


def _set_position_target_global(ap: Autopilot, msg: Any, link: Any) -> None:
    if ap.mode != Mode.GUIDED:
        return
    mask = msg.type_mask
    if mask & _IGNORE_POSITION != _IGNORE_POSITION:
        x, y = ap.plane.to_xy(msg.lat_int * 1e-7, msg.lon_int * 1e-7)
        z = _alt_to_z(ap, msg.alt, msg.coordinate_frame)
        ff = (msg.vy, msg.vx, -msg.vz) if mask & _IGNORE_VELOCITY != _IGNORE_VELOCITY else None
        if not ap.mode_guided.set_destination(x, y, z, ff):
            return
    elif mask & _IGNORE_VELOCITY != _IGNORE_VELOCITY:
        ap.mode_guided.set_velocity(msg.vy, msg.vx, -msg.vz)
    _target_yaw(ap, mask, msg.yaw)


def _set_position_target_local(ap: Autopilot, msg: Any, link: Any) -> None:
    if ap.mode != Mode.GUIDED:
        return
    mask = msg.type_mask
    frame = msg.coordinate_frame
    b = ap.body
    yaw = math.radians(b.yaw_deg)

    def to_en(north: float, east: float) -> tuple[float, float]:
        if frame in _BODY_FRAMES:
            return (
                north * math.sin(yaw) + east * math.cos(yaw),
                north * math.cos(yaw) - east * math.sin(yaw),
            )
        return east, north

    if mask & _IGNORE_POSITION != _IGNORE_POSITION:
        e, n = to_en(msg.x, msg.y)
        x, y, z = (
            (b.x_m + e, b.y_m + n, b.z_m - msg.z) if frame in _OFFSET_FRAMES else (e, n, -msg.z)
        )
        ff = None
        if mask & _IGNORE_VELOCITY != _IGNORE_VELOCITY:
            fe, fn = to_en(msg.vx, msg.vy)
            ff = (fe, fn, -msg.vz)
        if not ap.mode_guided.set_destination(x, y, z, ff):
            return
    elif mask & _IGNORE_VELOCITY != _IGNORE_VELOCITY:
        e, n = to_en(msg.vx, msg.vy)
        ap.mode_guided.set_velocity(e, n, -msg.vz)
    _target_yaw(ap, mask, msg.yaw)


def _target_yaw(ap: Autopilot, mask: int, yaw_rad: float) -> None:
    if not mask & _IGNORE_YAW and not math.isnan(yaw_rad):
        ap.nav.fix_yaw(math.degrees(yaw_rad) % 360.0)


def _mission_count(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_count(msg, link)


def _mission_item_int(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_item(msg, link, is_int=True)


def _mission_item(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_item(msg, link, is_int=False)


def _mission_request_list(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_request_list(msg, link)


def _mission_request_int(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_request(msg, link, as_int=True)


def _mission_request(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_request(msg, link, as_int=False)


def _mission_clear_all(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_clear_all(msg, link)


def _mission_write_partial(ap: Autopilot, msg: Any, link: Any) -> None:
    ap.transfer.handle_write_partial(msg, link)


def _mission_set_current(ap: Autopilot, msg: Any, link: Any) -> None:
    if not ap.mission.set_current(msg.seq):
        ap.statustext(modes.SEV_WARNING, "Mission set current failed")


def _timesync(ap: Autopilot, msg: Any, link: Any) -> None:
    if msg.tc1 == 0:
        ap.send(link, mav.MAVLink_timesync_message(int(ap.time_s * 1e9), msg.ts1))


_HANDLERS: dict[str, Callable[[Autopilot, Any, Any], None]] = {
    "COMMAND_LONG": _command_long,
    "COMMAND_INT": _command_int,
    "SET_MODE": _set_mode_msg,
    "REQUEST_DATA_STREAM": _request_data_stream,
    "PARAM_REQUEST_READ": _param_request_read,
    "PARAM_REQUEST_LIST": _param_request_list,
    "PARAM_SET": _param_set,
    "SET_POSITION_TARGET_GLOBAL_INT": _set_position_target_global,
    "SET_POSITION_TARGET_LOCAL_NED": _set_position_target_local,
    "MISSION_COUNT": _mission_count,
    "MISSION_ITEM_INT": _mission_item_int,
    "MISSION_ITEM": _mission_item,
    "MISSION_REQUEST_LIST": _mission_request_list,
    "MISSION_REQUEST_INT": _mission_request_int,
    "MISSION_REQUEST": _mission_request,
    "MISSION_CLEAR_ALL": _mission_clear_all,
    "MISSION_WRITE_PARTIAL_LIST": _mission_write_partial,
    "MISSION_SET_CURRENT": _mission_set_current,
    "TIMESYNC": _timesync,
}
