"""The vehicle's pose over MAVLink, for what runs beside a real autopilot (SITL).

The training scenario (patrol, threats, stand-in detector) and the synthetic
camera need to know where the drone is and where its camera points. Beside
the built-in simulator they read it in-process; beside ArduPilot SITL they
read it from a second MAVLink port (SITL's serial1), as a companion computer
would, so the simulator stays outside the vehicle. :class:`MavlinkWatcher`
connects there, asks for the messages it needs with SET_MESSAGE_INTERVAL, and
keeps the latest :class:`~simulator.pose.VehiclePose`.

Its clock is the vehicle's: ``time_boot_ms`` of the newest message, carried
forward between messages at ``speedup`` simulated seconds per wall second.
It sends no heartbeat and uses its own system id, so the vehicle's GCS
failsafe does not count it as a ground station.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import SimulatorError
from simulator.pose import VehiclePose

#: the system id the watcher speaks with (not a ground station's)
WATCHER_SYSID = 251
#: messages the watcher asks for, and their rates (Hz)
RATES_HZ: dict[int, float] = {
    mavlink.MAVLINK_MSG_ID_GLOBAL_POSITION_INT: 10.0,
    mavlink.MAVLINK_MSG_ID_ATTITUDE: 10.0,
    mavlink.MAVLINK_MSG_ID_GIMBAL_DEVICE_ATTITUDE_STATUS: 5.0,
    mavlink.MAVLINK_MSG_ID_SYSTEM_TIME: 1.0,
    mavlink.MAVLINK_MSG_ID_SYS_STATUS: 1.0,
}


def gimbal_angles_deg(q: tuple[float, float, float, float]) -> tuple[float, float]:
    """(pitch, yaw) in degrees from a GIMBAL_DEVICE_ATTITUDE_STATUS quaternion (w, x, y, z).

    >>> half = -math.pi / 8  # half of -45° about the pitch axis
    >>> [round(a) for a in gimbal_angles_deg((math.cos(half), 0.0, math.sin(half), 0.0))]
    [-45, 0]
    """
    w, x, y, z = q
    sinp = max(-1.0, min(1.0, 2.0 * (w * y - z * x)))
    pitch = math.degrees(math.asin(sinp))
    yaw = math.degrees(math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z)))
    return pitch, yaw


def earth_frame_yaw(flags: int) -> bool:
    """Whether a GIMBAL_DEVICE_ATTITUDE_STATUS quaternion's yaw is from north (else from
    the vehicle's nose): the frame flags say so; without them, MAVLink's older rule
    applies (yaw lock means north). ArduPilot says "vehicle frame", also when locked.

    >>> earth_frame_yaw(mavlink.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME
    ...                 | mavlink.GIMBAL_DEVICE_FLAGS_YAW_LOCK)
    False
    >>> earth_frame_yaw(mavlink.GIMBAL_DEVICE_FLAGS_YAW_LOCK)
    True
    """
    if flags & mavlink.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME:
        return False
    if flags & mavlink.GIMBAL_DEVICE_FLAGS_YAW_IN_EARTH_FRAME:
        return True
    return bool(flags & mavlink.GIMBAL_DEVICE_FLAGS_YAW_LOCK)


Matrix = tuple[tuple[float, float, float], ...]


def _euler_matrix(roll: float, pitch: float, yaw: float) -> Matrix:
    """Body to NED rotation for ZYX Euler angles in radians."""
    cr, sr, cp, sp, cy, sy = (
        math.cos(roll),
        math.sin(roll),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(yaw),
        math.sin(yaw),
    )
    return (
        (cp * cy, sr * sp * cy - cr * sy, cr * sp * cy + sr * sy),
        (cp * sy, sr * sp * sy + cr * cy, cr * sp * sy - sr * cy),
        (-sp, sr * cp, cr * cp),
    )


def _quat_forward(q: tuple[float, float, float, float]) -> tuple[float, float, float]:
    """Where a quaternion (w, x, y, z) turns the x axis (the camera's line of sight)."""
    w, x, y, z = q
    return (1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y))


def _rotate(m: Matrix, v: tuple[float, float, float]) -> tuple[float, float, float]:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


