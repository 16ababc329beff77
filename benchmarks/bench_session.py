"""The live session against the built-in simulator: guidance tick and fix → setpoint latency.

``overwatch sim`` runs the example vehicle patrol scenario in its own process
(at 10× speed, so fixes come at 10 Hz of wall time); a :class:`LiveSession`
takes off and watches it; the figures are taken once it is on station.

* session tick: :meth:`LiveSession.tick` (vehicle state, live coverage, tracker
  forecast, guidance, fence check, setpoint send), called directly while the
  session flies. Baseline: one bare ``vehicle.goto`` (encode + send of a
  SET_POSITION_TARGET_GLOBAL_INT) on the same link. Target: median < 10 ms.
* fix → setpoint: from a patrol fix's arrival on its UDP socket to the
  setpoint it leads to leaving for the vehicle (``LiveSession.fix_to_setpoint_s``).
  Baseline: the same bare ``vehicle.goto``. Target: median < 50 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Result
from overwatch.guidance import GuidanceState
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.training import SimProcess

GROUP = "session"
ROOT = Path(__file__).resolve().parents[1]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"
SPEEDUP = 10.0
TICK_TARGET_S = 0.010
LATENCY_TARGET_S = 0.050


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-session-") as tmp:
        return asyncio.run(_measure(Path(tmp), fixes=15 if quick else 60))


async def _measure(run_dir: Path, fixes: int) -> list[Result]:
    geometry = MissionGeometry.of(load_mission(MISSION))
    sim_args = ("--ekf-delay", "3", "--gps-delay", "1")
    with SimProcess(MISSION, SCENARIO, run_dir, speedup=SPEEDUP, extra_args=sim_args) as sim:
        session = LiveSession(
            geometry,
            SessionConfig(
                connect=sim.connect_url,
                patrol_feed=sim.patrol_url,
                run_dir=run_dir,
                speedup=SPEEDUP,
            ),
        )
        try:
            await session.start()
            vehicle = session.vehicle
            assert vehicle is not None
            await vehicle.wait_ready(timeout_s=60.0)
            while session.tracker.prediction() is None:
                await asyncio.sleep(0.05)
            await _start(session)
            await _until_watching(session)
            session.flight.fix_to_setpoint_s.clear()
            while len(session.flight.fix_to_setpoint_s) < fixes:
                await asyncio.sleep(0.05)
            latencies = list(session.flight.fix_to_setpoint_s)
            ticks = _time_ticks(session, 50 if fixes < 30 else 200)
            goto = _time_goto(session, 200)
        finally:
            await session.close()
    tick_s = statistics.median(ticks)
    latency_s = statistics.median(latencies)
    return [
        Result(
            GROUP,
            "session tick (median)",
            tick_s * 1000.0,
            "ms",
            "bare vehicle.goto send",
            goto * 1000.0,
            f"< {TICK_TARGET_S * 1000:.0f} ms",
            tick_s < TICK_TARGET_S,
            note=f"p95 {_p95(ticks) * 1000:.2f} ms over {len(ticks)} ticks",
        ),
        Result(
            GROUP,
            "patrol fix → setpoint sent (median)",
            latency_s * 1000.0,
            "ms",
            "bare vehicle.goto send",
            goto * 1000.0,
            f"< {LATENCY_TARGET_S * 1000:.0f} ms",
            latency_s < LATENCY_TARGET_S,
            note=f"p95 {_p95(latencies) * 1000:.2f} ms over {len(latencies)} fixes",
        ),
    ]


async def _start(session: LiveSession, timeout_s: float = 60.0) -> None:
    """Take off and start overwatch, retrying while the vehicle refuses to arm."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            await session.commands.start_overwatch()
            return
        except Exception:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.3)


async def _until_watching(session: LiveSession, timeout_s: float = 30.0) -> None:
    """Wait until the drone is on station (so ticks run the whole watch law)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    watching = (GuidanceState.WATCH_AHEAD, GuidanceState.LOITER_AHEAD)
    while loop.time() < deadline:
        cmd = session.last_command
        if cmd is not None and cmd.state in watching:
            return
        await asyncio.sleep(0.05)


def _time_ticks(session: LiveSession, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        session.tick()
        samples.append(time.perf_counter() - start)
    return samples


def _time_goto(session: LiveSession, n: int) -> float:
    vehicle = session.vehicle
    assert vehicle is not None
    cmd = session.last_command
    lat, lon, alt = (cmd.lat_deg, cmd.lon_deg, cmd.alt_rel_m) if cmd else (13.77, 5.21, 80.0)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        vehicle.goto(lat, lon, alt)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
