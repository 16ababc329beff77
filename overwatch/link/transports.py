"""Byte transports behind one small interface, chosen by a connection URL.

The forms are pymavlink's and MAVProxy's, so a URL that works with
``mavproxy.py --master`` works with ``--connect`` too:

==========================  ===================================================
``udpin:HOST:PORT``         listen on a UDP port; answer whoever spoke last.
                            ``udpin::PORT`` and ``udpin:0.0.0.0:PORT`` listen
                            on every interface (``udp:`` is the same)
``udpout:HOST:PORT``        send UDP datagrams to HOST:PORT
``udpbcast:BCAST:PORT``     broadcast to BCAST:PORT until the vehicle answers,
                            then talk to it alone
``mcast:[GROUP:]PORT``      a multicast group (default 239.255.145.50:14550)
``tcp:HOST:PORT``           TCP client; reconnects when the peer goes away
``tcpin:HOST:PORT``         TCP server; talks to every client connected
                            (``tcpin::PORT``: every interface)
``DEVICE,BAUD``             serial port: ``/dev/ttyUSB0,57600`` or
``DEVICE:BAUD``             ``/dev/ttyUSB0:57600``; ``DEVICE`` alone runs at
                            57600, a SiK telemetry radio's default
``tlog:PATH``               replay a telemetry log (``tlog:PATH?speed=10``)
==========================  ===================================================

A transport moves opaque bytes. ``read()`` waits for the next chunk and
returns ``b""`` only when the stream has ended for good (end of a replayed
log, or after ``close()``); ``write()`` never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
from pathlib import Path
from typing import Protocol

from overwatch.errors import LinkError
from overwatch.link.tlog import read_tlog

_END = b""
#: A serial device given without a baud rate runs at this: the default of SiK
#: telemetry radios (RFD900, 3DR/Holybro radios) and of MAVProxy. A flight
#: controller's own USB port (``/dev/ttyACM0``) ignores the baud rate.
DEFAULT_BAUD = 57600
#: What ``fly``, ``run`` and ``ui`` listen on without ``--connect``: where QGroundControl
#: and MAVProxy listen, and where a radio bridge or SITL's ``--out`` sends by default.
DEFAULT_CONNECTION = "udpin:0.0.0.0:14550"
#: pymavlink's multicast group and port for ``mcast:``.
DEFAULT_MCAST = ("239.255.145.50", 14550)
#: A TCP peer that stops reading loses bytes past this backlog rather than growing it.
MAX_TCP_BACKLOG = 1 << 20

EXPECTED_URLS = (
    "udpin:HOST:PORT, udpin::PORT, udpout:HOST:PORT, udpbcast:BCAST:PORT, mcast:[GROUP:]PORT, "
    "tcp:HOST:PORT, tcpin:HOST:PORT, DEVICE,BAUD, DEVICE:BAUD or tlog:PATH"
)


class Transport(Protocol):
    """What the link needs from a connection: open, read chunks, write, close."""

    @property
    def description(self) -> str:
        """A human name for messages (``tcp:127.0.0.1:5760``)."""
        ...

    async def open(self) -> None:
        """Connect or bind. Raises :class:`LinkError` saying what failed."""
        ...

    async def read(self) -> bytes:
        """The next chunk of bytes; ``b""`` once the stream has ended for good."""
        ...

    def write(self, data: bytes) -> None:
        """Queue ``data`` for sending without blocking (dropped while disconnected)."""
        ...

    async def close(self) -> None:
        """Release the connection; pending and later ``read()`` calls return ``b""``."""
        ...


def _split_host_port(rest: str, url: str, *, any_host: str = "127.0.0.1") -> tuple[str, int]:
    """``HOST:PORT`` → (host, port); an empty host is ``any_host``."""
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise LinkError(f"connection URL {url!r}: expected HOST:PORT after the scheme")
    return host or any_host, int(port)


def _serial(device: str, url: str) -> SerialTransport:
    """``DEVICE,BAUD``, ``DEVICE:BAUD`` or ``DEVICE``."""
    for separator in (",", ":"):
        name, sep, baud = device.rpartition(separator)
        if not sep:
            continue
        if baud.isdigit() and int(baud) > 0 and name:
            return SerialTransport(name, int(baud))
        if separator == ",":
            raise LinkError(
                f"connection URL {url!r}: expected DEVICE,BAUD with a whole baud rate "
                f"(such as /dev/ttyUSB0,57600), got {baud!r}"
            )
    return SerialTransport(device, DEFAULT_BAUD)


def _mcast(rest: str, url: str) -> McastTransport:
    group, port = DEFAULT_MCAST
    if rest:
        head, sep, tail = rest.rpartition(":")
        if not tail.isdigit() or int(tail) > 65535:
            raise LinkError(f"connection URL {url!r}: expected mcast:[GROUP:]PORT")
        port = int(tail)
        if sep and head:
            group = head
    try:
        packed = socket.inet_aton(group)
    except OSError:
        raise LinkError(f"connection URL {url!r}: {group!r} is not an IPv4 address") from None
    if not 224 <= packed[0] <= 239:
        raise LinkError(
            f"connection URL {url!r}: {group} is not a multicast group (224.0.0.0 to "
            "239.255.255.255)"
        )
    return McastTransport(group, port)


def open_transport(url: str) -> Transport:
    """The (not yet opened) transport a connection URL names.

    Raises :class:`LinkError` naming the URL and the accepted forms when it is malformed.
    """
    scheme, sep, rest = url.partition(":")
    if sep and scheme in ("udpin", "udp"):
        return UdpInTransport(*_split_host_port(rest, url, any_host="0.0.0.0"))
    if sep and scheme == "udpout":
        return UdpOutTransport(*_split_host_port(rest, url))
    if sep and scheme == "udpbcast":
        return UdpBroadcastTransport(*_split_host_port(rest, url, any_host="255.255.255.255"))
    if sep and scheme == "mcast":
        return _mcast(rest, url)
    if sep and scheme == "tcp":
        return TcpTransport(*_split_host_port(rest, url))
    if sep and scheme == "tcpin":
        return TcpServerTransport(*_split_host_port(rest, url, any_host="0.0.0.0"))
    if sep and scheme == "tlog":
        path, _, query = rest.partition("?")
        speed = 1.0
        if query:
            key, _, value = query.partition("=")
            try:
                if key != "speed":
                    raise ValueError(key)
                speed = float(value)
            except ValueError:
                raise LinkError(
                    f"connection URL {url!r}: expected tlog:PATH?speed=FACTOR"
                ) from None
        return TlogReplayTransport(path, speed=speed)
    if scheme == "serial" and sep:
        return _serial(rest, url)
    if url.startswith("/") or url.upper().startswith("COM"):
        return _serial(url, url)
    raise LinkError(f"connection URL {url!r} not understood; expected {EXPECTED_URLS}")


class _ChunkQueue:
    """Chunks handed from I/O callbacks to ``read()``; ``b""`` marks the end."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.ended = False

    def put(self, data: bytes) -> None:
        if not self.ended:
            self.queue.put_nowait(data)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.queue.put_nowait(_END)

    async def get(self) -> bytes:
        if self.ended and self.queue.empty():
            return _END
        data = await self.queue.get()
        if data == _END:
            self.queue.put_nowait(_END)  # wake any other reader too
        return data


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, owner: _UdpTransportBase) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.owner.peer = addr
        self.owner.chunks.put(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while the peer is not up yet: a radio would drop it too.
        pass


class _UdpTransportBase:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.peer: tuple[str, int] | None = None
        self.chunks = _ChunkQueue()
        self._udp: asyncio.DatagramTransport | None = None

    async def read(self) -> bytes:
        return await self.chunks.get()

    def write(self, data: bytes) -> None:
        if self._udp is not None and self.peer is not None:
            self._udp.sendto(data, self.peer)

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        self.chunks.end()


class UdpInTransport(_UdpTransportBase):
    """Listen on HOST:PORT (port 0 picks a free one); reply to the last sender."""

    @property
    def description(self) -> str:
        return f"udpin:{self.host}:{self.port}"

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), local_addr=(self.host, self.port)
            )
        except OSError as exc:
            raise LinkError(f"{self.description}: cannot listen: {exc.strerror}") from exc
        self._udp = udp
        self.port = udp.get_extra_info("sockname")[1]


