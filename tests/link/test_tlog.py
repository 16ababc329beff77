"""tlog: recorded both ways, read by pymavlink's mavlogdump.py, replayed through a transport."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from overwatch.link import Link, events, read_tlog
from overwatch.link.transports import TlogReplayTransport
from tests.link.peer import HOME_LAT_DEG, PeerHost

MAVLOGDUMP = Path(sys.executable).parent / "mavlogdump.py"


async def _record(path: Path) -> None:
    host = PeerHost()
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}", tlog_path=path) as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            await vehicle.request_telemetry({"GLOBAL_POSITION_INT": 20.0, "ATTITUDE": 20.0})
            await vehicle.arm()
            await asyncio.sleep(0.5)
    finally:
        await host.close()


async def test_tlog_is_read_by_mavlogdump(tmp_path: Path) -> None:
    path = tmp_path / "flight.tlog"
    await _record(path)
    records = list(read_tlog(path))
    assert len(records) > 20
    stamps = [stamp for stamp, _ in records]
    assert stamps == sorted(stamps) and abs(stamps[-1] - time.time()) < 60
    dump = subprocess.run(
        [
            sys.executable,
            str(MAVLOGDUMP),
            "--types",
            "COMMAND_LONG,COMMAND_ACK,GLOBAL_POSITION_INT",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = dump.stdout.splitlines()
    assert any("COMMAND_LONG" in line and "command : 400" in line for line in lines)  # ours, out
    assert any("COMMAND_ACK" in line and "result : 0" in line for line in lines)  # theirs, in
    assert sum("GLOBAL_POSITION_INT" in line for line in lines) >= 5


async def test_tlog_replays_through_the_transport(tmp_path: Path) -> None:
    path = tmp_path / "flight.tlog"
    await _record(path)
    duration_s = (lambda r: r[-1][0] - r[0][0])(list(read_tlog(path)))
    assert duration_s > 0.4
    positions: list[events.GlobalPosition] = []
    started = time.perf_counter()
    async with Link(TlogReplayTransport(path, speed=4.0), heartbeat_hz=0) as replay:
        replay.add_listener(
            lambda e: positions.append(e) if isinstance(e, events.GlobalPosition) else None
        )
        await asyncio.wait_for(replay.ended.wait(), 10)
        elapsed_s = time.perf_counter() - started
        vehicle = replay.vehicle(1)
        assert vehicle.state.armed and vehicle.state.heartbeat_seen
    assert len(positions) >= 5
    assert positions[0].lat_deg == pytest.approx(HOME_LAT_DEG, abs=1e-7)
    assert duration_s / 4 * 0.7 < elapsed_s < duration_s / 4 + 1.0  # paced at 4x
    # Our own recorded packets (sysid 255) are not mistaken for a vehicle:
    assert 255 not in replay.vehicles


async def test_tlog_url_replays_as_fast_as_possible(tmp_path: Path) -> None:
    path = tmp_path / "flight.tlog"
    await _record(path)
    async with Link(f"tlog:{path}?speed=0", heartbeat_hz=0) as replay:
        await asyncio.wait_for(replay.ended.wait(), 5)
        assert replay.messages_received > 20
        assert replay.bad_packets == 0


async def test_a_restarted_ground_station_appends_after_a_cut_record(tmp_path: Path) -> None:
    path = tmp_path / "flight.tlog"
    await _record(path)
    first = list(read_tlog(path))
    whole = path.read_bytes()
    path.write_bytes(whole + whole[8:20])  # the power went mid-record: a stamp and a bit
    await _record(path)  # the ground station starts again on the same log
    records = list(read_tlog(path))
    assert len(records) > 2 * len(first) - 5  # the second run's packets are readable
    assert records[: len(first)] == first  # and the first run's are untouched
    # mavlogdump reads it all too
    dump = subprocess.run(
        [sys.executable, str(MAVLOGDUMP), "--types", "HEARTBEAT", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert dump.stdout.count("HEARTBEAT") > 2


def test_a_file_that_is_no_tlog_is_never_appended_to(tmp_path: Path) -> None:
    from overwatch.errors import LinkError
    from overwatch.link.tlog import TlogWriter

    path = tmp_path / "notes.txt"
    path.write_text("route notes\n" * 100)
    with pytest.raises(LinkError, match=r"notes.txt: not a tlog after byte 0 of 1200"):
        TlogWriter(path)
    assert path.read_text() == "route notes\n" * 100
