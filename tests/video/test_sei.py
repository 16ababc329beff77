"""The capture stamp survives the trip through an H.264 access unit, escaping included."""

from __future__ import annotations

import av
import numpy as np

from overwatch.camera import CaptureStamp
from overwatch.video.sei import find_capture_stamp
from simulator.camera.stamp_sei import insert_stamp, stamp_sei_nal


def test_stamp_round_trip_with_emulation_prevention() -> None:
    # Zeros in the payload force emulation-prevention bytes into the NAL.
    stamp = CaptureStamp(capture_unix_s=0.0, seq=3, sim_time_s=2.0**-1074)
    nal = stamp_sei_nal(stamp)
    assert b"\x00\x00\x00" not in nal[4:] and b"\x00\x00\x01" not in nal[4:]
    assert b"\x00\x00\x03" in nal
    assert find_capture_stamp(nal) == stamp


def test_stamp_goes_before_the_first_slice_and_the_frame_still_decodes() -> None:
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 64, 48, "yuv420p"
    encoder.options = {"preset": "ultrafast", "tune": "zerolatency"}
    frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 90, np.uint8), format="rgb24")
    (packet,) = encoder.encode(frame)
    stamp = CaptureStamp(1_795_000_000.125, 42, 12.5)
    stamped = insert_stamp(bytes(packet), stamp)
    assert find_capture_stamp(stamped) == stamp
    assert find_capture_stamp(bytes(packet)) is None
    sei_at = stamped.index(stamp_sei_nal(stamp))
    first_slice = stamped.index(b"\x00\x00\x01\x65")  # IDR slice NAL header
    assert sei_at < first_slice
    decoder = av.CodecContext.create("h264", "r")
    frames = decoder.decode(av.Packet(stamped))
    assert len(frames) == 1
    assert abs(int(frames[0].to_ndarray(format="rgb24")[24, 32, 1]) - 90) < 6


def test_foreign_user_data_is_ignored() -> None:
    foreign = b"\x00\x00\x00\x01\x06\x05\x11" + bytes(range(1, 18)) + b"\x80"
    assert find_capture_stamp(foreign) is None
