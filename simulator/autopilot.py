"""The simulated ArduCopter: modes, arming, navigation, failsafes — no I/O.

``Autopilot`` is sans-IO: ``handle(msg, link)`` takes a decoded MAVLink
message, ``step(dt_s)`` advances simulated time, and everything the vehicle
says lands in ``outbox`` as ``(link, message)`` pairs (``link`` None means
every link). :mod:`simulator.node` moves bytes; this module decides.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.errors import SimulatorError
from overwatch.items import Cmd, MissionType
from simulator import modes
from simulator.auto_mission import Auto, AutoMission
from simulator.battery import Battery
from simulator.failsafes import Failsafes, fence_breach_flags, fence_names
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
from simulator.geodesy import TangentPlane, bearing_deg, wrap_180
from simulator.gimbal import MOUNT_MODE_GPS_POINT, MOUNT_MODE_SYSID_TARGET, Gimbal
from simulator.mission_store import MissionStore, StoredItem
from simulator.mission_transfer import MissionTransfer
from simulator.modes import Mode
from simulator.navigation import NAV_TAKEOFF
from simulator.navigator import Navigator
from simulator.parameters import Parameters, ParamNaming
from simulator.physics import Body, Wind
from simulator.pose import VehiclePose
from simulator.streams import GROUPS, StreamSchedule
from simulator.telemetry import heartbeat

#: Simulated seconds from boot until the AHRS has aligned (SITL: "tilt alignment complete").
AHRS_READY_S = 6.0
#: The EKF sets its origin, and the vehicle its home, this long after the first GPS fix.
ORIGIN_AFTER_FIX_S = 10.0
#: From the take-off command until the vehicle leaves the ground, simulated seconds.
TAKEOFF_SPOOL_S = 3.0
#: Failing pre-arm checks are repeated this often while disarmed (PREARM_DISPLAY_PERIOD).
PREARM_DISPLAY_S = 30.0


@dataclass(frozen=True)
class VehicleConfig:
    """How one simulated vehicle starts.

    Home is WGS84 degrees and metres above mean sea level; delays are
    simulated seconds after boot; ``params`` overrides parameter defaults by
    wire name; wind is a mean speed (m/s) from a compass direction plus gusts
    (standard deviation, m/s), seeded by ``seed``.
    """

    home_lat_deg: float
    home_lon_deg: float
    home_alt_msl_m: float = 0.0
    home_heading_deg: float = 0.0
    sysid: int = 1
    gps_fix_delay_s: float = 10.0
    ekf_gps_delay_s: float = 40.0
    param_naming: ParamNaming = "4.5"
    params: dict[str, float] = field(default_factory=dict)
    wind_speed_m_s: float = 0.0
    wind_from_deg: float = 180.0
    gust_m_s: float = 0.0
    seed: int = 0
    battery_soc: float = 1.0
    hover_current_a: float = 16.0
    start_unix_s: float | None = None

    def __post_init__(self) -> None:
        if not -90.0 <= self.home_lat_deg <= 90.0:
            raise SimulatorError(f"home latitude must be in [-90, 90], got {self.home_lat_deg}")
        if not -180.0 <= self.home_lon_deg <= 180.0:
            raise SimulatorError(f"home longitude must be in [-180, 180], got {self.home_lon_deg}")
        if not 1 <= self.sysid <= 254:
            raise SimulatorError(f"system id must be in 1..254, got {self.sysid}")


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
            self._home_item,
            self._mission_changed,
            self._can_clear,
            warn=lambda text: self.statustext(modes.SEV_WARNING, text),
        )
        self.mode_auto = Auto(self)
        self.mode_guided = Guided(self)
        self.mode_rtl = Rtl(self)
        self.mode_follow = Follow(self)
        self._modes: dict[Mode, FlightMode] = {
            m.number: m
            for m in (
                Stabilize(self),
                AltHold(self),
                self.mode_auto,
                self.mode_guided,
                Loiter(self),
                self.mode_rtl,
                Land(self),
                Brake(self),
                self.mode_follow,
            )
        }
        self._flight_mode: FlightMode = self._modes[Mode.STABILIZE]
        self.time_s = 0.0
        self.start_unix_s = time.time() if config.start_unix_s is None else config.start_unix_s
        self.armed = False
        self.armed_at_s: float | None = None  # simulated time of the last arming
        self.disarmed_at_s: float | None = None  # and of the last disarming
        self.gps_fix = False
        self.gps_fix_at_s = 0.0
        self.ekf_ok = False
        self._prearm_ok = False
        self._prearm_report_now = False
        self._prearm_shown_s = 0.0
        self._prearm_checked_s = -1
        self.nav = Navigator(self.body, self.params, lambda: self.time_s)
        self.takeoff_allowed = False
        self.landing_disarms = False
        self.landed_since_s: float | None = None
        self.heartbeat_now = False
        self.takeoff_climb_at_s = 0.0
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
            self.gimbal.pitch_min_deg = self.params["MNT1_PITCH_MIN"]
            self.gimbal.pitch_max_deg = self.params["MNT1_PITCH_MAX"]

    def broadcast(self, msg: Any) -> None:
        self.outbox.append((None, msg))

    def statustext(self, severity: int, text: str) -> None:
        self.broadcast(mav.MAVLink_statustext_message(severity, text.encode()[:50]))

    def _sync_wind(self) -> None:
        self.wind.speed_m_s = self.params["SIM_WIND_SPD"]
        self.wind.from_deg = self.params["SIM_WIND_DIR"]
        self.wind.gust_m_s = self.params["SIM_WIND_TURB"]

    # -- failsafe state, read-only (simulator.failsafes.Failsafes owns it) ----------------

    @property
    def gcs_failsafe(self) -> bool:
        """Whether the GCS failsafe is on."""
        return self.failsafes.gcs

    @property
    def battery_failsafe(self) -> int:
        """The battery failsafe level: 0 none, 1 low, 2 critical."""
        return self.failsafes.battery_level

    @property
    def fence_breaches(self) -> int:
        """The fences breached now, as FENCE_TYPE bits."""
        return self.failsafes.fence_breaches

    @property
    def fence_breach_count(self) -> int:
        """How many fence breaches there have been since boot."""
        return self.failsafes.fence_breach_count

    @property
    def fence_breach_time_s(self) -> float:
        """When the last fence breach began (simulated seconds)."""
        return self.failsafes.fence_breach_time_s

    @property
    def last_gcs_heartbeat_s(self) -> float | None:
        """When the ground station's last HEARTBEAT arrived (simulated seconds)."""
        return self.failsafes.last_gcs_heartbeat_s

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

    def xyz_of(
        self, lat_deg: float, lon_deg: float, alt_m: float, relative: bool
    ) -> tuple[float, float, float]:
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

    def goto(
        self, x: float, y: float, z: float, velocity: tuple[float, float, float] | None = None
    ) -> None:
        """Fly to (x, y, z) (see :meth:`Navigator.goto`)."""
        self.nav.goto(x, y, z, velocity)

    def at_target(self, radius_m: float | None = None) -> bool:
        """Whether the vehicle has reached its position target (see :meth:`Navigator.at_target`)."""
        return self.nav.at_target(radius_m)

    def start_takeoff(self, z: float) -> None:
        """Climb to ``z``. From the ground, ArduCopter first spools its motors up and stays
        landed for about :data:`TAKEOFF_SPOOL_S` (measured on SITL 64a9c787)."""
        self.nav.climb_to(z)
        if self.body.on_ground:
            self.takeoff_climb_at_s = self.time_s + TAKEOFF_SPOOL_S
        self.takeoff_allowed = True
        self.landed_since_s = None

    def start_land(self, x: float, y: float, disarm: bool = True) -> None:
        """Land at (x, y); ``disarm`` on touchdown whatever the mode."""
        self.nav.land_at(x, y)
        self.landing_disarms = disarm

    def cancel_takeoff(self) -> None:
        """A new GUIDED target replaces a take-off in progress: on the ground, stay there."""
        if self.body.on_ground:
            self.takeoff_allowed = False

    def set_roi_location(self, xyz: tuple[float, float, float]) -> None:
        """Look at a location (m, z above origin) with the vehicle and the gimbal."""
        self.nav.point_roi(xyz)
        self.gimbal.mode = MOUNT_MODE_GPS_POINT

    def set_roi_sysid(self, sysid: int | None) -> None:
        """Look at another system with the vehicle and the gimbal (None: at none)."""
        self.nav.track_roi_sysid(sysid)
        self.gimbal.mode = MOUNT_MODE_SYSID_TARGET

    def _roi_xyz(self) -> tuple[float, float, float] | None:
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
            self._sensors()
        self._prearm_report()
        self._flight_mode.update()
        vx, vy, vz = self.nav.command(dt_s, self.alt_rel_m)
        if self.body.on_ground and (
            not self.takeoff_allowed or self.time_s < self.takeoff_climb_at_s
        ):
            vx = vy = vz = 0.0
        roi = self._roi_xyz() if self._flight_mode.uses_roi else None
        yaw = self.nav.yaw_command(vx, vy, roi)
        was_flying = not self.body.on_ground
        b = self.body
        b.step(
            dt_s,
            vx,
            vy,
            vz,
            yaw,
            self.params["WPNAV_ACCEL"] / 100.0 * 2.0,
            5.0,
            self.wind,
            self.armed,
        )
        if was_flying and b.on_ground:
            self._touchdown()
        self._auto_disarm()
        current = self.battery.draw(
            b.airspeed_m_s(self.wind), b.vz_m_s, not b.on_ground, self.armed
        )
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

    def _sensors(self) -> None:
        """Start-up as ArduCopter SITL goes through it (measured on SITL 64a9c787).

        The AHRS is ready about 6 s after boot, the GPS has a fix at ``gps_fix_delay_s``,
        the EKF sets its origin (and home) 10 s after the fix (or halfway to the EKF
        for short delays), and uses GPS for position at ``ekf_gps_delay_s``.
        """
        t = self.time_s
        ekf_s = self.config.ekf_gps_delay_s
        if not self.gps_fix and t >= self.config.gps_fix_delay_s:
            self.gps_fix = True
            self.gps_fix_at_s = t
        # compressed start-ups (short test delays) keep SITL's order: fix, origin, EKF
        origin_after_s = min(ORIGIN_AFTER_FIX_S, max(0.0, ekf_s - self.gps_fix_at_s) / 2.0)
        if not self.home_set and self.gps_fix and t >= self.gps_fix_at_s + origin_after_s:
            self.home_set = True
            self.statustext(modes.SEV_INFO, "EKF3 IMU0 origin set")
            self.statustext(modes.SEV_INFO, f"Field Elevation Set: {self.origin_alt_msl_m:.0f}m")
        if not self.ekf_ok and t >= ekf_s and self.gps_fix:
            self.ekf_ok = True
            self.statustext(modes.SEV_INFO, "EKF3 IMU0 is using GPS")

    @property
    def ahrs_ready(self) -> bool:
        return self.time_s >= min(AHRS_READY_S, self.config.gps_fix_delay_s)

    def prearm_failures(self) -> list[str]:
        """What ArduCopter's pre-arm checks say for the current mode, in its words."""
        if self.params["ARMING_CHECK"] == 0:
            return []
        out: list[str] = []
        mode = self.mode
        if mode in modes.NEEDS_POSITION and not self.home_set:
            out.append("AHRS: waiting for home")
        elif not self.ahrs_ready:
            out.append("AHRS: EKF3 still initialising")
        elif mode in modes.NEEDS_POSITION and not self.ekf_ok:
            out.append("Need Position Estimate")
        out.extend(self._flight_mode.prearm_failures())
        low = self.params["BATT_LOW_VOLT"]
        if low > 0 and self.battery.voltage_v < low:
            out.append("Battery 1 below minimum arming voltage")
        if self.battery_failsafe:
            out.append("Battery failsafe")  # latched until a fresh pack (or a reboot)
        if self.gcs_failsafe:
            out.append("GCS failsafe on")
        if self.params["FENCE_ENABLE"] > 0 and (breached := self.fence_breach_flags()):
            out.append(f"Vehicle breaching {fence_names(breached)}")
        return out

    def _prearm_report(self) -> None:
        """ArduPilot shows failing pre-arm checks ("PreArm: …") every 30 s while disarmed,
        and at once (4 s apart at most) when they go from passing to failing."""
        if self.armed:
            self._prearm_ok = True
            return
        second = math.floor(self.time_s)
        if second == self._prearm_checked_s:
            return  # ArduCopter runs its pre-arm checks once a second
        self._prearm_checked_s = second
        failures = self.prearm_failures()
        ok = not failures
        now = self.time_s
        if not ok and self._prearm_ok:
            self._prearm_report_now = True
        self._prearm_ok = ok
        since = now - self._prearm_shown_s
        if (self._prearm_report_now and since > 4.0) or since > PREARM_DISPLAY_S:
            self._prearm_report_now = False
            self._prearm_shown_s = now
            for text in failures:
                self.statustext(modes.SEV_CRITICAL, f"PreArm: {text}")

    def _touchdown(self) -> None:
        self.takeoff_allowed = False
        self.landed_since_s = self.time_s
        self.nav.idle()
        if self.armed and (self._flight_mode.disarms_on_touchdown or self.landing_disarms):
            self.disarm("landed")
        self.landing_disarms = False
        self._flight_mode.touchdown()

    def _auto_disarm(self) -> None:
        if not self.armed or not self.body.on_ground or self.nav.kind == NAV_TAKEOFF:
            self.landed_since_s = None if not self.body.on_ground else self.landed_since_s
            return
        delay = self.params["DISARM_DELAY"]
        if delay <= 0:
            return
        if self.landed_since_s is None:
            self.landed_since_s = self.time_s
        elif self.time_s - self.landed_since_s >= delay:
            self.disarm("auto disarm")

    def _gimbal_update(self, dt_s: float) -> None:
        g = self.gimbal
        roi = self._roi_xyz() if self._flight_mode.uses_roi else None
        if roi is not None and g.mode in (MOUNT_MODE_GPS_POINT, MOUNT_MODE_SYSID_TARGET):
            b = self.body
            dx, dy, dz = roi[0] - b.x_m, roi[1] - b.y_m, roi[2] - b.z_m
            g.target_pitch_deg = max(
                g.pitch_min_deg,
                min(g.pitch_max_deg, math.degrees(math.atan2(dz, math.hypot(dx, dy)))),
            )
            g.target_yaw_deg = wrap_180(bearing_deg(dx, dy) - b.yaw_deg)
            g.yaw_lock = False
        g.step(dt_s, self.body.yaw_deg)

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
        self.landed_since_s = self.time_s
        self.takeoff_allowed = False
        self.failsafes.on_arm()
        if self.home_set and self.body.on_ground:
            self.home_xyz = (self.body.x_m, self.body.y_m, self.body.z_m)
        return modes.ACCEPTED

    def disarm(self, why: str = "") -> None:
        if not self.armed:
            return
        self.armed = False
        self.disarmed_at_s = self.time_s
        self.takeoff_allowed = False
        self.landed_since_s = None
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
        if self.fence_breaches and self.params["FENCE_ACTION"] != 0:
            # AC_Fence: a mode change during a breach starts the pilot's recovery
            self.statustext(modes.SEV_INFO, "Manual recovery started")
        self._flight_mode.exit()
        self._flight_mode = new
        self.heartbeat_now = True  # ArduCopter sends a HEARTBEAT at once after a mode change
        self.nav.hold_yaw()
        self.nav.set_speed(None)  # DO_CHANGE_SPEED lasts until the next mode change
        self.landing_disarms = False
        new.enter()
        return True

    def fence_breach_flags(self) -> int:
        """What the vehicle breaches now, as FENCE_TYPE bits (1 alt, 2 circle, 4 polygon)."""
        return fence_breach_flags(self)

    # -- mission hooks ------------------------------------------------------------------

    def _home_item(self) -> StoredItem:
        if not self.home_set:
            return StoredItem(command=Cmd.NAV_WAYPOINT, frame=mav.MAV_FRAME_GLOBAL)
        lat, lon, alt = self.home_lat_lon_alt()
        return StoredItem(
            command=Cmd.NAV_WAYPOINT,
            frame=mav.MAV_FRAME_GLOBAL,
            x=round(lat * 1e7),
            y=round(lon * 1e7),
            z=alt,
        )

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

    def set_home(self, x: float, y: float, z: float) -> None:
        self.home_xyz = (x, y, z)
        self.home_set = True