class UdpOutTransport(_UdpTransportBase):
    """Send to HOST:PORT from an ephemeral local port; read the answers."""

    @property
    def description(self) -> str:
        return f"udpout:{self.host}:{self.port}"

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), family=socket.AF_INET
            )
        except OSError as exc:
            raise LinkError(
                f"{self.description}: cannot open a UDP socket: {exc.strerror}"
            ) from exc
        self._udp = udp
        self.peer = (self.host, self.port)

    def write(self, data: bytes) -> None:
        if self._udp is not None:
            self._udp.sendto(data, (self.host, self.port))


class UdpBroadcastTransport(_UdpTransportBase):
    """Broadcast to BCAST:PORT until a peer answers; from then on talk to that peer alone.

    For a radio bridge or vehicle whose address is not known beforehand
    (pymavlink's ``udpbcast:``).
    """

    @property
    def description(self) -> str:
        return f"udpbcast:{self.host}:{self.port}"

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), family=socket.AF_INET, allow_broadcast=True
            )
        except OSError as exc:
            raise LinkError(
                f"{self.description}: cannot open a broadcast socket: {exc.strerror}"
            ) from exc
        self._udp = udp

    def write(self, data: bytes) -> None:
        if self._udp is not None:
            self._udp.sendto(data, self.peer or (self.host, self.port))


