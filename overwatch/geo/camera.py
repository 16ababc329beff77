"""Camera footprints on flat ground: what a pinhole camera at a pose sees.

Angles in degrees: ``yaw_deg`` clockwise from north, ``pitch_deg`` negative
below the horizon (-90 straight down), fields of view full-angle. Positions
are local metres (``x_m`` east, ``y_m`` north), ``height_m`` is the camera's
height above the ground plane. Functions are vectorised over poses.

>>> quad = footprint_corners(0.0, 0.0, 100.0, 0.0, -90.0, 90.0, 90.0)
>>> [round(float(v), 3) for v in quad.ravel()]
[-100.0, -100.0, 100.0, -100.0, 100.0, 100.0, -100.0, 100.0]
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: rays that meet the ground farther than this (or never) are cut here
DEFAULT_MAX_RANGE_M = 1500.0


def footprint_corners(
    x_m: float | FloatArray,
    y_m: float | FloatArray,
    height_m: float | FloatArray,
    yaw_deg: float | FloatArray,
    pitch_deg: float | FloatArray,
    hfov_deg: float,
    vfov_deg: float,
    max_range_m: float = DEFAULT_MAX_RANGE_M,
) -> FloatArray:
    """Ground corners of the camera's view, shape (n, 4, 2) (or (4, 2) for scalars).

    Corner order: near-left, near-right, far-right, far-left. A corner ray
    that points at or above the horizon, or hits beyond ``max_range_m``, is
    cut to ``max_range_m`` horizontally along its direction.
    """
    if all(isinstance(v, (int, float)) for v in (x_m, y_m, height_m, yaw_deg, pitch_deg)):
        return _one_footprint(
            float(x_m), float(y_m), float(height_m), float(yaw_deg), float(pitch_deg),
            hfov_deg, vfov_deg, max_range_m,
        )  # fmt: skip
    scalar = np.ndim(x_m) == 0
    x, y, h, yaw, pitch = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(v, dtype=float))
            for v in (x_m, y_m, height_m, yaw_deg, pitch_deg)
        )
    )
    yaw_r = np.radians(yaw)
    pit_r = np.radians(pitch)
    fwd = np.stack([np.sin(yaw_r), np.cos(yaw_r), np.zeros_like(yaw_r)], axis=-1)
    right = np.stack([np.cos(yaw_r), -np.sin(yaw_r), np.zeros_like(yaw_r)], axis=-1)
    up = np.array([0.0, 0.0, 1.0])
    bore = np.cos(pit_r)[:, None] * fwd + np.sin(pit_r)[:, None] * up
    cam_up = -np.sin(pit_r)[:, None] * fwd + np.cos(pit_r)[:, None] * up
    th = np.tan(np.radians(hfov_deg) / 2.0)
    tv = np.tan(np.radians(vfov_deg) / 2.0)
    # (a, e): horizontal and vertical image-plane offsets of each corner
    corners = ((-th, -tv), (th, -tv), (th, tv), (-th, tv))
    out = np.empty((len(x), 4, 2))
    for k, (a, e) in enumerate(corners):
        d = bore + a * right + e * cam_up
        dz = d[:, 2]
        horiz = np.hypot(d[:, 0], d[:, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            t_ground = np.where(dz < -1e-9, h / -dz, np.inf)
            reach = np.minimum(t_ground * horiz, max_range_m)
            scale = np.where(horiz > 1e-12, reach / horiz, 0.0)
        out[:, k, 0] = x + d[:, 0] * scale
        out[:, k, 1] = y + d[:, 1] * scale
    return out[0] if scalar else out


def _one_footprint(
    x: float,
    y: float,
    h: float,
    yaw_deg: float,
    pitch_deg: float,
    hfov_deg: float,
    vfov_deg: float,
    max_range_m: float,
) -> FloatArray:
    """:func:`footprint_corners` of one pose, in plain floats (a live session asks for one
    pose several times a second, where numpy's set-up for four corners costs more than
    the sums)."""
    sy, cy = math.sin(math.radians(yaw_deg)), math.cos(math.radians(yaw_deg))
    sp, cp = math.sin(math.radians(pitch_deg)), math.cos(math.radians(pitch_deg))
    th = math.tan(math.radians(hfov_deg) / 2.0)
    tv = math.tan(math.radians(vfov_deg) / 2.0)
    out = np.empty((4, 2))
    for k, (a, e) in enumerate(((-th, -tv), (th, -tv), (th, tv), (-th, tv))):
        # bore + a * right + e * cam_up, with fwd = (sy, cy, 0), right = (cy, -sy, 0)
        dx = cp * sy + a * cy - e * sp * sy
        dy = cp * cy - a * sy - e * sp * cy
        dz = sp + e * cp
        horiz = math.hypot(dx, dy)
        reach = min(h / -dz * horiz, max_range_m) if dz < -1e-9 else max_range_m
        scale = reach / horiz if horiz > 1e-12 else 0.0
        out[k, 0] = x + dx * scale
        out[k, 1] = y + dy * scale
    return out


def points_in_quad(quad: FloatArray, points: FloatArray) -> npt.NDArray[np.bool_]:
    """For one quad (4, 2) and points (n, 2): is each point inside (as
    :func:`points_in_quads` with the quad repeated, without building n copies of it)?"""
    px, py = points[:, 0], points[:, 1]
    left = np.ones(len(points), dtype=bool)
    right = np.ones(len(points), dtype=bool)
    for k in range(4):
        qx, qy = quad[k]
        ex, ey = quad[(k + 1) % 4] - quad[k]
        cross = ex * (py - qy) - ey * (px - qx)
        left &= cross >= -1e-9
        right &= cross <= 1e-9
    return left | right


def points_in_quads(quads: FloatArray, points: FloatArray) -> npt.NDArray[np.bool_]:
    """For quads (n, 4, 2) and points (n, 2) (paired row by row): is each point inside?

    Works for convex quads of either winding; points on an edge count as inside.
    """
    q = quads
    p = points[:, None, :]
    edge = np.roll(q, -1, axis=1) - q
    rel = p - q
    cross = edge[..., 0] * rel[..., 1] - edge[..., 1] * rel[..., 0]
    return np.asarray((cross >= -1e-9).all(axis=1) | (cross <= 1e-9).all(axis=1), dtype=bool)
