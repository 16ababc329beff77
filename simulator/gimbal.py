"""A two-axis gimbal: pitch and yaw relative to the vehicle, slew-limited.

Targets come from MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, MAV_CMD_DO_MOUNT_CONTROL
or a region of interest; angles are degrees, pitch negative looking down,
yaw relative to the vehicle's nose unless ``yaw_lock`` holds an earth-frame
heading.
"""

from __future__ import annotations

import math

from simulator.geodesy import bearing_deg, wrap_180

#: Slew limit, degrees per second.
SLEW_DEG_S = 90.0

# MAV_MOUNT_MODE
MOUNT_MODE_RETRACT = 0
MOUNT_MODE_NEUTRAL = 1
MOUNT_MODE_MAVLINK_TARGETING = 2
MOUNT_MODE_GPS_POINT = 4
MOUNT_MODE_SYSID_TARGET = 5  # (6 is HOME_LOCATION)


class Gimbal:
    """Pointing state; ``pitch_deg``/``yaw_deg`` are where it points now."""

    __slots__ = (
        "mode",
        "pitch_deg",
        "pitch_max_deg",
        "pitch_min_deg",
        "target_pitch_deg",
        "target_yaw_deg",
        "yaw_deg",
        "yaw_lock",
    )

    def __init__(self, pitch_min_deg: float = -90.0, pitch_max_deg: float = 20.0) -> None:
        self.pitch_deg = 0.0
        self.yaw_deg = 0.0
        self.target_pitch_deg = 0.0
        self.target_yaw_deg = 0.0
        self.yaw_lock = False
        self.mode = MOUNT_MODE_NEUTRAL
        self.pitch_min_deg = pitch_min_deg
        self.pitch_max_deg = pitch_max_deg

    def point(self, pitch_deg: float, yaw_deg: float, yaw_lock: bool = False) -> None:
        """Aim at ``pitch_deg`` and ``yaw_deg`` (earth-frame heading if ``yaw_lock``)."""
        self.mode = MOUNT_MODE_MAVLINK_TARGETING
        self.target_pitch_deg = max(self.pitch_min_deg, min(self.pitch_max_deg, pitch_deg))
        self.target_yaw_deg = yaw_deg
        self.yaw_lock = yaw_lock

    def set_limits(self, pitch_min_deg: float, pitch_max_deg: float) -> None:
        """The pitch range (MNT1_PITCH_MIN/MAX), degrees."""
        self.pitch_min_deg = pitch_min_deg
        self.pitch_max_deg = pitch_max_deg

    def follow_roi(self, by_sysid: bool) -> None:
        """Point at the region of interest: another system's position, or a location."""
        self.mode = MOUNT_MODE_SYSID_TARGET if by_sysid else MOUNT_MODE_GPS_POINT

    def aim_at_roi(self, dx: float, dy: float, dz: float, vehicle_yaw_deg: float) -> None:
        """Aim at a region of interest ``dx``/``dy``/``dz`` metres east/north/up of the
        vehicle, if the mount is in an ROI mode."""
        if self.mode not in (MOUNT_MODE_GPS_POINT, MOUNT_MODE_SYSID_TARGET):
            return
        elevation_deg = math.degrees(math.atan2(dz, math.hypot(dx, dy)))
        self.target_pitch_deg = max(self.pitch_min_deg, min(self.pitch_max_deg, elevation_deg))
        self.target_yaw_deg = wrap_180(bearing_deg(dx, dy) - vehicle_yaw_deg)
        self.yaw_lock = False

    def step(self, dt_s: float, vehicle_yaw_deg: float) -> None:
        """Slew towards the target for ``dt_s`` seconds."""
        yaw_target = self.target_yaw_deg
        if self.yaw_lock:
            yaw_target = yaw_target - vehicle_yaw_deg
        yaw_target = wrap_180(yaw_target)
        limit = SLEW_DEG_S * dt_s
        dp = self.target_pitch_deg - self.pitch_deg
        self.pitch_deg += max(-limit, min(limit, dp))
        dy = wrap_180(yaw_target - self.yaw_deg)
        self.yaw_deg = wrap_180(self.yaw_deg + max(-limit, min(limit, dy)))