class McastTransport(_UdpTransportBase):
    """Send to and receive from a multicast group (pymavlink's ``mcast:``).

    Everything sent to the group comes back to every member, this one too:
    datagrams from our own sending port are dropped.
    """

    def __init__(self, group: str, port: int) -> None:
        super().__init__(group, port)
        self._out: asyncio.DatagramTransport | None = None
        self._own: tuple[str, int] | None = None

    @property
    def description(self) -> str:
        return f"mcast:{self.host}:{self.port}"

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        try:
            receiver.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            receiver.bind((self.host, self.port))
            membership = struct.pack("4sl", socket.inet_aton(self.host), socket.INADDR_ANY)
            receiver.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            receiver.setblocking(False)
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 32)
            sender.setblocking(False)
            sender.connect((self.host, self.port))
            self._own = sender.getsockname()
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _McastProtocol(self), sock=receiver
            )
            out, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, sock=sender)
        except OSError as exc:
            receiver.close()
            sender.close()
            raise LinkError(f"{self.description}: cannot join the group: {exc.strerror}") from exc
        self._udp, self._out = udp, out

    def write(self, data: bytes) -> None:
        if self._out is not None:
            self._out.sendto(data)

    async def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        await super().close()


class _McastProtocol(_UdpProtocol):
    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        owner = self.owner
        assert isinstance(owner, McastTransport)
        if owner._own is not None and addr[1] == owner._own[1]:
            return  # our own datagram, looped back by the group
        owner.chunks.put(data)


def _room_for(writer: asyncio.StreamWriter | None) -> bool:
    return (
        writer is not None
        and not writer.is_closing()
        and writer.transport.get_write_buffer_size() < MAX_TCP_BACKLOG
    )


class TcpTransport:
    """TCP client to HOST:PORT. After the first connection it reconnects on its own."""

    def __init__(self, host: str, port: int, *, reconnect_delay_s: float = 0.5) -> None:
        self.host = host
        self.port = port
        self.reconnect_delay_s = reconnect_delay_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._closed = False

    @property
    def description(self) -> str:
        return f"tcp:{self.host}:{self.port}"

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def open(self) -> None:
        try:
            await self._connect()
        except OSError as exc:
            raise LinkError(f"{self.description}: cannot connect: {exc.strerror or exc}") from exc

    async def read(self) -> bytes:
        while not self._closed:
            if self._reader is not None:
                try:
                    data = await self._reader.read(65536)
                except (ConnectionError, OSError):
                    data = _END
                if data:
                    return data
                self._drop()
            if self._closed:
                break
            await asyncio.sleep(self.reconnect_delay_s)
            with contextlib.suppress(OSError):
                await self._connect()
        return _END

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    def write(self, data: bytes) -> None:
        if _room_for(self._writer):
            assert self._writer is not None
            self._writer.write(data)

    async def close(self) -> None:
        self._closed = True
        writer = self._writer
        self._drop()
        if writer is not None:
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


