"""The camera model both ends share: intrinsics, poses, frames, detections, sightings.

Frozen dataclasses and Protocols with no behaviour beyond small derived
properties, on numpy alone: the video pipeline (``overwatch.video``) and the
synthetic camera (``simulator.camera``) both import them, and importing them
loads neither PyAV nor OpenCV.

Attitude conventions (the same on the camera and the receiver side):

- the vehicle's ``roll_deg``, ``pitch_deg``, ``yaw_deg`` are aerospace Euler angles
  (Z-Y-X) of the body frame (forward, right, down) in local NED; ``yaw_deg`` is
  the heading clockwise from true north, ``pitch_deg`` positive nose up;
- ``gimbal_yaw_deg`` is relative to the vehicle's heading (positive right),
  ``gimbal_pitch_deg`` is the camera's elevation (0 = along the horizon or the
  body's forward axis, -90 = straight down);
- a *stabilised* gimbal (the default, as on an ArduPilot mount in earth-frame
  mode) cancels the vehicle's roll and pitch; an unstabilised one adds to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

RgbImage = npt.NDArray[np.uint8]
"""An ``H × W × 3`` RGB image, uint8."""

ActorKind = Literal["person", "vehicle", "object", "unknown"]


class PoseLike(Protocol):
    """What the camera and the geolocator need of a vehicle pose.

    Any object with these attributes will do (the simulator's pose dataclass,
    a telemetry snapshot, :class:`CameraPose`).
    """

    @property
    def lat_deg(self) -> float: ...
    @property
    def lon_deg(self) -> float: ...
    @property
    def alt_msl_m(self) -> float: ...
    @property
    def alt_rel_m(self) -> float: ...
    @property
    def roll_deg(self) -> float: ...
    @property
    def pitch_deg(self) -> float: ...
    @property
    def yaw_deg(self) -> float: ...
    @property
    def gimbal_pitch_deg(self) -> float: ...
    @property
    def gimbal_yaw_deg(self) -> float: ...
    @property
    def time_s(self) -> float: ...


@dataclass(frozen=True)
class CameraPose:
    """A vehicle + gimbal pose at one instant (degrees, metres, seconds). See module doc."""

    lat_deg: float
    lon_deg: float
    alt_msl_m: float
    alt_rel_m: float
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    gimbal_pitch_deg: float = -90.0
    gimbal_yaw_deg: float = 0.0
    time_s: float = 0.0

    @classmethod
    def of(cls, pose: PoseLike) -> CameraPose:
        """Copy any :class:`PoseLike` into a plain frozen ``CameraPose``."""
        return cls(
            lat_deg=pose.lat_deg,
            lon_deg=pose.lon_deg,
            alt_msl_m=pose.alt_msl_m,
            alt_rel_m=pose.alt_rel_m,
            roll_deg=pose.roll_deg,
            pitch_deg=pose.pitch_deg,
            yaw_deg=pose.yaw_deg,
            gimbal_pitch_deg=pose.gimbal_pitch_deg,
            gimbal_yaw_deg=pose.gimbal_yaw_deg,
            time_s=pose.time_s,
        )


@dataclass(frozen=True)
class CameraIntrinsics:
    """A pinhole camera without distortion: image size in pixels, horizontal FOV in degrees.

    Square pixels; the principal point is the image centre.

    >>> cam = CameraIntrinsics(640, 480, 60.0)
    >>> round(cam.focal_px, 1), round(cam.vfov_deg, 1)
    (554.3, 46.8)
    """

    width_px: int = 640
    height_px: int = 480
    hfov_deg: float = 60.0

    def __post_init__(self) -> None:
        if self.width_px <= 0 or self.height_px <= 0:
            raise ValueError(
                f"camera resolution must be positive, got {self.width_px}x{self.height_px}"
            )
        if not 1.0 <= self.hfov_deg <= 170.0:
            raise ValueError(f"hfov_deg must be in [1, 170] degrees, got {self.hfov_deg}")

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def cx_px(self) -> float:
        return self.width_px / 2.0

    @property
    def cy_px(self) -> float:
        return self.height_px / 2.0

    @property
    def vfov_deg(self) -> float:
        """Vertical field of view in degrees."""
        return math.degrees(2.0 * math.atan((self.height_px / 2.0) / self.focal_px))

    def scaled(self, width_px: int, height_px: int) -> CameraIntrinsics:
        """The same lens at another resolution (same horizontal FOV)."""
        return CameraIntrinsics(width_px, height_px, self.hfov_deg)


@dataclass(frozen=True)
class CaptureStamp:
    """When and which frame the camera captured (carried in the stream's SEI).

    ``capture_unix_s`` is the capture time in UNIX seconds on the vehicle's
    clock: UTC on a real camera; in training, the *simulated* UTC the
    simulator's patrol feed uses too (it may run faster than the wall clock).
    ``seq`` counts frames from 0; ``sim_time_s`` is the simulator's clock (or
    the camera's own monotonic clock on a real camera) at capture.
    ``wall_unix_s`` is the sending host's wall clock at capture when that
    differs from ``capture_unix_s`` (a simulator at a speed-up); latency is
    measured against it. None means ``capture_unix_s`` is the wall clock.
    """

    capture_unix_s: float
    seq: int
    sim_time_s: float
    wall_unix_s: float | None = None

    @property
    def glass_unix_s(self) -> float:
        """Wall-clock UNIX seconds at capture (what latency is measured from)."""
        return self.capture_unix_s if self.wall_unix_s is None else self.wall_unix_s


@dataclass(frozen=True)
class VideoFrame:
    """One decoded frame.

    ``rgb`` is ``H × W × 3`` uint8; ``receive_unix_s`` is when it came out of the
    decoder; ``stamp`` is the camera's capture stamp when the stream carries one.
    """

    rgb: RgbImage = field(repr=False)
    index: int
    receive_unix_s: float
    stamp: CaptureStamp | None = None

    @property
    def width_px(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height_px(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def latency_s(self) -> float | None:
        """Capture → decoded, seconds, when a capture stamp is known."""
        if self.stamp is None:
            return None
        return self.receive_unix_s - self.stamp.glass_unix_s


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels: ``x0, y0`` top-left, ``x1, y1`` bottom-right (exclusive)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0

    def iou(self, other: Box) -> float:
        """Intersection over union with ``other`` (0..1)."""
        ix = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = ix * iy
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class Detection:
    """One object found in a frame: pixel box, class label, score in 0..1."""

    box: Box
    label: str
    score: float


@dataclass(frozen=True)
class Sighting:
    """A detection placed on the ground: what, where (WGS84), how sure, when.

    ``sigma_m`` is the 1-sigma horizontal position uncertainty in metres;
    ``time_unix_s`` the capture time; ``confidence`` the detector score (0..1);
    ``slant_range_m`` camera → target.
    """

    kind: ActorKind
    lat_deg: float
    lon_deg: float
    sigma_m: float
    time_unix_s: float
    confidence: float
    slant_range_m: float
    size_m: float
    detection: Detection
