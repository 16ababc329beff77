"""``--out`` forwards MAVLink frames untouched: the frame splitter on real pymavlink frames."""

from __future__ import annotations

import random

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.link.forward import FrameSplitter


def _codec(*, signed: bool = False, v1: bool = False) -> mavlink.MAVLink:
    codec = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    codec.robust_parsing = True
    if signed:
        codec.signing.secret_key = bytes(range(32))
        codec.signing.sign_outgoing = True
        codec.signing.timestamp = 1
    if v1:
        codec.WIRE_PROTOCOL_VERSION = "1.0"
    return codec


def _frames() -> list[bytes]:
    plain, signed, old = _codec(), _codec(signed=True), _codec(v1=True)
    frames = [
        plain.heartbeat_encode(2, 3, 81, 0, 3).pack(plain),
        signed.heartbeat_encode(2, 3, 81, 0, 3).pack(signed),
        old.heartbeat_encode(2, 3, 81, 0, 3).pack(old, force_mavlink1=True),
        plain.statustext_encode(6, b"EKF3 IMU0 is using GPS").pack(plain),
        plain.global_position_int_encode(1, 135000000, 21000000, 300000, 30000, 1, 2, 3, 900).pack(
            plain
        ),
    ]
    # a message of a dialect we do not know (id 60000): framed by its length, passed on
    unknown = bytearray(frames[0])
    unknown[7:10] = (60000).to_bytes(3, "little")
    frames.append(bytes(unknown))
    return frames


def test_frames_come_out_byte_for_byte_whatever_the_chunking() -> None:
    frames = _frames()
    stream = b"\x00\x55junk" + b"".join(frames)
    rng = random.Random(4)
    for _ in range(50):
        splitter = FrameSplitter()
        out: list[bytes] = []
        rest = stream
        while rest:
            cut = rng.randint(1, 40)
            out += splitter.feed(rest[:cut])
            rest = rest[cut:]
        assert out == frames
        assert splitter.skipped_bytes == 6


def test_a_corrupted_known_frame_is_dropped_and_the_next_one_found() -> None:
    good = _frames()
    broken = bytearray(good[3])
    broken[12] ^= 0x40  # a bit flipped in the status text: the checksum no longer matches
    splitter = FrameSplitter()
    out = splitter.feed(bytes(broken) + good[4])
    assert out == [good[4]]
    assert splitter.skipped_bytes > 0


def test_an_unknown_message_passes_only_in_step_with_the_stream() -> None:
    frames = _frames()
    unknown, known = frames[-1], frames[3]
    splitter = FrameSplitter()
    assert splitter.feed(unknown + known) == [known]  # not in step yet: cannot be trusted
    assert splitter.feed(unknown) == [unknown]  # right after a good frame: passed on
