"""Detector + geolocator accuracy on rendered, H.264-compressed frames (no network)."""

from __future__ import annotations

import math
import statistics
from fractions import Fraction

import av
import numpy as np

from overwatch.camera import CameraIntrinsics, CameraPose
from overwatch.video import BlobDetector, Geolocator
from simulator.camera.render import GroundRenderer
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.scene import FRAME, HOME_ALT_MSL_M, Orbit
from tests.video.scoring import Score

CAM = CameraIntrinsics(640, 480, 60.0)


def _transit(time_s: float) -> CameraPose:
    """Along the road over empty desert, 60 m up, looking 30° down and ahead."""
    x = -300.0 + 12.0 * time_s
    lat, lon = FRAME.to_wgs84(x, -70.0 + 130.0 * (x + 400.0) / 800.0 - 25.0)
    return CameraPose(lat, lon, HOME_ALT_MSL_M + 60, 60.0, yaw_deg=81.0, gimbal_pitch_deg=-30.0)


def test_recall_false_alarms_and_geolocation_error(
    ground: GroundTexture, actors: list[SceneActor]
) -> None:
    renderer = GroundRenderer(ground, CAM)
    detector, geolocator = BlobDetector(), Geolocator(CAM)
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 640, 480, "yuv420p"
    encoder.time_base = Fraction(1, 15)
    encoder.bit_rate = 2_000_000
    encoder.options = {"preset": "ultrafast", "tune": "zerolatency"}
    decoder = av.CodecContext.create("h264", "r")
    orbits = [Orbit(), Orbit(radius_m=70, alt_rel_m=60), Orbit(radius_m=30, alt_rel_m=80)]
    score = Score()
    for i in range(240):  # 16 s of video at 15 fps
        segment = (i // 30) % 4
        pose = _transit(i / 15) if segment == 3 else orbits[segment].pose(i * 0.4)
        rgb, truths = renderer.render(pose, actors)
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = i
        (decoded,) = [f for p in encoder.encode(frame) for f in decoder.decode(p)]
        image = np.asarray(decoded.to_ndarray(format="rgb24"), np.uint8)
        detections = detector.detect(image)
        sightings = [s for d in detections if (s := geolocator.locate(d, pose, 0.0))]
        score.add(truths, detections, sightings)
    assert score.big_actors > 500
    assert score.recall >= 0.9, score.recall
    assert score.false_positives == 0, score.fp_examples
    assert statistics.median(score.relative_errors) < 0.03
    assert not math.isnan(statistics.mean(score.relative_errors))
