"""The scenario's patrol reaches the overwatch side through a real gpsd."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
from datetime import UTC, datetime, timedelta

from overwatch.feeds import open_feed
from overwatch.ops.training import free_port
from simulator.scenario.publish import nmea_fix

GPSD = shutil.which("gpsd") or "/usr/sbin/gpsd"


async def _read_fixes(gpsd_port: int, nmea_port: int, count: int) -> list[tuple[float, float]]:
    feed = open_feed(f"gpsd://127.0.0.1:{gpsd_port}", reconnect_delay_s=0.2)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    got: list[tuple[float, float]] = []

    async def publish() -> None:
        when = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
        for i in range(200):
            data = nmea_fix(when + timedelta(seconds=i), 13.76 + i * 1e-5, 5.21, 272.0, 1.1, 0.0)
            sender.sendto(data, ("127.0.0.1", nmea_port))
            await asyncio.sleep(0.1)

    task = asyncio.create_task(publish())
    try:
        async with asyncio.timeout(15), contextlib.aclosing(feed.fixes()) as fixes:
            async for fix in fixes:
                got.append((fix.lat_deg, fix.lon_deg))
                if len(got) >= count:
                    break
    finally:
        task.cancel()
        sender.close()
    return got


def test_nmea_from_the_scenario_through_gpsd() -> None:
    gpsd_port, nmea_port = free_port(), free_port(socket.SOCK_DGRAM)
    gpsd = subprocess.Popen(
        [GPSD, "-N", "-n", "-b", "-S", str(gpsd_port), f"udp://127.0.0.1:{nmea_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fixes = asyncio.run(_read_fixes(gpsd_port, nmea_port, 5))
    finally:
        gpsd.send_signal(signal.SIGTERM)
        try:
            gpsd.wait(5)
        except subprocess.TimeoutExpired:
            gpsd.kill()
            gpsd.wait(5)
    assert len(fixes) >= 5
    lats = [lat for lat, _ in fixes]
    assert lats == sorted(lats) and all(abs(lon - 5.21) < 1e-6 for _, lon in fixes)
    assert all(13.76 <= lat < 13.762 for lat in lats)
