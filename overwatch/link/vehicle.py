"""The facade for one vehicle: state, commands, telemetry rates, mission and parameters."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import CommandRejected, LinkError, LinkTimeout, TakeoffFailed
from overwatch.link import events as ev
from overwatch.link.commands import CommandSender
from overwatch.link.mission import MissionClient
from overwatch.link.modes import mode_number
from overwatch.link.params import Params
from overwatch.link.state import VehicleState

if TYPE_CHECKING:
    from overwatch.link.link import Link

E = TypeVar("E", bound=ev.Event)

#: param2 of MAV_CMD_COMPONENT_ARM_DISARM that forces arming/disarming past checks.
FORCE_MAGIC = 21196
#: an arm, disarm or mode change is confirmed within this many of the vehicle's heartbeats
#: (about as many seconds of its own time, however slow a busy machine makes it)
CONFIRM_BEATS = 3

#: Messages and rates (Hz) :meth:`Vehicle.request_telemetry` asks for by default.
DEFAULT_TELEMETRY_HZ: dict[str, float] = {
    "GLOBAL_POSITION_INT": 5.0,
    "ATTITUDE": 10.0,
    "VFR_HUD": 2.0,
    "SYS_STATUS": 1.0,
    "BATTERY_STATUS": 1.0,
    "GPS_RAW_INT": 2.0,
    "EXTENDED_SYS_STATE": 1.0,
    "EKF_STATUS_REPORT": 1.0,
    "MISSION_CURRENT": 1.0,
    "HOME_POSITION": 0.2,
    "GIMBAL_DEVICE_ATTITUDE_STATUS": 2.0,
}

#: tries of each telemetry-rate request before it is given up (1.5 s each by default)
_TELEMETRY_ATTEMPTS = 6

# SET_POSITION_TARGET type_mask bits (POSITION_TARGET_TYPEMASK)
_IGNORE_POSITION = 1 | 2 | 4
_IGNORE_VELOCITY = 8 | 16 | 32
_IGNORE_ACCEL = 64 | 128 | 256
_IGNORE_YAW = 1024 | 2048
POSITION_ONLY_MASK = _IGNORE_VELOCITY | _IGNORE_ACCEL | _IGNORE_YAW
POSITION_VELOCITY_MASK = _IGNORE_ACCEL | _IGNORE_YAW
VELOCITY_ONLY_MASK = _IGNORE_POSITION | _IGNORE_ACCEL | _IGNORE_YAW

ProgressCallback = Callable[[str], object]


def takeoff_tolerance_m(alt_rel_m: float) -> float:
    """How close to its height a climb counts as done: 5 %, at least 1 m."""
    return max(1.0, 0.05 * alt_rel_m)


class Vehicle:
    """One vehicle on a :class:`Link`: ``state`` plus typed async commands.

    Commands wait for COMMAND_ACK, retry, and raise :class:`CommandRejected`
    (naming the MAV_RESULT) or :class:`LinkTimeout`. ``mission`` transfers
    mission/fence/rally items; ``params`` reads and writes parameters.
    """

    def __init__(self, link: Link, state: VehicleState, compid: int = 1) -> None:
        self.link = link
        self.state = state
        self.sysid = state.sysid
        self.compid = compid
        self.commands = CommandSender(link, self.sysid, compid)
        self.mission = MissionClient(link, self.sysid, compid)
        self.params = Params(link, self.sysid, compid)

    def __repr__(self) -> str:
        return f"Vehicle(sysid={self.sysid}, mode={self.state.mode}, armed={self.state.armed})"

    # -- events ---------------------------------------------------------------

    def events(self, *types: type[E], maxsize: int = 1000) -> AsyncGenerator[E, None]:
        """This vehicle's events of ``types`` (all if none), as an async iterator."""
        return self.link.events(*types, sysid=self.sysid, maxsize=maxsize)

    async def _wait_state(
        self, ok: Callable[[], bool], timeout_s: float, what: str, *, heartbeats: int | None = None
    ) -> None:
        """Wait until ``ok()`` holds, re-checking after every event from this vehicle.

        With ``heartbeats`` the vehicle's own pace sets the limit: it fails once that many
        heartbeats came without ``ok()``, or after ``timeout_s`` wall seconds in which the
        vehicle sent nothing at all (a simulator slowed by a busy machine is waited for;
        a silent link is not). Without it, ``timeout_s`` wall seconds in all.
        """
        if ok():
            return
        changed = asyncio.Event()
        beats = 0

        def seen(event: ev.Event) -> None:
            nonlocal beats
            if isinstance(event, ev.Heartbeat):
                beats += 1
            changed.set()

        remove = self.link.add_listener(seen, sysid=self.sysid)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout_s) as deadline:
                while not ok():
                    if heartbeats is not None and beats >= heartbeats:
                        raise TimeoutError
                    changed.clear()
                    await changed.wait()
                    if heartbeats is not None:
                        deadline.reschedule(loop.time() + timeout_s)
        except TimeoutError:
            within = f"{heartbeats} heartbeats" if heartbeats and beats >= heartbeats else None
            raise LinkTimeout(
                f"vehicle {self.sysid}: {what} not seen within {within or f'{timeout_s:g} s'}"
            ) from None
        finally:
            remove()

    # -- readiness -------------------------------------------------------------

    def _missing_for_ready(self) -> list[str]:
        s = self.state
        missing = []
        if not s.heartbeat_seen:
            missing.append("heartbeat")
        if s.gps_fix_type is None or s.gps_fix_type < 3:
            missing.append("GPS 3D fix")
        if not s.has_position:
            missing.append("position estimate")
        if not s.ekf_ok:  # None too: ArduCopter reports its EKF once asked, and arms on it
            missing.append("EKF using GPS")
        if s.home is None:
            missing.append("home position")
        return missing

    async def wait_ready(
        self, timeout_s: float = 60.0, progress_cb: ProgressCallback | None = None
    ) -> None:
        """Wait for heartbeat, GPS 3D fix, a position estimate, an EKF that uses GPS
        (EKF_STATUS_REPORT) and a known home.

        ``progress_cb(text)`` is called whenever the list of what is still
        missing changes. Asks for HOME_POSITION every 2 s while it is unknown.
        Raises :class:`LinkTimeout` naming what is still missing.
        """
        loop = asyncio.get_running_loop()
        deadline_s = loop.time() + timeout_s
        last_report: str | None = None
        next_home_request_s = 0.0
        while True:
            missing = self._missing_for_ready()
            report = "ready" if not missing else "waiting for " + ", ".join(missing)
            if report != last_report and progress_cb is not None:
                progress_cb(report)
            last_report = report
            if not missing:
                return
            now_s = loop.time()
            if now_s >= deadline_s:
                raise LinkTimeout(
                    f"vehicle {self.sysid} not ready after {timeout_s:g} s: still {report}"
                )
            if (
                "home position" in missing
                and self.state.heartbeat_seen
                and now_s >= next_home_request_s
            ):
                self._request_message_nowait(mavlink.MAVLINK_MSG_ID_HOME_POSITION)
                next_home_request_s = now_s + 2.0
            with contextlib.suppress(LinkTimeout):
                await self._wait_state(
                    lambda m=missing: self._missing_for_ready() != m,  # type: ignore[misc]
                    min(0.5, max(0.01, deadline_s - now_s)),
                    "readiness change",
                )

    def _request_message_nowait(self, message_id: int) -> None:
        self.link.mav.command_long_send(
            target_system=self.sysid,
            target_component=self.compid,
            command=mavlink.MAV_CMD_REQUEST_MESSAGE,
            confirmation=0,
            param1=message_id,
            param2=0,
            param3=0,
            param4=0,
            param5=0,
            param6=0,
            param7=0,
        )

    # -- telemetry ---------------------------------------------------------------

    async def request_telemetry(
        self, rates_hz: Mapping[str, float] | None = None
    ) -> dict[str, bool]:
        """Ask for each message at its rate (Hz) with MAV_CMD_SET_MESSAGE_INTERVAL.

        ArduCopter sends only HEARTBEAT until asked. ``rates_hz`` maps message
        names to Hz (0 stops a stream); default :data:`DEFAULT_TELEMETRY_HZ`.
        Returns which requests the vehicle accepted (a vehicle without a gimbal
        refuses the gimbal stream, which is not an error).
        """
        accepted: dict[str, bool] = {}
        for name, rate_hz in (rates_hz or DEFAULT_TELEMETRY_HZ).items():
            message_id = getattr(mavlink, f"MAVLINK_MSG_ID_{name}", None)
            if message_id is None:
                raise LinkError(f"request_telemetry: unknown MAVLink message {name!r}")
            interval_us = -1.0 if rate_hz <= 0 else 1e6 / rate_hz
            try:
                await self.commands.long(
                    f"request_telemetry({name}={rate_hz:g} Hz)",
                    mavlink.MAV_CMD_SET_MESSAGE_INTERVAL,
                    (message_id, interval_us),
                    # a relay in between (MAVProxy) on a busy machine answers late: more tries,
                    # and never fewer than the link is tuned for (a lossy radio's many)
                    attempts=max(_TELEMETRY_ATTEMPTS, self.commands.attempts),
                )
                accepted[name] = True
            except CommandRejected:
                accepted[name] = False
        return accepted

    # -- commands --------------------------------------------------------------------

    async def arm(self, *, force: bool = False, confirm_timeout_s: float = 3.0) -> None:
        """Arm the motors (``force`` skips pre-arm checks); waits for the heartbeat to show it."""
        await self.commands.long(
            "arm()",
            mavlink.MAV_CMD_COMPONENT_ARM_DISARM,
            (1, FORCE_MAGIC if force else 0),
        )
        await self._wait_state(
            lambda: self.state.armed, confirm_timeout_s, "armed heartbeat", heartbeats=CONFIRM_BEATS
        )

    async def disarm(self, *, force: bool = False, confirm_timeout_s: float = 3.0) -> None:
        """Disarm (``force`` even in flight); waits for the heartbeat to show it."""
        await self.commands.long(
            "disarm()",
            mavlink.MAV_CMD_COMPONENT_ARM_DISARM,
            (0, FORCE_MAGIC if force else 0),
        )
        await self._wait_state(
            lambda: not self.state.armed,
            confirm_timeout_s,
            "disarmed heartbeat",
            heartbeats=CONFIRM_BEATS,
        )

    async def set_mode(self, name: str, *, confirm_timeout_s: float = 3.0) -> None:
        """Switch to ArduCopter mode ``name`` (``"GUIDED"``), confirmed by the heartbeat.

        ArduPilot acknowledges MAV_CMD_DO_SET_MODE before its heartbeat shows
        the new mode, so this waits for both. :class:`UnknownModeError` for an unknown name.
        """
        number = mode_number(name)
        label = f"set_mode({name.upper()})"
        await self.commands.long(
            label,
            mavlink.MAV_CMD_DO_SET_MODE,
            (mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, number),
        )
        await self._wait_state(
            lambda: self.state.custom_mode == number,
            confirm_timeout_s,
            f"heartbeat in mode {name.upper()}",
            heartbeats=CONFIRM_BEATS,
        )

    async def takeoff(self, alt_rel_m: float) -> None:
        """MAV_CMD_NAV_TAKEOFF to ``alt_rel_m`` metres above home (GUIDED, armed)."""
        await self.commands.long(
            f"takeoff({alt_rel_m:g} m)",
            mavlink.MAV_CMD_NAV_TAKEOFF,
            (0, 0, 0, math.nan, 0, 0, alt_rel_m),
        )

    async def takeoff_and_climb(
        self,
        alt_rel_m: float,
        *,
        timeout_s: float = 60.0,
        stall_s: float = 10.0,
        attempts: int = 2,
    ) -> None:
        """Take off in GUIDED and wait until the climb is done, at ``alt_rel_m``.

        ArduCopter drops a GUIDED takeoff the moment a position target arrives,
        and a vehicle that is still on the ground then stays there until it
        disarms: send no setpoint before this returns. Done when the vehicle
        reports the takeoff complete (MISSION_ITEM_REACHED 0) or is within
        :func:`takeoff_tolerance_m` of the height. A takeoff the vehicle drops
        while still on the ground (it gains less than 0.5 m in ``stall_s`` of
        the *vehicle's* time) is sent again, up to ``attempts`` times in all; a
        climb that stalls in the air, disarms or leaves GUIDED fails at once.
        :class:`TakeoffFailed` says why, in the vehicle's own words.
        ``timeout_s`` is wall time (scale it by the speed-up).
        """
        said: list[str] = []
        done = False

        def listen(event: ev.Event) -> None:
            nonlocal done
            if isinstance(event, ev.StatusText) and event.text not in said:
                said.append(event.text)
            elif isinstance(event, ev.MissionItemReached) and event.seq == 0:
                done = True  # GUIDED reports its takeoff complete as item 0

        def high_enough() -> bool:
            alt = self.state.alt_rel_m
            return done or (alt is not None and alt >= alt_rel_m - takeoff_tolerance_m(alt_rel_m))

        loop = asyncio.get_running_loop()
        remove = self.link.add_listener(listen, sysid=self.sysid)
        why, tried = "no attempt", 0
        try:
            for tried in range(1, attempts + 1):  # noqa: B007 (named in the error)
                if high_enough():
                    return
                if not self.state.armed:
                    raise TakeoffFailed(
                        f"takeoff({alt_rel_m:g} m): the vehicle is disarmed", tuple(said)
                    )
                done = False
                await self.takeoff(alt_rel_m)
                deadline = loop.time() + timeout_s
                best = self.state.alt_rel_m or 0.0
                progress_at = self.state.vehicle_time_s
                while not high_enough():
                    alt = self.state.alt_rel_m or 0.0
                    if alt > best + 0.5:
                        best, progress_at = alt, self.state.vehicle_time_s
                    if not self.state.armed:
                        why = f"the vehicle disarmed at {alt:.1f} m"
                        break
                    if self.state.mode != "GUIDED":
                        why = f"the vehicle left GUIDED for {self.state.mode} at {alt:.1f} m"
                        break
                    if self.state.vehicle_time_s - progress_at > stall_s:
                        why = f"the climb stalled at {alt:.1f} m for {stall_s:g} s"
                        break
                    if loop.time() > deadline:
                        why = f"still at {alt:.1f} m after {timeout_s:g} s"
                        break
                    with contextlib.suppress(LinkTimeout):
                        await self._wait_state(high_enough, min(0.5, timeout_s), "takeoff height")
                else:
                    return
                on_ground = (self.state.alt_rel_m or 0.0) < 1.0
                if not (on_ground and self.state.armed and self.state.mode == "GUIDED"):
                    break  # a takeoff is sent again only to a vehicle still on the ground
            raise TakeoffFailed(
                f"takeoff({alt_rel_m:g} m) failed after {tried} attempt(s): {why}", tuple(said)
            )
        finally:
            remove()

    def goto(
        self,
        lat_deg: float,
        lon_deg: float,
        alt_rel_m: float,
        *,
        velocity_ned_m_s: tuple[float, float, float] | None = None,
    ) -> None:
        """Fly to a point (GUIDED): SET_POSITION_TARGET_GLOBAL_INT, fire and forget (no ack).

        ``velocity_ned_m_s`` (north, east, down) is sent as a feed-forward with the
        position, as ArduCopter takes it, so a moving target is tracked without lag.
        """
        vn, ve, vd = velocity_ned_m_s or (0.0, 0.0, 0.0)
        self.link.mav.set_position_target_global_int_send(
            time_boot_ms=0,
            target_system=self.sysid,
            target_component=self.compid,
            coordinate_frame=mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
            type_mask=POSITION_ONLY_MASK if velocity_ned_m_s is None else POSITION_VELOCITY_MASK,
            lat_int=round(lat_deg * 1e7),
            lon_int=round(lon_deg * 1e7),
            alt=alt_rel_m,
            vx=vn,
            vy=ve,
            vz=vd,
            afx=0,
            afy=0,
            afz=0,
            yaw=0,
            yaw_rate=0,
        )

    def set_velocity(self, vn_m_s: float, ve_m_s: float, vd_m_s: float) -> None:
        """Fly at a NED velocity (m/s, GUIDED): SET_POSITION_TARGET_LOCAL_NED, no ack.

        ArduCopter stops if no new setpoint arrives within about 3 s: repeat it.
        """
        self.link.mav.set_position_target_local_ned_send(
            time_boot_ms=0,
            target_system=self.sysid,
            target_component=self.compid,
            coordinate_frame=mavlink.MAV_FRAME_LOCAL_NED,
            type_mask=VELOCITY_ONLY_MASK,
            x=0,
            y=0,
            z=0,
            vx=vn_m_s,
            vy=ve_m_s,
            vz=vd_m_s,
            afx=0,
            afy=0,
            afz=0,
            yaw=0,
            yaw_rate=0,
        )

    async def change_speed(self, speed_m_s: float) -> None:
        """MAV_CMD_DO_CHANGE_SPEED: ground speed in m/s."""
        await self.commands.long(
            f"change_speed({speed_m_s:g} m/s)",
            mavlink.MAV_CMD_DO_CHANGE_SPEED,
            (1, speed_m_s, -1),
        )

    async def roi_location(self, lat_deg: float, lon_deg: float, alt_rel_m: float) -> None:
        """Point the vehicle/camera at a location (alt above home) via COMMAND_INT."""
        await self.commands.int_(
            f"roi_location({lat_deg:.7f}, {lon_deg:.7f}, {alt_rel_m:g} m)",
            mavlink.MAV_CMD_DO_SET_ROI_LOCATION,
            frame=mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT,
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            z=alt_rel_m,
        )

    async def roi_sysid(self, sysid: int) -> None:
        """Track another MAVLink system (MAV_CMD_DO_SET_ROI_SYSID)."""
        await self.commands.long(f"roi_sysid({sysid})", mavlink.MAV_CMD_DO_SET_ROI_SYSID, (sysid,))

    async def roi_none(self) -> None:
        """Cancel any region of interest (MAV_CMD_DO_SET_ROI_NONE)."""
        await self.commands.long("roi_none()", mavlink.MAV_CMD_DO_SET_ROI_NONE)

    async def gimbal(self, pitch_deg: float, yaw_deg: float) -> str:
        """Point the gimbal: pitch (deg, negative down), yaw (deg, relative to the vehicle).

        Uses MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW and falls back to
        MAV_CMD_DO_MOUNT_CONTROL if the vehicle answers UNSUPPORTED. Returns
        the name of the command that was accepted.
        """
        label = f"gimbal(pitch={pitch_deg:g}°, yaw={yaw_deg:g}°)"
        try:
            await self.commands.long(
                label,
                mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW,
                (pitch_deg, yaw_deg, math.nan, math.nan, 0, 0, 0),
            )
            return "MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW"
        except CommandRejected as exc:
            if exc.result != mavlink.MAV_RESULT_UNSUPPORTED:
                raise
        await self.commands.long(
            label,
            mavlink.MAV_CMD_DO_MOUNT_CONTROL,
            (pitch_deg, 0, yaw_deg, 0, 0, 0, mavlink.MAV_MOUNT_MODE_MAVLINK_TARGETING),
        )
        return "MAV_CMD_DO_MOUNT_CONTROL"

    async def start_mission(self) -> None:
        """MAV_CMD_MISSION_START from the first item (AUTO mode, armed)."""
        await self.commands.long("start_mission()", mavlink.MAV_CMD_MISSION_START, (0, 0))

    async def rtl(self) -> None:
        """Return to launch (MAV_CMD_NAV_RETURN_TO_LAUNCH)."""
        await self.commands.long("rtl()", mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH)

    async def land(self) -> None:
        """Land where the vehicle is (MAV_CMD_NAV_LAND)."""
        await self.commands.long("land()", mavlink.MAV_CMD_NAV_LAND, (0, 0, 0, math.nan, 0, 0, 0))
