"""The vehicle driver: the controller's actions, as MAVLink to the drone.

:class:`~overwatch.ops.controller.Controller` decides; this carries it out and
nothing else. A setpoint goes out at once; a camera aim, a mode change or a
landing runs in the background and a refusal becomes a note; a relaunch arms
and climbs again, once at a time. The take-off itself, the cruise speed and
the patrol's position forwarded to FOLLOW mode live here too, because the
operator's commands (:mod:`overwatch.ops.operator`) and the relaunch share them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from overwatch.errors import LinkError, OverwatchError
from overwatch.feeds import PatrolFix
from overwatch.guidance import VehicleSnapshot
from overwatch.link import Link, Vehicle
from overwatch.link.beacon import PositionBeacon
from overwatch.mission import MissionGeometry
from overwatch.ops import follow_baseline
from overwatch.ops.actions import (
    Action,
    ForwardPatrol,
    Goto,
    Land,
    Note,
    Relaunch,
    SetMode,
    SetRoi,
)
from overwatch.ops.clock import SessionClock
from overwatch.ops.controller import Controller
from overwatch.ops.inputs import NoteFn
from overwatch.ops.tasks import TaskSet
from overwatch.ops.views import vehicle_snapshot
from overwatch.tracking import PatrolTracker


class VehicleDriver:
    """Carries out a controller's actions on one vehicle (known once it is heard)."""

    def __init__(
        self,
        geometry: MissionGeometry,
        controller: Controller,
        link: Link,
        clock: SessionClock,
        tracker: PatrolTracker,
        note: NoteFn,
        last_fix: Callable[[], PatrolFix | None],
    ) -> None:
        self.geometry = geometry
        self.tracker = tracker
        self.mission = geometry.mission
        self.controller = controller
        self.link = link
        self.clock = clock
        self.note = note
        self._last_fix = last_fix
        self.vehicle: Vehicle | None = None
        self.setpoints_sent = 0
        #: wall seconds from a patrol fix's arrival to the setpoint it led to
        self.fix_to_setpoint_s: deque[float] = deque(maxlen=1000)
        #: when the newest patrol fix arrived (wall clock), until a setpoint answers it
        self.pending_fix_wall: float | None = None
        self.relaunches = 0
        self.climbing = False  # a takeoff is climbing: no setpoints until it is done
        self.airborne_once = False  # a takeoff of this session reached its height
        self.tasks = TaskSet(note)
        self._relaunch: asyncio.Task[None] | None = None
        self._launch: asyncio.Task[None] | None = None
        #: a team's launches of this drone that failed, and why the last one did
        self.launch_failures = 0
        self.launch_error = ""
        self._beacon: PositionBeacon | None = None

    def need_vehicle(self) -> Vehicle:
        if self.vehicle is None:
            raise LinkError("no vehicle connected")
        return self.vehicle

    @staticmethod
    def needs_takeoff(vehicle: Vehicle) -> bool:
        """Disarmed, or armed but still on the ground (under 2 m): overwatch starts with a
        take-off; otherwise it takes the flight over where it is."""
        return not vehicle.state.armed or (vehicle.state.alt_rel_m or 0.0) < 2.0

    def vehicle_snapshot(self) -> VehicleSnapshot | None:
        return None if self.vehicle is None else vehicle_snapshot(self.vehicle.state)

    async def close(self) -> None:
        """Cancel the commands still running in the background (at the session's close)."""
        await self.tasks.close()

    # -- the controller's actions ----------------------------------------------------

    def carry_out(self, vehicle: Vehicle, action: Action) -> None:
        """One of the controller's actions, as MAVLink (slow ones in the background)."""
        if isinstance(action, Goto):
            vehicle.goto(
                action.lat_deg,
                action.lon_deg,
                action.alt_rel_m,
                velocity_ned_m_s=action.velocity_ned_m_s,
            )
            self.setpoints_sent += 1
            if self.pending_fix_wall is not None:
                loop = asyncio.get_running_loop()
                self.fix_to_setpoint_s.append(loop.time() - self.pending_fix_wall)
                self.pending_fix_wall = None
        elif isinstance(action, SetRoi):
            self.tasks.command(
                "camera aim", vehicle.roi_location(action.lat_deg, action.lon_deg, action.alt_rel_m)
            )
        elif isinstance(action, SetMode):
            self.tasks.command(action.why, vehicle.set_mode(action.mode))
        elif isinstance(action, Land):
            self.tasks.command("land", vehicle.land())
        elif isinstance(action, Relaunch):
            self._start_relaunch()
        elif isinstance(action, ForwardPatrol):
            self.forward_patrol_position()
        elif isinstance(action, Note):
            self.note(action.level, action.text)

    def _start_relaunch(self) -> None:
        """Arm and take off again (once at a time); a refusal is retried at a later tick."""
        if self._relaunch is not None and not self._relaunch.done():
            return

        async def relaunch() -> None:
            try:
                await self.arm_and_takeoff()
            except OverwatchError as exc:
                self.note("warning", f"relaunch: {exc}")
                await asyncio.sleep(self.clock.wall_seconds(3.0))
                return
            self.relaunches += 1
            self.controller.relaunched()
            self.note("info", "relaunched on a fresh battery")
            if self.controller.strategy == "follow-baseline":
                try:
                    vehicle = self.need_vehicle()
                    altitude_m = 0.8 * self.mission.overwatch.altitude_agl_m
                    await follow_baseline.wait_altitude(self, vehicle, altitude_m)
                    await self.start_follow_baseline()
                except OverwatchError as exc:
                    self.note("warning", f"FOLLOW baseline after the swap: {exc}")

        self._relaunch = self.tasks.spawn(relaunch(), "relaunch")

    @property
    def launching(self) -> bool:
        """A launch (:meth:`start_launch`) or a relaunch is arming or climbing the drone."""
        return any(t is not None and not t.done() for t in (self._launch, self._relaunch))

    def start_launch(self) -> None:
        """Send this drone of a team to the watch: arm, take off, aim the camera and let
        guidance steer (once at a time); a failure is counted in ``launch_failures``."""
        if self.launching:
            return

        async def launch() -> None:
            try:
                vehicle = self.need_vehicle()
                await self.set_cruise_speed(vehicle)
                await self.arm_and_takeoff()
                await vehicle.gimbal(self.mission.vehicle.camera.gimbal_pitch_deg, 0.0)
            except OverwatchError as exc:
                self.launch_failures += 1
                self.launch_error = str(exc)
                return
            self.controller.relaunched()
            self.controller.start()
            if self.controller.strategy == "follow-baseline":
                try:
                    await self.start_follow_baseline()
                except OverwatchError as exc:
                    self.note("warning", f"{self.mission.vehicle.name}: FOLLOW baseline: {exc}")

        self._launch = self.tasks.spawn(launch(), "launch")

    def forward_patrol_position(self) -> None:
        """The patrol's newest fix to the drone, as the MAVLink system FOLLOW mode follows."""
        fix = self._last_fix()
        if fix is None or self.vehicle is None:
            return
        if self._beacon is None:
            self._beacon = PositionBeacon(self.link, follow_baseline.PATROL_SYSID)
        self._beacon.send(
            time_s=self.clock.now(),
            lat_deg=fix.lat_deg,
            lon_deg=fix.lon_deg,
            alt_msl_m=self.mission.launch.alt_msl_m,
            speed_m_s=fix.speed_m_s,
            course_deg=fix.course_deg,
        )

    # -- flying -------------------------------------------------------------------

    async def arm_and_takeoff(self) -> None:
        vehicle = self.need_vehicle()
        await vehicle.set_mode("GUIDED")
        if not vehicle.state.armed:
            await vehicle.arm()
        alt = self.mission.overwatch.altitude_agl_m
        self.note("info", f"taking off to {alt:.0f} m")
        # no setpoint may reach the vehicle before the climb is done: ArduCopter drops
        # a GUIDED takeoff at the first position target (see Vehicle.takeoff_and_climb)
        self.climbing = True
        try:
            await vehicle.takeoff_and_climb(
                alt,
                timeout_s=self.clock.wall_seconds(max(60.0, 4.0 * alt)),
                stall_s=10.0,  # vehicle seconds
            )
        finally:
            self.climbing = False
        self.airborne_once = True
        self.note("info", f"climb complete at {vehicle.state.alt_rel_m or alt:.0f} m")

    async def set_cruise_speed(self, vehicle: Vehicle) -> None:
        """GUIDED position targets fly at WP_SPD (WPNAV_SPEED before 4.8): make it the
        vehicle's cruise speed, which guidance's energy and timing assume (ArduCopter's
        default is 5 m/s)."""
        try:
            await vehicle.params.set_value(
                "WP_SPD", round(self.mission.vehicle.cruise_speed_m_s, 2)
            )
        except OverwatchError as exc:
            self.note("warning", f"cannot set the cruise speed: {exc}")

    async def start_follow_baseline(self) -> None:
        """ArduPilot's own FOLLOW mode, fed the patrol's position from another sysid."""
        await follow_baseline.start(self, self.need_vehicle())


__all__ = ["VehicleDriver"]
