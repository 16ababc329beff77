"""Connections as pymavlink and MAVProxy make them, against real peers on loopback.

A serial telemetry radio is stood in for by socat (a pty whose other end
is the vehicle's TCP port); MAVProxy is a second ground station on an
``--out`` and, in front of Overwatch, the fan-out of one vehicle to several
ground stations. The vehicle is the built-in simulator.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from overwatch.link import Link
from overwatch.link.transports import DEFAULT_BAUD, SerialTransport
from overwatch.ops.training import free_port
from tests.flight.backends import DEFAULT_SPEEDUP, SHORT_ROAD, Backend
from tests.flight.helpers import assert_plan_on_vehicle, ground_station, overwatch_cli, plan_of
from tests.flight.helpers import until as wait_until
from tests.link.tools import MavProxy, socat_radio


def free_udp_port() -> int:
    return free_port(socket.SOCK_DGRAM)


@pytest.fixture
async def builtin(tmp_path: Path) -> AsyncIterator[Backend]:
    started = Backend("builtin", tmp_path, DEFAULT_SPEEDUP["builtin"])
    try:
        yield started
    finally:
        await started.close()


async def test_fly_dry_run_over_a_serial_radio_written_device_comma_baud(
    builtin: Backend, tmp_path: Path
) -> None:
    running = await builtin.start(SHORT_ROAD)
    async with socat_radio(running.proxy.port, tmp_path) as radio:
        done = await overwatch_cli(
            "fly",
            str(SHORT_ROAD),
            "--connect",
            f"{radio},57600",
            "--speedup",
            f"{running.speedup:g}",
            "--dry-run",
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"connecting to {radio},57600" in done.stdout
    assert "dry run" in done.stdout and "not arming" in done.stdout
    async with ground_station(running, ready=False) as (_link, vehicle):
        await assert_plan_on_vehicle(vehicle, plan_of(SHORT_ROAD))


async def test_serial_radio_written_device_colon_baud_and_bare(
    builtin: Backend, tmp_path: Path
) -> None:
    running = await builtin.start(SHORT_ROAD)
    for url, baud in (("{}:57600", 57600), ("{}", DEFAULT_BAUD), ("serial:{},115200", 115200)):
        async with (
            socat_radio(running.proxy.port, tmp_path) as radio,
            Link(url.format(radio), heartbeat_hz=5) as link,
        ):
            assert isinstance(link.transport, SerialTransport)
            assert (link.transport.device, link.transport.baud) == (str(radio), baud)
            vehicle = await link.wait_vehicle(timeout_s=30)
            await vehicle.request_telemetry()
            await vehicle.set_mode("GUIDED")  # a command out, its ack and heartbeat back
            assert vehicle.state.mode == "GUIDED"
            await vehicle.set_mode("STABILIZE")


async def test_mavproxy_on_an_out_shares_the_vehicle_both_ways(
    builtin: Backend, tmp_path: Path
) -> None:
    running = await builtin.start(SHORT_ROAD)
    port = free_udp_port()
    async with (
        Link(running.url, heartbeat_hz=5, outs=[f"udpout:127.0.0.1:{port}"]) as link,
        MavProxy(f"udpin:127.0.0.1:{port}", state_dir=tmp_path, interactive=True) as mavproxy,
    ):
        vehicle = await link.wait_vehicle(timeout_s=30)
        await vehicle.request_telemetry()
        # vehicle → out: MAVProxy hears the vehicle through Overwatch
        await mavproxy.wait_for("Detected vehicle 1:1")
        assert vehicle.state.mode == "STABILIZE"
        # out → vehicle: MAVProxy's command reaches the vehicle, which Overwatch then sees
        mavproxy.command("mode GUIDED")
        await wait_until(lambda: vehicle.state.mode == "GUIDED", 30, "GUIDED set from MAVProxy")
        await mavproxy.wait_for("DO_SET_MODE: ACCEPTED")
        out = link.outs[0]
        assert out.frames_out > 10 and out.frames_in > 0 and out.errors == 0
        # Overwatch's own commands still work beside it
        await vehicle.set_mode("LOITER")
        await mavproxy.wait_for("Mode LOITER")


async def test_a_broken_out_never_takes_the_link_down(builtin: Backend, tmp_path: Path) -> None:
    running = await builtin.start(SHORT_ROAD)
    closed = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    refused_port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    outs = [f"tcp:127.0.0.1:{refused_port}", "tcpin:127.0.0.1:0"]
    async with Link(running.url, heartbeat_hz=5, outs=outs) as link:
        vehicle = await link.wait_vehicle(timeout_s=30)
        refused, server = link.outs
        await wait_until(lambda: refused.errors > 0, 30, "the refused out counted")
        await wait_until(lambda: server.opened, 30, "the tcpin out listening")
        port = server.transport.port  # type: ignore[attr-defined]
        # a ground station connects, sends garbage and a half frame, and hangs up
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await reader.readexactly(1) in (b"\xfd", b"\xfe")  # vehicle frames reach it
        writer.write(b"\x00garbage\xfd\x09\x00")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await vehicle.set_mode("GUIDED")
        assert vehicle.state.mode == "GUIDED" and not link.ended.is_set()
        assert not refused.opened and refused.frames_out == 0


async def test_mavproxy_as_the_fan_out_in_front_of_overwatch(
    builtin: Backend, tmp_path: Path
) -> None:
    running = await builtin.start(SHORT_ROAD)
    ours, theirs = free_udp_port(), free_udp_port()
    async with MavProxy(
        running.url,
        f"udpout:127.0.0.1:{ours}",
        f"udpout:127.0.0.1:{theirs}",
        state_dir=tmp_path,
    ):
        done = await overwatch_cli(
            "fly",
            str(SHORT_ROAD),
            "--connect",
            f"udpin:127.0.0.1:{ours}",
            "--speedup",
            f"{running.speedup:g}",
            "--dry-run",
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "fence: uploaded and verified" in done.stdout
        # the other ground station on MAVProxy's second out hears the same vehicle meanwhile
        async with Link(f"udpin:127.0.0.1:{theirs}", heartbeat_hz=5) as other:
            vehicle = await other.wait_vehicle(timeout_s=30)
            await assert_plan_on_vehicle(vehicle, plan_of(SHORT_ROAD))
