"""A loopback TCP proxy between the ground station and a vehicle: the cable we can cut.

Every backend's vehicle is reached through one of these, so a test can
cut the link both ways for a while (``cut()`` / ``restore()``), push raw
bytes into either direction (``inject_to_client`` / ``inject_to_vehicle``),
and — for a vehicle that has no fault injector of its own, such as
ArduPilot SITL — degrade it with the built-in simulator's
:class:`~simulator.faults.FaultyLink`, timed in the vehicle's seconds
(wall seconds × ``speedup``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.faults import FaultyLink, FrameSplitter, LinkFaults

#: How often delayed frames are released (wall seconds).
PUMP_PERIOD_S = 0.002

Write = Callable[[bytes], None]


@dataclass
class _Pair:
    """One client connection and its own connection to the vehicle."""

    client: asyncio.StreamWriter
    vehicle: asyncio.StreamWriter
    faulty: FaultyLink | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class LinkProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to ``host:port``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        faults: LinkFaults | None = None,
        speedup: float = 1.0,
    ) -> None:
        self.target = (host, port)
        self.faults = faults if faults is not None and faults.active else None
        self.speedup = speedup
        self.port = 0
        self.is_cut = False
        self.bytes_dropped = 0
        self.connections = 0
        self._pairs: list[_Pair] = []
        self._server: asyncio.Server | None = None
        self._pump: asyncio.Task[None] | None = None
        self._t0_s = 0.0

    @property
    def url(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    async def start(self) -> LinkProxy:
        loop = asyncio.get_running_loop()
        self._t0_s = loop.time()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        if self.faults is not None:
            self._pump = asyncio.create_task(self._pump_loop())
        return self

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self._server is not None:
            self._server.close()
        for pair in list(self._pairs):
            await self._drop(pair)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    # -- what tests do to the link --------------------------------------------------

    def cut(self) -> None:
        """From now on nothing passes either way (connections stay open)."""
        self.is_cut = True

    def restore(self) -> None:
        self.is_cut = False

    def inject_to_client(self, data: bytes) -> None:
        """Raw bytes to every connected ground station, as if the vehicle had sent them."""
        for pair in self._pairs:
            pair.client.write(data)

    def inject_to_vehicle(self, data: bytes) -> None:
        """Raw bytes to the vehicle on every connection, as if the ground station had sent them."""
        for pair in self._pairs:
            pair.vehicle.write(data)

    async def drain(self) -> None:
        """Wait until injected bytes have been handed to the sockets."""
        for pair in self._pairs:
            await pair.client.drain()
            await pair.vehicle.drain()

    # -- plumbing ---------------------------------------------------------------------

    def _now_s(self) -> float:
        return (asyncio.get_running_loop().time() - self._t0_s) * self.speedup

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.connections += 1
        pair = _Pair(client=writer, vehicle=up_writer)
        to_vehicle: Write = up_writer.write
        to_client: Write = writer.write
        if self.faults is not None:
            pair.faulty = FaultyLink(
                self.faults, writer.write, up_writer.write, self._now_s, stream_id=self.connections
            )
            to_client, to_vehicle = _framed(pair.faulty.send), _framed(pair.faulty.receive)
        self._pairs.append(pair)
        pair.tasks = [
            asyncio.create_task(self._forward(reader, to_vehicle, pair)),
            asyncio.create_task(self._forward(up_reader, to_client, pair)),
        ]

    async def _forward(
        self,
        reader: asyncio.StreamReader,
        write: Write,
        pair: _Pair,
    ) -> None:
        try:
            while data := await reader.read(65536):
                if self.is_cut:
                    self.bytes_dropped += len(data)
                    continue
                write(data)
        except (ConnectionError, OSError):
            pass
        finally:
            self._close_pair(pair)

    def _close_pair(self, pair: _Pair) -> None:
        """One side hung up: hang up the other side too."""
        if pair in self._pairs:
            self._pairs.remove(pair)
        current = asyncio.current_task()
        for task in pair.tasks:
            if task is not current:
                task.cancel()
        pair.client.close()
        pair.vehicle.close()

    async def _drop(self, pair: _Pair) -> None:
        self._close_pair(pair)
        for task in pair.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for writer in (pair.client, pair.vehicle):
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _pump_loop(self) -> None:
        while True:
            await asyncio.sleep(PUMP_PERIOD_S)
            for pair in self._pairs:
                if pair.faulty is not None:
                    pair.faulty.pump()


def _framed(sink: Write) -> Write:
    """Cut a byte stream into MAVLink frames before handing them to ``sink``."""
    splitter = FrameSplitter()

    def write(data: bytes) -> None:
        for frame in splitter.feed(data):
            sink(frame)

    return write
