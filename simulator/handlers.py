"""What the vehicle does with each MAVLink message it receives.

``handle(ap, msg, link)`` dispatches on the message type; commands
(COMMAND_LONG and COMMAND_INT) are carried out by :mod:`simulator.mav_commands`
and answered with COMMAND_ACK carrying the MAV_RESULT ArduCopter gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import modes, streams
from simulator.mav_commands import CUSTOM_MODE_ENABLED, Command, alt_to_z, run_command
from simulator.modes import Mode

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

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
#: Local frames whose axes are the vehicle's (forward, right), and those offset from it
_BODY_FRAMES = (mav.MAV_FRAME_BODY_NED, mav.MAV_FRAME_BODY_OFFSET_NED)
_OFFSET_FRAMES = (mav.MAV_FRAME_LOCAL_OFFSET_NED, mav.MAV_FRAME_BODY_OFFSET_NED)


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
    _ack(ap, link, msg, msg.command, run_command(ap, cmd, msg, link))


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
    _ack(ap, link, msg, msg.command, run_command(ap, cmd, msg, link))


# -- other messages -------------------------------------------------------------------


def _set_mode_msg(ap: Autopilot, msg: Any, link: Any) -> None:
    if not msg.base_mode & CUSTOM_MODE_ENABLED:
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
        z = alt_to_z(ap, msg.alt, msg.coordinate_frame)
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
