"""Telemetry logs (.tlog): each packet after its UNIX time in µs (8 bytes, big-endian).

This is the format QGroundControl, MAVProxy, MAVExplorer and pymavlink's
``mavlogdump.py`` read and write.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from overwatch.errors import LinkError

_STAMP = struct.Struct(">Q")
_V1_MARKER = 0xFE
_V2_MARKER = 0xFD
_SIGNED_FLAG = 0x01
#: a stamp and the longest MAVLink 2 packet (header, payload, CRC, signature)
_LONGEST_RECORD = 8 + 10 + 255 + 2 + 13


#: Longest a written packet waits in the writer's buffer, in wall seconds: a killed
#: ground station loses at most this much of its log (a flush per packet was a system
#: call per packet, a twentieth of a fast simulated run).
FLUSH_EVERY_S = 0.2


class TlogWriter:
    """Appends packets to a .tlog file, flushed every :data:`FLUSH_EVERY_S` of wall time
    so that a crash loses little.

    An existing file is added to (a restarted ground station goes on with its
    flight's log). If it ends in a record cut short (power lost mid-write), the
    cut record is dropped first, so that what follows can still be read;
    ``dropped_bytes`` says how much.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.dropped_bytes = _drop_cut_tail(self.path)
        self._file: BinaryIO | None = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self.packets = 0
        self._flushed_at = time.monotonic()

    def write(self, packet: bytes, unix_time_s: float | None = None) -> None:
        """Record one whole MAVLink packet received or sent at ``unix_time_s`` (default: now)."""
        if self._file is None:
            return
        stamp_us = int((time.time() if unix_time_s is None else unix_time_s) * 1e6)
        self._file.write(_STAMP.pack(stamp_us) + packet)
        self.packets += 1
        wall_s = time.monotonic()
        if wall_s - self._flushed_at >= FLUSH_EVERY_S:
            self._file.flush()
            self._flushed_at = wall_s

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _whole_records_end(data: bytes) -> int:
    """Where the last whole record of ``data`` ends."""
    at = 0
    while at + _STAMP.size < len(data):
        length = _packet_length(data, at + _STAMP.size)
        if length is None or at + _STAMP.size + length > len(data):
            break
        at += _STAMP.size + length
    return at


def _drop_cut_tail(path: Path) -> int:
    """Truncate ``path`` after its last whole record; how many bytes went (0: none)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    end = _whole_records_end(data)
    if len(data) - end > _LONGEST_RECORD:
        raise LinkError(
            f"{path}: not a tlog after byte {end} of {len(data)}; it is kept as it is "
            "(give another tlog path)"
        )
    if end < len(data):
        with open(path, "r+b") as file:
            file.truncate(end)
    return len(data) - end


def _packet_length(buf: bytes, at: int) -> int | None:
    """Length of the MAVLink packet starting at ``at``, None if it is not a packet start."""
    if at + 3 > len(buf):
        return None
    marker, payload_len = buf[at], buf[at + 1]
    if marker == _V1_MARKER:
        return 6 + payload_len + 2
    if marker == _V2_MARKER:
        signed = buf[at + 2] & _SIGNED_FLAG
        return 10 + payload_len + 2 + (13 if signed else 0)
    return None


def read_tlog(path: str | os.PathLike[str]) -> Iterator[tuple[float, bytes]]:
    """Yield ``(unix_time_s, packet_bytes)`` for each record of a .tlog file.

    A record whose packet does not start with a MAVLink marker ends the read
    (the rest of the file cannot be framed reliably).
    """
    data = Path(path).read_bytes()
    at = 0
    while at + _STAMP.size < len(data):
        (stamp_us,) = _STAMP.unpack_from(data, at)
        length = _packet_length(data, at + _STAMP.size)
        if length is None or at + _STAMP.size + length > len(data):
            return
        start = at + _STAMP.size
        yield stamp_us * 1e-6, data[start : start + length]
        at = start + length
