"""gpsd JSON feed: against Debian's real gpsd driven by gpsfake, and reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from overwatch.feeds import FeedState, GpsdFeed, open_feed
from tests.feeds import nmea_gen
from tests.feeds.helpers import collect, free_port, tcp_server

GPSFAKE = shutil.which("gpsfake") or "/usr/bin/gpsfake"


@contextlib.contextmanager
def gpsfake(log: Path) -> Iterator[int]:
    """Run ``gpsfake`` (with its own gpsd) on a free port; yields the port.

    gpsfake is started in its own process group, which is ended by its id.
    """
    assert os.path.exists(GPSFAKE), "install Debian's gpsd and gpsd-clients (apt-get)"
    port = free_port()
    proc = subprocess.Popen(
        # the system python3 (with python3-gps) runs gpsfake via its #! line
        [GPSFAKE, "-P", str(port), "-1", "-c", "0.03", "-q", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10.0
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise AssertionError(f"gpsfake did not start on port {port}: {err}")
            time.sleep(0.05)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5.0)
        if proc.stderr:
            proc.stderr.close()
        # gpsfake's gpsd leaves its control socket behind when ended by a signal
        Path(f"/tmp/gpsfake-{proc.pid}.sock").unlink(missing_ok=True)


async def test_real_gpsd_via_gpsfake(tmp_path: Path) -> None:
    log = tmp_path / "patrol.nmea"
    log.write_text(nmea_gen.log(120, kinds=("RMC", "GGA")))
    with gpsfake(log) as port:
        feed = open_feed(f"gpsd://127.0.0.1:{port}")
        assert isinstance(feed, GpsdFeed)
        fixes = await collect(feed, 6, timeout_s=20.0)
    # gpsd may swallow the first epochs while it identifies the device; the rest
    # must be the log's epochs, in order, one second apart
    dated = [f for f in fixes if f.time_s >= nmea_gen.unix_time(0)]
    assert len(dated) >= 5
    for fix in dated:
        i = round(fix.time_s - nmea_gen.unix_time(0))
        assert fix.time_s == pytest.approx(nmea_gen.unix_time(i), abs=1e-3)
        assert fix.lat_deg == pytest.approx(13.5 + i * 1e-4, abs=1e-7)
        assert fix.lon_deg == pytest.approx(2.1, abs=1e-7)
        assert fix.alt_msl_m is None or fix.alt_msl_m == pytest.approx(250.0)  # 2D then 3D
        assert fix.speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.02)
        assert fix.source == f"gpsd://127.0.0.1:{port}"
    # gpsd may report an epoch twice (2D from RMC, then 3D once GGA adds altitude)
    steps = [round(b.time_s - a.time_s, 3) for a, b in itertools.pairwise(dated)]
    assert set(steps) <= {0.0, 1.0} and steps.count(1.0) >= 3, steps


def tpv(i: int, mode: int = 3) -> bytes:
    report = {
        "class": "TPV",
        "mode": mode,
        "time": f"2026-11-25T12:00:{i:02d}.000Z",
        "lat": 13.5 + i * 1e-4,
        "lon": 2.1,
        "altMSL": 251.5,
        "speed": 11.0,
        "track": 3.0,
    }
    return json.dumps(report).encode() + b"\n"


async def test_gpsd_reconnects_sends_watch_and_skips_bad_reports() -> None:
    commands: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        commands.append(await reader.readline())
        writer.write(b'{"class":"VERSION","release":"3.22"}\n')
        writer.write(b'{"class":"SKY","hdop":1.4}\n')
        if len(commands) == 1:
            writer.write(tpv(0) + tpv(1, mode=1) + b"{not json\n" + b'{"class":"TPV","mode":3}\n')
            writer.write(b'{"class":"TPV","mode":2,"lat":"x","lon":2}\n' + tpv(1))
            await writer.drain()
            return  # hang up: the feed must come back
        writer.write(tpv(2) + tpv(3))
        await writer.drain()
        await reader.read()

    async with tcp_server(serve) as port:
        feed = GpsdFeed(f"gpsd://127.0.0.1:{port}", "127.0.0.1", port, reconnect_delay_s=0.05)
        fixes = await collect(feed, 4)
    assert commands == [b'?WATCH={"enable":true,"json":true}\n'] * 2
    assert [f.lat_deg for f in fixes] == pytest.approx([13.5 + i * 1e-4 for i in range(4)])
    assert all(f.hdop == 1.4 and f.alt_msl_m == 251.5 and f.course_deg == 3.0 for f in fixes)
    assert feed.stats.reconnects == 1
    assert feed.stats.no_fix == 2  # mode 1, and mode 3 without a position
    assert feed.stats.bad == 2  # "{not json" and lat "x"
    assert feed.status().state is FeedState.DOWN
