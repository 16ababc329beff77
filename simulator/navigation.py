"""Position control helpers: plain-float velocity commands towards a target.

All in the vehicle's metric frame (east, north, up; metres, m/s, m/s²).
"""

from __future__ import annotations

import math

# navigation kinds
NAV_IDLE = 0
NAV_POS = 1
NAV_VEL = 2
NAV_TAKEOFF = 3
NAV_LAND = 4
NAV_CIRCLE = 5

# yaw behaviours
YAW_HOLD = 0
YAW_TRAVEL = 1
YAW_FIXED = 2

#: Proportional gain of the position loop near the target, 1/s.
POSITION_P = 1.0


def sqrt_controller(error: float, p: float, accel: float) -> float:
    """ArduPilot's square-root controller: linear near zero, constant deceleration beyond.

    Returns the velocity (same sign as ``error``) that brings the error to zero
    without exceeding ``accel`` while braking.
    """
    if accel <= 0.0:
        return p * error
    linear_dist = accel / (p * p)
    mag = abs(error)
    v = math.sqrt(2.0 * accel * (mag - linear_dist / 2.0)) if mag > linear_dist else p * mag
    return v if error >= 0.0 else -v


def approach_velocity(
    dx_m: float,
    dy_m: float,
    dz_m: float,
    speed_h_m_s: float,
    speed_up_m_s: float,
    speed_dn_m_s: float,
    accel_h_m_s2: float,
    accel_v_m_s2: float,
) -> tuple[float, float, float]:
    """Velocity (east, north, up) that flies the offset (dx, dy, dz) to zero within limits."""
    d = math.hypot(dx_m, dy_m)
    if d > 1e-6:
        v = sqrt_controller(d, POSITION_P, accel_h_m_s2)
        if v > speed_h_m_s:
            v = speed_h_m_s
        vx = dx_m / d * v
        vy = dy_m / d * v
    else:
        vx = vy = 0.0
    vz = sqrt_controller(dz_m, POSITION_P, accel_v_m_s2)
    if vz > speed_up_m_s:
        vz = speed_up_m_s
    elif vz < -speed_dn_m_s:
        vz = -speed_dn_m_s
    return vx, vy, vz


def stopping_offset(v_m_s: float, accel_m_s2: float) -> float:
    """Distance (signed like ``v_m_s``) needed to stop from ``v_m_s`` at ``accel_m_s2``."""
    if accel_m_s2 <= 0.0:
        return 0.0
    return v_m_s * abs(v_m_s) / (2.0 * accel_m_s2)
