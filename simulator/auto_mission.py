"""AUTO mode: runs the uploaded mission item by item, as ArduCopter's AP_Mission does.

A NAV command runs until verified; the DO commands after it run as soon as
it starts. Each verified NAV command is announced with MISSION_ITEM_REACHED,
each change of the current item with MISSION_CURRENT. After the last item
the vehicle holds position, or disarms if it has landed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.items import Cmd, MissionType, is_nav_command
from simulator import modes
from simulator.flight_modes import FlightMode
from simulator.mission_store import StoredItem
from simulator.modes import Mode

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

# MISSION_STATE
STATE_NO_MISSION = 1
STATE_NOT_STARTED = 2
STATE_ACTIVE = 3
STATE_PAUSED = 4
STATE_COMPLETE = 5

_JUMP: int = mav.MAV_CMD_DO_JUMP
#: Frames whose altitude is above home (terrain frames: the simulator's terrain is flat)
_RELATIVE_FRAMES = (mav.MAV_FRAME_GLOBAL_TERRAIN_ALT, mav.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT)


#: AP_Mission's short names of the commands, as its "Mission: N NAME" messages say them.
COMMAND_NAMES = {
    Cmd.NAV_WAYPOINT: "WP",
    Cmd.NAV_LOITER_UNLIM: "LoitUnlim",
    Cmd.NAV_LOITER_TURNS: "LoitTurns",
    Cmd.NAV_LOITER_TIME: "LoitTime",
    Cmd.NAV_RETURN_TO_LAUNCH: "RTL",
    Cmd.NAV_LAND: "Land",
    Cmd.NAV_TAKEOFF: "Takeoff",
    mav.MAV_CMD_CONDITION_DELAY: "CondDelay",
    mav.MAV_CMD_CONDITION_YAW: "CondYaw",
    mav.MAV_CMD_DO_JUMP: "Jump",
    Cmd.DO_CHANGE_SPEED: "ChangeSpeed",
    mav.MAV_CMD_DO_SET_HOME: "SetHome",
    Cmd.DO_SET_ROI_LOCATION: "SetROILocation",
    Cmd.DO_SET_ROI_NONE: "SetROINone",
    mav.MAV_CMD_DO_SET_ROI: "SetROI",
    Cmd.DO_MOUNT_CONTROL: "MountControl",
    mav.MAV_CMD_DO_FENCE_ENABLE: "FenceEnable",
    Cmd.DO_GIMBAL_MANAGER_PITCHYAW: "GimbalPitchYaw",
}
#: NAV commands whose completion ArduCopter reports as "Reached command #N".
_SAYS_REACHED = frozenset({Cmd.NAV_WAYPOINT, Cmd.NAV_LOITER_TURNS, Cmd.NAV_LOITER_TIME})


#: AUTO_OPTIONS bit: arming in AUTO is allowed.
AUTO_OPTIONS_ALLOW_ARMING = 1


class Auto(FlightMode):
    """AUTO: fly the uploaded mission; owns the mission runner (:class:`AutoMission`)."""

    number = Mode.AUTO
    uses_roi = True

    def __init__(self, ap: Autopilot) -> None:
        super().__init__(ap)
        self.mission = AutoMission(ap)

    def allows_arming(self) -> bool:
        """Only with AUTO_OPTIONS bit 0."""
        return bool(int(self.ap.params["AUTO_OPTIONS"]) & AUTO_OPTIONS_ALLOW_ARMING)

    def prearm_failures(self) -> list[str]:
        """No mission, no arming in AUTO."""
        return [] if self.mission.has_mission() else ["Mode requires mission"]

    def can_enter(self) -> bool:
        """Armed, AUTO needs a mission (and, on the ground, one that takes off first)."""
        if self.ap.armed and not self.mission.can_enter():
            return self._refuse()
        return True

    def enter(self) -> None:
        """Face along the track as WP_YAW_BEHAVIOR says; armed, start or resume the mission."""
        self._yaw_by_wp_behavior()
        if self.ap.armed:
            self.mission.start_or_resume()

    def update(self) -> None:
        """Run the mission."""
        self.mission.update()

    def exit(self) -> None:
        """A running mission pauses."""
        self.mission.on_mode_exit()

    def touchdown(self) -> None:
        """A LAND or RTL item is done."""
        self.mission.on_touchdown()


class AutoMission:
    """Execution state of the mission in AUTO."""

    def __init__(self, ap: Autopilot) -> None:
        self.ap = ap
        self.index = 0
        self.state = STATE_NOT_STARTED
        self.stage = 0  # 0 travelling, 1 holding at the item
        self.hold_until_s = 0.0
        self.jumps_done: dict[int, int] = {}

    def items(self) -> list[StoredItem]:
        return self.ap.store.get(MissionType.MISSION)

    def has_mission(self) -> bool:
        return len(self.items()) > 1

    def mission_state(self) -> int:
        if not self.has_mission():
            return STATE_NO_MISSION
        return self.state

    def can_enter(self) -> bool:
        """ArduCopter refuses AUTO without a mission, or on the ground without a takeoff first."""
        if not self.has_mission():
            return False
        ap = self.ap
        if ap.armed and not ap.flying:
            first = self._next_nav_index(1 if self.state != STATE_ACTIVE else self.index)
            if first is None or self.items()[first].command != Cmd.NAV_TAKEOFF:
                ap.statustext(modes.SEV_CRITICAL, "Auto: Missing Takeoff Cmd")
                return False
        return True

    def start_or_resume(self) -> None:
        if self.state in (STATE_NOT_STARTED, STATE_COMPLETE) or not 1 <= self.index < len(
            self.items()
        ):
            self.jumps_done.clear()
            self._start_from(1)
        else:
            self._start_from(self.index)

    def set_current(self, seq: int) -> bool:
        """MISSION_SET_CURRENT / DO_SET_MISSION_CURRENT; False if out of range."""
        if not 0 <= seq < len(self.items()):
            return False
        seq = max(seq, 1)
        if self.ap.mode == Mode.AUTO and self.state == STATE_ACTIVE:
            self._start_from(seq)
        else:
            self.index = seq
            self.state = STATE_PAUSED if self.state == STATE_ACTIVE else self.state
            self._announce_current()
        return True

    def on_mode_exit(self) -> None:
        if self.state == STATE_ACTIVE:
            self.state = STATE_PAUSED

    def on_mission_changed(self) -> None:
        if self.ap.mode != Mode.AUTO:
            self.state = STATE_NOT_STARTED
            self.index = 0
        elif self.index >= len(self.items()):
            self._complete()

    def on_touchdown(self) -> None:
        """The vehicle touched down in AUTO (after a LAND or RTL item)."""
        if self.state == STATE_ACTIVE and self._current_command() in (
            Cmd.NAV_LAND,
            Cmd.NAV_RETURN_TO_LAUNCH,
        ):
            self._reached()
            self._start_from(self.index + 1)

    # -- the machinery ------------------------------------------------------------------

    def _current_command(self) -> int | None:
        items = self.items()
        return items[self.index].command if 0 < self.index < len(items) else None

    def _next_nav_index(self, start: int) -> int | None:
        items = self.items()
        for i in range(start, len(items)):
            if is_nav_command(items[i].command):
                return i
        return None

    def _start_from(self, start: int) -> None:
        items = self.items()
        i = start
        guard = 0
        while i < len(items):
            guard += 1
            if guard > 10_000:
                break
            item = items[i]
            if item.command == _JUMP:
                target = round(item.param1)
                repeat = round(item.param2)
                done = self.jumps_done.get(i, 0)
                if 1 <= target < len(items) and (repeat < 0 or done < repeat):
                    self.jumps_done[i] = done + 1
                    i = target
                    continue
                i += 1
                continue
            if is_nav_command(item.command):
                self.index = i
                self.state = STATE_ACTIVE
                self.stage = 0
                self._announce_current()
                self._say_started(i, item)
                self._start_nav(item)
                # the DO commands that follow run as this NAV command starts
                j = i + 1
                while (
                    j < len(items)
                    and not is_nav_command(items[j].command)
                    and items[j].command != _JUMP
                ):
                    self._say_started(j, items[j])
                    self._do(items[j])
                    j += 1
                return
            self._say_started(i, item)
            self._do(item)
            i += 1
        self._complete()

    def _complete(self) -> None:
        ap = self.ap
        self.state = STATE_COMPLETE
        self.index = max(0, len(self.items()) - 1)
        if ap.flying:
            ap.nav.hold_here()
        elif ap.armed:
            ap.disarm("landed")

    def _announce_current(self) -> None:
        self.ap.broadcast(self.mission_current_message())

    def mission_current_message(self) -> Any:
        n = len(self.items())
        return mav.MAVLink_mission_current_message(
            self.index, max(0, n - 1) if n > 1 else 65535, self.mission_state(), 0
        )

    def _say_started(self, index: int, item: StoredItem) -> None:
        """AP_Mission announces each command it starts: "Mission: 2 WP"."""
        name = COMMAND_NAMES.get(item.command, "?")
        self.ap.statustext(modes.SEV_INFO, f"Mission: {index} {name}")

    def _reached(self) -> None:
        item = self.items()[self.index]
        if item.command in _SAYS_REACHED:
            self.ap.statustext(modes.SEV_INFO, f"Reached command #{self.index}")
        self.ap.broadcast(mav.MAVLink_mission_item_reached_message(self.index))

    def _xyz(self, item: StoredItem) -> tuple[float, float, float]:
        ap = self.ap
        b = ap.body
        if item.x == 0 and item.y == 0:
            x, y = b.x_m, b.y_m
        else:
            x, y = ap.plane.to_xy(item.lat_deg, item.lon_deg)
        if item.z == 0 and item.relative_alt:
            z = b.z_m
        elif item.relative_alt or item.frame in _RELATIVE_FRAMES:
            z = item.z + ap.home_xyz[2]
        else:
            z = item.z - ap.origin_alt_msl_m
        return x, y, z

    def _start_nav(self, item: StoredItem) -> None:
        ap = self.ap
        cmd = item.command
        if cmd == Cmd.NAV_TAKEOFF:
            z = (
                item.z + ap.home_xyz[2]
                if item.relative_alt or item.frame in _RELATIVE_FRAMES
                else item.z - ap.origin_alt_msl_m
            )
            if ap.flying:
                ap.nav.goto(ap.body.x_m, ap.body.y_m, max(z, ap.body.z_m))
            else:
                ap.start_takeoff(z)
        elif cmd in (
            Cmd.NAV_WAYPOINT,
            mav.MAV_CMD_NAV_SPLINE_WAYPOINT,
            Cmd.NAV_LOITER_UNLIM,
        ) or cmd in (Cmd.NAV_LOITER_TIME, Cmd.NAV_LOITER_TURNS):
            ap.nav.goto(*self._xyz(item))
        elif cmd == Cmd.NAV_LAND:
            x, y, _ = self._xyz(item)
            ap.start_land(x, y)
        elif cmd == Cmd.NAV_RETURN_TO_LAUNCH:
            ap.mode_rtl.enter()  # as ModeAuto runs copter.mode_rtl
        else:  # NAV_DELAY, NAV_GUIDED_ENABLE: hold here
            ap.nav.hold_here()
            self.hold_until_s = ap.time_s + max(0.0, item.param1)
            self.stage = 1

    def update(self) -> None:
        """Verify the current NAV command; move on when it is done."""
        if self.state != STATE_ACTIVE:
            return
        items = self.items()
        if not 0 < self.index < len(items):
            self._complete()
            return
        item = items[self.index]
        if self._verify(item):
            self._reached()
            self._start_from(self.index + 1)

    def _verify(self, item: StoredItem) -> bool:
        ap = self.ap
        cmd = item.command
        if cmd == Cmd.NAV_TAKEOFF:
            return ap.flying and ap.body.z_m >= ap.nav.target[2] - 0.5
        if cmd in (Cmd.NAV_LAND,):
            return False  # completed by on_touchdown
        if cmd == Cmd.NAV_RETURN_TO_LAUNCH:
            # RTL_ALT_FINAL hover; landing ends via touchdown
            return ap.mode_rtl.advance() and ap.flying
        if cmd == Cmd.NAV_LOITER_UNLIM:
            return False
        if cmd == Cmd.NAV_LOITER_TURNS:
            if self.stage == 0:
                if ap.nav.at_target():
                    x, y, z = ap.nav.target
                    radius = item.param3 if item.param3 != 0 else 10.0
                    ap.nav.start_circle(x, y, z, radius, item.param1)
                    self.stage = 1
                return False
            return ap.nav.circle_done()
        if self.stage == 0:
            if not ap.nav.at_target():
                return False
            self.stage = 1
            self.hold_until_s = ap.time_s + max(0.0, item.param1)
        return ap.time_s >= self.hold_until_s

    def _do(self, item: StoredItem) -> None:
        ap = self.ap
        cmd = item.command
        if cmd == Cmd.DO_CHANGE_SPEED:
            if item.param2 > 0 and round(item.param1) in (0, 1):  # airspeed or ground speed
                ap.nav.set_speed(item.param2)
            elif item.param2 < 0:
                ap.nav.set_speed(None)
        elif cmd in (Cmd.DO_SET_ROI_LOCATION, mav.MAV_CMD_DO_SET_ROI):
            if item.x == 0 and item.y == 0:
                ap.nav.clear_roi_point()
            else:
                ap.set_roi_location(
                    ap.xyz_of(item.lat_deg, item.lon_deg, item.z, item.relative_alt)
                )
        elif cmd == Cmd.DO_SET_ROI_NONE:
            ap.nav.clear_roi()
        elif cmd == Cmd.DO_SET_ROI_SYSID:
            ap.set_roi_sysid(round(item.param1) or None)
        elif cmd == Cmd.DO_MOUNT_CONTROL:
            ap.gimbal.point(item.param1, item.param3)
        elif cmd == Cmd.DO_GIMBAL_MANAGER_PITCHYAW:
            if not math.isnan(item.param1) and not math.isnan(item.param2):
                flags = item.x  # param5
                ap.gimbal.point(
                    item.param1,
                    item.param2,
                    yaw_lock=bool(flags & mav.GIMBAL_MANAGER_FLAGS_YAW_LOCK),
                )
        elif cmd == mav.MAV_CMD_CONDITION_YAW:
            target = item.param1 + (ap.body.yaw_deg if round(item.param4) == 1 else 0.0)
            ap.nav.fix_yaw(target % 360.0)
        elif cmd == mav.MAV_CMD_DO_SET_HOME:
            if round(item.param1) == 1:
                ap.set_home(ap.body.x_m, ap.body.y_m, ap.body.z_m)
            else:
                ap.set_home(*ap.xyz_of(item.lat_deg, item.lon_deg, item.z, relative=False))
