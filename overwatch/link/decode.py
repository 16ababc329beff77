"""MAVLink bytes → pymavlink messages → typed events; the one place units are converted.

:class:`Decoder` frames packets and lets pymavlink decode them, so that
garbage, bad CRCs and refused signatures become counts, never exceptions.
:func:`to_event` turns a decoded message into an :mod:`~overwatch.link.events`
value, or None for messages the link does not type.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.items import MissionItem, MissionType
from overwatch.link import events as ev
from overwatch.link.modes import mode_name

UINT16_UNKNOWN = 65535
_UNKNOWN = mavlink.MAVLink_unknown
_ENUMS: dict[str, dict[int, Any]] = mavlink.enums


def enum_name(enum: str, value: int) -> str:
    """The MAVLink name of ``value`` in ``enum`` (``MAV_RESULT_DENIED``), or ``ENUM_<n>``."""
    entry = _ENUMS.get(enum, {}).get(value)
    return str(entry.name) if entry is not None else f"{enum}_{value}"


def new_mavlink(sysid: int = 0, compid: int = 0) -> Any:
    """A pymavlink MAVLink 2 codec object with robust parsing (bad bytes never raise)."""
    codec = mavlink.MAVLink(None, srcSystem=sysid, srcComponent=compid)
    codec.robust_parsing = True
    return codec


_V1 = 0xFE
_V2 = 0xFD
_SIGNED = 0x01
_V1_OVERHEAD = 6 + 2  # header + CRC
_V2_OVERHEAD = 10 + 2
_SIGNATURE_LEN = 13


class Decoder:
    """Frames MAVLink 1/2 packets out of a byte stream and decodes them with pymavlink.

    Framing is done here (a marker scan and the length byte) and each whole
    packet is handed to pymavlink's ``MAVLink.decode``, which checks the CRC
    and the signature. A frame that fails is skipped by one byte, so a
    false marker in garbage cannot swallow the real packet after it.

    ``bad_packets`` counts stretches of garbage and frames that fail to decode;
    ``rejected_signature`` counts packets refused by MAVLink 2 signing;
    ``unknown_messages`` counts frames with message ids this dialect does not
    know: their CRC cannot be checked, so they are dropped and scanning goes on
    from the next byte.
    """

    def __init__(self, codec: Any | None = None) -> None:
        self.codec = codec if codec is not None else new_mavlink()
        self.bad_packets = 0
        self.rejected_signature = 0
        self.unknown_messages = 0
        self.messages = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        """Decode ``data`` (any chunking) into good pymavlink messages, in order."""
        buf = self._buffer
        buf += data
        size = len(buf)
        pos = 0
        decode = self.codec.decode
        good: list[Any] = []
        while pos < size:
            marker = buf[pos]
            if marker != _V2 and marker != _V1:
                pos = self._next_marker(buf, pos)
                self.bad_packets += 1
                continue
            if size - pos < 3:
                break
            if marker == _V2:
                flags = buf[pos + 2]
                if flags & ~_SIGNED:
                    pos += 1  # no MAVLink 2 packet has other incompat flags
                    self.bad_packets += 1
                    continue
                length = buf[pos + 1] + _V2_OVERHEAD + (_SIGNATURE_LEN if flags else 0)
            else:
                length = buf[pos + 1] + _V1_OVERHEAD
            if size - pos < length:
                break  # wait for the rest of this packet
            try:
                message = decode(buf[pos : pos + length])
            except Exception as exc:  # MAVError from a bad CRC, length or signature
                if "signature" in str(exc):
                    self.rejected_signature += 1
                    pos += length
                else:
                    self.bad_packets += 1
                    pos += 1
                continue
            if type(message) is _UNKNOWN:
                # No CRC check is possible without the dialect's CRC extra byte, so the
                # framing is not trusted either: a false marker in garbage must not
                # swallow the packets after it.
                self.unknown_messages += 1
                pos += 1
                continue
            pos += length
            good.append(message)
        if pos:
            del buf[:pos]
        self.messages += len(good)
        return good

    @staticmethod
    def _next_marker(buf: bytearray, start: int) -> int:
        v2 = buf.find(b"\xfd", start)
        v1 = buf.find(b"\xfe", start)
        if v2 < 0:
            return v1 if v1 >= 0 else len(buf)
        return v2 if v1 < 0 else min(v1, v2)


def _degrees(rad: float) -> float:
    return math.degrees(rad)


def _heartbeat(m: Any, s: int, c: int) -> ev.Heartbeat:
    return ev.Heartbeat(
        s,
        c,
        m.type,
        m.autopilot,
        m.base_mode,
        m.custom_mode,
        mode_name(m.custom_mode),
        bool(m.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED),
        m.system_status,
    )


def _global_position(m: Any, s: int, c: int) -> ev.GlobalPosition:
    return ev.GlobalPosition(
        s,
        c,
        m.lat * 1e-7,
        m.lon * 1e-7,
        m.alt * 1e-3,
        m.relative_alt * 1e-3,
        m.vx * 0.01,
        m.vy * 0.01,
        m.vz * 0.01,
        None if m.hdg == UINT16_UNKNOWN else m.hdg * 0.01,
        m.time_boot_ms * 1e-3,
    )


def _attitude(m: Any, s: int, c: int) -> ev.Attitude:
    return ev.Attitude(
        s,
        c,
        _degrees(m.roll),
        _degrees(m.pitch),
        _degrees(m.yaw),
        _degrees(m.rollspeed),
        _degrees(m.pitchspeed),
        _degrees(m.yawspeed),
    )


def _sys_status(m: Any, s: int, c: int) -> ev.SysStatus:
    return ev.SysStatus(
        s,
        c,
        m.voltage_battery * 1e-3,
        None if m.current_battery < 0 else m.current_battery * 0.01,
        None if m.battery_remaining < 0 else float(m.battery_remaining),
        m.onboard_control_sensors_present,
        m.onboard_control_sensors_enabled,
        m.onboard_control_sensors_health,
    )


def _battery(m: Any, s: int, c: int) -> ev.Battery:
    cells = [v for v in m.voltages if v != UINT16_UNKNOWN]
    cells += [v for v in (getattr(m, "voltages_ext", None) or ()) if v not in (0, UINT16_UNKNOWN)]
    return ev.Battery(
        s,
        c,
        m.id,
        sum(cells) * 1e-3 if cells else None,
        None if m.current_battery < 0 else m.current_battery * 0.01,
        None if m.battery_remaining < 0 else float(m.battery_remaining),
        None if m.current_consumed < 0 else float(m.current_consumed),
        float(m.time_remaining) if getattr(m, "time_remaining", 0) > 0 else None,
    )


def _gps_raw(m: Any, s: int, c: int) -> ev.GpsRaw:
    return ev.GpsRaw(
        s,
        c,
        m.fix_type,
        None if m.satellites_visible == 255 else m.satellites_visible,
        None if m.eph == UINT16_UNKNOWN else m.eph * 0.01,
        m.lat * 1e-7,
        m.lon * 1e-7,
        m.alt * 1e-3,
        None if m.vel == UINT16_UNKNOWN else m.vel * 0.01,
    )


def _vfr_hud(m: Any, s: int, c: int) -> ev.VfrHud:
    return ev.VfrHud(
        s, c, m.airspeed, m.groundspeed, float(m.heading), float(m.throttle), m.alt, m.climb
    )


def _statustext(m: Any, s: int, c: int) -> ev.StatusText:
    return ev.StatusText(s, c, m.severity, m.text)


def _command_ack(m: Any, s: int, c: int) -> ev.CommandAck:
    progress = getattr(m, "progress", 255)
    return ev.CommandAck(
        s,
        c,
        m.command,
        m.result,
        enum_name("MAV_RESULT", m.result),
        None if progress == 255 else progress,
        getattr(m, "target_system", 0),
        getattr(m, "target_component", 0),
    )


def _mission_current(m: Any, s: int, c: int) -> ev.MissionCurrent:
    total = getattr(m, "total", UINT16_UNKNOWN)
    return ev.MissionCurrent(s, c, m.seq, None if total == UINT16_UNKNOWN else total)


def _mission_item_reached(m: Any, s: int, c: int) -> ev.MissionItemReached:
    return ev.MissionItemReached(s, c, m.seq)


def _home_position(m: Any, s: int, c: int) -> ev.HomePosition:
    return ev.HomePosition(s, c, m.latitude * 1e-7, m.longitude * 1e-7, m.altitude * 1e-3)


def _extended_sys_state(m: Any, s: int, c: int) -> ev.ExtendedSysState:
    name = enum_name("MAV_LANDED_STATE", m.landed_state).removeprefix("MAV_LANDED_STATE_")
    return ev.ExtendedSysState(s, c, m.landed_state, name)


def _ekf_status(m: Any, s: int, c: int) -> ev.EkfStatus:
    return ev.EkfStatus(
        s,
        c,
        m.flags,
        m.velocity_variance,
        m.pos_horiz_variance,
        m.pos_vert_variance,
        m.compass_variance,
        m.terrain_alt_variance,
    )


def quaternion_to_euler_deg(w: float, x: float, y: float, z: float) -> tuple[float, float, float]:
    """Roll, pitch, yaw in degrees from a unit quaternion (w, x, y, z), aerospace ZYX order."""
    roll = math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    pitch = math.asin(max(-1.0, min(1.0, 2 * (w * y - z * x))))
    yaw = math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return math.degrees(roll), math.degrees(pitch), math.degrees(yaw)


def _gimbal_device_attitude(m: Any, s: int, c: int) -> ev.GimbalAttitude:
    roll, pitch, yaw = quaternion_to_euler_deg(*m.q)
    return ev.GimbalAttitude(s, c, roll, pitch, yaw)


def _mount_status(m: Any, s: int, c: int) -> ev.GimbalAttitude:
    return ev.GimbalAttitude(s, c, m.pointing_b * 0.01, m.pointing_a * 0.01, m.pointing_c * 0.01)


def _mission_count(m: Any, s: int, c: int) -> ev.MissionCount:
    return ev.MissionCount(s, c, m.count, getattr(m, "mission_type", 0))


def _mission_request(m: Any, s: int, c: int) -> ev.MissionRequest:
    return ev.MissionRequest(
        s, c, m.seq, getattr(m, "mission_type", 0), m._type == "MISSION_REQUEST_INT"
    )


def _mission_item(m: Any, s: int, c: int) -> ev.MissionItemMessage:
    scale = 1e-7 if m._type == "MISSION_ITEM_INT" else 1.0
    mission_type = getattr(m, "mission_type", 0)
    item = MissionItem(
        command=m.command,
        frame=m.frame,
        param1=m.param1,
        param2=m.param2,
        param3=m.param3,
        param4=m.param4,
        lat_deg=m.x * scale,
        lon_deg=m.y * scale,
        alt_m=m.z,
        autocontinue=bool(m.autocontinue),
        mission_type=MissionType(mission_type) if mission_type in (0, 1, 2) else MissionType(0),
    )
    return ev.MissionItemMessage(s, c, m.seq, item)


def _mission_ack(m: Any, s: int, c: int) -> ev.MissionAck:
    return ev.MissionAck(
        s, c, m.type, enum_name("MAV_MISSION_RESULT", m.type), getattr(m, "mission_type", 0)
    )


def _param_value(m: Any, s: int, c: int) -> ev.ParamValue:
    name = m.param_id if isinstance(m.param_id, str) else m.param_id.decode("ascii", "replace")
    return ev.ParamValue(s, c, name, m.param_value, m.param_type, m.param_index, m.param_count)


_DECODERS: dict[str, Callable[[Any, int, int], ev.Event]] = {
    "HEARTBEAT": _heartbeat,
    "GLOBAL_POSITION_INT": _global_position,
    "ATTITUDE": _attitude,
    "SYS_STATUS": _sys_status,
    "BATTERY_STATUS": _battery,
    "GPS_RAW_INT": _gps_raw,
    "VFR_HUD": _vfr_hud,
    "STATUSTEXT": _statustext,
    "COMMAND_ACK": _command_ack,
    "MISSION_CURRENT": _mission_current,
    "MISSION_ITEM_REACHED": _mission_item_reached,
    "HOME_POSITION": _home_position,
    "EXTENDED_SYS_STATE": _extended_sys_state,
    "EKF_STATUS_REPORT": _ekf_status,
    "GIMBAL_DEVICE_ATTITUDE_STATUS": _gimbal_device_attitude,
    "MOUNT_STATUS": _mount_status,
    "MISSION_COUNT": _mission_count,
    "MISSION_REQUEST": _mission_request,
    "MISSION_REQUEST_INT": _mission_request,
    "MISSION_ITEM_INT": _mission_item,
    "MISSION_ITEM": _mission_item,
    "MISSION_ACK": _mission_ack,
    "PARAM_VALUE": _param_value,
}

#: The MAVLink message names the link turns into typed events.
TYPED_MESSAGES = frozenset(_DECODERS)


def to_event(msg: Any) -> ev.Event | None:
    """The typed event for a decoded pymavlink message, or None if the link does not type it."""
    header = msg._header
    return event_from(msg, header.srcSystem, header.srcComponent)


def event_from(msg: Any, sysid: int, compid: int) -> ev.Event | None:
    """:func:`to_event` for a caller that has already read the sender from the header."""
    convert = _DECODERS.get(msg._type)
    return None if convert is None else convert(msg, sysid, compid)
