"""What the simulator sends to advertise the camera over MAVLink.

Field names follow the MAVLink messages CAMERA_INFORMATION (#259) and
VIDEO_STREAM_INFORMATION (#269) exactly, already in MAVLink units, so the
simulator can pass ``**fields.as_mavlink()`` to the pymavlink ``*_send`` call
(``vendor_name``/``model_name`` are bytes padded to 32 as pymavlink expects).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from overwatch.camera import CameraIntrinsics
from simulator.camera.stream import StreamConfig

CAMERA_CAP_FLAGS_HAS_VIDEO_STREAM = 256
VIDEO_STREAM_TYPE_RTPUDP = 1
VIDEO_STREAM_TYPE_MPEG_TS = 3
VIDEO_STREAM_STATUS_FLAGS_RUNNING = 1
VIDEO_STREAM_ENCODING_H264 = 1
SENSOR_WIDTH_MM = 6.17  # a 1/2.3" sensor, typical of small gimbal cameras


@dataclass(frozen=True)
class CameraInformationFields:
    """CAMERA_INFORMATION fields (MAVLink units: mm, pixels)."""

    time_boot_ms: int
    vendor_name: bytes
    model_name: bytes
    firmware_version: int
    focal_length: float
    sensor_size_h: float
    sensor_size_v: float
    resolution_h: int
    resolution_v: int
    lens_id: int
    flags: int
    cam_definition_version: int
    cam_definition_uri: bytes

    def as_mavlink(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class VideoStreamInformationFields:
    """VIDEO_STREAM_INFORMATION fields (fps, pixels, bits/s, degrees)."""

    stream_id: int
    count: int
    type: int
    flags: int
    framerate: float
    resolution_h: int
    resolution_v: int
    bitrate: int
    rotation: int
    hfov: int
    name: bytes
    uri: bytes
    encoding: int

    def as_mavlink(self) -> dict[str, object]:
        return asdict(self)


def camera_information(
    intrinsics: CameraIntrinsics, *, time_boot_ms: int = 0
) -> CameraInformationFields:
    """CAMERA_INFORMATION for the synthetic camera (focal length from the FOV)."""
    sensor_h_mm = SENSOR_WIDTH_MM
    sensor_v_mm = SENSOR_WIDTH_MM * intrinsics.height_px / intrinsics.width_px
    focal_mm = (sensor_h_mm / 2.0) / math.tan(math.radians(intrinsics.hfov_deg) / 2.0)
    return CameraInformationFields(
        time_boot_ms=time_boot_ms,
        vendor_name=b"Overwatch".ljust(32, b"\0"),
        model_name=b"SyntheticCam".ljust(32, b"\0"),
        firmware_version=1,
        focal_length=round(focal_mm, 3),
        sensor_size_h=sensor_h_mm,
        sensor_size_v=round(sensor_v_mm, 3),
        resolution_h=intrinsics.width_px,
        resolution_v=intrinsics.height_px,
        lens_id=0,
        flags=CAMERA_CAP_FLAGS_HAS_VIDEO_STREAM,
        cam_definition_version=0,
        cam_definition_uri=b"",
    )


def video_stream_information(
    config: StreamConfig, intrinsics: CameraIntrinsics, *, stream_id: int = 1
) -> VideoStreamInformationFields:
    """VIDEO_STREAM_INFORMATION for the stream ``config`` sends.

    For RTP the URI is ``udp://0.0.0.0:<port>`` (QGroundControl listens on that
    port for "RTP/UDP H.264"); for MPEG-TS ``udp://<host>:<port>``.
    """
    if config.transport == "rtp":
        kind, uri = VIDEO_STREAM_TYPE_RTPUDP, f"udp://0.0.0.0:{config.port}"
    else:
        kind, uri = VIDEO_STREAM_TYPE_MPEG_TS, f"udp://{config.host}:{config.port}"
    return VideoStreamInformationFields(
        stream_id=stream_id,
        count=1,
        type=kind,
        flags=VIDEO_STREAM_STATUS_FLAGS_RUNNING,
        framerate=float(config.fps),
        resolution_h=config.width_px,
        resolution_v=config.height_px,
        bitrate=config.bitrate_bps,
        rotation=0,
        hfov=round(intrinsics.hfov_deg),
        name=b"overwatch-synthetic",
        uri=uri.encode(),
        encoding=VIDEO_STREAM_ENCODING_H264,
    )
