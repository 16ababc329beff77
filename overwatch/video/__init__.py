"""The video pipeline: receive, record, detect, geolocate.

Public API::

    rx = VideoReceiver("cam.sdp", record_dir=Path("rec"))   # udp://, .sdp, rtsp://, files
    rx.start(); rx.latest / rx.thumbnail (LatestFrame); rx.stats(); rx.snapshot(path); rx.stop()
    worker = DetectionWorker(rx.latest, BlobDetector(), Geolocator(intrinsics), pose_at, on_result)
    history = PoseHistory(); history.add(pose); history.at(time_s)   # the pose at capture
    CaptureClock().capture_time(frame, session_now_s=..., wall_now_s=time.time(), rate=10.0)
"""

from overwatch.camera import (
    Box,
    CameraIntrinsics,
    CameraPose,
    CaptureStamp,
    Detection,
    PoseLike,
    Sighting,
    VideoFrame,
)
from overwatch.video.capture_time import CaptureClock, CaptureTime
from overwatch.video.detect import BlobDetector, BlobDetectorConfig, Detector
from overwatch.video.geolocate import Geolocator, GroundFix
from overwatch.video.latest import LatestFrame
from overwatch.video.onnx_detector import OnnxDetector
from overwatch.video.pipeline import DetectionWorker, FrameResult
from overwatch.video.pose_history import PoseHistory
from overwatch.video.receiver import VideoReceiver, save_snapshot
from overwatch.video.recorder import SegmentedRecorder
from overwatch.video.stats import StreamStats

__all__ = [
    "BlobDetector",
    "BlobDetectorConfig",
    "Box",
    "CameraIntrinsics",
    "CameraPose",
    "CaptureClock",
    "CaptureStamp",
    "CaptureTime",
    "Detection",
    "DetectionWorker",
    "Detector",
    "FrameResult",
    "Geolocator",
    "GroundFix",
    "LatestFrame",
    "OnnxDetector",
    "PoseHistory",
    "PoseLike",
    "SegmentedRecorder",
    "Sighting",
    "StreamStats",
    "VideoFrame",
    "VideoReceiver",
    "save_snapshot",
]
