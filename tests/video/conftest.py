"""Fixtures for the video tests: one pre-rendered ground per session, free ports, a camera."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.camera import StreamConfig, SyntheticCamera
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.scene import Orbit, free_udp_port_pair, make_actors, make_ground


@pytest.fixture(scope="session")
def ground() -> GroundTexture:
    return make_ground()


@pytest.fixture
def actors() -> list[SceneActor]:
    return make_actors()


@pytest.fixture
def udp_port() -> int:
    return free_udp_port_pair()


class OrbitClock:
    """Sim time = wall time since creation × speed-up."""

    def __init__(self, orbit: Orbit, speedup: float = 1.0) -> None:
        import time

        self._t0 = time.monotonic()
        self._time = time.monotonic
        self.orbit = orbit
        self.speedup = speedup

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.orbit.pose((self._time() - self._t0) * self.speedup)


@pytest.fixture
def rtp_camera(
    ground: GroundTexture, actors: list[SceneActor], udp_port: int, tmp_path: Path
) -> Iterator[SyntheticCamera]:
    config = StreamConfig(port=udp_port, fps=15, sdp_path=tmp_path / "camera.sdp")
    camera = SyntheticCamera(ground, OrbitClock(Orbit(), speedup=4.0), lambda: actors, config)
    camera.start()
    try:
        yield camera
    finally:
        camera.stop()
