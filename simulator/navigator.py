"""The navigator: where the vehicle flies and where it points, as ArduCopter's
position controller and its yaw and ROI handling see it.

One object owns the target and the commands a flight mode gives it: a
position target (with an optional velocity feed-forward that expires after
GUID_TIMEOUT), a velocity command (with its deadline), a take-off climb, a
landing, a circle, the horizontal speed override of DO_CHANGE_SPEED and
DO_REPOSITION, the yaw behaviour and the region of interest. Each simulation
step :meth:`Navigator.command` turns them into the velocity (east, north,
up, m/s) the vehicle flies, and :meth:`Navigator.yaw_command` into the
heading it turns to. Everything is in the vehicle's metric frame (metres east,
north and up from the EKF origin); times are simulated seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simulator.geodesy import bearing_deg
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
from simulator.parameters import Parameters
from simulator.physics import Body

Vector = tuple[float, float, float]
_STILL: Vector = (0.0, 0.0, 0.0)


@dataclass
class _Circle:
    """A circle being flown: centre (m), radius (m), rate (deg/s, negative
    anticlockwise), the target's angle on it (compass degrees) and the degrees left."""

    cx: float = 0.0
    cy: float = 0.0
    radius_m: float = 0.0
    rate_deg_s: float = 0.0
    angle_deg: float = 0.0
    left_deg: float = 0.0


