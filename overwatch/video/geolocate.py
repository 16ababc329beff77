"""Place detections on the ground: pixel ray → intersection with the ground plane.

The ray through a pixel is rotated by the gimbal and vehicle attitude into
local NED and intersected with a horizontal plane: the ground at home
altitude (``alt_msl_m - alt_rel_m``) raised by half the target's typical
height, because the centre of a detection box images the middle of the
object, not its foot. The ground is flat at home altitude unless
``ground_alt_msl_m`` is given — or, with a ``terrain`` elevation raster, the
ray is marched from the camera in ``TERRAIN_STEP_M`` steps to the first sample
below the terrain (raised likewise), and the crossing refined by bisection; a
ray that leaves the raster first (or runs ``TERRAIN_MAX_RANGE_M``) falls back
to the flat ground.

Uncertainty: an attitude error of ``attitude_sigma_deg`` (plus half a pixel)
moves the hit point by ``slant · σ`` across the ray and ``slant · σ / sin(grazing)``
along it; ``sigma_m`` reports the larger, combined with the vehicle position
error ``position_sigma_m``. It grows with slant range and at low grazing angles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from overwatch.camera import (
    ActorKind,
    CameraIntrinsics,
    Detection,
    PoseLike,
    Sighting,
)
from overwatch.geo import LocalFrame
from overwatch.geo.terrain import Terrain

# Typical heights (m) used to aim at an object's middle, and size bounds for the kind.
TARGET_HEIGHT_M: dict[ActorKind, float] = {
    "person": 1.7,
    "vehicle": 1.7,
    "object": 0.8,
    "unknown": 1.0,
}
#: what the class names of common detectors (COCO, VisDrone, VOC) are, as Overwatch's kinds
KIND_OF_LABEL: dict[str, ActorKind] = {
    **{name: "person" for name in ("person", "pedestrian", "people", "man", "woman")},
    **{
        name: "vehicle"
        for name in (
            "vehicle", "car", "truck", "bus", "van", "motorcycle", "motorbike", "motor",
            "bicycle", "tricycle", "awning-tricycle", "pickup", "suv", "jeep",
        )
    },
    **{name: "object" for name in ("object", "backpack", "handbag", "suitcase")},
}  # fmt: skip
PERSON_MAX_WIDTH_M = 1.2
VEHICLE_MIN_WIDTH_M = 2.4
MIN_GRAZING_RAD = math.radians(3.0)
TERRAIN_STEP_M = 2.0
TERRAIN_MAX_RANGE_M = 10_000.0
TERRAIN_TOLERANCE_M = 0.01
_MARCH_CHUNK = 256


def _rot_z(a: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rot_y(a: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rot_x(a: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def camera_rotation(pose: PoseLike, *, stabilised_gimbal: bool) -> npt.NDArray[np.float64]:
    """Rotation from camera axes (x right, y down, z forward) to local NED."""
    yaw, g_yaw = math.radians(pose.yaw_deg), math.radians(pose.gimbal_yaw_deg)
    g_pitch = math.radians(pose.gimbal_pitch_deg)
    if stabilised_gimbal:
        mount = _rot_z(yaw + g_yaw) @ _rot_y(g_pitch)
    else:
        body = _rot_z(yaw) @ _rot_y(math.radians(pose.pitch_deg))
        body = body @ _rot_x(math.radians(pose.roll_deg))
        mount = body @ _rot_z(g_yaw) @ _rot_y(g_pitch)
    # Columns: camera x (right) → gimbal right, y (down) → down, z (forward) → forward.
    camera_to_frd = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    rotation: npt.NDArray[np.float64] = mount @ camera_to_frd
    return rotation


@dataclass(frozen=True)
class GroundFix:
    """Where a pixel ray meets the plane: WGS84 degrees, metres."""

    lat_deg: float
    lon_deg: float
    slant_range_m: float
    sigma_m: float
    metres_per_px: float


def terrain_slant_m(
    terrain: Terrain,
    frame: LocalFrame,
    camera_m: tuple[float, float, float],
    ray_ned: npt.NDArray[np.float64],
    lift_m: float = 0.0,
) -> float | None:
    """Metres along the unit ray ``ray_ned`` from the camera to the terrain raised by ``lift_m``.

    ``camera_m`` is the camera's ``(x_m east, y_m north, alt_msl_m)`` in ``frame``.
    None when the ray leaves the raster, or runs ``TERRAIN_MAX_RANGE_M``, before it
    meets the surface, or when the camera itself is below it (inconsistent data).
    """
    cam_x, cam_y, cam_alt = camera_m
    north, east, down = (float(v) for v in ray_ned)

    def clearance_m(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lat, lon = frame.to_wgs84(cam_x + t * east, cam_y + t * north)
        return cam_alt - t * down - (terrain.elevation_msl_m(lat, lon) + lift_m)

    above_t = 0.0
    for start in np.arange(0.0, TERRAIN_MAX_RANGE_M, TERRAIN_STEP_M * _MARCH_CHUNK):
        t = start + TERRAIN_STEP_M * np.arange(_MARCH_CHUNK, dtype=float)
        clearance = clearance_m(t)
        stops = np.flatnonzero(np.isnan(clearance) | (clearance <= 0.0))
        if stops.size == 0:
            above_t = float(t[-1])
            continue
        i = int(stops[0])
        if np.isnan(clearance[i]) or t[i] == 0.0:
            return None
        lo, hi = (float(t[i - 1]) if i > 0 else above_t), float(t[i])
        while hi - lo > TERRAIN_TOLERANCE_M:
            mid = (lo + hi) / 2.0
            if clearance_m(np.array([mid]))[0] > 0.0:
                lo = mid
            else:  # below the surface (or a no-data hole: treat it as ground)
                hi = mid
        return (lo + hi) / 2.0
    return None


def classify_by_width(width_m: float) -> ActorKind:
    """Person, vehicle or object from the seen width in metres."""
    if width_m <= PERSON_MAX_WIDTH_M:
        return "person"
    if width_m >= VEHICLE_MIN_WIDTH_M:
        return "vehicle"
    return "object"


class Geolocator:
    """Turns pixel positions into ground positions for one camera.

    ``intrinsics`` describe the full-resolution image; detections made on a
    resized frame pass ``image_size_px``. ``frame`` is the local metric frame
    for the maths (default: one centred on the first pose seen). ``terrain``
    is an optional elevation raster to intersect instead of the flat ground.
    """

    def __init__(
        self,
        intrinsics: CameraIntrinsics,
        *,
        stabilised_gimbal: bool = True,
        attitude_sigma_deg: float = 1.0,
        position_sigma_m: float = 1.5,
        ground_alt_msl_m: float | None = None,
        frame: LocalFrame | None = None,
        terrain: Terrain | None = None,
    ) -> None:
        self.intrinsics = intrinsics
        self.stabilised_gimbal = stabilised_gimbal
        self.attitude_sigma_deg = attitude_sigma_deg
        self.position_sigma_m = position_sigma_m
        self.ground_alt_msl_m = ground_alt_msl_m
        self._frame = frame
        self.terrain = terrain

    def _local_frame(self, pose: PoseLike) -> LocalFrame:
        if self._frame is None:
            self._frame = LocalFrame(round(pose.lat_deg, 4), round(pose.lon_deg, 4))
        return self._frame

    def locate_pixel(
        self,
        u_px: float,
        v_px: float,
        pose: PoseLike,
        *,
        target_height_m: float = 0.0,
        image_size_px: tuple[int, int] | None = None,
    ) -> GroundFix | None:
        """Ground point under image point (``u_px``, ``v_px``); None if the ray meets no ground.

        Pixel coordinates are continuous: pixel (0, 0) covers [0, 1) × [0, 1).
        ``target_height_m`` raises the intersection surface above the ground.
        """
        cam = self.intrinsics
        if image_size_px is not None and image_size_px != (cam.width_px, cam.height_px):
            sx = cam.width_px / image_size_px[0]
            sy = cam.height_px / image_size_px[1]
            u_px, v_px = u_px * sx, v_px * sy
        ray_cam = np.array(
            [(u_px - cam.cx_px) / cam.focal_px, (v_px - cam.cy_px) / cam.focal_px, 1.0]
        )
        ray = camera_rotation(pose, stabilised_gimbal=self.stabilised_gimbal) @ ray_cam
        ray /= np.linalg.norm(ray)
        frame = self._local_frame(pose)
        cam_x, cam_y = frame.to_local(pose.lat_deg, pose.lon_deg)
        slant: float | None = None
        if self.terrain is not None:
            camera_m = (cam_x, cam_y, pose.alt_msl_m)
            slant = terrain_slant_m(self.terrain, frame, camera_m, ray, target_height_m)
        if slant is None:
            if self.ground_alt_msl_m is None:
                height_m = pose.alt_rel_m - target_height_m
            else:
                height_m = pose.alt_msl_m - self.ground_alt_msl_m - target_height_m
            if ray[2] <= 1e-6 or height_m <= 0:
                return None
            slant = float(height_m / ray[2])
        north, east = slant * ray[0], slant * ray[1]
        lat, lon = frame.to_wgs84(cam_x + east, cam_y + north)
        grazing = max(math.asin(min(1.0, float(ray[2]))), MIN_GRAZING_RAD)
        angle_sigma = math.hypot(math.radians(self.attitude_sigma_deg), 0.5 / cam.focal_px)
        along = slant * angle_sigma / math.sin(grazing)
        sigma = math.hypot(self.position_sigma_m, along)
        return GroundFix(lat, lon, slant, sigma, slant / cam.focal_px)

    def locate(
        self,
        detection: Detection,
        pose: PoseLike,
        time_unix_s: float,
        *,
        image_size_px: tuple[int, int] | None = None,
    ) -> Sighting | None:
        """A :class:`Sighting` for ``detection`` seen from ``pose``; None if it is in the sky."""
        u, v = detection.box.centre
        scale = 1.0
        if image_size_px is not None:
            scale = self.intrinsics.width_px / image_size_px[0]
        first = self.locate_pixel(
            u, v, pose, target_height_m=TARGET_HEIGHT_M["unknown"] / 2, image_size_px=image_size_px
        )
        if first is None:
            return None
        width_m = detection.box.width * scale * first.metres_per_px
        kind = KIND_OF_LABEL.get(detection.label.lower()) or classify_by_width(width_m)
        fix = self.locate_pixel(
            u, v, pose, target_height_m=TARGET_HEIGHT_M[kind] / 2, image_size_px=image_size_px
        )
        if fix is None:
            return None
        return Sighting(
            kind=kind,
            lat_deg=fix.lat_deg,
            lon_deg=fix.lon_deg,
            sigma_m=fix.sigma_m,
            time_unix_s=time_unix_s,
            confidence=detection.score,
            slant_range_m=fix.slant_range_m,
            size_m=width_m,
            detection=detection,
        )
