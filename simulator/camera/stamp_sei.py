"""Write the capture stamp into the H.264 stream as an SEI user-data-unregistered NAL.

Every access unit gets one SEI message of payload type 5 (user data
unregistered) placed just before its first slice: a 16-byte UUID followed by
``>BdQd`` = format version (1), capture time (UNIX seconds, float64), frame
sequence number (uint64), simulator time (seconds, float64); version 2 appends
``d`` = the sender's wall clock at capture (UNIX seconds), written when the
capture time is simulated UTC that runs apart from the wall clock. Decoders that do
not know the UUID ignore the message (FFmpeg, GStreamer, QGroundControl).
The receiver's parser lives in :mod:`overwatch.video.sei`.
"""

from __future__ import annotations

import struct
import uuid

from overwatch.camera import CaptureStamp

STAMP_UUID = uuid.UUID("6f766572-7761-7463-682d-7374616d7031").bytes  # "overwatch-stamp1"
STAMP_FORMAT = ">BdQd"
STAMP_VERSION = 1
STAMP_FORMAT_V2 = ">BdQdd"


def _escape(rbsp: bytes) -> bytes:
    """Insert emulation-prevention bytes so no ``00 00 0x`` (x ≤ 3) occurs in the NAL."""
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def stamp_sei_nal(stamp: CaptureStamp) -> bytes:
    """The Annex-B SEI NAL unit (with 4-byte start code) carrying ``stamp``."""
    if stamp.wall_unix_s is None:
        fields = struct.pack(
            STAMP_FORMAT, STAMP_VERSION, stamp.capture_unix_s, stamp.seq, stamp.sim_time_s
        )
    else:
        fields = struct.pack(
            STAMP_FORMAT_V2,
            2,
            stamp.capture_unix_s,
            stamp.seq,
            stamp.sim_time_s,
            stamp.wall_unix_s,
        )
    payload = STAMP_UUID + fields
    size = len(payload)
    header = bytearray([5])  # payload type: user data unregistered
    while size >= 255:
        header.append(255)
        size -= 255
    header.append(size)
    rbsp = bytes(header) + payload + b"\x80"  # rbsp_trailing_bits
    return b"\x00\x00\x00\x01\x06" + _escape(rbsp)


def _first_slice_offset(access_unit: bytes) -> int:
    """Byte offset of the start code of the first VCL NAL (types 1..5), or 0."""
    i = 0
    n = len(access_unit)
    while True:
        i = access_unit.find(b"\x00\x00\x01", i)
        if i < 0 or i + 3 >= n:
            return 0
        nal_type = access_unit[i + 3] & 0x1F
        if 1 <= nal_type <= 5:
            return i - 1 if i > 0 and access_unit[i - 1] == 0 else i
        i += 3


# An access unit delimiter (primary_pic_type 7: any slice type).
ACCESS_UNIT_DELIMITER = b"\x00\x00\x00\x01\x09\xf0"


def insert_stamp(access_unit: bytes, stamp: CaptureStamp) -> bytes:
    """``access_unit`` (Annex-B) with the stamp SEI before its first slice and an AUD after it.

    The trailing access unit delimiter starts the *next* access unit early: an
    H.264 parser (FFmpeg's, GStreamer's h264parse) only knows a frame is
    complete when it sees the next one begin, so without it every receiver
    would hold each frame back for one frame period.
    """
    at = _first_slice_offset(access_unit)
    return access_unit[:at] + stamp_sei_nal(stamp) + access_unit[at:] + ACCESS_UNIT_DELIMITER