class Navigator:
    """Targets, velocity commands, speed, yaw and ROI of one vehicle.

    ``clock`` gives the simulated time (s); the navigator reads the vehicle's
    ``body`` and the WPNAV_*, LAND_*, CIRCLE_RATE and GUID_TIMEOUT parameters.
    """

    def __init__(self, body: Body, params: Parameters, clock: Callable[[], float]) -> None:
        self._body = body
        self._params = params
        self._clock = clock
        self._kind = NAV_IDLE
        self._target: Vector = _STILL
        self._target_vel: Vector = _STILL
        self._target_vel_deadline_s = 0.0
        self._vel_cmd: Vector = _STILL
        self._vel_deadline_s = 0.0
        self._speed_h_override: float | None = None
        self._circle = _Circle()
        self._yaw_mode = YAW_HOLD
        self._yaw_target_deg = body.yaw_deg
        self._roi: Vector | None = None  # z above origin
        self._roi_sysid: int | None = None

    # -- what it is doing --------------------------------------------------------------

    @property
    def kind(self) -> int:
        """What the vehicle flies: one of the ``NAV_*`` kinds of :mod:`simulator.navigation`."""
        return self._kind

    @property
    def target(self) -> Vector:
        """The position target (m); for a take-off, the climb's end."""
        return self._target

    @property
    def roi_point(self) -> Vector | None:
        """The region of interest set as a location (m, z above origin), if any."""
        return self._roi

    @property
    def roi_sysid(self) -> int | None:
        """The system whose position is the region of interest, if any."""
        return self._roi_sysid

    def speed_h_m_s(self) -> float:
        """The horizontal speed limit: the override if one is set, else WPNAV_SPEED."""
        if self._speed_h_override is not None:
            return self._speed_h_override
        return self._params["WPNAV_SPEED"] / 100.0

    def at_target(self, radius_m: float | None = None) -> bool:
        """Within ``radius_m`` (default WPNAV_RADIUS, at least 0.5 m) and 1 m of height."""
        r = self._params["WPNAV_RADIUS"] / 100.0 if radius_m is None else radius_m
        b = self._body
        tx, ty, tz = self._target
        return math.hypot(tx - b.x_m, ty - b.y_m) <= max(r, 0.5) and abs(tz - b.z_m) <= 1.0

    def circle_done(self) -> bool:
        """True once a circle has flown all its turns."""
        return self._kind == NAV_CIRCLE and self._circle.left_deg <= 0.0

    # -- commands ----------------------------------------------------------------------

    def idle(self) -> None:
        """Command nothing (on the ground, disarmed, or a mode without navigation)."""
        self._kind = NAV_IDLE

    def set_speed(self, speed_h_m_s: float | None) -> None:
        """Override the horizontal speed (m/s); None goes back to WPNAV_SPEED."""
        self._speed_h_override = speed_h_m_s

    def hold_here(self) -> None:
        """Hold position at the point the vehicle can stop at."""
        a = self._params["WPNAV_ACCEL"] / 100.0
        b = self._body
        if b.on_ground:
            self._kind = NAV_IDLE
            return
        self.goto(
            b.x_m + stopping_offset(b.vx_m_s, a),
            b.y_m + stopping_offset(b.vy_m_s, a),
            b.z_m + stopping_offset(b.vz_m_s, 2.5),
        )

    def goto(self, x: float, y: float, z: float, velocity: Vector | None = None) -> None:
        """Fly to (x, y, z). ``velocity`` (east, north, up m/s) is a feed-forward, as
        GUIDED takes it with a position: the target itself moves along it until
        GUID_TIMEOUT passes without a new one, and the vehicle flies it on top of
        the position correction. Non-finite targets are ignored, as ArduPilot does."""
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            return
        self._kind = NAV_POS
        self._target = (x, y, z)
        if velocity is not None and all(math.isfinite(v) for v in velocity):
            self._target_vel = velocity
            self._target_vel_deadline_s = self._clock() + self._params["GUID_TIMEOUT"]
        else:
            self._target_vel = _STILL

    def climb_to(self, z: float) -> None:
        """Take off: climb straight up to ``z``."""
        self._kind = NAV_TAKEOFF
        self._target = (self._body.x_m, self._body.y_m, z)

    def climb_or_goto(self, x: float, y: float, z: float) -> None:
        """Go to (x, y, z), as a climb (a take-off kind) if ``z`` is above the vehicle."""
        self._kind = NAV_TAKEOFF if self._body.z_m < z else NAV_POS
        self._target = (x, y, z)

    def land_at(self, x: float, y: float) -> None:
        """Fly over (x, y) and descend there at the LAND_SPEED* rates."""
        self._kind = NAV_LAND
        self._target = (x, y, self._body.z_m)

    def start_circle(self, cx: float, cy: float, z: float, radius_m: float, turns: float) -> None:
        """Circle (cx, cy) at ``z`` for ``turns`` turns; a negative radius turns anticlockwise.

        The rate is CIRCLE_RATE, limited so the vehicle need not fly faster than its speed."""
        rate = self._params["CIRCLE_RATE"]
        if radius_m > 0.5:
            rate = min(abs(rate), math.degrees(self.speed_h_m_s() / abs(radius_m)))
        rate = rate if radius_m >= 0 else -rate
        b = self._body
        start_angle = (
            bearing_deg(b.x_m - cx, b.y_m - cy) if math.hypot(b.x_m - cx, b.y_m - cy) > 0.5 else 0.0
        )
        self._circle = _Circle(cx, cy, abs(radius_m), rate, start_angle, abs(turns) * 360.0)
        self._kind = NAV_CIRCLE
        self._target = (cx, cy, z)

    def set_velocity(self, ve: float, vn: float, vu: float) -> None:
        """Fly a velocity (east, north, up m/s) until GUID_TIMEOUT passes without a new one,
        then hold; non-finite commands are ignored."""
        if not (math.isfinite(ve) and math.isfinite(vn) and math.isfinite(vu)):
            return
        self.steer((ve, vn, vu), self._params["GUID_TIMEOUT"])

    def steer(self, velocity: Vector, for_s: float) -> None:
        """Fly ``velocity`` (east, north, up m/s) for ``for_s`` seconds, then hold (a mode's
        own velocity command, renewed every step)."""
        self._kind = NAV_VEL
        self._vel_cmd = velocity
        self._vel_deadline_s = self._clock() + for_s

    # -- yaw and region of interest -------------------------------------------------------

    def hold_yaw(self) -> None:
        """Keep the heading the vehicle has."""
        self._yaw_mode = YAW_HOLD

    def yaw_along_track(self) -> None:
        """Face where the vehicle is going."""
        self._yaw_mode = YAW_TRAVEL

    def fix_yaw(self, heading_deg: float) -> None:
        """Turn to and keep a compass heading (degrees)."""
        self._yaw_mode, self._yaw_target_deg = YAW_FIXED, heading_deg

    def point_roi(self, xyz: Vector) -> None:
        """Look at a location (m, z above origin); replaces an ROI system."""
        self._roi = xyz
        self._roi_sysid = None

    def track_roi_sysid(self, sysid: int | None) -> None:
        """Look at another system (None: at none); replaces an ROI location."""
        self._roi_sysid = sysid
        self._roi = None

    def clear_roi(self) -> None:
        """Look at nothing in particular."""
        self._roi = None
        self._roi_sysid = None

    def clear_roi_point(self) -> None:
        """Forget the ROI location, keeping an ROI system (a mission's DO_SET_ROI_LOCATION
        at 0, 0 does only this)."""
        self._roi = None

    def yaw_command(self, vx: float, vy: float, roi: Vector | None) -> float | None:
        """The heading (compass degrees) to turn to, None to keep turning as now.

        ``roi`` is the region of interest resolved to a point (m), or None where the
        mode ignores it; ``vx``/``vy`` the velocity being flown (m/s)."""
        b = self._body
        if roi is not None:
            dx, dy = roi[0] - b.x_m, roi[1] - b.y_m
            if math.hypot(dx, dy) > 1.0:
                return bearing_deg(dx, dy)
            return None
        if self._yaw_mode == YAW_FIXED:
            return self._yaw_target_deg
        if self._yaw_mode == YAW_TRAVEL:
            if self._kind in (NAV_POS, NAV_LAND, NAV_CIRCLE):
                dx, dy = self._target[0] - b.x_m, self._target[1] - b.y_m
                if self._kind == NAV_CIRCLE:
                    dx, dy = vx, vy
                if math.hypot(dx, dy) > 2.0:
                    return bearing_deg(dx, dy)
            elif math.hypot(vx, vy) > 1.0:
                return bearing_deg(vx, vy)
        return None

    # -- the position controller ------------------------------------------------------------

    def command(self, dt_s: float, alt_rel_m: float) -> Vector:
        """The velocity (east, north, up m/s) to fly for the next ``dt_s`` seconds.

        ``alt_rel_m`` (above home) picks the landing rate: LAND_SPEED_HIGH above
        LAND_ALT_LOW, LAND_SPEED below."""
        b = self._body
        p = self._params
        kind = self._kind
        if kind == NAV_IDLE:
            return _STILL
        if kind == NAV_VEL:
            if self._clock() > self._vel_deadline_s:
                self.hold_here()
                return self.command(dt_s, alt_rel_m)
            return self._vel_cmd
        tx, ty, tz = self._target
        if kind == NAV_POS and self._target_vel != _STILL:
            if self._clock() > self._target_vel_deadline_s:
                self._target_vel = _STILL
            else:
                fe, fn, fu = self._target_vel
                tx, ty, tz = tx + fe * dt_s, ty + fn * dt_s, tz + fu * dt_s
                self._target = (tx, ty, tz)
                ce, cn, cu = self._approach(tx, ty, tz)
                return fe + ce, fn + cn, fu + cu
        if kind in (NAV_POS, NAV_TAKEOFF):
            return self._approach(tx, ty, tz)
        if kind == NAV_LAND:
            vx, vy, vz = self._approach(tx, ty, tz)
            if math.hypot(tx - b.x_m, ty - b.y_m) < 2.0:
                high = p["LAND_SPEED_HIGH"] / 100.0 or p["WPNAV_SPEED_DN"] / 100.0
                rate = high if alt_rel_m > p["LAND_ALT_LOW"] / 100.0 else p["LAND_SPEED"] / 100.0
                vz = -max(rate, 0.1)
                self._target = (tx, ty, b.z_m)
            return vx, vy, vz
        return self._circle_command(dt_s, tz)

    def _approach(self, tx: float, ty: float, tz: float) -> Vector:
        """Velocity towards (tx, ty, tz) within the WPNAV speed and acceleration limits."""
        b = self._body
        p = self._params
        return approach_velocity(
            tx - b.x_m,
            ty - b.y_m,
            tz - b.z_m,
            self.speed_h_m_s(),
            p["WPNAV_SPEED_UP"] / 100.0,
            p["WPNAV_SPEED_DN"] / 100.0,
            p["WPNAV_ACCEL"] / 100.0,
            max(p["WPNAV_ACCEL_Z"] / 100.0, 0.5),
        )

    def _circle_command(self, dt_s: float, tz: float) -> Vector:
        """Move the target point round the circle once near the edge, and chase it."""
        b = self._body
        c = self._circle
        r, rate = c.radius_m, c.rate_deg_s
        ex = c.cx + r * math.sin(math.radians(c.angle_deg))
        ey = c.cy + r * math.cos(math.radians(c.angle_deg))
        circling = c.left_deg > 0.0 and math.hypot(ex - b.x_m, ey - b.y_m) < max(3.0, r * 0.3)
        if circling:
            step = abs(rate) * dt_s
            c.angle_deg = c.angle_deg + (step if rate >= 0 else -step)
            c.left_deg -= step
            ex = c.cx + r * math.sin(math.radians(c.angle_deg))
            ey = c.cy + r * math.cos(math.radians(c.angle_deg))
        vx, vy, vz = self._approach(ex, ey, tz)
        if circling:  # feed the tangential speed forward so the circle is smooth
            w = math.radians(rate)
            vx += w * r * math.cos(math.radians(c.angle_deg))
            vy += -w * r * math.sin(math.radians(c.angle_deg))
        return vx, vy, vz
