"""Stream → receive → detect → geolocate on loopback, scored against the camera's truth."""

from __future__ import annotations

import statistics
import time

from overwatch.camera import VideoFrame
from overwatch.video import BlobDetector, DetectionWorker, FrameResult, Geolocator, VideoReceiver
from simulator.camera import SyntheticCamera
from tests.video.scoring import Score


def test_stream_detect_geolocate_against_ground_truth(rtp_camera: SyntheticCamera) -> None:
    camera = rtp_camera
    results: list[FrameResult] = []

    def pose_at(frame: VideoFrame):  # type: ignore[no-untyped-def]
        truth = camera.truth(frame.stamp.seq) if frame.stamp else None
        return truth.pose if truth else None

    with VideoReceiver(camera.config.uri) as receiver:
        worker = DetectionWorker(
            receiver.latest, BlobDetector(), Geolocator(camera.intrinsics), pose_at, results.append
        )
        worker.start()
        # enough frames to score, however busy the machine is (a generous bound, not a rate)
        deadline = time.monotonic() + 120.0
        while len(results) < 60 and time.monotonic() < deadline and worker.error is None:
            time.sleep(0.1)
        worker.stop()
        stats = receiver.stats()

    assert worker.error is None and camera.error is None
    assert stats.connected
    # No rates or latencies here: other test suites share this machine's two cores (the
    # glass-to-detector latency is a benchmark, `python -m benchmarks video`).
    assert stats.fps > 0, stats
    assert stats.frames_dropped == 0, stats  # no gaps in the capture sequence on loopback
    assert stats.latency_median_ms is not None and stats.latency_median_ms > 0, stats
    assert stats.bitrate_bps > 100_000

    score = Score()
    for result in results:
        assert result.seq is not None
        truth = camera.truth(result.seq)
        assert truth is not None
        score.add(truth.truths, result.detections, result.sightings)
    assert score.frames >= 45, score.frames
    assert score.big_actors >= 100
    assert score.recall >= 0.9, (score.recall, score.big_actors)
    assert score.false_positives == 0, score.fp_examples
    median_error = statistics.median(score.relative_errors)
    assert median_error < 0.03, median_error
    sightings = [s for r in results for s in r.sightings]
    assert all(s.sigma_m > 1.0 for s in sightings)
    kinds = {s.kind for s in sightings}
    assert "vehicle" in kinds
