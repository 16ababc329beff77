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
from simulator.auto_mission import AutoMission
from simulator.battery import Battery
from simulator.failsafes import (
    FENCE_ALT_MAX,
    FenceShapes,
    check_failsafes,
    fence_breach_flags,
    fence_names,
)
from simulator.follow import OtherSystems
from simulator.follow_mode import follow_update
from simulator.geodesy import TangentPlane, bearing_deg, wrap_180
from simulator.gimbal import MOUNT_MODE_GPS_POINT, MOUNT_MODE_SYSID_TARGET, Gimbal
from simulator.mission_store import MissionStore, StoredItem
from simulator.mission_transfer import MissionTransfer
from simulator.modes import Mode
from simulator.navigation import (
    NAV_CIRCLE,
    NAV_IDLE,
    NAV_LAND,
    NAV_POS,
    NAV_TAKEOFF,
    NAV_VEL,
    YAW_FIXED,
    YAW_HOLD,
    YAW_TRAVEL,
    approach_velocity,
    stopping_offset,
)
from simulator.parameters import Parameters, ParamNaming
from simulator.physics import Body, Wind
from simulator.pose import VehiclePose
from simulator.streams import GROUPS, StreamSchedule

# RTL phases
RTL_CLIMB = 0
RTL_RETURN = 1
RTL_LOITER = 2
RTL_FINAL = 3
RTL_LAND = 4


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
            self._emit,
            wall_now,
            self._home_item,
            self._mission_changed,
            self._can_clear,
            warn=lambda text: self.statustext(modes.SEV_WARNING, text),
        )
        self.mission = AutoMission(self)
        self.time_s = 0.0
        self.start_unix_s = time.time() if config.start_unix_s is None else config.start_unix_s
        self.mode = Mode.STABILIZE
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
        # navigation
        self.nav_kind = NAV_IDLE
        self.tgt = (0.0, 0.0, 0.0)
        self.tgt_vel = (0.0, 0.0, 0.0)
        self.tgt_vel_deadline_s = 0.0
        self.vel_cmd = (0.0, 0.0, 0.0)
        self.vel_deadline_s = 0.0
        self.speed_h_override: float | None = None
        self.circle = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # cx, cy, r, rate_deg_s, angle_deg, left_deg
        self.yaw_mode = YAW_HOLD
        self.yaw_target_deg = self.body.yaw_deg
        self.roi: tuple[float, float, float] | None = None  # x, y, z (z above origin)
        self.roi_sysid: int | None = None
        self.takeoff_allowed = False
        self.rtl_phase = RTL_CLIMB
        self.rtl_target = (0.0, 0.0, 0.0)
        self.rtl_loiter_until_s = 0.0
        self.landing_disarms = False
        # timers and failsafes
        self.landed_since_s: float | None = None
        self.last_gcs_heartbeat_s: float | None = None
        self.gcs_failsafe = False
        self.battery_low_since_s: float | None = None
        self.battery_failsafe = 0  # 0 none, 1 low, 2 critical
        self.fence_breaches = 0
        self.heartbeat_now = False
        self.takeoff_climb_at_s = 0.0
        self.fence_breach_count = 0
        self.fence_breach_time_s = 0.0
        self.fence_cache: tuple[int, FenceShapes] = (-1, ([], [], [], []))
        self.follow_sysid: int | None = None
        self.follow_holding = True
        self.last_heartbeat_s = -1e9

    # -- small helpers -----------------------------------------------------------

    def _emit(self, link: Any, msg: Any) -> None:
        self.outbox.append((link, msg))

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

    def xyz_of(
        self, lat_deg: float, lon_deg: float, alt_m: float, relative: bool
    ) -> tuple[float, float, float]:
        """Metric position of a WGS84 point; ``alt_m`` above home if ``relative`` else MSL."""
        x, y = self.plane.to_xy(lat_deg, lon_deg)
        z = alt_m + self.home_xyz[2] if relative else alt_m - self.origin_alt_msl_m
        return x, y, z

    def speed_h_m_s(self) -> float:
        if self.speed_h_override is not None:
            return self.speed_h_override
        return self.params["WPNAV_SPEED"] / 100.0

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

    # -- navigation primitives ---------------------------------------------------

    def hold_here(self) -> None:
        """Hold position at the point the vehicle can stop at."""
        a = self.params["WPNAV_ACCEL"] / 100.0
        b = self.body
        if b.on_ground:
            self.nav_kind = NAV_IDLE
            return
        self.goto(
            b.x_m + stopping_offset(b.vx_m_s, a),
            b.y_m + stopping_offset(b.vy_m_s, a),
            b.z_m + stopping_offset(b.vz_m_s, 2.5),
        )

    def goto(
        self, x: float, y: float, z: float, velocity: tuple[float, float, float] | None = None
    ) -> None:
        """Fly to (x, y, z). ``velocity`` (east, north, up m/s) is a feed-forward, as
        GUIDED takes it with a position: the target itself moves along it until
        GUID_TIMEOUT passes without a new one, and the vehicle flies it on top of
        the position correction."""
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            return  # ArduPilot ignores non-finite targets
        self.nav_kind = NAV_POS
        self.tgt = (x, y, z)
        if velocity is not None and all(math.isfinite(v) for v in velocity):
            self.tgt_vel = velocity
            self.tgt_vel_deadline_s = self.time_s + self.params["GUID_TIMEOUT"]
        else:
            self.tgt_vel = (0.0, 0.0, 0.0)

    def start_takeoff(self, z: float) -> None:
        """Climb to ``z``. From the ground, ArduCopter first spools its motors up and stays
        landed for about :data:`TAKEOFF_SPOOL_S` (measured on SITL 64a9c787)."""
        self.nav_kind = NAV_TAKEOFF
        self.tgt = (self.body.x_m, self.body.y_m, z)
        if self.body.on_ground:
            self.takeoff_climb_at_s = self.time_s + TAKEOFF_SPOOL_S
        self.takeoff_allowed = True
        self.landed_since_s = None

    def start_land(self, x: float, y: float, disarm: bool = True) -> None:
        self.nav_kind = NAV_LAND
        self.tgt = (x, y, self.body.z_m)
        self.landing_disarms = disarm

    def start_circle(self, cx: float, cy: float, z: float, radius_m: float, turns: float) -> None:
        rate = self.params["CIRCLE_RATE"]
        if radius_m > 0.5:
            rate = min(abs(rate), math.degrees(self.speed_h_m_s() / abs(radius_m)))
        rate = rate if radius_m >= 0 else -rate
        b = self.body
        start_angle = (
            bearing_deg(b.x_m - cx, b.y_m - cy) if math.hypot(b.x_m - cx, b.y_m - cy) > 0.5 else 0.0
        )
        self.circle = (cx, cy, abs(radius_m), rate, start_angle, abs(turns) * 360.0)
        self.nav_kind = NAV_CIRCLE
        self.tgt = (cx, cy, z)

    def set_velocity(self, ve: float, vn: float, vu: float) -> None:
        if not (math.isfinite(ve) and math.isfinite(vn) and math.isfinite(vu)):
            return
        self.nav_kind = NAV_VEL
        self.vel_cmd = (ve, vn, vu)
        self.vel_deadline_s = self.time_s + self.params["GUID_TIMEOUT"]

    def at_target(self, radius_m: float | None = None) -> bool:
        r = self.params["WPNAV_RADIUS"] / 100.0 if radius_m is None else radius_m
        b = self.body
        tx, ty, tz = self.tgt
        return math.hypot(tx - b.x_m, ty - b.y_m) <= max(r, 0.5) and abs(tz - b.z_m) <= 1.0

    def circle_done(self) -> bool:
        return self.nav_kind == NAV_CIRCLE and self.circle[5] <= 0.0

    def _nav_command(self, dt_s: float) -> tuple[float, float, float]:
        b = self.body
        p = self.params
        accel_h = p["WPNAV_ACCEL"] / 100.0
        accel_v = max(p["WPNAV_ACCEL_Z"] / 100.0, 0.5)
        up = p["WPNAV_SPEED_UP"] / 100.0
        dn = p["WPNAV_SPEED_DN"] / 100.0
        kind = self.nav_kind
        if kind == NAV_IDLE:
            return 0.0, 0.0, 0.0
        if kind == NAV_VEL:
            if self.time_s > self.vel_deadline_s:
                self.hold_here()
                return self._nav_command(dt_s)
            return self.vel_cmd
        tx, ty, tz = self.tgt
        if kind == NAV_POS and self.tgt_vel != (0.0, 0.0, 0.0):
            if self.time_s > self.tgt_vel_deadline_s:
                self.tgt_vel = (0.0, 0.0, 0.0)
            else:
                fe, fn, fu = self.tgt_vel
                tx, ty, tz = tx + fe * dt_s, ty + fn * dt_s, tz + fu * dt_s
                self.tgt = (tx, ty, tz)
                ce, cn, cu = approach_velocity(
                    tx - b.x_m, ty - b.y_m, tz - b.z_m, self.speed_h_m_s(), up, dn, accel_h, accel_v
                )
                return fe + ce, fn + cn, fu + cu
        if kind in (NAV_POS, NAV_TAKEOFF):
            return approach_velocity(
                tx - b.x_m, ty - b.y_m, tz - b.z_m, self.speed_h_m_s(), up, dn, accel_h, accel_v
            )
        if kind == NAV_LAND:
            dx, dy = tx - b.x_m, ty - b.y_m
            vx, vy, vz = approach_velocity(
                dx, dy, tz - b.z_m, self.speed_h_m_s(), up, dn, accel_h, accel_v
            )
            if math.hypot(dx, dy) < 2.0:
                high = p["LAND_SPEED_HIGH"] / 100.0 or dn
                rate = (
                    high if self.alt_rel_m > p["LAND_ALT_LOW"] / 100.0 else p["LAND_SPEED"] / 100.0
                )
                vz = -max(rate, 0.1)
                self.tgt = (tx, ty, b.z_m)
            return vx, vy, vz
        # NAV_CIRCLE: move the target point round the circle once near the edge
        cx, cy, r, rate, angle, left = self.circle
        ex = cx + r * math.sin(math.radians(angle))
        ey = cy + r * math.cos(math.radians(angle))
        circling = left > 0.0 and math.hypot(ex - b.x_m, ey - b.y_m) < max(3.0, r * 0.3)
        if circling:
            step = abs(rate) * dt_s
            angle = angle + (step if rate >= 0 else -step)
            left -= step
            self.circle = (cx, cy, r, rate, angle, left)
            ex = cx + r * math.sin(math.radians(angle))
            ey = cy + r * math.cos(math.radians(angle))
        vx, vy, vz = approach_velocity(
            ex - b.x_m, ey - b.y_m, tz - b.z_m, self.speed_h_m_s(), up, dn, accel_h, accel_v
        )
        if circling:  # feed the tangential speed forward so the circle is smooth
            w = math.radians(rate)
            vx += w * r * math.cos(math.radians(angle))
            vy += -w * r * math.sin(math.radians(angle))
        return vx, vy, vz

    def _roi_xyz(self) -> tuple[float, float, float] | None:
        if self.roi_sysid is not None:
            fix = self.others.fresh(self.roi_sysid, self.time_s)
            if fix is None:
                return None
            return self.xyz_of(fix.lat_deg, fix.lon_deg, fix.alt_msl_m, relative=False)
        return self.roi

    def _yaw_command(self, vx: float, vy: float) -> float | None:
        b = self.body
        if self.mode in (Mode.AUTO, Mode.GUIDED):
            roi = self._roi_xyz()
            if roi is not None:
                dx, dy = roi[0] - b.x_m, roi[1] - b.y_m
                if math.hypot(dx, dy) > 1.0:
                    return bearing_deg(dx, dy)
                return None
        if self.yaw_mode == YAW_FIXED:
            return self.yaw_target_deg
        if self.yaw_mode == YAW_TRAVEL:
            if self.nav_kind in (NAV_POS, NAV_LAND, NAV_CIRCLE):
                dx, dy = self.tgt[0] - b.x_m, self.tgt[1] - b.y_m
                if self.nav_kind == NAV_CIRCLE:
                    dx, dy = vx, vy
                if math.hypot(dx, dy) > 2.0:
                    return bearing_deg(dx, dy)
            elif math.hypot(vx, vy) > 1.0:
                return bearing_deg(vx, vy)
        return None

    # -- the simulation step -----------------------------------------------------

    def step(self, dt_s: float) -> None:
        """Advance the vehicle ``dt_s`` simulated seconds."""
        self.time_s += dt_s
        self.wind.step(dt_s)
        if not self.ekf_ok:
            self._sensors()
        self._prearm_report()
        mode = self.mode
        if mode == Mode.AUTO:
            self.mission.update()
        elif mode == Mode.RTL:
            self._rtl_update()
        elif mode == Mode.FOLLOW:
            follow_update(self)
        vx, vy, vz = self._nav_command(dt_s)
        if self.body.on_ground and (
            not self.takeoff_allowed or self.time_s < self.takeoff_climb_at_s
        ):
            vx = vy = vz = 0.0
        yaw = self._yaw_command(vx, vy)
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
            check_failsafes(self)
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
        self.battery_failsafe = 0
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
        if mode == Mode.AUTO and not self.mission.has_mission():
            out.append("Mode requires mission")
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
        self.nav_kind = NAV_IDLE
        if self.armed and (self.mode in (Mode.LAND, Mode.RTL) or self.landing_disarms):
            self.disarm("landed")
        self.landing_disarms = False
        if self.mode == Mode.AUTO:
            self.mission.on_touchdown()

    def _auto_disarm(self) -> None:
        if not self.armed or not self.body.on_ground or self.nav_kind == NAV_TAKEOFF:
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
        roi = self._roi_xyz() if self.mode in (Mode.AUTO, Mode.GUIDED) else None
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
            if not failures and not self._mode_armable():
                failures = [f"{modes.MODE_NAMES[self.mode]} mode not armable"]
            if failures:
                for text in failures:
                    self.statustext(modes.SEV_CRITICAL, f"Arm: {text}")
                return modes.FAILED
        self.armed = True
        self.statustext(modes.SEV_INFO, "Arming motors")
        self.armed_at_s = self.time_s
        self.landed_since_s = self.time_s
        self.takeoff_allowed = False
        self.gcs_failsafe = False
        self.battery_failsafe = 0
        self.battery_low_since_s = None
        if self.home_set and self.body.on_ground:
            self.home_xyz = (self.body.x_m, self.body.y_m, self.body.z_m)
        return modes.ACCEPTED

    def _mode_armable(self) -> bool:
        if self.mode in modes.ARMABLE:
            return True
        return self.mode == Mode.AUTO and bool(int(self.params["AUTO_OPTIONS"]) & 1)

    def disarm(self, why: str = "") -> None:
        if not self.armed:
            return
        self.armed = False
        self.disarmed_at_s = self.time_s
        self.takeoff_allowed = False
        self.landed_since_s = None
        self.nav_kind = NAV_IDLE
        self.statustext(modes.SEV_INFO, "Disarming motors")

    # -- modes ---------------------------------------------------------------------

    def set_mode(self, number: int) -> bool:
        """Change flight mode as ArduCopter would; False (with a STATUSTEXT) if refused."""
        try:
            mode = Mode(number)
        except ValueError:
            self.statustext(modes.SEV_WARNING, f"Mode change to {number} failed: unsupported")
            return False
        if mode == self.mode:
            return True
        # ArduCopter lets a disarmed vehicle enter any mode and leaves the rest to arming checks
        checks = self.armed
        if checks and mode in modes.NEEDS_POSITION and not self.ekf_ok:
            self.statustext(
                modes.SEV_WARNING, f"Mode change to {mode.name} failed: requires position"
            )
            return False
        if mode == Mode.FOLLOW and self.params["FOLL_ENABLE"] == 0:
            self.statustext(modes.SEV_WARNING, "Set FOLL_ENABLE = 1")
            self.statustext(modes.SEV_WARNING, "Mode change to FOLLOW failed: init failed")
            return False
        if checks and mode == Mode.AUTO and not self.mission.can_enter():
            self.statustext(modes.SEV_WARNING, "Mode change to AUTO failed: init failed")
            return False
        if checks and mode == Mode.RTL and not self.home_set:
            self.statustext(modes.SEV_WARNING, "Mode change to RTL failed: init failed")
            return False
        if self.fence_breaches and self.params["FENCE_ACTION"] != 0:
            # AC_Fence: a mode change during a breach starts the pilot's recovery
            self.statustext(modes.SEV_INFO, "Manual recovery started")
        self.mode = mode
        self.heartbeat_now = True  # ArduCopter sends a HEARTBEAT at once after a mode change
        self.yaw_mode = YAW_HOLD
        self.speed_h_override = None  # DO_CHANGE_SPEED lasts until the next mode change
        self.landing_disarms = False
        if mode == Mode.AUTO:
            self.yaw_mode = YAW_TRAVEL if int(self.params["WP_YAW_BEHAVIOR"]) else YAW_HOLD
            if self.armed:
                self.mission.start_or_resume()
        elif mode == Mode.RTL:
            self._rtl_start()
        elif mode == Mode.LAND:
            self.start_land(self.body.x_m, self.body.y_m)
        elif mode == Mode.FOLLOW:
            self.follow_sysid = None
            self.follow_holding = False
            self.hold_here()
        elif self.flying:
            if mode == Mode.GUIDED:
                self.yaw_mode = YAW_TRAVEL if int(self.params["WP_YAW_BEHAVIOR"]) else YAW_HOLD
            self.hold_here()
        else:
            self.nav_kind = NAV_IDLE
        if mode != Mode.AUTO:
            self.mission.on_mode_exit()
        return True

    # -- RTL -------------------------------------------------------------------------

    def _rtl_start(self) -> None:
        p = self.params
        target = self.home_xyz
        best = math.hypot(self.body.x_m - target[0], self.body.y_m - target[1])
        rally_alt: float | None = None
        for item in self.store.get(MissionType.RALLY):
            x, y, z = self.xyz_of(item.lat_deg, item.lon_deg, item.z, item.relative_alt)
            d = math.hypot(self.body.x_m - x, self.body.y_m - y)
            if d < best:
                best, target, rally_alt = d, (x, y, self.home_xyz[2]), z - self.home_xyz[2]
        rtl_alt = p["RTL_ALT"] / 100.0 if rally_alt is None else rally_alt
        climb_to = max(self.alt_rel_m + p["RTL_CLIMB_MIN"] / 100.0, rtl_alt)
        if self.params["FENCE_ENABLE"] and int(self.params["FENCE_TYPE"]) & FENCE_ALT_MAX:
            climb_to = min(climb_to, p["FENCE_ALT_MAX"] - p["FENCE_MARGIN"])
        climb_to = max(climb_to, self.alt_rel_m) if self.alt_rel_m < rtl_alt else self.alt_rel_m
        self.rtl_target = (target[0], target[1], self.home_xyz[2] + climb_to)
        self.yaw_mode = (
            YAW_TRAVEL
            if int(p["WP_YAW_BEHAVIOR"]) == 1 or int(p["WP_YAW_BEHAVIOR"]) == 3
            else YAW_HOLD
        )
        rtl_speed = p["RTL_SPEED"] / 100.0
        self.speed_h_override = rtl_speed if rtl_speed > 0 else None
        if not self.flying:
            self.rtl_phase = RTL_LAND
            self.nav_kind = NAV_IDLE
            return
        self.rtl_phase = RTL_CLIMB
        self.nav_kind = NAV_TAKEOFF if self.body.z_m < self.rtl_target[2] else NAV_POS
        self.tgt = (self.body.x_m, self.body.y_m, max(self.body.z_m, self.rtl_target[2]))

    def _rtl_update(self) -> bool:
        """Advance the RTL phases; True once landed (or holding at RTL_ALT_FINAL)."""
        if self.rtl_phase == RTL_CLIMB:
            if self.body.z_m >= self.tgt[2] - 0.5:
                self.rtl_phase = RTL_RETURN
                self.goto(*self.rtl_target)
        elif self.rtl_phase == RTL_RETURN:
            if self.at_target():
                self.rtl_phase = RTL_LOITER
                self.rtl_loiter_until_s = self.time_s + self.params["RTL_LOIT_TIME"] / 1000.0
        elif self.rtl_phase == RTL_LOITER:
            if self.time_s >= self.rtl_loiter_until_s:
                final = self.params["RTL_ALT_FINAL"] / 100.0
                if final > 0:
                    self.rtl_phase = RTL_FINAL
                    self.goto(self.rtl_target[0], self.rtl_target[1], self.home_xyz[2] + final)
                else:
                    self.rtl_phase = RTL_LAND
                    self.start_land(self.rtl_target[0], self.rtl_target[1])
        elif self.rtl_phase == RTL_FINAL:
            return self.at_target()
        else:
            return not self.flying
        return False

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
