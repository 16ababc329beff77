"""Every feed loop survives whatever arrives, over real loopback sockets (and a pty).

One feed runs for the whole test on a loop of its own (tests/fuzzing.py's
LoopThread); each hypothesis example sends it a malformed message (random
bytes, truncated, one byte changed, oversize, bad checksum) and then a good
one, and asserts that the good one comes through as a fix and that the feed
counted the bad one. ``just fuzz`` runs the same tests with more examples.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import socket
from collections.abc import Callable, Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from overwatch.feeds import Feed, PatrolFix, open_feed
from overwatch.feeds.cot_in import CotTcpFeed, CotUdpFeed
from overwatch.feeds.nmea import with_checksum
from overwatch.feeds.nmea_feed import NmeaUdpFeed
from overwatch.feeds.takv1 import MAX_MESSAGE_BYTES, mesh_frame, stream_frame
from tests.feeds.test_fuzz_parsers import GOOD_TAK, GOOD_XML, tak_message
from tests.fuzzing import LoopThread, examples, mutations

BASE_S = 1_795_000_000  # 2026-11-16, UNIX seconds
_clock = itertools.count(1)


def cot_xml(t: int, uid: str = "P1") -> bytes:
    stamp = _iso(t)
    return (
        f'<event version="2.0" uid="{uid}" type="a-f-G-U-C" how="m-g" time="{stamp}" '
        f'start="{stamp}" stale="{_iso(t + 60)}"><point lat="13.5" lon="2.1" hae="0" '
        'ce="5" le="9999999"/></event>'
    ).encode()


def _iso(t: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(BASE_S + t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def nmea_epoch(t: int) -> list[bytes]:
    import datetime as dt

    stamp = dt.datetime.fromtimestamp(BASE_S + t, dt.UTC)
    hms, dmy = stamp.strftime("%H%M%S.00"), stamp.strftime("%d%m%y")
    return [
        with_checksum(f"GPRMC,{hms},A,1330.0000,N,00206.0000,E,5.0,90.0,{dmy},,,A").encode(),
        with_checksum(f"GPGGA,{hms},1330.0000,N,00206.0000,E,1,08,0.9,250.0,M,0.0,M,,").encode(),
    ]


def tpv(t: int) -> bytes:
    report = {"class": "TPV", "mode": 3, "time": _iso(t), "lat": 13.5, "lon": 2.1}
    return json.dumps(report).encode()


class Running:
    """A feed's decoded fixes pumped into a queue on the loop thread.

    The fixes are taken before the feed's guard: a mutation that happens to be
    a valid fix far in the future would otherwise make every later good fix
    "out of order", which is the guard's business (tests/feeds/test_guard.py),
    not the loop's.
    """

    def __init__(self, loop: LoopThread, feed: Feed) -> None:
        self.loop, self.feed = loop, feed
        self.queue: asyncio.Queue[PatrolFix] = asyncio.Queue()

        async def start() -> asyncio.Task[None]:
            async def pump() -> None:
                async with contextlib.aclosing(feed._raw_fixes()) as fixes:  # type: ignore[type-var]
                    async for fix in fixes:
                        self.queue.put_nowait(fix)

            return asyncio.create_task(pump())

        self.task = loop.run(start())

    def next_fix_at(self, time_s: float) -> PatrolFix:
        """Wait for the fix stamped ``time_s`` (earlier ones are skipped)."""

        async def wait() -> PatrolFix:
            while True:
                fix = await asyncio.wait_for(self.queue.get(), 10.0)
                if fix.time_s >= time_s:
                    return fix

        return self.loop.run(wait())

    def alive(self) -> bool:
        return not self.task.done()


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def wait_until(loop: LoopThread, ready: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not ready():
            await asyncio.sleep(0.01)

    loop.run(poll())


# -- UDP: one datagram, one message ---------------------------------------------------------


@pytest.fixture(scope="module")
def cot_udp(loop: LoopThread) -> Iterator[tuple[Running, socket.socket]]:
    feed = open_feed("cot+udp://127.0.0.1:0?uid=P1")
    assert isinstance(feed, CotUdpFeed)
    running = Running(loop, feed)
    wait_until(loop, lambda: feed.bound_port is not None)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        tx.connect(("127.0.0.1", feed.bound_port or 0))
        yield running, tx
    assert running.alive()


bad_cot = st.one_of(
    mutations(GOOD_XML, oversize_to=MAX_MESSAGE_BYTES),
    mutations(mesh_frame(GOOD_TAK), oversize_to=MAX_MESSAGE_BYTES),
)


@examples(30, share=0.01)
@given(bad=bad_cot, tak=st.booleans())
def test_cot_udp_feed_survives_and_the_next_good_message_gets_through(
    cot_udp: tuple[Running, socket.socket], bad: bytes, tak: bool
) -> None:
    running, tx = cot_udp
    bad_before = running.feed.stats.bad
    t = next(_clock)
    tx.send(bad[:65000])
    good = mesh_frame(tak_message("P1", 13.5, 2.1, (BASE_S + t) * 1000, (BASE_S + t + 60) * 1000))
    tx.send(good if tak else cot_xml(t))
    fix = running.next_fix_at(BASE_S + t)
    assert fix.time_s == BASE_S + t and fix.lat_deg == 13.5
    assert running.alive()
    assert running.feed.stats.bad >= bad_before  # counted when it was malformed
    status = running.feed.status()
    assert status.bad == running.feed.stats.bad


@pytest.fixture(scope="module")
def nmea_udp(loop: LoopThread) -> Iterator[tuple[Running, socket.socket]]:
    feed = open_feed("nmea+udp://127.0.0.1:0")
    assert isinstance(feed, NmeaUdpFeed)
    running = Running(loop, feed)
    wait_until(loop, lambda: feed.bound_port is not None)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        tx.connect(("127.0.0.1", feed.bound_port or 0))
        yield running, tx
    assert running.alive()


def bad_nmea_line() -> st.SearchStrategy[bytes]:
    good = nmea_epoch(0)[1]
    wrong_sum = good[:-2] + b"00" if not good.endswith(b"00") else good[:-2] + b"11"
    return st.one_of(mutations(good, oversize_to=5000), st.just(wrong_sum))


@examples(30, share=0.01)
@given(bad=bad_nmea_line())
def test_nmea_udp_feed_survives_and_the_next_good_epoch_gets_through(
    nmea_udp: tuple[Running, socket.socket], bad: bytes
) -> None:
    running, tx = nmea_udp
    t = next(_clock)
    tx.send(bad[:65000])
    for _ in range(2):  # the assembler learns the receiver's pattern from whole epochs
        tx.send(b"\r\n".join(nmea_epoch(t)) + b"\r\n")
        t = next(_clock)
    tx.send(b"\r\n".join(nmea_epoch(t)) + b"\r\n")
    fix = running.next_fix_at(BASE_S + t - 1)
    assert fix.lat_deg == 13.5 and running.alive()


# -- TCP streams: the server is ours, on the wire --------------------------------------------


class StreamPeer:
    """A TCP server on 127.0.0.1 whose one client gets whatever ``send`` is given."""

    def __init__(self, loop: LoopThread, greeting_check: Callable[[bytes], None] | None = None):
        self.loop = loop
        self.writers: list[asyncio.StreamWriter] = []

        async def start() -> asyncio.Server:
            async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self.writers.append(writer)
                with contextlib.suppress(OSError):
                    await reader.read()

            return await asyncio.start_server(on_client, "127.0.0.1", 0)

        self.server = loop.run(start())
        self.port = int(self.server.sockets[0].getsockname()[1])

    def send(self, data: bytes) -> None:
        async def write() -> None:
            while not self.writers:
                await asyncio.sleep(0.01)
            self.writers[-1].write(data)
            await self.writers[-1].drain()

        self.loop.run(write())

    def close(self) -> None:
        async def stop() -> None:
            for writer in self.writers:
                writer.close()
            self.server.close()
            await self.server.wait_closed()

        self.loop.run(stop())


@contextlib.contextmanager
def stream_feed(loop: LoopThread, url: str) -> Iterator[tuple[Running, StreamPeer]]:
    peer = StreamPeer(loop)
    running = Running(loop, open_feed(url.format(port=peer.port), reconnect_delay_s=0.05))
    try:
        yield running, peer
        assert running.alive()
    finally:
        running.task.cancel()
        peer.close()


@pytest.fixture(scope="module")
def cot_tcp(loop: LoopThread) -> Iterator[tuple[Running, StreamPeer]]:
    with stream_feed(loop, "cot+tcp://127.0.0.1:{port}?uid=P1") as pair:
        assert isinstance(pair[0].feed, CotTcpFeed)
        yield pair


@examples(30, share=0.01)
@given(bad=bad_cot, tak=st.booleans())
@example(bad=b"<", tak=True)  # the stray "<" swallowed the TAK frame after it
def test_cot_tcp_feed_survives_and_the_next_good_message_gets_through(
    cot_tcp: tuple[Running, StreamPeer], bad: bytes, tak: bool
) -> None:
    running, peer = cot_tcp
    t = next(_clock)
    good = cot_xml(t)
    if tak:  # a TAK protocol v1 stream frame, as a server sends once protobuf is agreed
        ms = (BASE_S + t) * 1000
        good = stream_frame(tak_message("P1", 13.5, 2.1, ms, ms + 60_000))
    # a stray 0xbf may announce a frame longer than what follows: the padding completes it
    padding = b" " * (MAX_MESSAGE_BYTES + 8) if b"\xbf" in bad else b""
    bad = bytes(bad)
    peer.send(bad + b"\n" + good + padding + b"\n" + cot_xml(t + 1))
    next(_clock)
    fix = running.next_fix_at(BASE_S + t)
    assert fix.time_s == BASE_S + t and running.alive()


@pytest.fixture(scope="module")
def nmea_tcp(loop: LoopThread) -> Iterator[tuple[Running, StreamPeer]]:
    with stream_feed(loop, "nmea+tcp://127.0.0.1:{port}") as pair:
        yield pair


@examples(30, share=0.01)
@given(bad=bad_nmea_line())
def test_nmea_tcp_feed_survives_and_the_next_good_epoch_gets_through(
    nmea_tcp: tuple[Running, StreamPeer], bad: bytes
) -> None:
    running, peer = nmea_tcp
    t = next(_clock)
    lines = [bad]
    for _ in range(3):
        lines += nmea_epoch(t)
        t = next(_clock)
    peer.send(b"\r\n".join(lines) + b"\r\n")
    fix = running.next_fix_at(BASE_S + t - 2)
    assert fix.lat_deg == 13.5 and running.alive()


@pytest.fixture(scope="module")
def gpsd_tcp(loop: LoopThread) -> Iterator[tuple[Running, StreamPeer]]:
    with stream_feed(loop, "gpsd://127.0.0.1:{port}") as pair:
        yield pair


@examples(30, share=0.01)
@given(bad=mutations(tpv(0), oversize_to=5000))
def test_gpsd_feed_survives_and_the_next_good_report_gets_through(
    gpsd_tcp: tuple[Running, StreamPeer], bad: bytes
) -> None:
    running, peer = gpsd_tcp
    t = next(_clock)
    peer.send(bad + b"\n" + tpv(t) + b"\n")
    fix = running.next_fix_at(BASE_S + t)
    assert fix.time_s == BASE_S + t and running.alive()


# -- a serial port: a real pty ----------------------------------------------------------------


@pytest.fixture(scope="module")
def nmea_serial(loop: LoopThread) -> Iterator[tuple[Running, int]]:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    feed = open_feed(f"nmea+serial://{path}?baud=9600", reconnect_delay_s=0.05)
    running = Running(loop, feed)
    wait_until(loop, lambda: feed.guard.connected)
    try:
        yield running, master
        assert running.alive()
    finally:
        running.task.cancel()
        loop.run(asyncio.sleep(0.05))
        os.close(master)
        os.close(slave)


@examples(20, share=0.005)
@given(bad=bad_nmea_line())
def test_nmea_serial_feed_survives_and_the_next_good_epoch_gets_through(
    nmea_serial: tuple[Running, int], bad: bytes
) -> None:
    running, master = nmea_serial
    t = next(_clock)
    lines = [bad[:3000]]
    for _ in range(3):
        lines += nmea_epoch(t)
        t = next(_clock)
    os.write(master, b"\r\n".join(lines) + b"\r\n")
    fix = running.next_fix_at(BASE_S + t - 2)
    assert fix.lat_deg == 13.5 and running.alive()
