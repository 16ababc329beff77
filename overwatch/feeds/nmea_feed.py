"""NMEA 0183 feeds over TCP (client), UDP (bound listener) and serial ports."""

from __future__ import annotations

import asyncio
import os
import termios
from collections.abc import AsyncIterator

from overwatch.feeds.base import Feed, StreamFeed, read_lines
from overwatch.feeds.fix import PatrolFix
from overwatch.feeds.guard import GuardConfig
from overwatch.feeds.nmea import NmeaDecoder
from overwatch.feeds.udp import bind_datagrams


class _NmeaStreamFeed(StreamFeed):
    def __init__(
        self,
        url: str,
        *,
        guard: GuardConfig | None = None,
        reconnect_delay_s: float = 1.0,
        require_checksum: bool = True,
    ) -> None:
        super().__init__(url, guard=guard, reconnect_delay_s=reconnect_delay_s)
        self.decoder = NmeaDecoder(url, require_checksum=require_checksum)

    async def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> AsyncIterator[PatrolFix]:
        async for line in read_lines(reader, self._count_bad):
            for fix in self.decoder.feed_line(line):
                yield fix
            self._sync_counts()
        for fix in self.decoder.assembler.flush():
            yield fix
        self._sync_counts()

    def _count_bad(self) -> None:
        self.decoder.bad += 1

    def _sync_counts(self) -> None:
        self.stats.bad = self.decoder.bad
        self.stats.no_fix = self.decoder.assembler.no_fix
        if self.decoder.last_error is not None:
            self.last_error = f"{self.url}: {self.decoder.last_error}"


class NmeaTcpFeed(_NmeaStreamFeed):
    """NMEA sentences read from a TCP server (``nmea+tcp://HOST:PORT``)."""

    def __init__(
        self,
        url: str,
        host: str,
        port: int,
        *,
        guard: GuardConfig | None = None,
        reconnect_delay_s: float = 1.0,
        require_checksum: bool = True,
    ) -> None:
        super().__init__(
            url,
            guard=guard,
            reconnect_delay_s=reconnect_delay_s,
            require_checksum=require_checksum,
        )
        self.host, self.port = host, port

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter | None]:
        return await asyncio.open_connection(self.host, self.port)


BAUD_RATES = {
    1200: termios.B1200,
    2400: termios.B2400,
    4800: termios.B4800,
    9600: termios.B9600,
    19200: termios.B19200,
    38400: termios.B38400,
    57600: termios.B57600,
    115200: termios.B115200,
}


class NmeaSerialFeed(_NmeaStreamFeed):
    """NMEA sentences from a serial port (``nmea+serial:///dev/ttyUSB0?baud=4800``).

    The port is put in raw mode at ``baud`` (8N1) and read without blocking the
    event loop; it is reopened when it goes away (a USB receiver unplugged).
    """

    def __init__(
        self,
        url: str,
        path: str,
        baud: int = 4800,
        *,
        guard: GuardConfig | None = None,
        reconnect_delay_s: float = 1.0,
        require_checksum: bool = True,
    ) -> None:
        super().__init__(
            url,
            guard=guard,
            reconnect_delay_s=reconnect_delay_s,
            require_checksum=require_checksum,
        )
        self.path, self.baud = path, baud

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter | None]:
        fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            attrs = termios.tcgetattr(fd)
            iflag, oflag, cflag, lflag, _, _, cc = attrs
            speed = BAUD_RATES[self.baud]
            iflag = 0
            oflag = 0
            lflag = 0
            cflag = termios.CS8 | termios.CREAD | termios.CLOCAL
            cc[termios.VMIN] = 1
            cc[termios.VTIME] = 0
            termios.tcsetattr(fd, termios.TCSANOW, [iflag, oflag, cflag, lflag, speed, speed, cc])
        except termios.error as exc:
            os.close(fd)
            raise OSError(f"cannot configure {self.path}: {exc}") from None
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        pipe = os.fdopen(fd, "rb", buffering=0)
        try:
            transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), pipe
            )
        except BaseException:
            pipe.close()
            raise
        self._transport = transport
        return reader, None

    async def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> AsyncIterator[PatrolFix]:
        try:
            async for fix in super()._session(reader, writer):
                yield fix
        finally:
            self._transport.close()


class NmeaUdpFeed(Feed):
    """NMEA datagrams received on a bound UDP port (``nmea+udp://HOST:PORT``).

    A datagram may carry several sentences separated by line endings.
    """

    def __init__(
        self,
        url: str,
        host: str,
        port: int,
        *,
        guard: GuardConfig | None = None,
        require_checksum: bool = True,
    ) -> None:
        super().__init__(url, guard=guard)
        self.host, self.port = host, port
        self.decoder = NmeaDecoder(url, require_checksum=require_checksum)
        self.bound_port: int | None = None

    async def _raw_fixes(self) -> AsyncIterator[PatrolFix]:
        async with bind_datagrams(self.host, self.port) as (port, datagrams):
            self.bound_port = port
            self.guard.connected = True
            try:
                while True:
                    datagram = await datagrams.get()
                    for line in datagram.splitlines():
                        for fix in self.decoder.feed_line(line):
                            yield fix
                    self.stats.bad = self.decoder.bad
                    self.stats.no_fix = self.decoder.assembler.no_fix
                    if self.decoder.last_error is not None:
                        self.last_error = f"{self.url}: {self.decoder.last_error}"
            finally:
                self.guard.connected = False
