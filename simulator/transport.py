"""Sockets: the TCP server each vehicle listens on and the optional UDP output.

Each accepted TCP connection and the UDP socket become a *link*: bytes in
are cut into MAVLink frames and handed to ``on_frame``; frames out are
written as they are. Fault injection wraps links (:mod:`simulator.faults`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from simulator.faults import FrameSplitter

#: Bytes queued for a TCP client beyond which new frames are dropped.
MAX_UNSENT_BYTES = 1 << 20


class Link:
    """One peer: a TCP connection or the UDP output. ``send_frame`` writes bytes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False
        self.on_frame: Callable[[bytes], None] = lambda frame: None
        self.on_close: Callable[[], None] = lambda: None

    def send_frame(self, frame: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


class TcpLink(Link, asyncio.Protocol):
    """An accepted TCP connection."""

    def __init__(self, on_connect: Callable[[TcpLink], None]) -> None:
        Link.__init__(self, "tcp")
        self.frames_dropped = 0
        self._on_connect = on_connect
        self._transport: asyncio.Transport | None = None
        self._splitter = FrameSplitter()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.name = f"tcp:{peer[0]}:{peer[1]}" if peer else "tcp"
        self._on_connect(self)

    def data_received(self, data: bytes) -> None:
        for frame in self._splitter.feed(data):
            self.on_frame(frame)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.on_close()

    def send_frame(self, frame: bytes) -> None:
        t = self._transport
        if t is None or self.closed or t.is_closing():
            return
        if t.get_write_buffer_size() > MAX_UNSENT_BYTES:
            self.frames_dropped += 1  # a client that stops reading loses frames, as on a radio
            return
        t.write(frame)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()


class UdpLink(Link, asyncio.DatagramProtocol):
    """Sends frames to one host:port and reads what comes back from anywhere."""

    def __init__(self, host: str, port: int) -> None:
        Link.__init__(self, f"udp:{host}:{port}")
        self.remote = (host, port)
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        for frame in FrameSplitter().feed(data):
            self.on_frame(frame)

    def error_received(self, exc: Exception) -> None:
        pass  # nobody listening yet (ICMP port unreachable): keep sending, as SITL does

    def send_frame(self, frame: bytes) -> None:
        if self._transport is not None and not self.closed:
            self._transport.sendto(frame, self.remote)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()
