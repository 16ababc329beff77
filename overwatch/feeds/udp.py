"""A bound UDP socket as an async queue of datagrams (unicast or multicast)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from collections.abc import AsyncIterator

from overwatch.errors import FeedError

MAX_QUEUED_DATAGRAMS = 1024


class _Queueing(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[bytes]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if self.queue.full():  # a slow consumer loses the oldest, never blocks the loop
            self.queue.get_nowait()
        self.queue.put_nowait(data)


def is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_multicast
    except ValueError:
        return False


@contextlib.asynccontextmanager
async def bind_datagrams(
    host: str, port: int, *, interface: str = "0.0.0.0"
) -> AsyncIterator[tuple[int, asyncio.Queue[bytes]]]:
    """Bind ``host:port`` (port 0 picks one) and yield ``(bound_port, queue)``.

    Raises :class:`FeedError` when the address cannot be bound.

    A multicast ``host`` (e.g. 239.2.3.1) binds the port on all addresses and
    joins the group on ``interface``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if is_multicast(host):
            sock.bind(("", port))
            membership = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton(interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        else:
            sock.bind((host, port))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise FeedError(f"cannot listen for UDP on {host}:{port}: {exc}") from None
    queue: asyncio.Queue[bytes] = asyncio.Queue(MAX_QUEUED_DATAGRAMS)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _Queueing(queue), sock=sock)
    try:
        yield int(sock.getsockname()[1]), queue
    finally:
        transport.close()
