"""The shape every feed shares: guarded fixes, stats, status, reconnects.

A feed is consumed as an async generator, which owns its socket and closes it
in ``finally``::

    async with contextlib.aclosing(feed.fixes()) as fixes:
        async for fix in fixes:
            ...

Stream feeds (TCP, serial, gpsd) reconnect by themselves after
``reconnect_delay_s``; a datagram feed (UDP) binds once.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from overwatch.feeds.fix import FeedStats, FeedStatus, PatrolFix
from overwatch.feeds.guard import FixGuard, GuardConfig

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 4096


class Feed(abc.ABC):
    """A patrol position feed: ``fixes()`` yields accepted :class:`PatrolFix` events."""

    def __init__(self, url: str, *, guard: GuardConfig | None = None) -> None:
        self.url = url
        self.guard = FixGuard(guard)
        self.last_error: str | None = None

    @property
    def stats(self) -> FeedStats:
        return self.guard.stats

    def status(self) -> FeedStatus:
        """LIVE / STALE / DOWN, the age in seconds of the last accepted fix, and
        how many malformed messages were dropped."""
        return dataclasses.replace(
            self.guard.status(), bad=self.stats.bad, last_error=self.last_error
        )

    async def fixes(self) -> AsyncGenerator[PatrolFix, None]:
        """Every fix that passes the guard (jumps and out-of-order fixes are dropped)."""
        async for fix in self._raw_fixes():
            if self.guard.accept(fix):
                yield fix

    @abc.abstractmethod
    def _raw_fixes(self) -> AsyncIterator[PatrolFix]:
        """Fixes as decoded, before the guard."""


class StreamFeed(Feed):
    """A feed over a byte stream that is reopened whenever it drops."""

    def __init__(
        self, url: str, *, guard: GuardConfig | None = None, reconnect_delay_s: float = 1.0
    ) -> None:
        super().__init__(url, guard=guard)
        self.reconnect_delay_s = reconnect_delay_s

    @abc.abstractmethod
    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter | None]:
        """Open the stream (raises OSError when it cannot)."""

    @abc.abstractmethod
    def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> AsyncIterator[PatrolFix]:
        """Decode one connection until it ends."""

    async def _raw_fixes(self) -> AsyncIterator[PatrolFix]:
        first = True
        while True:
            if not first:
                self.stats.reconnects += 1
                await asyncio.sleep(self.reconnect_delay_s)
            first = False
            try:
                reader, writer = await self._open()
            except OSError as exc:
                self.last_error = f"{self.url}: cannot connect: {exc}"
                continue
            self.guard.connected = True
            try:
                async for fix in self._session(reader, writer):
                    yield fix
                self.last_error = f"{self.url}: connection closed by the peer"
            except OSError as exc:
                self.last_error = f"{self.url}: connection lost: {exc}"
            except Exception as exc:  # a decoding bug must not end the feed: reconnect
                log.exception("feed %s failed; reconnecting", self.url)
                self.stats.bad += 1
                self.last_error = f"{self.url}: {type(exc).__name__}: {exc}; reconnecting"
            finally:
                self.guard.connected = False
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(OSError):
                        await writer.wait_closed()


async def read_lines(
    reader: asyncio.StreamReader, on_overflow: Callable[[], None]
) -> AsyncIterator[bytes]:
    """Lines (without the line ending) from ``reader`` until EOF.

    A line longer than :data:`MAX_LINE_BYTES` is dropped (``on_overflow`` is
    called once for it) so garbage without newlines cannot grow memory.
    """
    buffer = bytearray()
    overflowing = False
    while True:
        chunk = await reader.read(4096)
        if not chunk:
            return
        buffer += chunk
        *lines, rest = bytes(buffer).split(b"\n")
        buffer = bytearray(rest)
        for line in lines:
            if overflowing:
                overflowing = False
                continue
            yield line.rstrip(b"\r")
        if len(buffer) > MAX_LINE_BYTES:
            if not overflowing:
                on_overflow()
            overflowing = True
            buffer.clear()
