"""The simulated ArduCopter — no I/O.

``Autopilot`` is sans-IO: :func:`simulator.handlers.handle` gives it a decoded
MAVLink message, ``step(dt_s)`` advances simulated time, and everything the
vehicle says lands in ``outbox`` as ``(link, message)`` pairs (``link`` None
means every link). :mod:`simulator.fleet` moves bytes; the autopilot decides.

It is built as ArduCopter is: flight-mode objects (:mod:`simulator.flight_modes`,
:mod:`~simulator.auto_mission`, :mod:`~simulator.follow_mode`), switched by ``set_mode``,
fly through one :class:`~simulator.navigator.Navigator`; start-up, pre-arm checks,
take-off/touchdown and failsafes own their state (:mod:`~simulator.startup`,
:mod:`~simulator.arming`, :mod:`~simulator.takeoff`, :mod:`~simulator.failsafes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.items import MissionType
from simulator import modes
from simulator.arming import PrearmChecks
from simulator.auto_mission import Auto, AutoMission
from simulator.battery import Battery
from simulator.failsafes import Failsafes, fence_breach_flags
from simulator.flight_modes import (
    AltHold,
    Brake,
    FlightMode,
    Guided,
    Land,
    Loiter,
    Rtl,
    Stabilize,
)
from simulator.follow import OtherSystems
from simulator.follow_mode import Follow
from simulator.geodesy import TangentPlane
from simulator.gimbal import Gimbal
from simulator.mission_store import MissionStore, home_item
from simulator.mission_transfer import MissionTransfer
from simulator.modes import Mode
from simulator.navigator import Navigator, Vector
from simulator.parameters import Parameters
from simulator.physics import Body, Wind
from simulator.pose import VehiclePose
from simulator.startup import StartUp
from simulator.streams import GROUPS, StreamSchedule
from simulator.takeoff import Takeoff
from simulator.telemetry import heartbeat
from simulator.vehicle_config import VehicleConfig

__all__ = ["Autopilot", "VehicleConfig"]


class Autopilot:
    """One simulated ArduCopter (sans-IO), as ArduCopter SITL 4.8 behaves on the wire."""

    def __init__(self, config: VehicleConfig, wall_now: Callable[[], float] = time.monotonic):
        self.config = config
        overrides = {
            "SIM_WIND_SPD": config.wind_speed_m_s,
            "SIM_WIND_DIR": config.wind_from_deg,
            "SIM_WIND_TURB": config.gust_m_s,
            **config.params,
        }
        self.params = Parameters(config.param_naming, overrides)
        self.params.set("SYSID_THISMAV", config.sysid)
        self.sysid = config.sysid
        self.plane = TangentPlane(config.home_lat_deg, config.home_lon_deg)
        self.origin_alt_msl_m = config.home_alt_msl_m
        self.home_xyz = (0.0, 0.0, 0.0)
        self.home_set = False
        self.body = Body(config.home_heading_deg)
        self.wind = Wind(seed=config.seed)
        self._sync_wind()
        self.battery = Battery(
            capacity_mah=self.params["BATT_CAPACITY"],
            hover_current_a=config.hover_current_a,
            initial_soc=config.battery_soc,
        )
        self.gimbal = Gimbal(self.params["MNT1_PITCH_MIN"], self.params["MNT1_PITCH_MAX"])
        self.others = OtherSystems()
        self.store = MissionStore()
        self.streams = StreamSchedule()
        for stream_id, (param, _) in GROUPS.items():
            if self.params[param] > 0:
                self.streams.set_group_rate(stream_id, self.params[param], 0.0)
        self.outbox: list[tuple[Any, Any]] = []
        self.transfer = MissionTransfer(
            self.store,
            self.send,
            wall_now,
            lambda: home_item(self.home_lat_lon_alt() if self.home_set else None),
            self._mission_changed,
            self._can_clear,
            warn=lambda text: self.statustext(modes.SEV_WARNING, text),
        )
        # the modes others reach into by name, as ArduCopter's copter.mode_rtl and friends
        self.mode_auto, self.mode_guided = Auto(self), Guided(self)
        self.mode_rtl, self.mode_follow = Rtl(self), Follow(self)
        plain = (Stabilize(self), AltHold(self), Loiter(self), Land(self), Brake(self))
        named = (self.mode_auto, self.mode_guided, self.mode_rtl, self.mode_follow)
        self._modes: dict[Mode, FlightMode] = {m.number: m for m in (*plain, *named)}
        self._flight_mode: FlightMode = self._modes[Mode.STABILIZE]
        self.time_s = 0.0
        self.start_unix_s = time.time() if config.start_unix_s is None else config.start_unix_s
        self.armed = False
        self.armed_at_s: float | None = None  # simulated time of the last arming
        self.disarmed_at_s: float | None = None  # and of the last disarming
        self.startup = StartUp(self)
        self.prearm = PrearmChecks(self)
        self.nav = Navigator(self.body, self.params, lambda: self.time_s)
        self.takeoff = Takeoff(self)
        self.heartbeat_now = False
        self.failsafes = Failsafes(self)

    # -- small helpers -----------------------------------------------------------

    def send(self, link: Any, msg: Any) -> None:
        """Queue ``msg`` for ``link`` (None: every link)."""
        self.outbox.append((link, msg))

    def send_heartbeat_if_due(self) -> None:
        """After a mode change, the new HEARTBEAT goes out at once (then the flag is down)."""
        if self.heartbeat_now:
            self.heartbeat_now = False
            self.broadcast(heartbeat(self))

    def apply_param(self, name: str) -> None:
        """Make a parameter just set take effect where it is more than a stored value."""
        if name.startswith("SIM_WIND"):
            self._sync_wind()
        elif name == "BATT_CAPACITY":
            self.battery.capacity_mah = max(1.0, self.params[name])
        elif name.startswith("SR0_"):
            for sid, (pname, _) in GROUPS.items():
                if pname == name:
                    self.streams.set_group_rate(sid, self.params[name], self.time_s)
        elif name.startswith("MNT1_PITCH"):
            self.gimbal.set_limits(self.params["MNT1_PITCH_MIN"], self.params["MNT1_PITCH_MAX"])

    def broadcast(self, msg: Any) -> None:
        self.outbox.append((None, msg))

    def statustext(self, severity: int, text: str) -> None:
        self.broadcast(mav.MAVLink_statustext_message(severity, text.encode()[:50]))

    def _sync_wind(self) -> None:
        self.wind.speed_m_s = self.params["SIM_WIND_SPD"]
        self.wind.from_deg = self.params["SIM_WIND_DIR"]
        self.wind.gust_m_s = self.params["SIM_WIND_TURB"]

    @property
    def flying(self) -> bool:
        return not self.body.on_ground

    @property
    def alt_rel_m(self) -> float:
        return self.body.z_m - self.home_xyz[2]

    def home_lat_lon_alt(self) -> tuple[float, float, float]:
        """Home in WGS84 degrees and metres above mean sea level."""
        lat, lon = self.plane.to_lat_lon(self.home_xyz[0], self.home_xyz[1])
        return lat, lon, self.origin_alt_msl_m + self.home_xyz[2]

    def position(self) -> tuple[float, float, float]:
        """Vehicle position: WGS84 degrees and metres above mean sea level."""
        lat, lon = self.plane.to_lat_lon(self.body.x_m, self.body.y_m)
        return lat, lon, self.origin_alt_msl_m + self.body.z_m

    def xyz_of(self, lat_deg: float, lon_deg: float, alt_m: float, relative: bool) -> Vector:
        """Metric position of a WGS84 point; ``alt_m`` above home if ``relative`` else MSL."""
        x, y = self.plane.to_xy(lat_deg, lon_deg)
        z = alt_m + self.home_xyz[2] if relative else alt_m - self.origin_alt_msl_m
        return x, y, z

    def pose(self) -> VehiclePose:
        """The vehicle's pose and gimbal angles now (for the synthetic camera)."""
        lat, lon, alt = self.position()
        b = self.body
        return VehiclePose(
            lat_deg=lat,
            lon_deg=lon,
            alt_msl_m=alt,
            alt_rel_m=self.alt_rel_m,
            roll_deg=b.roll_deg,
            pitch_deg=b.pitch_deg,
            yaw_deg=b.yaw_deg,
            gimbal_pitch_deg=self.gimbal.pitch_deg,
            gimbal_yaw_deg=self.gimbal.yaw_deg,
            time_s=self.time_s,
        )

    # -- navigation (the navigator flies; these set what the vehicle as a whole does) ----

    def goto(self, x: float, y: float, z: float, velocity: Vector | None = None) -> None:
        """Fly to (x, y, z) (see :meth:`Navigator.goto`)."""
        self.nav.goto(x, y, z, velocity)

    def at_target(self, radius_m: float | None = None) -> bool:
        """Whether the vehicle has reached its position target (see :meth:`Navigator.at_target`)."""
        return self.nav.at_target(radius_m)

    def start_takeoff(self, z: float) -> None:
        """Climb to ``z``. From the ground, ArduCopter first spools its motors up and stays
        landed for about :data:`~simulator.takeoff.TAKEOFF_SPOOL_S` (measured on SITL 64a9c787)."""
        self.takeoff.start(z)

    def start_land(self, x: float, y: float, disarm: bool = True) -> None:
        """Land at (x, y); ``disarm`` on touchdown whatever the mode."""
        self.takeoff.land_at(x, y, disarm)

    def set_roi_location(self, xyz: Vector) -> None:
        """Look at a location (m, z above origin) with the vehicle and the gimbal."""
        self.nav.point_roi(xyz)
        self.gimbal.follow_roi(by_sysid=False)

    def set_roi_sysid(self, sysid: int | None) -> None:
        """Look at another system with the vehicle and the gimbal (None: at none)."""
        self.nav.track_roi_sysid(sysid)
        self.gimbal.follow_roi(by_sysid=True)

    def _roi_xyz(self) -> Vector | None:
        sysid = self.nav.roi_sysid
        if sysid is not None:
            fix = self.others.fresh(sysid, self.time_s)
            if fix is None:
                return None
            return self.xyz_of(fix.lat_deg, fix.lon_deg, fix.alt_msl_m, relative=False)
        return self.nav.roi_point

    # -- the simulation step -----------------------------------------------------

    def step(self, dt_s: float) -> None:
        """Advance the vehicle ``dt_s`` simulated seconds."""
        self.time_s += dt_s
        self.wind.step(dt_s)
        if not self.ekf_ok:
            self.startup.step()
        self.prearm.report()
        self._flight_mode.update()
        vx, vy, vz = self.nav.command(dt_s, self.alt_rel_m)
        if self.takeoff.holds_on_ground():
            vx = vy = vz = 0.0
        roi = self._roi_xyz() if self._flight_mode.uses_roi else None
        yaw = self.nav.yaw_command(vx, vy, roi)
        was_flying = not self.body.on_ground
        b = self.body
        accel_h = self.params["WPNAV_ACCEL"] / 100.0 * 2.0
        b.step(dt_s, vx, vy, vz, yaw, accel_h, 5.0, self.wind, self.armed)
        if was_flying and b.on_ground:
            self.takeoff.touchdown()
        self.takeoff.auto_disarm()
        airspeed = b.airspeed_m_s(self.wind)
        current = self.battery.draw(airspeed, b.vz_m_s, not b.on_ground, self.armed)
        self.battery.step(dt_s, current)
        self._battery_swap()
        if self.armed:
            self.failsafes.check()
        self._gimbal_update(dt_s)

    def _battery_swap(self) -> None:
        """``SIM_BATT_SWAP_S`` simulated seconds after landing and disarming, a full pack goes in.

        It happens once per landing (a pack already full is left alone); 0 disables swaps.
        """
        swap_s = self.params["SIM_BATT_SWAP_S"]
        if swap_s <= 0 or self.armed or not self.body.on_ground or self.disarmed_at_s is None:
            return
        if self.time_s - self.disarmed_at_s < swap_s or self.battery.remaining_fraction > 0.99:
            return
        self.battery.replace_pack()
        self.failsafes.on_fresh_pack()
        self.disarmed_at_s = None
        self.statustext(modes.SEV_INFO, "Battery swapped: fresh pack")

    @property
    def gps_fix(self) -> bool:
        """Whether the GPS has a fix."""
        return self.startup.gps_fix

    @property
    def ekf_ok(self) -> bool:
        """Whether the EKF uses GPS for position (modes that need a position may be entered)."""
        return self.startup.ekf_ok

    def prearm_failures(self) -> list[str]:
        """What ArduCopter's pre-arm checks say for the current mode, in its words."""
        return self.prearm.failures()

    def _gimbal_update(self, dt_s: float) -> None:
        roi = self._roi_xyz() if self._flight_mode.uses_roi else None
        b = self.body
        if roi is not None:
            self.gimbal.aim_at_roi(roi[0] - b.x_m, roi[1] - b.y_m, roi[2] - b.z_m, b.yaw_deg)
        self.gimbal.step(dt_s, b.yaw_deg)

    # -- arming ------------------------------------------------------------------

    def arm(self, force: bool) -> int:
        """Try to arm; MAV_RESULT. Refusals say why in STATUSTEXTs, as ArduCopter's do:
        every failing pre-arm check as "Arm: …", then (only if they all pass) whether
        the mode may be armed in ("Arm: Land mode not armable")."""
        if self.armed:
            return modes.ACCEPTED
        if not force:
            failures = self.prearm_failures()
            if not failures and not self._flight_mode.allows_arming():
                failures = [f"{self._flight_mode.name} mode not armable"]
            if failures:
                for text in failures:
                    self.statustext(modes.SEV_CRITICAL, f"Arm: {text}")
                return modes.FAILED
        self.armed = True
        self.statustext(modes.SEV_INFO, "Arming motors")
        self.armed_at_s = self.time_s
        self.takeoff.on_arm()
        self.failsafes.on_arm()
        if self.home_set and self.body.on_ground:
            self.home_xyz = (self.body.x_m, self.body.y_m, self.body.z_m)
        return modes.ACCEPTED

    def disarm(self, why: str = "") -> None:
        if not self.armed:
            return
        self.armed = False
        self.disarmed_at_s = self.time_s
        self.takeoff.on_disarm()
        self.nav.idle()
        self.statustext(modes.SEV_INFO, "Disarming motors")

    # -- modes ---------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """The flight mode now."""
        return self._flight_mode.number

    @property
    def flight_mode(self) -> FlightMode:
        """The flight mode now, as the object that flies it."""
        return self._flight_mode

    @property
    def mission(self) -> AutoMission:
        """The mission runner (AUTO's)."""
        return self.mode_auto.mission

    def set_mode(self, number: int) -> bool:
        """Change flight mode as ArduCopter would; False (with a STATUSTEXT) if refused.

        The one place modes change: the old mode's ``exit``, then the new one's ``enter``.
        """
        try:
            new = self._modes[Mode(number)]
        except ValueError:
            self.statustext(modes.SEV_WARNING, f"Mode change to {number} failed: unsupported")
            return False
        if new is self._flight_mode:
            return True
        # ArduCopter lets a disarmed vehicle enter any mode and leaves the rest to arming checks
        if self.armed and new.number in modes.NEEDS_POSITION and not self.ekf_ok:
            self.statustext(
                modes.SEV_WARNING, f"Mode change to {new.number.name} failed: requires position"
            )
            return False
        if not new.can_enter():
            return False
        if self.failsafes.fence_breaches and self.params["FENCE_ACTION"] != 0:
            # AC_Fence: a mode change during a breach starts the pilot's recovery
            self.statustext(modes.SEV_INFO, "Manual recovery started")
        self._flight_mode.exit()
        self._flight_mode = new
        self.heartbeat_now = True  # ArduCopter sends a HEARTBEAT at once after a mode change
        self.nav.hold_yaw()
        self.nav.set_speed(None)  # DO_CHANGE_SPEED lasts until the next mode change
        self.takeoff.on_mode_change()
        new.enter()
        return True

    def fence_breach_flags(self) -> int:
        """What the vehicle breaches now, as FENCE_TYPE bits (1 alt, 2 circle, 4 polygon)."""
        return fence_breach_flags(self)

    # -- mission hooks ------------------------------------------------------------------

    def _mission_changed(self, mission_type: int) -> None:
        count = len(self.store.get(mission_type))
        if mission_type == MissionType.FENCE:
            self.params.set("FENCE_TOTAL", count)
        elif mission_type == MissionType.RALLY:
            self.params.set("RALLY_TOTAL", count)
        else:
            self.mission.on_mission_changed()

    def _can_clear(self, mission_type: int) -> bool:
        return not (mission_type == MissionType.MISSION and self.mode == Mode.AUTO and self.armed)

    def carry_to(self, lat_deg: float, lon_deg: float) -> bool:
        """Move the vehicle, disarmed on the ground, to (lat, lon): the patrol carries it
        (``recovery: with_patrol``). Refused (False) while it is armed or off the ground."""
        b = self.body
        if self.armed or not b.on_ground:
            return False
        b.x_m, b.y_m = self.plane.to_xy(lat_deg, lon_deg)
        b.vx_m_s = b.vy_m_s = b.vz_m_s = 0.0
        return True

    def set_home(self, x: float, y: float, z: float) -> None:
        self.home_xyz = (x, y, z)
        self.home_set = True
