"""Feed URLs: each scheme builds its feed; a bad URL names itself and the form expected."""

from __future__ import annotations

import pytest

from overwatch.errors import FeedError
from overwatch.feeds import (
    CotTcpFeed,
    CotUdpFeed,
    GpsdFeed,
    NmeaSerialFeed,
    NmeaTcpFeed,
    NmeaUdpFeed,
    open_feed,
)


def test_each_scheme() -> None:
    gpsd = open_feed("gpsd://127.0.0.1")
    assert isinstance(gpsd, GpsdFeed) and (gpsd.host, gpsd.port) == ("127.0.0.1", 2947)
    assert isinstance(open_feed("nmea+udp://0.0.0.0:10110"), NmeaUdpFeed)
    tcp = open_feed("nmea+tcp://gps.local:10110")
    assert isinstance(tcp, NmeaTcpFeed) and (tcp.host, tcp.port) == ("gps.local", 10110)
    serial = open_feed("nmea+serial:///dev/ttyUSB0?baud=9600")
    assert isinstance(serial, NmeaSerialFeed) and (serial.path, serial.baud) == (
        "/dev/ttyUSB0",
        9600,
    )
    assert isinstance(open_feed("nmea+serial:///dev/ttyUSB0"), NmeaSerialFeed)
    cot = open_feed("cot+udp://239.2.3.1:6969?uid=A,B")
    assert isinstance(cot, CotUdpFeed) and cot.uids == {"A", "B"}
    assert isinstance(open_feed("cot+tcp://tak.example:8087"), CotTcpFeed)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://x:1", "unknown scheme 'http'"),
        ("nmea+udp://127.0.0.1", "no port"),
        ("nmea+tcp://:10110", "no host"),
        ("cot+tcp://host:99999", "port is not a number"),
        ("cot+tcp://host:abc", "port is not a number"),
        ("nmea+serial:///dev/ttyUSB0?baud=1234", "baud='1234'"),
        ("nmea+serial://dev/ttyUSB0", "absolute"),
        ("gpsd://host:2947/path", "unexpected path"),
        ("gpsd://host:2947?speed=1", "unknown option"),
        ("nmea+udp//127.0.0.1:1", "unknown scheme"),
    ],
)
def test_bad_urls(url: str, words: str) -> None:
    with pytest.raises(FeedError) as info:
        open_feed(url)
    message = str(info.value)
    assert url in message and words in message and "expected" in message
