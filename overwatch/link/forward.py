"""``--out``: share the vehicle's link with other ground stations, as MAVProxy's ``--out`` does.

Every MAVLink frame the vehicle sends is copied, byte for byte, to each
out; every frame a ground station sends on an out goes to the vehicle.
Frames are forwarded untouched: signed frames stay signed, messages this
program does not know pass through, and only frames whose checksum is
wrong for a known message are dropped (a radio's noise, not a message).

An out is a connection URL like ``--connect``'s (see
:mod:`overwatch.link.transports`): ``udpout:127.0.0.1:14551`` for a QGC or
MAVProxy listening on that port, ``tcpin::5762`` to let them connect to us.
An out that cannot be opened, or breaks, is retried in the background;
it never takes the vehicle's link down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import LinkError
from overwatch.link.transports import Transport, open_transport

log = logging.getLogger(__name__)

_STX_V1 = 0xFE
_STX_V2 = 0xFD
#: Seconds between attempts to open an out that failed or ended.
RETRY_S = 1.0


class FrameSplitter:
    """Cuts a byte stream into whole MAVLink 1 and 2 frames, untouched.

    Bytes before a start marker are skipped; a frame of a known message
    whose checksum does not match is skipped one byte at a time, as a
    receiver resynchronises. A message this dialect does not know cannot be
    checked: it passes only in step with the stream (right after a good
    frame), never while hunting for the next frame in noise.
    ``skipped_bytes`` counts what was thrown away.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._in_step = False
        self.skipped_bytes = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The complete frames ``data`` finishes (a partial one waits for more bytes)."""
        buf = self._buffer
        buf += data
        frames: list[bytes] = []
        while buf:
            start = _next_stx(buf)
            if start:
                self.skipped_bytes += start
                self._in_step = False
                del buf[:start]
                if not buf:
                    break
            size = _frame_size(buf)
            if size is None or len(buf) < size:
                break
            frame = bytes(buf[:size])
            verdict = _checksum(frame)
            if verdict or (verdict is None and self._in_step):
                frames.append(frame)
                self._in_step = True
                del buf[:size]
            else:
                self.skipped_bytes += 1
                self._in_step = False
                del buf[:1]
        return frames


def _next_stx(buf: bytearray) -> int:
    for index, byte in enumerate(buf):
        if byte in (_STX_V1, _STX_V2):
            return index
    return len(buf)


def _frame_size(buf: bytearray) -> int | None:
    """Bytes in the frame that starts ``buf``; None until its header has arrived."""
    if buf[0] == _STX_V1:
        return None if len(buf) < 2 else buf[1] + 8
    if len(buf) < 3:
        return None
    signed = buf[2] & mavlink.MAVLINK_IFLAG_SIGNED
    return buf[1] + 12 + (13 if signed else 0)


def _checksum(frame: bytes) -> bool | None:
    """Whether the frame's checksum matches; None for a message of another dialect."""
    if frame[0] == _STX_V1:
        header, msgid = 6, frame[5]
    else:
        header, msgid = 10, frame[7] | frame[8] << 8 | frame[9] << 16
    kind = mavlink.mavlink_map.get(msgid)
    if kind is None:
        return None
    end = header + frame[1]
    crc = mavlink.x25crc(frame[1:end])
    crc.accumulate(bytes([kind.crc_extra]))
    return bool(crc.crc == frame[end] | frame[end + 1] << 8)


class Out:
    """One ``--out``: a transport (from a URL or given), its frame splitter and its counters.

    Raises :class:`LinkError` at once for a malformed URL.
    """

    def __init__(self, out: str | Transport) -> None:
        self.url = out if isinstance(out, str) else None
        self.transport = open_transport(out) if isinstance(out, str) else out
        self.splitter = FrameSplitter()
        self.opened = False
        self.frames_out = 0  # vehicle → this out
        self.frames_in = 0  # this out → vehicle
        self.errors = 0

    @property
    def description(self) -> str:
        return self.transport.description

    def send(self, frame: bytes) -> None:
        """Copy one vehicle frame to this out; a failing out is counted, never raised."""
        if not self.opened:
            return
        try:
            self.transport.write(frame)
        except Exception as exc:
            self.errors += 1
            if self.errors == 1:
                log.warning("out %s: cannot send (%s); carrying on", self.description, exc)
            return
        self.frames_out += 1

    async def run(self, to_vehicle: Callable[[bytes], None]) -> None:
        """Open the out (retrying) and pass its frames to the vehicle, until cancelled."""
        warned = False
        while True:
            try:
                await self.transport.open()
            except LinkError as exc:
                self.errors += 1
                if not warned:
                    log.warning("out %s: %s; retrying every %g s", self.description, exc, RETRY_S)
                    warned = True
                await asyncio.sleep(RETRY_S)
                continue
            self.opened = True
            warned = False
            try:
                await self._pump(to_vehicle)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.errors += 1
                log.exception("out %s failed; reopening it", self.description)
            self.opened = False
            with contextlib.suppress(Exception):
                await self.transport.close()
            if self.url is None:
                log.warning("out %s ended", self.description)
                return
            await asyncio.sleep(RETRY_S)
            self.transport = open_transport(self.url)  # a closed transport stays closed

    async def _pump(self, to_vehicle: Callable[[bytes], None]) -> None:
        while True:
            data = await self.transport.read()
            if not data:
                return  # ended for good (a transport closed under us): reopen
            for frame in self.splitter.feed(data):
                to_vehicle(frame)
                self.frames_in += 1

    async def close(self) -> None:
        self.opened = False
        with contextlib.suppress(Exception):
            await self.transport.close()
