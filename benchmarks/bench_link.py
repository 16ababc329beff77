"""MAVLink link layer: decode throughput and command round-trip latency.

* decode: a captured telemetry stream pushed through ``Link.receive`` (pymavlink
  parse, typed events, vehicle state, subscribers) against raw pymavlink
  ``parse_buffer`` on the same bytes, in the same read-sized chunks.
* command latency: ``COMMAND_LONG`` → ``COMMAND_ACK`` against the scripted peer
  on loopback TCP, against a raw TCP echo round trip measured in this run.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from benchmarks.harness import Result
from overwatch.link import Link, events
from overwatch.link.transports import TlogReplayTransport

GROUP = "link"
CHUNK = 4096  # bytes per read, like a socket


class _Collect:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, packet: bytes) -> None:
        self.data += packet


def capture(messages: int) -> bytes:
    """A telemetry stream as ArduCopter sends it (mix of rates), ``messages`` packets long."""
    sink = _Collect()
    mav = mavlink.MAVLink(sink, srcSystem=1, srcComponent=1)
    mix: list[Any] = [
        lambda i: mav.attitude_send(i, 0.01, -0.02, 1.5, 0.0, 0.0, 0.1),
        lambda i: mav.global_position_int_send(
            i, 135123456 + i, 21098765, 232000, 12000, 150, -250, 50, 9050
        ),
        lambda i: mav.attitude_send(i, 0.01, -0.02, 1.5, 0.0, 0.0, 0.1),
        lambda i: mav.vfr_hud_send(0.0, 2.9, 90, 45, 232.0, 0.5),
        lambda i: mav.attitude_send(i, 0.01, -0.02, 1.5, 0.0, 0.0, 0.1),
        lambda i: mav.global_position_int_send(
            i, 135123456 + i, 21098765, 232000, 12000, 150, -250, 50, 9050
        ),
        lambda i: mav.gps_raw_int_send(i, 3, 135123456, 21098765, 220000, 87, 120, 295, 9050, 14),
        lambda i: mav.sys_status_send(0, 0, 0, 500, 15800, 1234, 76, 0, 0, 0, 0, 0, 0),
        lambda i: mav.heartbeat_send(2, 3, 217, 4, 4),
        lambda i: mav.ekf_status_report_send(0x3FF, 0.1, 0.1, 0.1, 0.1, 0.0),
    ]
    for i in range(messages):
        mix[i % len(mix)](i)
    return bytes(sink.data)


def _chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _raw_pymavlink(chunks: list[bytes]) -> int:
    parser = mavlink.MAVLink(None)
    count = 0
    for chunk in chunks:
        count += len(parser.parse_buffer(chunk) or ())
    return count


def _through_link(chunks: list[bytes]) -> int:
    link = Link(TlogReplayTransport("unused.tlog"), heartbeat_hz=0)  # never opened
    link.add_listener(lambda e: None)  # one subscriber, as a UI would have
    for chunk in chunks:
        link.receive(chunk, 0.0)
    return link.messages_received


def _best_rates(chunks: list[bytes], expected: int, repeat: int) -> tuple[float, float]:
    """Best msg/s of raw pymavlink and of the link, runs interleaved so load hits both alike."""
    best_s = {_raw_pymavlink: math.inf, _through_link: math.inf}
    for _ in range(repeat):
        for fn in best_s:
            started = time.process_time()  # CPU time: other processes' load does not count
            got = fn(chunks)
            best_s[fn] = min(best_s[fn], time.process_time() - started)
            if got != expected:
                raise RuntimeError(f"{fn.__name__} decoded {got} of {expected} messages")
    return expected / best_s[_raw_pymavlink], expected / best_s[_through_link]


def bench_decode(quick: bool) -> Result:
    messages = 5_000 if quick else 50_000
    chunks = _chunks(capture(messages))
    repeat = 5 if quick else 9
    _through_link(chunks[:10])  # warm imports and caches
    raw, ours = _best_rates(chunks, messages, repeat)
    return Result(
        group=GROUP,
        name="decode throughput (typed events + state)",
        value=ours,
        unit="msg/s",
        baseline_name="pymavlink parse_buffer",
        baseline_value=raw,
        target="ratio ≥ 0.8",
        ok=ours / raw >= 0.8,
        note=f"{messages} messages, {CHUNK}-byte reads, best CPU time of {repeat}",
    )


async def _echo_round_trips_ms(count: int) -> list[float]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(4096):
            writer.write(data)
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = bytes(45)  # the size of a COMMAND_LONG packet
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        writer.write(payload)
        await reader.readexactly(len(payload))
        samples.append((time.perf_counter() - started) * 1e3)
    writer.close()
    server.close()
    await server.wait_closed()
    return samples


async def _command_round_trips_ms(count: int) -> list[float]:
    from tests.link.peer import PeerHost, ScriptedVehicle  # the scripted vehicle of the tests

    host = PeerHost(ScriptedVehicle(heartbeat_hz=1))
    samples = []
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}") as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            for _ in range(count):
                started = time.perf_counter()
                ack = await vehicle.commands.long("bench", mavlink.MAV_CMD_DO_SET_ROI_NONE)
                samples.append((time.perf_counter() - started) * 1e3)
                assert isinstance(ack, events.CommandAck)
    finally:
        await host.close()
    return samples


def bench_command_latency(quick: bool) -> Result:
    count = 100 if quick else 1000

    async def both() -> tuple[list[float], list[float]]:
        return await _echo_round_trips_ms(count), await _command_round_trips_ms(count)

    echo_ms, command_ms = asyncio.run(both())
    median_ms = statistics.median(command_ms)
    return Result(
        group=GROUP,
        name="command round trip (COMMAND_LONG→ACK, loopback TCP)",
        value=median_ms,
        unit="ms",
        baseline_name="raw TCP echo",
        baseline_value=statistics.median(echo_ms),
        target="median < 5 ms",
        ok=median_ms < 5.0,
        note=f"{count} commands; p95 {statistics.quantiles(command_ms, n=20)[-1]:.3g} ms",
    )


def run(quick: bool) -> list[Result]:
    return [bench_decode(quick), bench_command_latency(quick)]
