"""CoT position reports from ATAK over real UDP (unicast) and TCP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from overwatch.errors import CotError
from overwatch.feeds import CotEvent, CotUdpFeed, FeedState, open_feed
from overwatch.feeds.cot_xml import CotStreamSplitter, parse_cot_event
from tests.feeds.helpers import collect, running, tcp_server
from tests.fuzzing import examples


def atak(uid: str, i: int, cot_type: str = "a-f-G-U-C") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<event version="2.0" uid="{uid}" type="{cot_type}" how="m-g" '
        f'time="2026-11-25T12:00:{i:02d}.000Z" start="2026-11-25T12:00:{i:02d}.000Z" '
        f'stale="2026-11-25T12:01:{i:02d}.000Z">'
        f'<point lat="{13.5 + i * 1e-4:.7f}" lon="2.1234567" hae="300.0" ce="4.9" '
        'le="9999999.0"/>'
        f'<detail><contact callsign="{uid}-cs"/><track course="2.5" speed="11.0"/>'
        "<remarks>seen</remarks></detail></event>"
    ).encode()


def test_parse_event_fields() -> None:
    event = parse_cot_event(atak("ANDROID-7", 3))
    assert event.uid == "ANDROID-7" and event.type == "a-f-G-U-C"
    assert event.lat_deg == pytest.approx(13.5003) and event.lon_deg == 2.1234567
    assert event.hae_m == 300.0 and event.ce_m == 4.9 and event.le_m is None
    assert event.stale_s - event.time_s == 60.0
    assert (event.course_deg, event.speed_m_s) == (2.5, 11.0)
    assert event.callsign == "ANDROID-7-cs" and event.remarks == "seen"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<event", "well-formed"),
        (b'<foo uid="a"/>', "expected <event>"),
        (b'<event type="a-f-G"/>', "no uid"),
        (b'<event uid="x" type="a-f-G" time="2026-11-25T12:00:00Z"/>', "no <point>"),
        (atak("x", 1).replace(b'lat="13.5001000"', b'lat="north"'), "lat="),
        (atak("x", 1).replace(b'lat="13.5001000"', b'lat="95"'), "out of range"),
        (atak("x", 1).replace(b"2026-11-25T12:00:01.000Z", b"yesterday"), "ISO 8601"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><event/>', "DTD"),
    ],
)
def test_bad_events_say_why(data: bytes, words: str) -> None:
    with pytest.raises(CotError, match=words):
        parse_cot_event(data)


def test_stream_splitter_handles_any_chunking_and_overflow() -> None:
    stream = atak("a", 0) + b"\n" + atak("a", 1) + atak("a", 2)
    rng = random.Random(7)
    splitter = CotStreamSplitter()
    out: list[bytes] = []
    pos = 0
    while pos < len(stream):
        step = rng.randint(1, 40)
        out += splitter.feed(stream[pos : pos + step])
        pos += step
    assert [parse_cot_event(m).time_s for m in out] == [
        parse_cot_event(atak("a", i)).time_s for i in range(3)
    ]
    small = CotStreamSplitter(max_bytes=100)
    assert small.feed(b"x" * 200) == [] and small.overflows == 1


async def wait_bound(feed: CotUdpFeed) -> int:
    for _ in range(200):
        if feed.bound_port:
            return feed.bound_port
        await asyncio.sleep(0.01)
    raise AssertionError("CoT feed never bound")


async def test_udp_feed_filters_uid_and_passes_every_event_on() -> None:
    seen: list[CotEvent] = []
    feed = open_feed("cot+udp://127.0.0.1:0?uid=PATROL-1", on_cot_event=seen.append)
    assert isinstance(feed, CotUdpFeed)
    rng = random.Random(99)
    async with running(feed) as queue:
        port = await wait_bound(feed)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for i in range(3):
                tx.sendto(atak("PATROL-1", i), ("127.0.0.1", port))
                tx.sendto(atak("OTHER", i), ("127.0.0.1", port))
                tx.sendto(atak("THREAT", i, "a-h-G"), ("127.0.0.1", port))
                tx.sendto(bytes(rng.getrandbits(8) for _ in range(64)), ("127.0.0.1", port))
            fixes = [await asyncio.wait_for(queue.get(), 5.0) for _ in range(3)]
            assert feed.status().state is FeedState.LIVE
    assert [round(f.lat_deg, 7) for f in fixes] == [13.5, 13.5001, 13.5002]
    assert all(f.source.endswith("#PATROL-1") and f.alt_msl_m is None for f in fixes)
    assert fixes[0].speed_m_s == 11.0 and fixes[0].course_deg == 2.5
    assert feed.stats.bad >= 2
    assert {e.uid for e in seen} >= {"PATROL-1", "OTHER", "THREAT"}


async def test_tcp_feed_from_a_tak_server_stream_in_pieces() -> None:
    events = [atak("ANDROID-1", i) for i in range(5)]
    stream = b"".join(events[:2]) + b"<event>broken</event>\n" + b"".join(events[2:])

    async def tak_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for start in range(0, len(stream), 50):
            writer.write(stream[start : start + 50])
            await writer.drain()
        await reader.read()

    async with tcp_server(tak_server) as port:
        feed = open_feed(f"cot+tcp://127.0.0.1:{port}")
        fixes = await collect(feed, 5)
    assert [round(f.lat_deg, 7) for f in fixes] == [round(13.5 + i * 1e-4, 7) for i in range(5)]
    assert feed.stats.good == 5 and feed.stats.bad == 1


@examples(200)
@given(st.binary(max_size=300))
def test_cot_parser_raises_only_cot_errors(data: bytes) -> None:
    with contextlib.suppress(CotError):
        parse_cot_event(data)


@examples(200)
@given(st.integers(0, len(atak("u", 1)) - 1), st.integers(0, 255))
@example(atak("u", 1).index(b"UTF-8"), ord("A"))  # encoding="ATF-8": LookupError escaped
def test_cot_parser_with_one_byte_changed(position: int, value: int) -> None:
    data = bytearray(atak("u", 1))
    data[position] = value
    try:
        event = parse_cot_event(bytes(data))
    except CotError:
        return
    assert -90.0 <= event.lat_deg <= 90.0 and -180.0 <= event.lon_deg <= 180.0
