"""Feed URLs → feed objects.

========================================  ==========================================
``gpsd://HOST[:PORT]``                    gpsd JSON (port 2947 by default)
``nmea+udp://HOST:PORT``                  NMEA datagrams, listening on HOST:PORT
``nmea+tcp://HOST:PORT``                  NMEA from a TCP server
``nmea+serial:///dev/ttyUSB0?baud=4800``  NMEA from a serial port (4800 baud default)
``cot+udp://HOST:PORT[?uid=A,B]``         CoT datagrams (a multicast HOST joins the group)
``cot+tcp://HOST:PORT[?uid=A,B]``         CoT from a TAK server
========================================  ==========================================

>>> open_feed("gpsd://127.0.0.1").port
2947
>>> open_feed("nmea+udp://127.0.0.1")
Traceback (most recent call last):
...
overwatch.errors.FeedError: feed URL 'nmea+udp://127.0.0.1': no port (expected nmea+udp://HOST:PORT)
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from overwatch.errors import FeedError
from overwatch.feeds.base import Feed
from overwatch.feeds.cot_in import CotTcpFeed, CotUdpFeed, EventHandler
from overwatch.feeds.gpsd import DEFAULT_GPSD_PORT, GpsdFeed
from overwatch.feeds.guard import GuardConfig
from overwatch.feeds.nmea_feed import BAUD_RATES, NmeaSerialFeed, NmeaTcpFeed, NmeaUdpFeed

EXPECTED_FORMS = {
    "gpsd": "gpsd://HOST[:PORT]",
    "nmea+udp": "nmea+udp://HOST:PORT",
    "nmea+tcp": "nmea+tcp://HOST:PORT",
    "nmea+serial": "nmea+serial:///dev/DEVICE?baud=4800",
    "cot+udp": "cot+udp://HOST:PORT",
    "cot+tcp": "cot+tcp://HOST:PORT",
}


def open_feed(
    url: str,
    *,
    guard: GuardConfig | None = None,
    reconnect_delay_s: float = 1.0,
    on_cot_event: EventHandler | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Feed:
    """Build the feed a URL names (nothing is opened until ``fixes()`` runs).

    Raises :class:`FeedError` naming the URL and the form that was expected.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise FeedError(f"feed URL {url!r} is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in EXPECTED_FORMS:
        raise FeedError(
            f"feed URL {url!r}: unknown scheme {parts.scheme!r} "
            f"(expected one of {', '.join(EXPECTED_FORMS.values())})"
        )
    expected = EXPECTED_FORMS[scheme]

    def fail(problem: str) -> FeedError:
        return FeedError(f"feed URL {url!r}: {problem} (expected {expected})")

    query = parse_qs(parts.query)
    known = {"nmea+serial": {"baud"}, "cot+udp": {"uid", "iface"}, "cot+tcp": {"uid"}}
    unknown = set(query) - known.get(scheme, set())
    if unknown:
        raise fail(f"unknown option(s) {', '.join(sorted(unknown))}")

    if scheme == "nmea+serial":
        if parts.netloc or not parts.path.startswith("/"):
            raise fail("the device path must be absolute, after three slashes")
        baud_text = query.get("baud", ["4800"])[-1]
        if not baud_text.isdigit() or int(baud_text) not in BAUD_RATES:
            raise fail(f"baud={baud_text!r} is not one of {sorted(BAUD_RATES)}")
        return NmeaSerialFeed(
            url, parts.path, int(baud_text), guard=guard, reconnect_delay_s=reconnect_delay_s
        )

    host = parts.hostname
    if not host:
        raise fail("no host")
    if parts.path not in ("", "/"):
        raise fail(f"unexpected path {parts.path!r}")
    try:
        port = parts.port
    except ValueError:
        raise fail("the port is not a number in 0..65535") from None
    if port is None:
        if scheme != "gpsd":
            raise fail("no port")
        port = DEFAULT_GPSD_PORT

    uids = [uid for text in query.get("uid", []) for uid in text.split(",") if uid]
    builders: dict[str, Callable[[], Feed]] = {
        "gpsd": lambda: GpsdFeed(url, host, port, guard=guard, reconnect_delay_s=reconnect_delay_s),
        "nmea+udp": lambda: NmeaUdpFeed(url, host, port, guard=guard),
        "nmea+tcp": lambda: NmeaTcpFeed(
            url, host, port, guard=guard, reconnect_delay_s=reconnect_delay_s
        ),
        "cot+udp": lambda: CotUdpFeed(
            url,
            host,
            port,
            uids=uids,
            on_event=on_cot_event,
            interface=query.get("iface", ["0.0.0.0"])[-1],
            guard=guard,
        ),
        "cot+tcp": lambda: CotTcpFeed(
            url,
            host,
            port,
            uids=uids,
            on_event=on_cot_event,
            ssl_context=ssl_context,
            guard=guard,
            reconnect_delay_s=reconnect_delay_s,
        ),
    }
    return builders[scheme]()
