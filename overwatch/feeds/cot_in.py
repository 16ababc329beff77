"""Patrol positions from ATAK devices as Cursor-on-Target, over UDP or TCP.

``cot+udp://HOST:PORT`` binds and listens (a multicast HOST such as 239.2.3.1
joins the group); each datagram is one CoT XML event or one TAK protocol v1
mesh message. ``cot+tcp://HOST:PORT`` connects to a TAK server's plain
streaming port (TLS with an ``ssl.SSLContext``), whose stream may mix XML
events and TAK protocol v1 stream frames. Friendly position reports
(``a-f-…``) from the patrol's devices (``uids``; empty means any) become
:class:`PatrolFix` events. Every well-formed event — hostile markers too — is
also handed to ``on_event`` so the cue book can take TAK markers in.

A malformed message is counted in ``stats.bad`` (its reason kept in
``last_error``) and dropped; the feed reads on.

CoT gives height above the ellipsoid (HAE), not above mean sea level, so
``alt_msl_m`` is left ``None``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Collection

from overwatch.errors import CotError
from overwatch.feeds.base import Feed, StreamFeed
from overwatch.feeds.cot_xml import CotEvent, CotStreamSplitter, parse_cot_event
from overwatch.feeds.fix import PatrolFix
from overwatch.feeds.guard import FixGuard, GuardConfig
from overwatch.feeds.udp import bind_datagrams

log = logging.getLogger(__name__)

EventHandler = Callable[[CotEvent], None]


class _CotDecoding:
    """Shared decoding: bytes → CotEvent → maybe a PatrolFix."""

    url: str
    guard: FixGuard
    uids: frozenset[str]
    on_event: EventHandler | None
    last_error: str | None

    def _decode(self, message: bytes) -> PatrolFix | None:
        """One message → maybe a fix; a bad message is counted, never raised."""
        try:
            event = parse_cot_event(message)
        except CotError as exc:
            self.guard.stats.bad += 1
            self.last_error = f"{self.url}: {exc}"
            return None
        except Exception as exc:  # a parser bug must not end the feed: count, log, go on
            log.exception("CoT parser failed on %d bytes from %s", len(message), self.url)
            self.guard.stats.bad += 1
            self.last_error = f"{self.url}: {type(exc).__name__}: {exc}"
            return None
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception as exc:  # the receiver's failure is not the feed's
                log.exception("CoT event handler failed on %r", event.uid)
                self.guard.stats.bad += 1
                self.last_error = f"{self.url}: event {event.uid!r} not taken: {exc}"
        if not event.type.startswith("a-f-") or (self.uids and event.uid not in self.uids):
            return None
        return PatrolFix(
            time_s=event.time_s,
            lat_deg=event.lat_deg,
            lon_deg=event.lon_deg,
            alt_msl_m=None,
            speed_m_s=event.speed_m_s,
            course_deg=event.course_deg,
            source=f"{self.url}#{event.uid}",
            hdop=None,
        )


class CotUdpFeed(_CotDecoding, Feed):
    """CoT datagrams (one event each) on a bound UDP port."""

    def __init__(
        self,
        url: str,
        host: str,
        port: int,
        *,
        uids: Collection[str] = (),
        on_event: EventHandler | None = None,
        interface: str = "0.0.0.0",
        guard: GuardConfig | None = None,
    ) -> None:
        Feed.__init__(self, url, guard=guard)
        self.host, self.port, self.interface = host, port, interface
        self.uids = frozenset(uids)
        self.on_event = on_event
        self.bound_port: int | None = None

    async def _raw_fixes(self) -> AsyncIterator[PatrolFix]:
        async with bind_datagrams(self.host, self.port, interface=self.interface) as (
            port,
            datagrams,
        ):
            self.bound_port = port
            self.guard.connected = True
            try:
                while True:
                    fix = self._decode(await datagrams.get())
                    if fix is not None:
                        yield fix
            finally:
                self.guard.connected = False


class CotTcpFeed(_CotDecoding, StreamFeed):
    """CoT events streamed by a TAK server; reconnects when it drops."""

    def __init__(
        self,
        url: str,
        host: str,
        port: int,
        *,
        uids: Collection[str] = (),
        on_event: EventHandler | None = None,
        ssl_context: ssl.SSLContext | None = None,
        guard: GuardConfig | None = None,
        reconnect_delay_s: float = 1.0,
    ) -> None:
        StreamFeed.__init__(self, url, guard=guard, reconnect_delay_s=reconnect_delay_s)
        self.host, self.port = host, port
        self.uids = frozenset(uids)
        self.on_event = on_event
        self.ssl_context = ssl_context

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter | None]:
        return await asyncio.open_connection(self.host, self.port, ssl=self.ssl_context)

    async def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> AsyncIterator[PatrolFix]:
        splitter = CotStreamSplitter()
        while chunk := await reader.read(65536):
            overflows = splitter.overflows
            for message in splitter.feed(chunk):
                fix = self._decode(message)
                if fix is not None:
                    yield fix
            self.stats.bad += splitter.overflows - overflows
