"""CoT out: XML decoded with xml.etree, sent over real UDP/TCP listeners on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import warnings
import xml.etree.ElementTree as ET

import pytest

from overwatch.errors import FeedError
from overwatch.feeds import (
    CotTcpSender,
    CotUdpSender,
    SensorView,
    cue_event,
    drone_event,
    footprint_event,
    parse_cot_event,
    patrol_event,
)
from overwatch.feeds.cot_out import XML_DECLARATION
from tests.feeds.helpers import tcp_server

NOW_S = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC).timestamp()


def decode(framed: bytes) -> ET.Element:
    head, _, body = framed.partition(b"\n")
    assert head == XML_DECLARATION
    return ET.fromstring(body)


def decimals(text: str) -> int:
    return len(text.split(".")[1])


def iso(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_framing_matches_pytak() -> None:
    with warnings.catch_warnings():  # pytak warns about optional extras at import
        warnings.simplefilter("ignore")
        import pytak
    assert pytak.DEFAULT_XML_DECLARATION == XML_DECLARATION
    framed = patrol_event("P1", 13.5, 2.1, now_s=NOW_S)
    element = decode(framed)
    # pytak's own serializer gives the same bytes for the same element
    assert pytak.serialize_cot(element) == framed
    stamp = element.get("time")
    assert stamp is not None
    parsed = dt.datetime.strptime(stamp, pytak.W3C_XML_DATETIME)
    assert parsed.replace(tzinfo=dt.UTC).timestamp() == NOW_S


def test_drone_event_with_sensor_and_video() -> None:
    framed = drone_event(
        "ow1",
        13.123456789,
        2.987654321,
        412.3,
        course_deg=370.0,
        speed_m_s=12.0,
        sensor=SensorView(90.0, -45.0, 60.0, 40.0, 300.0),
        video_url="rtsp://10.0.0.5:8554/cam",
        now_s=NOW_S,
        stale_s=15.0,
    )
    event = decode(framed)
    assert event.get("type") == "a-f-A-M-H-Q" and event.get("uid") == "overwatch-uav-ow1"
    point = event.find("point")
    assert point is not None
    lat, lon = point.get("lat", ""), point.get("lon", "")
    assert decimals(lat) >= 6 and decimals(lon) >= 6
    assert float(lat) == pytest.approx(13.123456789, abs=1e-7)
    assert float(lon) == pytest.approx(2.987654321, abs=1e-7)
    assert float(point.get("hae", "")) == pytest.approx(412.3)
    assert iso(event.get("time", "")) == NOW_S == iso(event.get("start", ""))
    assert iso(event.get("stale", "")) == NOW_S + 15.0
    track = event.find("detail/track")
    assert track is not None and track.get("course") == "10.0" and track.get("speed") == "12.00"
    sensor = event.find("detail/sensor")
    assert sensor is not None and sensor.get("azimuth") == "90.0" and sensor.get("fov") == "60.0"
    video = event.find("detail/__video")
    assert video is not None and video.get("url") == "rtsp://10.0.0.5:8554/cam"
    # our own CoT reader takes it back
    back = parse_cot_event(framed)
    assert back.uid == "overwatch-uav-ow1" and back.stale_s - back.time_s == 15.0


def test_footprint_polygon_is_closed_and_precise() -> None:
    corners = [(13.5000001, 2.1000001), (13.5010002, 2.1000003), (13.5010004, 2.1010005)]
    event = decode(footprint_event("ow1", corners, now_s=NOW_S))
    assert event.get("type") == "u-d-f" and event.get("uid") == "overwatch-footprint-ow1"
    links = [link.get("point", "") for link in event.findall("detail/link")]
    assert len(links) == 4 and links[0] == links[-1]
    for text, (lat, lon) in zip(links, [*corners, corners[0]], strict=True):
        lat_text, lon_text = text.split(",")
        assert decimals(lat_text) >= 6 and float(lat_text) == pytest.approx(lat, abs=1e-7)
        assert float(lon_text) == pytest.approx(lon, abs=1e-7)
    with pytest.raises(ValueError, match="3 or more"):
        footprint_event("ow1", corners[:2])


def test_patrol_and_cue_events() -> None:
    patrol = decode(patrol_event("alpha", 13.5, 2.1, now_s=NOW_S))
    assert patrol.get("type") == "a-f-G-U-C" and patrol.get("uid") == "overwatch-patrol-alpha"
    assert iso(patrol.get("stale", "")) == NOW_S + 30.0
    hostile = decode(
        cue_event(
            "cue-0007", 13.6, 2.2, hostile=True, remarks="vehicle, 0.80", sigma_m=12, now_s=NOW_S
        )
    )
    unknown = decode(cue_event("cue-0008", 13.6, 2.2, hostile=False, remarks="?", now_s=NOW_S))
    assert hostile.get("type") == "a-h-G" and unknown.get("type") == "a-u-G"
    assert hostile.get("uid") == "overwatch-cue-cue-0007"
    assert hostile.findtext("detail/remarks") == "vehicle, 0.80"
    point = hostile.find("point")
    assert point is not None and point.get("ce") == "12.0" and point.get("lat") == "13.6000000"
    # the uid is stable: the same cue sent later updates the same marker
    later = decode(cue_event("cue-0007", 13.61, 2.2, hostile=True, remarks="", now_s=NOW_S + 60))
    assert later.get("uid") == hostile.get("uid")


async def test_udp_sender_to_a_unicast_listener() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(5.0)
        port = listener.getsockname()[1]
        async with CotUdpSender("127.0.0.1", port) as sender:
            await sender.send(patrol_event("alpha", 13.5, 2.1))
            await sender.send(drone_event("ow1", 13.51, 2.11, 400.0))
        got = [listener.recv(65536) for _ in range(2)]
    assert [decode(g).get("type") for g in got] == ["a-f-G-U-C", "a-f-A-M-H-Q"]
    assert sender.sent == 2


async def test_tcp_sender_streams_to_a_server_and_reconnects() -> None:
    received: list[bytes] = []
    connections = 0

    async def tak(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        received.append(await reader.read())

    async with tcp_server(tak) as port:
        sender = CotTcpSender("127.0.0.1", port)
        for i in range(3):
            await sender.send(cue_event(f"c{i}", 13.5, 2.1, hostile=True, remarks=str(i)))
        await sender.aclose()
        await sender.send(cue_event("c3", 13.5, 2.1, hostile=False, remarks="3"))
        await sender.aclose()
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.02)
    stream = b"".join(received)
    uids = [parse_cot_event(part + b"</event>").uid for part in stream.split(b"</event>")[:-1]]
    assert uids == [f"overwatch-cue-c{i}" for i in range(4)]
    assert connections == 2 and sender.sent == 4


async def test_tcp_sender_says_where_it_could_not_send() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        sender = CotTcpSender("127.0.0.1", port, timeout_s=1.0)
        with pytest.raises(FeedError, match=f"tcp://127.0.0.1:{port}"):
            await sender.send(patrol_event("alpha", 13.5, 2.1))
