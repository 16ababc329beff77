"""End to end against the built-in simulator (``python -m simulator``), over TCP like SITL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from overwatch.items import Cmd, Frame, MissionItem, home_placeholder
from overwatch.link import Link

REPO = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def simulator(*extra: str) -> AsyncIterator[str]:
    """Start the simulator on a free port; yield its URL; stop it (by its PID) afterwards."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--base-port",
        "0",
        "--speedup",
        "10",
        "--gps-delay",
        "1",
        "--ekf-delay",
        "2",
        *extra,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert line.startswith("vehicle 1: tcp:"), line
        yield line.split(": ", 1)[1].strip()
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


def _mission() -> list[MissionItem]:
    items = [
        home_placeholder(),
        MissionItem(Cmd.NAV_TAKEOFF, Frame.GLOBAL_RELATIVE_ALT_INT, alt_m=20),
    ]
    items += [
        MissionItem(
            Cmd.NAV_WAYPOINT,
            Frame.GLOBAL_RELATIVE_ALT_INT,
            lat_deg=13.5 + i * 1e-3,
            lon_deg=2.1,
            alt_m=30,
        )
        for i in range(8)
    ]
    return [*items, MissionItem(Cmd.NAV_RETURN_TO_LAUNCH, Frame.MISSION)]


async def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.05)


async def test_fly_a_guided_takeoff_on_the_simulator() -> None:
    async with simulator() as url, Link(url) as link:
        vehicle = await link.wait_vehicle(timeout_s=10)
        accepted = await vehicle.request_telemetry()
        assert accepted["GLOBAL_POSITION_INT"]
        await vehicle.wait_ready(timeout_s=30)
        assert vehicle.state.gps_fix_type is not None and vehicle.state.gps_fix_type >= 3
        assert await vehicle.params.resolve("SYSID_THISMAV") == "SYSID_THISMAV"
        await vehicle.mission.upload(_mission())  # verified by download
        await vehicle.set_mode("GUIDED")
        await vehicle.arm()
        await vehicle.takeoff(20)
        await _until(lambda: (vehicle.state.alt_rel_m or 0) > 15, 20)
        assert vehicle.state.armed and vehicle.state.mode == "GUIDED"
        await vehicle.rtl()
        await _until(lambda: vehicle.state.mode == "RTL", 5)


async def test_mission_upload_survives_the_simulators_30_percent_loss() -> None:
    async with simulator("--loss", "30", "--seed", "3") as url, Link(url) as link:
        vehicle = await link.wait_vehicle(timeout_s=10)
        vehicle.mission.item_timeout_s = 0.15
        await vehicle.mission.upload(_mission())  # verified by download
        values = await vehicle.params.fetch_all(quiet_s=0.3)
        assert vehicle.params.complete and values["SYSID_THISMAV"] == 1
        assert await vehicle.params.resolve("MAV_SYSID") == "SYSID_THISMAV"  # from the cache