class MavlinkWatcher:
    """Follows one vehicle's pose on a MAVLink TCP port (see the module docstring).

    ``gimbal_pitch_deg`` is assumed until the vehicle reports its gimbal. With
    ``mount_in_body_frame`` (ArduPilot's servo mount, MNT1_TYPE 1, which reports the
    angles it drives its servos to) the camera's direction is the mount's turned by
    the airframe's attitude; otherwise the report is the camera's own pitch from
    the horizon, as MAVLink's gimbal devices give it.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sysid: int = 1,
        speedup: float = 1.0,
        gimbal_pitch_deg: float = -45.0,
        mount_in_body_frame: bool = True,
    ) -> None:
        self.host, self.port, self.sysid, self.speedup = host, port, sysid, speedup
        self._mav = mavlink.MAVLink(
            None, srcSystem=WATCHER_SYSID, srcComponent=mavlink.MAV_COMP_ID_ONBOARD_COMPUTER
        )
        self._mav.robust_parsing = True
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._boot_s: float | None = None  # vehicle time of the newest message
        self._boot_wall: float = 0.0
        self._position: Any = None
        self._attitude: Any = None
        self._gimbal = (gimbal_pitch_deg, 0.0)
        self._gimbal_reported = False
        self._gimbal_status: Any = None
        self.mount_in_body_frame = mount_in_body_frame
        self.messages = 0
        self.bad_packets = 0
        self.armed = False
        self.battery_pct: float | None = None

    def gimbal_default(self, pitch_deg: float) -> None:
        """The gimbal pitch to assume until the vehicle reports its gimbal."""
        if self._gimbal_reported:
            return
        self._gimbal = (pitch_deg, 0.0)

    @property
    def alt_rel_m(self) -> float | None:
        return None if self._position is None else self._position.relative_alt / 1000.0

    def command_long(self, command: int, *params: float) -> None:
        """Send a COMMAND_LONG to the vehicle (fire and forget: the caller watches the effect)."""
        if self._writer is None:
            raise SimulatorError("the MAVLink watcher is not connected")
        padded = [*params, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0][:7]
        msg = mavlink.MAVLink_command_long_message(self.sysid, 1, command, 0, *padded)
        self._writer.write(msg.pack(self._mav))

    async def start(self, timeout_s: float = 30.0) -> None:
        """Connect, ask for the pose messages and wait for the first position."""
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._task = asyncio.create_task(self._read(reader), name="mavlink-watcher")
        deadline = time.monotonic() + timeout_s
        next_ask = 0.0
        while self._position is None:
            if time.monotonic() > deadline:
                await self.stop()
                raise SimulatorError(
                    f"no GLOBAL_POSITION_INT from vehicle {self.sysid} on "
                    f"tcp:{self.host}:{self.port} within {timeout_s:g} s"
                )
            if time.monotonic() >= next_ask:  # asked again until it streams
                self._ask_rates()
                next_ask = time.monotonic() + 2.0
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None

    def _ask_rates(self) -> None:
        assert self._writer is not None
        for message_id, rate_hz in RATES_HZ.items():
            msg = mavlink.MAVLink_command_long_message(
                self.sysid,
                1,
                mavlink.MAV_CMD_SET_MESSAGE_INTERVAL,
                0,
                message_id,
                1e6 / rate_hz,
                0,
                0,
                0,
                0,
                0,
            )
            self._writer.write(msg.pack(self._mav))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            try:
                messages = self._mav.parse_buffer(chunk) or []
            except Exception:  # a broken frame: counted, and the stream goes on
                self.bad_packets += 1
                continue
            for msg in messages:
                self._on_message(msg)

    def _on_message(self, msg: Any) -> None:
        kind = msg.get_type()
        if kind == "BAD_DATA":
            self.bad_packets += 1
            return
        if msg.get_srcSystem() != self.sysid:
            return
        self.messages += 1
        boot_ms = getattr(msg, "time_boot_ms", None)
        if isinstance(boot_ms, int) and boot_ms > 0:
            self._boot_s = boot_ms / 1000.0
            self._boot_wall = time.monotonic()
        if kind == "GLOBAL_POSITION_INT":
            self._position = msg
        elif kind == "ATTITUDE":
            self._attitude = msg
        elif kind == "GIMBAL_DEVICE_ATTITUDE_STATUS":
            self._gimbal_status = msg
            self._gimbal_reported = True
        elif kind == "HEARTBEAT" and msg.get_srcComponent() == 1:
            self.armed = bool(msg.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED)
        elif kind == "SYS_STATUS" and msg.battery_remaining >= 0:
            self.battery_pct = float(msg.battery_remaining)

    def _camera_angles_deg(self) -> tuple[float, float]:
        """The camera's pitch from the horizon and yaw from the nose, in degrees."""
        status, att = self._gimbal_status, self._attitude
        if status is None:
            return self._gimbal
        q = tuple(status.q)
        pitch, yaw = gimbal_angles_deg(q)
        if att is None:
            return pitch, yaw
        if self.mount_in_body_frame:
            # a servo mount reports its servo angles: the camera turns with the airframe
            fwd = _rotate(_euler_matrix(att.roll, att.pitch, att.yaw), _quat_forward(q))
            pitch = math.degrees(math.atan2(-fwd[2], math.hypot(fwd[0], fwd[1])))
            yaw = math.degrees(math.atan2(fwd[1], fwd[0])) - math.degrees(att.yaw)
        elif earth_frame_yaw(status.flags):
            yaw -= math.degrees(att.yaw)  # the pose wants it from the nose
        return pitch, (yaw + 180.0) % 360.0 - 180.0

    def time_s(self) -> float:
        """The vehicle's time since boot, seconds (simulated on SITL)."""
        if self._boot_s is None:
            return 0.0
        return self._boot_s + (time.monotonic() - self._boot_wall) * self.speedup

    def pose(self) -> VehiclePose:
        """The newest pose (raises :class:`SimulatorError` before the first position)."""
        pos, att = self._position, self._attitude
        if pos is None:
            raise SimulatorError(f"no position heard from vehicle {self.sysid} yet")
        roll = math.degrees(att.roll) if att is not None else 0.0
        pitch = math.degrees(att.pitch) if att is not None else 0.0
        yaw = (
            math.degrees(att.yaw) % 360.0
            if att is not None
            else (pos.hdg / 100.0 if pos.hdg != 65535 else 0.0)
        )
        gimbal_pitch, gimbal_yaw = self._camera_angles_deg()
        return VehiclePose(
            lat_deg=pos.lat * 1e-7,
            lon_deg=pos.lon * 1e-7,
            alt_msl_m=pos.alt / 1000.0,
            alt_rel_m=pos.relative_alt / 1000.0,
            roll_deg=roll,
            pitch_deg=pitch,
            yaw_deg=yaw,
            gimbal_pitch_deg=gimbal_pitch,
            gimbal_yaw_deg=gimbal_yaw,
            time_s=self.time_s(),
        )
