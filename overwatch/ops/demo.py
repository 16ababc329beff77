"""The demo: the built-in simulator with the example scenario, a live session, a screen.

``run_demo`` starts ``overwatch sim`` with the scenario in its own process,
connects a live session to it exactly as to a real drone (MAVLink over TCP,
the patrol's NMEA over UDP, the stand-in sensor's markers as CoT, the
synthetic camera as RTP/H.264 described by an SDP file), takes off once the
vehicle is ready, and either opens the terminal UI or runs headless to the
end. Afterwards the run is scored and its after-action bundle written.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.config import planned_lead_coverage
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.training import SimProcess, free_port
from overwatch.scoring.rundir import RunManifest

if TYPE_CHECKING:
    from overwatch.video import Detector

ROOT = Path(__file__).resolve().parents[2]
DEMO_MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
DEMO_SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"


@dataclass(frozen=True)
class DemoConfig:
    mission: Path = DEMO_MISSION
    scenario: Path = DEMO_SCENARIO
    run_dir: Path = Path("out") / "demo"
    speedup: float = 4.0
    mode: str = "lead"
    #: seconds from boot until the simulated EKF lets the copter arm (ArduCopter: ~40 s)
    ekf_delay_s: float = 20.0
    #: the synthetic camera's frame rate (wall clock); 0 runs without video
    video_fps: int = 10
    #: what finds threats in the video (default: the blob detector)
    detector: Detector | None = None
    #: an ArduPilot SITL ``arducopter`` binary to fly instead of the built-in simulator
    #: (the synthetic camera runs with the built-in simulator only)
    sitl: str | None = None
    #: the MAVLink 2 signing key the simulated drone is given and the session signs with
    signing_key: bytes | None = None


def start_simulator(config: DemoConfig) -> SimProcess:
    """The simulator with the scenario (and its camera), in its own process."""
    sim = SimProcess(
        config.mission,
        config.scenario,
        config.run_dir,
        speedup=config.speedup,
        extra_args=("--ekf-delay", repr(config.ekf_delay_s), "--gps-delay", "5"),
        video_port=(
            free_port(socket.SOCK_DGRAM) if config.video_fps > 0 and not config.sitl else None
        ),
        video_fps=max(1, config.video_fps),
        sitl=config.sitl,
    )
    sim.video_sdp.unlink(missing_ok=True)  # a previous run's file names another port
    return sim.start()


def make_session(
    config: DemoConfig, sim: SimProcess, say: Callable[[str], object] = lambda text: None
) -> LiveSession:
    """The demo's live session against ``sim``, its run directory's manifest written; the
    plan's figure (to show beside the live one) is said with ``say``."""
    mission = load_mission(config.mission)
    geometry = MissionGeometry.of(mission)
    RunManifest(
        mission=config.mission.resolve(),
        scenario=config.scenario.resolve(),
        started_utc=datetime.now(UTC),
        speedup=config.speedup,
        mode=config.mode,
    ).write(config.run_dir)
    return LiveSession(
        geometry,
        SessionConfig(
            connect=sim.connect_url,
            patrol_feed=sim.patrol_url,
            sightings_url=sim.sightings_url,
            video_url=str(sim.video_sdp) if sim.video_port is not None else None,
            detector=config.detector,
            mode=config.mode,  # type: ignore[arg-type]
            run_dir=config.run_dir,
            speedup=config.speedup,
            signing_key=config.signing_key,
            planned_lead_coverage=planned_lead_coverage(mission, config.mode, say),
        ),
    )


async def give_signing_key(config: DemoConfig, sim: SimProcess) -> None:
    """Set the drone up to sign with the demo's key (SETUP_SIGNING), as a crew would
    before the patrol; the session then flies signed. Nothing to do without a key."""
    if config.signing_key is None:
        return
    from overwatch.link import Link
    from overwatch.link.signing import setup_signing

    async with Link(sim.connect_url, heartbeat_hz=0) as link:
        vehicle = await link.wait_vehicle(timeout_s=60)
        await setup_signing(link, vehicle, config.signing_key)
