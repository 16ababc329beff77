"""What the vehicle knows of other MAVLink systems' positions (FOLLOW, ROI by sysid).

ArduPilot's AP_Follow listens to GLOBAL_POSITION_INT and FOLLOW_TARGET from
the system it follows (FOLL_SYSID, or the first other system heard when 0)
and extrapolates the last fix with its velocity; a target not heard for
3 seconds is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: A target silent this long (simulated seconds) is lost.
TARGET_TIMEOUT_S = 3.0


@dataclass
class TargetFix:
    """Last position of another system: WGS84 degrees, metres, m/s north/east/down."""

    time_s: float
    lat_deg: float
    lon_deg: float
    alt_msl_m: float
    alt_rel_m: float
    vn_m_s: float
    ve_m_s: float
    vd_m_s: float
    heading_deg: float | None


class OtherSystems:
    """Latest fix of each other system heard on the link."""

    def __init__(self) -> None:
        self.fixes: dict[int, TargetFix] = {}
        self.first_sysid: int | None = None

    def observe(self, msg: Any, now_s: float, own_sysid: int) -> None:
        """Record a GLOBAL_POSITION_INT or FOLLOW_TARGET from another system."""
        sysid = msg.get_srcSystem()
        if sysid == own_sysid:
            return
        if msg.get_type() == "GLOBAL_POSITION_INT":
            heading = None if msg.hdg == 65535 else msg.hdg / 100.0
            vn, ve, vd = msg.vx / 100.0, msg.vy / 100.0, msg.vz / 100.0
            if heading is None and math.hypot(vn, ve) > 0.5:
                heading = math.degrees(math.atan2(ve, vn)) % 360.0
            fix = TargetFix(
                now_s,
                msg.lat * 1e-7,
                msg.lon * 1e-7,
                msg.alt / 1000.0,
                msg.relative_alt / 1000.0,
                vn,
                ve,
                vd,
                heading,
            )
        else:  # FOLLOW_TARGET
            vn, ve, vd = (float(v) for v in msg.vel[:3])
            heading = _heading_from_quaternion(msg.attitude_q)
            if heading is None and math.hypot(vn, ve) > 0.5:
                heading = math.degrees(math.atan2(ve, vn)) % 360.0
            previous = self.fixes.get(sysid)
            home_offset = (previous.alt_msl_m - previous.alt_rel_m) if previous else 0.0
            fix = TargetFix(
                now_s,
                msg.lat * 1e-7,
                msg.lon * 1e-7,
                float(msg.alt),
                float(msg.alt) - home_offset,
                vn,
                ve,
                vd,
                heading,
            )
        self.fixes[sysid] = fix
        if self.first_sysid is None:
            self.first_sysid = sysid

    def fresh(self, sysid: int, now_s: float) -> TargetFix | None:
        """The fix of ``sysid`` if heard within the timeout, else None."""
        fix = self.fixes.get(sysid)
        if fix is None or now_s - fix.time_s > TARGET_TIMEOUT_S:
            return None
        return fix


def _heading_from_quaternion(q: Any) -> float | None:
    w, x, y, z = (float(v) for v in q[:4])
    if w == 0.0 and x == 0.0 and y == 0.0 and z == 0.0:
        return None
    yaw = math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))
    return math.degrees(yaw) % 360.0