class TcpServerTransport:
    """TCP server on HOST:PORT (port 0 picks a free one): reads every client, writes to all.

    For a vehicle or a bridge that connects to the ground station (MAVProxy's
    ``tcpin:``). A client that leaves is forgotten; the server keeps listening.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.chunks = _ChunkQueue()
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def description(self) -> str:
        return f"tcpin:{self.host}:{self.port}"

    @property
    def clients(self) -> int:
        """Clients connected now."""
        return len(self._clients)

    async def open(self) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, self.host, self.port)
        except OSError as exc:
            raise LinkError(f"{self.description}: cannot listen: {exc.strerror}") from exc
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._clients.add(writer)
        try:
            while True:
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    break
                if not data:
                    break
                self.chunks.put(data)
        finally:
            self._clients.discard(writer)
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def read(self) -> bytes:
        return await self.chunks.get()

    def write(self, data: bytes) -> None:
        for writer in list(self._clients):
            if _room_for(writer):
                writer.write(data)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._clients):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.chunks.end()


class SerialTransport:
    """A serial device (pyserial) read and written without blocking from the event loop."""

    def __init__(self, device: str, baud: int = DEFAULT_BAUD) -> None:
        self.device = device
        self.baud = baud
        self.chunks = _ChunkQueue()
        self._port: object | None = None
        self._fd: int | None = None
        self._pending = bytearray()

    @property
    def description(self) -> str:
        return f"{self.device}:{self.baud}"

    async def open(self) -> None:
        try:
            import serial  # type: ignore[import-untyped]  # pyserial, needed only here
        except ImportError:
            raise LinkError(
                f"serial {self.description}: serial ports need pyserial (pip install pyserial)"
            ) from None

        try:
            port = serial.Serial(self.device, self.baud, timeout=0, exclusive=False)
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"serial {self.description}: cannot open: {exc}") from exc
        self._port = port
        self._fd = port.fileno()
        os.set_blocking(self._fd, False)
        asyncio.get_running_loop().add_reader(self._fd, self._on_readable)

    def _on_readable(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = _END
        if data:
            self.chunks.put(data)
        else:  # device gone (pty closed, USB unplugged)
            asyncio.get_running_loop().remove_reader(self._fd)
            self.chunks.end()

    async def read(self) -> bytes:
        return await self.chunks.get()

    def write(self, data: bytes) -> None:
        if self._fd is None:
            return
        if self._pending:
            self._pending += data
            return
        try:
            sent = os.write(self._fd, data)
        except BlockingIOError:
            sent = 0
        except OSError:
            return
        if sent < len(data):
            self._pending += data[sent:]
            asyncio.get_running_loop().add_writer(self._fd, self._on_writable)

    def _on_writable(self) -> None:
        assert self._fd is not None
        try:
            sent = os.write(self._fd, self._pending)
        except BlockingIOError:
            return
        except OSError:
            sent = len(self._pending)
        del self._pending[:sent]
        if not self._pending:
            asyncio.get_running_loop().remove_writer(self._fd)

    async def close(self) -> None:
        if self._fd is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._fd)
            loop.remove_writer(self._fd)
            self._fd = None
        if self._port is not None:
            self._port.close()  # type: ignore[attr-defined]
            self._port = None
        self.chunks.end()


class TlogReplayTransport:
    """Replays the packets of a .tlog file at ``speed`` times real time (0: as fast as possible).

    Writes are discarded: a log cannot answer.
    """

    def __init__(self, path: str | os.PathLike[str], *, speed: float = 1.0) -> None:
        self.path = Path(path)
        self.speed = speed
        self._entries: list[tuple[float, bytes]] = []
        self._index = 0
        self._start_wall_s = 0.0
        self._closed = False

    @property
    def description(self) -> str:
        return f"tlog:{self.path}"

    async def open(self) -> None:
        try:
            self._entries = list(read_tlog(self.path))
        except OSError as exc:
            raise LinkError(f"tlog {self.path}: cannot read: {exc.strerror}") from exc
        self._start_wall_s = asyncio.get_running_loop().time()

    async def read(self) -> bytes:
        if self._closed or self._index >= len(self._entries):
            return _END
        stamp_s, packet = self._entries[self._index]
        self._index += 1
        if self.speed > 0:
            due_s = self._start_wall_s + (stamp_s - self._entries[0][0]) / self.speed
            delay_s = due_s - asyncio.get_running_loop().time()
            if delay_s > 0:
                await asyncio.sleep(delay_s)
        return packet

    def write(self, data: bytes) -> None:
        pass

    async def close(self) -> None:
        self._closed = True
