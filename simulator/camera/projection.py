"""Camera attitude maths for the synthetic camera: body/gimbal angles → rotation matrix.

Frames: local NED (north, east, down, metres) with the origin on the ground at
home altitude; camera optical axes as in OpenCV (x right, y down, z forward).
See :mod:`overwatch.camera` for the angle conventions. The receiver's
geolocator implements the same conventions independently, so an end-to-end
test checks both.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from overwatch.camera import PoseLike

Matrix3 = npt.NDArray[np.float64]

# Camera axes (x right, y down, z forward) expressed in the gimbal's forward-right-down frame.
CAMERA_TO_FRD: Matrix3 = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def _rot_z(angle_rad: float) -> Matrix3:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rot_y(angle_rad: float) -> Matrix3:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rot_x(angle_rad: float) -> Matrix3:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def camera_to_ned(pose: PoseLike, *, stabilised_gimbal: bool = True) -> Matrix3:
    """Rotation taking camera-axis vectors (x right, y down, z forward) to local NED."""
    yaw = math.radians(pose.yaw_deg)
    g_yaw = math.radians(pose.gimbal_yaw_deg)
    g_pitch = math.radians(pose.gimbal_pitch_deg)
    if stabilised_gimbal:
        attitude = _rot_z(yaw + g_yaw) @ _rot_y(g_pitch)
    else:
        body = (
            _rot_z(yaw) @ _rot_y(math.radians(pose.pitch_deg)) @ _rot_x(math.radians(pose.roll_deg))
        )
        attitude = body @ _rot_z(g_yaw) @ _rot_y(g_pitch)
    return attitude @ CAMERA_TO_FRD
