"""The synthetic camera: renders the view from the simulated vehicle and streams it.

Public API::

    ground = build_ground(frame, [route_lat_lon])
    cam = SyntheticCamera(ground, sim.pose, sim.actors, StreamConfig(port=5600, sdp_path=...))
    cam.start(); ...; cam.stop()
    camera_information(cam.intrinsics); video_stream_information(cam.config, cam.intrinsics)
"""

from overwatch.camera import CameraIntrinsics, CameraPose, CaptureStamp, PoseLike
from simulator.camera.advertise import (
    CameraInformationFields,
    VideoStreamInformationFields,
    camera_information,
    video_stream_information,
)
from simulator.camera.camera import CapturedFrame, SyntheticCamera
from simulator.camera.render import ActorTruth, GroundRenderer
from simulator.camera.scene import ActorLike, GroundTexture, SceneActor, build_ground
from simulator.camera.stream import H264Streamer, StreamConfig, gstreamer_caps, sdp_text

__all__ = [
    "ActorLike",
    "ActorTruth",
    "CameraInformationFields",
    "CameraIntrinsics",
    "CameraPose",
    "CaptureStamp",
    "CapturedFrame",
    "GroundRenderer",
    "GroundTexture",
    "H264Streamer",
    "PoseLike",
    "SceneActor",
    "StreamConfig",
    "SyntheticCamera",
    "VideoStreamInformationFields",
    "build_ground",
    "camera_information",
    "gstreamer_caps",
    "sdp_text",
    "video_stream_information",
]
