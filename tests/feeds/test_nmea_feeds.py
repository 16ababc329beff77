"""NMEA over real UDP and TCP sockets on 127.0.0.1 and over a pseudo-terminal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

import pytest

from overwatch.feeds import FeedState, GuardConfig, NmeaUdpFeed, open_feed
from overwatch.feeds.nmea import with_checksum
from tests.feeds import nmea_gen
from tests.feeds.helpers import collect, running, tcp_server


async def wait_bound(feed: NmeaUdpFeed) -> int:
    for _ in range(200):
        if feed.bound_port:
            return feed.bound_port
        await asyncio.sleep(0.01)
    raise AssertionError("feed never bound its UDP port")


async def test_udp_feed_decodes_datagrams_and_counts_garbage() -> None:
    feed = open_feed("nmea+udp://127.0.0.1:0")
    assert isinstance(feed, NmeaUdpFeed)
    async with running(feed) as queue:
        port = await wait_bound(feed)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for i in range(5):
                tx.sendto("".join(nmea_gen.epoch(i)).encode(), ("127.0.0.1", port))
                tx.sendto(b"\x00\xff garbage $GPGGA,*ZZ\r\n", ("127.0.0.1", port))
            fixes = [await asyncio.wait_for(queue.get(), 5.0) for _ in range(4)]
            assert feed.status().state is FeedState.LIVE
    assert [f.time_s for f in fixes] == [nmea_gen.unix_time(i) for i in range(4)]
    assert fixes[3].lat_deg == pytest.approx(13.5003, abs=1e-9)
    assert feed.stats.bad >= 4
    assert feed.status().state is FeedState.DOWN


async def test_tcp_feed_reads_lines_split_anywhere_and_reconnects() -> None:
    connections = 0
    text = nmea_gen.log(6).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        # first connection: three epochs in awkward chunks, then hang up
        part = text[: len(text) // 2] if connections == 1 else text[len(text) // 2 :]
        for start in range(0, len(part), 17):
            writer.write(part[start : start + 17])
            await writer.drain()

    async with tcp_server(serve) as port:
        feed = open_feed(f"nmea+tcp://127.0.0.1:{port}", reconnect_delay_s=0.05)
        fixes = await collect(feed, 6)
    assert [f.time_s for f in fixes] == [nmea_gen.unix_time(i) for i in range(6)]
    assert connections == 2 and feed.stats.reconnects == 1
    assert feed.stats.good == 6 and feed.stats.bad == 0


async def test_tcp_feed_rejects_an_impossible_jump() -> None:
    lines = nmea_gen.epoch(0) + nmea_gen.epoch(1)
    # epoch 2 teleports 1 degree north (≈110 km in 1 s)
    lines += [
        with_checksum("GPRMC,120002.00,A,1430.012000,N,00206.000000,E,21.50,0.0,251126,,,A")
        + "\r\n",
        with_checksum("GPGGA,120002.00,1430.012000,N,00206.000000,E,1,08,0.9,250.0,M,0.0,M,,")
        + "\r\n",
        with_checksum("GPVTG,0.0,T,,M,21.50,N,39.82,K,A") + "\r\n",
    ]
    lines += nmea_gen.epoch(3)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write("".join(lines).encode())
        await writer.drain()
        await reader.read()  # hold the line until the client leaves

    async with tcp_server(serve) as port:
        feed = open_feed(f"nmea+tcp://127.0.0.1:{port}", guard=GuardConfig(max_speed_m_s=60.0))
        fixes = await collect(feed, 3)
    assert [f.time_s for f in fixes] == [nmea_gen.unix_time(i) for i in (0, 1, 3)]
    assert feed.stats.rejected_jumps == 1


async def test_tcp_feed_is_down_while_nothing_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused
        feed = open_feed(f"nmea+tcp://127.0.0.1:{port}", reconnect_delay_s=0.02)
        async with running(feed):
            await asyncio.sleep(0.2)
            assert feed.status().state is FeedState.DOWN
            assert feed.stats.reconnects >= 2
            assert feed.last_error is not None and "cannot connect" in feed.last_error


async def test_serial_feed_over_a_pty() -> None:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    try:
        feed = open_feed(f"nmea+serial://{path}?baud=9600")
        async with running(feed) as queue:
            await asyncio.sleep(0.1)
            for i in range(4):
                os.write(master, "".join(nmea_gen.epoch(i)).encode())
                os.write(master, b"$GPGGA,noise*00\r\n")
            fixes = [await asyncio.wait_for(queue.get(), 5.0) for _ in range(3)]
            assert feed.status().state is FeedState.LIVE
    finally:
        with contextlib.suppress(OSError):
            os.close(master)
        with contextlib.suppress(OSError):
            os.close(slave)
    assert [f.time_s for f in fixes] == [nmea_gen.unix_time(i) for i in range(3)]
    assert feed.stats.bad == 3 or feed.stats.bad == 4


async def test_missing_serial_port_keeps_retrying_and_says_which() -> None:
    feed = open_feed("nmea+serial:///dev/overwatch-no-such-tty?baud=4800", reconnect_delay_s=0.02)
    async with running(feed):
        await asyncio.sleep(0.15)
        assert feed.status().state is FeedState.DOWN
        assert feed.last_error is not None and "/dev/overwatch-no-such-tty" in feed.last_error
