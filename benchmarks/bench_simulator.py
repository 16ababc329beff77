"""Simulator speed: how far past real time one vehicle runs, and what ten cost at 1×.

- ``speed-up, 1 vehicle with MAVLink``: a vehicle flying a GUIDED leg with a
  ground station connected and every telemetry stream on at 10 Hz, the clock
  asking for far more than it can do; the figure is simulated seconds per
  wall second. Baseline: the bare physics step loop (no MAVLink) in the same
  run. Target ≥ 200× real time.
- ``CPU, 10 vehicles at 1×``: process CPU time over wall time while ten
  vehicles stream telemetry at 4 Hz to ten connected clients. Baseline: one
  vehicle the same way. Target < 50 % of one core.
"""

from __future__ import annotations

import asyncio
import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from benchmarks.harness import Result
from simulator import SimulatedFleet
from simulator.autopilot import Autopilot, VehicleConfig

GROUP = "simulator"
HOME = (13.5, 2.1, 220.0)
DT_S = 0.02


def _flying_autopilot() -> Autopilot:
    ap = Autopilot(VehicleConfig(*HOME, gps_fix_delay_s=0, ekf_gps_delay_s=0, gust_m_s=2.0))
    ap.step(DT_S)
    ap.set_mode(4)
    ap.arm(force=False)
    ap.start_takeoff(30.0)
    return ap


def bare_physics_speedup(wall_s: float) -> float:
    """Simulated seconds per wall second of Autopilot.step alone."""
    ap = _flying_autopilot()
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < wall_s:
        for _ in range(500):
            ap.step(DT_S)
            if steps % 20000 == 0:
                ap.goto((steps // 20000 % 2) * 400.0, 0.0, 30.0)
            steps += 1
        ap.outbox.clear()
    return steps * DT_S / (time.perf_counter() - start)


async def _client(port: int, sysid: int, rate_hz: int, stop: asyncio.Event) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    enc = mav.MAVLink(None, srcSystem=255, srcComponent=190)
    writer.write(mav.MAVLink_request_data_stream_message(sysid, 1, 0, rate_hz, 1).pack(enc))
    received = 0
    while not stop.is_set():
        try:
            data = await asyncio.wait_for(reader.read(65536), 0.2)
        except TimeoutError:
            continue
        if not data:
            break
        received += len(data)
    writer.close()
    return received


async def _mavlink_speedup(wall_s: float) -> float:
    async with SimulatedFleet(
        home=HOME, speedup=1e6, base_port=0, gps_fix_delay_s=0, ekf_gps_delay_s=0, gust_m_s=2.0
    ) as fleet:
        stop = asyncio.Event()
        client = asyncio.create_task(_client(fleet.vehicles[0].tcp_port or 0, 1, 10, stop))
        ap = fleet.vehicles[0].autopilot
        await asyncio.sleep(0.2)
        ap.set_mode(4)
        ap.arm(force=False)
        ap.start_takeoff(30.0)
        t0, sim0 = time.perf_counter(), ap.time_s
        legs = 0
        while time.perf_counter() - t0 < wall_s:
            await asyncio.sleep(0.1)
            if ap.at_target():
                legs += 1
                ap.goto((legs % 2) * 400.0, 0.0, 30.0)
        achieved = (ap.time_s - sim0) / (time.perf_counter() - t0)
        stop.set()
        await client
    return achieved


async def _cpu_share(vehicles: int, wall_s: float) -> float:
    async with SimulatedFleet(
        home=HOME, vehicles=vehicles, speedup=1.0, base_port=0, gps_fix_delay_s=0, ekf_gps_delay_s=0
    ) as fleet:
        stop = asyncio.Event()
        clients = [
            asyncio.create_task(_client(v.tcp_port or 0, v.sysid, 4, stop)) for v in fleet.vehicles
        ]
        for v in fleet.vehicles:
            v.autopilot.step(DT_S)
            v.autopilot.set_mode(4)
            v.autopilot.arm(force=False)
            v.autopilot.start_takeoff(20.0)
        await asyncio.sleep(0.5)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(wall_s)
        share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        stop.set()
        await asyncio.gather(*clients)
    return share


def run(quick: bool) -> list[Result]:
    wall_s = 1.5 if quick else 5.0
    bare = bare_physics_speedup(wall_s)
    with_mavlink = asyncio.run(_mavlink_speedup(wall_s))
    one = asyncio.run(_cpu_share(1, wall_s))
    ten = asyncio.run(_cpu_share(10, wall_s))
    return [
        Result(
            group=GROUP,
            name="speed-up, 1 vehicle with MAVLink",
            value=with_mavlink,
            unit="× real time",
            baseline_name="bare physics step loop",
            baseline_value=bare,
            target="≥ 200× real time",
            ok=with_mavlink >= 200.0,
            note="all telemetry streams at 10 Hz to a connected client",
        ),
        Result(
            group=GROUP,
            name="CPU, 10 vehicles at 1×",
            value=ten * 100.0,
            unit="% of one core",
            baseline_name="1 vehicle at 1×",
            baseline_value=one * 100.0,
            target="< 50 % of one core",
            ok=ten < 0.5,
            note="each vehicle streaming at 4 Hz to its own client",
        ),
    ]


if __name__ == "__main__":
    for r in run(quick=True):
        print(
            f"{r.name}: {r.value:.1f} {r.unit} (baseline {r.baseline_name}: "
            f"{r.baseline_value:.1f}; ratio {r.ratio:.2f}) target {r.target} ok={r.ok}"
        )
