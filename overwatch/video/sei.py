"""Read the camera's capture stamp from an H.264 access unit (SEI user data unregistered).

The wire format is documented in ``docs/video.md`` (and written by
``simulator.camera.stamp_sei``): UUID ``6f766572-7761-7463-682d-7374616d7031``
then ``>BdQd`` = version, capture UNIX seconds, sequence number, sim seconds;
version 2 appends ``d`` = the sender's wall clock at capture (UNIX seconds).
"""

from __future__ import annotations

import struct
import uuid

from overwatch.camera import CaptureStamp

STAMP_UUID = uuid.UUID("6f766572-7761-7463-682d-7374616d7031").bytes
_STAMP = struct.Struct(">BdQd")
_WALL = struct.Struct(">d")


def _unescape(ebsp: bytes) -> bytes:
    """Remove emulation-prevention bytes (``00 00 03`` → ``00 00``)."""
    if b"\x00\x00\x03" not in ebsp:
        return ebsp
    out = bytearray()
    zeros = 0
    for byte in ebsp:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _sei_messages(rbsp: bytes) -> list[tuple[int, bytes]]:
    messages = []
    i = 0
    while i < len(rbsp) and rbsp[i] != 0x80:
        ptype = 0
        while i < len(rbsp) and rbsp[i] == 255:
            ptype += 255
            i += 1
        if i >= len(rbsp):
            break
        ptype += rbsp[i]
        i += 1
        size = 0
        while i < len(rbsp) and rbsp[i] == 255:
            size += 255
            i += 1
        if i >= len(rbsp):
            break
        size += rbsp[i]
        i += 1
        messages.append((ptype, rbsp[i : i + size]))
        i += size
    return messages


def find_capture_stamp(access_unit: bytes) -> CaptureStamp | None:
    """The capture stamp in an Annex-B access unit, or None if it carries none."""
    if STAMP_UUID[:6] not in access_unit:
        # The UUID has no zero bytes, so escaping never splits it: cheap early out.
        return None
    start = 0
    while True:
        i = access_unit.find(b"\x00\x00\x01", start)
        if i < 0 or i + 3 >= len(access_unit):
            return None
        end = access_unit.find(b"\x00\x00\x01", i + 3)
        nal = access_unit[i + 3 : end if end >= 0 else len(access_unit)]
        start = i + 3
        if nal and nal[0] & 0x1F == 6:
            for ptype, payload in _sei_messages(_unescape(nal[1:])):
                if ptype == 5 and payload[:16] == STAMP_UUID and len(payload) >= 16 + _STAMP.size:
                    version, capture_s, seq, sim_s = _STAMP.unpack_from(payload, 16)
                    if version == 1:
                        return CaptureStamp(capture_s, int(seq), sim_s)
                    wall_at = 16 + _STAMP.size
                    if version == 2 and len(payload) >= wall_at + _WALL.size:
                        (wall_s,) = _WALL.unpack_from(payload, wall_at)
                        return CaptureStamp(capture_s, int(seq), sim_s, wall_s)
        if end < 0:
            return None
