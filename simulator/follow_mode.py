"""FOLLOW mode: fly at an offset from another system, as ArduPilot documents it.

Parameters: FOLL_SYSID (0: the first other system heard), FOLL_OFS_X/Y/Z
(metres, NED; forward/right/down of the target's heading with FOLL_OFS_TYPE 1;
all zero: set to the current offset when following starts), FOLL_ALT_TYPE,
FOLL_DIST_MAX (farther: hold position), FOLL_YAW_BEHAVE (0 none, 1 face the
target, 2 same heading as the target, 3 along the flight path), FOLL_POS_P
and FOLL_ACCEL_NE (the approach; FOLL_ACCEL_H is ArduPilot's heading limit,
deg/s²). A target silent for 3 s is lost: hold.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulator import modes
from simulator.flight_modes import FlightMode
from simulator.geodesy import bearing_deg
from simulator.modes import Mode
from simulator.navigation import sqrt_controller

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot


class Follow(FlightMode):
    """FOLLOW: fly at an offset from another system (see the module's docstring)."""

    number = Mode.FOLLOW

    def __init__(self, ap: Autopilot) -> None:
        super().__init__(ap)
        self.sysid: int | None = None  # the system followed (None: not chosen yet)
        self.holding = True  # holding position (target lost or too far)

    def can_enter(self) -> bool:
        """FOLLOW needs FOLL_ENABLE, armed or not."""
        if self.ap.params["FOLL_ENABLE"] == 0:
            self.ap.statustext(modes.SEV_WARNING, "Set FOLL_ENABLE = 1")
            return self._refuse()
        return True

    def enter(self) -> None:
        """Choose the target afresh on the first step; hold position until then."""
        self.sysid = None
        self.holding = False
        self.ap.nav.hold_here()

    def update(self) -> None:
        """One FOLLOW-mode step: aim at the target's position plus the FOLL_OFS_* offset."""
        ap = self.ap
        p = ap.params
        if self.sysid is None:
            wanted = int(p["FOLL_SYSID"])
            self.sysid = wanted if wanted else ap.others.first_sysid
        fix = None if self.sysid is None else ap.others.fresh(self.sysid, ap.time_s)
        b = ap.body
        if fix is None or not ap.flying:
            if not self.holding:
                self.holding = True
                ap.nav.hold_here()
            return
        age = ap.time_s - fix.time_s
        tx, ty = ap.plane.to_xy(fix.lat_deg, fix.lon_deg)
        tx += fix.ve_m_s * age
        ty += fix.vn_m_s * age
        if int(p["FOLL_ALT_TYPE"]) == 1:
            tz = fix.alt_rel_m + ap.home_xyz[2]
        else:
            tz = fix.alt_msl_m - ap.origin_alt_msl_m
        tz -= fix.vd_m_s * age
        if (
            math.sqrt((tx - b.x_m) ** 2 + (ty - b.y_m) ** 2 + (tz - b.z_m) ** 2)
            > p["FOLL_DIST_MAX"]
        ):
            if not self.holding:
                self.holding = True
                ap.statustext(modes.SEV_WARNING, "Follow: target too far")
                ap.nav.hold_here()
            return
        heading = fix.heading_deg if fix.heading_deg is not None else 0.0
        relative = int(p["FOLL_OFS_TYPE"]) == 1
        ox, oy, oz = p["FOLL_OFS_X"], p["FOLL_OFS_Y"], p["FOLL_OFS_Z"]
        if ox == 0.0 and oy == 0.0 and oz == 0.0:
            # as documented: zero offsets are initialised to the current offset
            on, oe, od = b.y_m - ty, b.x_m - tx, -(b.z_m - tz)
            if relative:
                h = math.radians(heading)
                on, oe = on * math.cos(h) + oe * math.sin(h), -on * math.sin(h) + oe * math.cos(h)
            ox, oy, oz = p.set("FOLL_OFS_X", on), p.set("FOLL_OFS_Y", oe), p.set("FOLL_OFS_Z", od)
        if relative:
            h = math.radians(heading)
            on, oe = ox * math.cos(h) - oy * math.sin(h), ox * math.sin(h) + oy * math.cos(h)
        else:
            on, oe = ox, oy
        dx = tx + oe - b.x_m
        dy = ty + on - b.y_m
        dz = tz - oz - b.z_m
        accel = max(p["FOLL_ACCEL_NE"], 0.1)
        kp = max(p["FOLL_POS_P"], 0.01)
        d = math.hypot(dx, dy)
        corr = sqrt_controller(d, kp, accel)
        vx = fix.ve_m_s + (dx / d * corr if d > 1e-6 else 0.0)
        vy = fix.vn_m_s + (dy / d * corr if d > 1e-6 else 0.0)
        limit = max(ap.params["WPNAV_SPEED"] / 100.0, math.hypot(fix.ve_m_s, fix.vn_m_s) + 2.0)
        v = math.hypot(vx, vy)
        if v > limit:
            vx, vy = vx / v * limit, vy / v * limit
        vz = sqrt_controller(dz, 1.0, 2.5) - fix.vd_m_s
        vz = max(-p["WPNAV_SPEED_DN"] / 100.0, min(p["WPNAV_SPEED_UP"] / 100.0, vz))
        ap.nav.steer((vx, vy, vz), 1.0)
        self.holding = False
        behave = int(p["FOLL_YAW_BEHAVE"])
        if behave == 1 and math.hypot(tx - b.x_m, ty - b.y_m) > 1.0:
            ap.nav.fix_yaw(bearing_deg(tx - b.x_m, ty - b.y_m))
        elif behave == 2 and fix.heading_deg is not None:
            ap.nav.fix_yaw(fix.heading_deg)
        elif behave == 3:
            ap.nav.yaw_along_track()
        else:
            ap.nav.hold_yaw()
